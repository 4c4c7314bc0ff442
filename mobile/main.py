"""Composition root: one account client and one state per page session (browser tab)."""

import os

import flet as ft

from mobile.app import VaultAppState
from mobile.catalogue import app_consent
from mobile.launch import attach, devices_root
from mobile.shell.router import Router
from sync.client import AccountClient

DEFAULT_API_URL = "http://127.0.0.1:8000"


def api_url() -> str:
    return os.environ.get("ENS_API_URL", DEFAULT_API_URL).rstrip("/")


def main(page: ft.Page) -> None:
    """Build this tab's client, state and router; nothing is shared between tabs."""
    client = AccountClient(api_url())
    state = VaultAppState(client, devices_root())
    state.catalogue.keep_request(page.route)  # an app asking to connect: `/?consent=<id>`
    page.theme_mode = ft.ThemeMode.LIGHT
    page.theme = ft.Theme(color_scheme_seed="#0B4F9C")
    page.scroll = ft.ScrollMode.AUTO
    page.padding = ft.Padding.symmetric(horizontal=16, vertical=12)
    router = Router(page, state)
    page.on_route_change = lambda e: app_consent.route_changed(router.ui, e.route)  # a consent request
    router.render()
    attach(page, state, router.render)
