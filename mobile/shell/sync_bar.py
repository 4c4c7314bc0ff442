"""The slim bar under the app bar, on every screen once the vault is open: is my data sent?"""

from typing import cast

import flet as ft

from mobile.shell.core import ShellState
from mobile.shell.sync_state import SyncLine
from mobile.shell.widgets import ERROR_BG, ERROR_FG, INFO_BG, INFO_FG, PRIMARY, Ui

STYLES: dict[str, tuple[str, str, ft.IconData]] = {
    "up_to_date": (INFO_FG, INFO_BG, ft.Icons.CLOUD_DONE),
    "waiting": ("#5C3B00", "#FFF4DC", ft.Icons.CLOUD_UPLOAD),
    "syncing": (PRIMARY, "#E7F0FB", ft.Icons.SYNC),
    "offline": ("#37404A", "#EEF1F4", ft.Icons.CLOUD_OFF),
    "reconnect": (ERROR_FG, ERROR_BG, ft.Icons.LOCK_CLOCK),
    "error": (ERROR_FG, ERROR_BG, ft.Icons.ERROR_OUTLINE),
}


def message(ui: Ui, line: SyncLine) -> str:
    if line.kind == "error":
        from sync.errors import SyncError

        return ui.err(SyncError(line.key)) or ""
    return ui.t(line.key, **line.params)


def build(ui: Ui) -> ft.Control | None:
    """None before the vault is open (welcome, login, unlock, PIN screens)."""
    state = cast(ShellState, ui.state)
    line = state.sync_bar.line(state.tz)
    if line is None:
        return None
    fg, bg, icon = STYLES.get(line.kind, STYLES["error"])

    def sync_now(_: ft.ControlEvent) -> None:
        state.sync_bar.asked = True
        state.sync_bar.kick()

    def reconnect(_: ft.ControlEvent) -> None:
        state.reconnect()
        ui.render()

    texts: list[ft.Control] = [
        ft.Text(message(ui, line), size=16, color=fg, weight=ft.FontWeight.W_600, key="sync-text")
    ]
    if line.pending and line.kind in ("offline", "reconnect", "error", "syncing"):
        texts.append(ft.Text(ui.t("ui.sync.pending", count=line.pending), size=15, color=fg))
    for record_id, percent in line.uploads:
        texts.append(
            ft.Column(
                [
                    ft.Text(ui.t("ui.sync.upload", percent=percent), size=15, color=fg),
                    ft.ProgressBar(value=percent / 100, color=PRIMARY, bgcolor="#C9D6E6", height=8),
                ],
                key=f"upload-{record_id}",
                spacing=4,
            )
        )
    if line.downloads is not None and line.downloads[1]:
        done, total = line.downloads
        texts.append(
            ft.ProgressBar(value=done / total, color=PRIMARY, bgcolor="#C9D6E6", height=8, key="download-bar")
        )
    if line.kind == "reconnect":
        action = ft.TextButton(
            content=ui.t("ui.sync.reconnect.button"),
            key="sync-reconnect",
            icon=ft.Icons.LOGIN,
            on_click=reconnect,
            height=48,
            style=ft.ButtonStyle(color=fg, icon_color=fg, text_style=ft.TextStyle(size=16)),
        )
    else:
        action = ft.TextButton(
            content=ui.t("ui.sync.now"),
            key="sync-now",
            icon=ft.Icons.SYNC,
            on_click=sync_now,
            disabled=line.kind == "syncing",
            height=48,
            style=ft.ButtonStyle(color=fg, icon_color=fg, text_style=ft.TextStyle(size=16)),
        )
    return ft.Container(
        key="sync-bar",
        bgcolor=bg,
        border_radius=10,
        padding=ft.Padding.only(left=12, right=4, top=6, bottom=6),
        content=ft.Row(
            [
                ft.Icon(icon, color=fg, size=24),
                ft.Column(texts, spacing=4, expand=True, key="sync-texts"),
                action,
            ],
            vertical_alignment=ft.CrossAxisAlignment.CENTER,
            key="sync-row",
        ),
    )
