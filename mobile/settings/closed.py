"""The closed space: what it means, until when the data are kept, reopen or log out."""

import flet as ft

from mobile.shell.widgets import Ui, banner, column, para, primary_button, progress, secondary_button, title
from mobile.shell.words import format_date


def build(ui: Ui) -> list[ft.Control]:
    state = ui.state
    me = state.me
    until = format_date(me.purge_after, state.lang, state.tz) if me and me.purge_after else "…"

    async def reopen(_: ft.ControlEvent) -> None:
        await ui.run(state, state.reopen_space)

    async def logout(_: ft.ControlEvent) -> None:
        await ui.run(state, state.logout)

    return column(
        ft.Icon(ft.Icons.LOCK, size=56, color="#0B4F9C"),
        title(ui.t("ui.closed.title")),
        para(ui.t("ui.closed.text", date=until), key="closed-text"),
        banner(ui, state.banner),
        primary_button(ui.t("ui.closed.reopen"), "reopen", reopen, busy=state.busy, icon=ft.Icons.LOCK_OPEN),
        secondary_button(ui.t("ui.logout"), "logout", logout, busy=state.busy, icon=ft.Icons.LOGOUT),
        progress(ui, state.busy),
    )
