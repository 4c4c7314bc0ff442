"""After the first login on this device: choose the code that unlocks the vault."""

from typing import cast

import flet as ft

from mobile.shell.core import ShellState
from mobile.shell.widgets import (
    Ui,
    banner,
    column,
    field,
    para,
    primary_button,
    progress,
    secondary_button,
    title,
)


def build(ui: Ui) -> list[ft.Control]:
    state = cast(ShellState, ui.state)
    form = state.vault.pin_form

    async def submit(_: ft.ControlEvent) -> None:
        await ui.run(form, state.set_pin)

    async def leave(_: ft.ControlEvent) -> None:
        await ui.run(form, state.leave_pin_setup)

    return column(
        ft.Icon(ft.Icons.PHONELINK_LOCK, size=56, color="#0B4F9C", key="pin-icon"),
        title(ui.t("ui.vault.pin.title")),
        para(ui.t("ui.vault.pin.why"), key="pin-why"),
        para(ui.t("ui.vault.pin.rules"), key="pin-rules"),
        banner(ui, form.banner),
        field(
            ui,
            form,
            "pin",
            ui.t("ui.vault.pin.label"),
            helper=ui.t("ui.vault.pin.helper"),
            password=True,
        ),
        field(ui, form, "confirm", ui.t("ui.vault.pin.confirm"), password=True, on_submit=submit),
        primary_button(ui.t("ui.vault.pin.submit"), "pin-submit", submit, busy=form.busy, icon=ft.Icons.LOCK),
        secondary_button(ui.t("ui.logout"), "pin-logout", leave, busy=form.busy, icon=ft.Icons.LOGOUT),
        progress(ui, form.busy),
    )
