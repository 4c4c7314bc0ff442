""" "Changer mon code de déverrouillage" on this device; and right after an unlock with a code
today's rules find too easy, the same screen asks plainly for a new one."""

from typing import cast

import flet as ft

from mobile.settings.settings import SettingsApp
from mobile.shell.state import Screen
from mobile.shell.widgets import Ui, banner, column, field, para, primary_button, progress, text_button, title


def build(ui: Ui) -> list[ft.Control]:
    state = cast(SettingsApp, ui.state)
    account = state.settings
    form = account.pin
    outdated = form.outdated

    async def submit(_: ft.ControlEvent) -> None:
        if await ui.run(form, account.change_pin):
            state.go(Screen.HOME if outdated else Screen.SETTINGS)
            ui.render()

    def later(_: ft.ControlEvent) -> None:
        state.go(Screen.HOME)
        ui.render()

    return column(
        ft.Icon(ft.Icons.PHONELINK_LOCK, size=56, color="#0B4F9C", key="pin-change-icon"),
        title(ui.t("ui.account.pin.outdated.title" if outdated else "ui.account.pin.title")),
        para(ui.t("ui.account.pin.outdated.intro" if outdated else "ui.account.pin.intro"), key="pin-intro"),
        para(ui.t("ui.vault.pin.rules"), key="pin-rules"),
        banner(ui, form.banner),
        None if outdated else field(ui, form, "old", ui.t("ui.account.pin.old"), password=True),
        field(ui, form, "pin", ui.t("ui.account.pin.new"), helper=ui.t("ui.vault.pin.helper"), password=True),
        field(ui, form, "confirm", ui.t("ui.account.pin.confirm"), password=True, on_submit=submit),
        primary_button(ui.t("ui.account.pin.submit"), "pin-change-submit", submit, busy=form.busy),
        text_button(ui.t("ui.account.pin.later"), "pin-later", later) if outdated else None,
        progress(ui, form.busy),
    )
