"""Composition root: one account client and one state per page session (browser tab)."""

import os

import flet as ft

from mobile.router import Router
from mobile.state import AppState
from sync.client import AccountClient

DEFAULT_API_URL = "http://127.0.0.1:8000"


def api_url() -> str:
    return os.environ.get("ENS_API_URL", DEFAULT_API_URL).rstrip("/")


def main(page: ft.Page) -> None:
    """Build this tab's client, state and router; nothing is shared between tabs."""
    client = AccountClient(api_url())
    state = AppState(client)
    page.theme_mode = ft.ThemeMode.LIGHT
    page.theme = ft.Theme(color_scheme_seed="#0B4F9C")
    page.scroll = ft.ScrollMode.AUTO
    page.padding = ft.Padding.symmetric(horizontal=16, vertical=12)
    Router(page, state).render()
