"""Pieces the screens that need the server share, and the small controls of their cards.

These screens (the shared record's, administrative data, shares, the catalogue...) load when
opened (off the UI loop, with a progress line), say plainly when there is no connection, and
always offer a way to retry or go back.
"""

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

import flet as ft

from mobile.shell.online import Online
from mobile.shell.widgets import (
    BODY_SIZE,
    ERROR_FG,
    PRIMARY,
    Ui,
    banner,
    notice,
    para,
    primary_button,
)
from mobile.shell.words import format_date

__all__ = [
    "chip",
    "confirm_dialog",
    "load_in_background",
    "offer_file",
    "offline_panel",
    "problem",
    "small_button",
    "status_line",
]


def load_in_background(ui: Ui, holder: Online, action: Callable[[], object]) -> None:
    """Start loading while the screen draws; it redraws when the answer is there."""
    if holder.busy:
        return
    holder.busy = True

    async def run() -> None:
        try:
            await asyncio.to_thread(action)
        finally:
            holder.busy = False
            ui.render()

    ui.page.run_task(run)


async def offer_file(dialog_title: str, name: str, content: bytes, extension: str) -> bool:
    """Offer bytes to save (a download in the browser, a save dialog elsewhere); False when the
    platform has no way to (the caller says so, never a trace)."""
    picker = ft.FilePicker()  # registers itself with this page; kept alive by this call
    try:
        await picker.save_file(
            dialog_title=dialog_title,
            file_name=name,
            src_bytes=content,
            file_type=ft.FilePickerFileType.CUSTOM,
            allowed_extensions=[extension],
        )
    except Exception:  # noqa: BLE001 (no save dialog on this platform)
        return False
    return True


def offline_panel(ui: Ui, retry: Any, key: str = "offline") -> ft.Control:
    """No connection: said plainly, with a button to try again (the way back is in the app bar)."""
    return ft.Container(
        key=key,
        bgcolor="#FFF4E5",
        border=ft.Border.all(2, "#8A4B00"),
        border_radius=10,
        padding=16,
        content=ft.Column(
            [
                ft.Row(
                    [
                        ft.Icon(ft.Icons.WIFI_OFF, color="#8A4B00", size=28),
                        ft.Text(
                            ui.t("ui.pros.offline.title"),
                            size=19,
                            weight=ft.FontWeight.W_600,
                            color="#5C3200",
                            expand=True,
                        ),
                    ],
                    key=f"{key}-head",
                ),
                ft.Text(ui.t("ui.pros.offline.text"), size=BODY_SIZE, color="#5C3200", key=f"{key}-text"),
                primary_button(ui.t("ui.pros.retry"), f"{key}-retry", retry, icon=ft.Icons.REFRESH),
            ],
            spacing=12,
            key=f"{key}-body",
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        ),
    )


def problem(ui: Ui, holder: Online, retry: Any, key: str) -> ft.Control | None:
    """Offline panel, or the error banner, or nothing."""
    if holder.offline:
        return offline_panel(ui, retry, key=f"{key}-offline")
    return banner(ui, holder.banner, key=f"{key}-banner")


def status_line(ui: Ui, holder: Online, key: str) -> ft.Control | None:
    """The success message of the last action, or a progress line while a call runs."""
    if holder.busy:
        return ft.Row(
            [ft.ProgressRing(width=24, height=24), ft.Text(ui.t("ui.busy"), size=BODY_SIZE)],
            key=f"{key}-busy",
        )
    words = notice_text(ui, holder)
    return notice(words, key=f"{key}-notice") if words is not None else None


def notice_text(ui: Ui, holder: Online) -> str | None:
    """The words of the last action's success message (its dates in the person's zone)."""
    if holder.notice is None:
        return None
    message, params = holder.notice
    values = {
        k: format_date(v, ui.state.lang, ui.state.tz) if isinstance(v, datetime) else v
        for k, v in params.items()
    }
    return ui.t(message, **values)


def chip(label: str, fg: str, bg: str, key: str, icon: ft.IconData | None = None) -> ft.Control:
    """A small coloured label (status, badge): words, never colour alone."""
    parts: list[ft.Control] = []
    if icon is not None:
        parts.append(ft.Icon(icon, color=fg, size=18))
    parts.append(ft.Text(label, size=15, weight=ft.FontWeight.W_600, color=fg))
    return ft.Container(
        key=key,
        bgcolor=bg,
        border_radius=16,
        padding=ft.Padding.symmetric(horizontal=10, vertical=4),
        content=ft.Row(parts, spacing=4, tight=True),
    )


def small_button(
    label: str,
    key: str,
    on_click: Any,
    *,
    icon: ft.IconData | None = None,
    danger: bool = False,
    disabled: bool = False,
) -> ft.Control:
    """A secondary action inside a card: 48 px high, outlined."""
    color = ERROR_FG if danger else PRIMARY
    return ft.OutlinedButton(
        content=label,
        key=key,
        icon=icon,
        on_click=on_click,
        disabled=disabled,
        height=48,
        style=ft.ButtonStyle(
            text_style=ft.TextStyle(size=16, weight=ft.FontWeight.W_600),
            color=color,
            icon_color=color,
            side=ft.BorderSide(1.5, color),
            shape=ft.RoundedRectangleBorder(radius=10),
            padding=ft.Padding.symmetric(horizontal=14, vertical=8),
        ),
    )


def confirm_dialog(
    ui: Ui,
    *,
    key: str,
    title: str,
    text: str,
    confirm: str,
    on_confirm: Callable[[], Any],
    danger: bool = False,
) -> ft.AlertDialog:
    """A question with its consequences in words; built once, never changed while open."""

    def cancel(_: ft.ControlEvent) -> None:
        ui.page.pop_dialog()

    async def yes(_: ft.ControlEvent) -> None:
        ui.page.pop_dialog()
        await on_confirm()

    return ft.AlertDialog(
        key=key,
        modal=True,
        title=ft.Text(title, size=22, weight=ft.FontWeight.BOLD, key=f"{key}-title"),
        content=ft.Column([para(text, key=f"{key}-text")], tight=True, width=480, key=f"{key}-body"),
        scrollable=True,
        actions=[
            ft.TextButton(
                content=ui.t("ui.cancel"),
                key=f"{key}-cancel",
                on_click=cancel,
                height=48,
                style=ft.ButtonStyle(text_style=ft.TextStyle(size=17, weight=ft.FontWeight.W_600)),
            ),
            ft.FilledButton(
                content=confirm,
                key=f"{key}-confirm",
                on_click=yes,
                height=48,
                style=ft.ButtonStyle(
                    bgcolor=ERROR_FG if danger else PRIMARY,
                    color=ft.Colors.WHITE,
                    text_style=ft.TextStyle(size=17, weight=ft.FontWeight.W_600),
                ),
            ),
        ],
    )
