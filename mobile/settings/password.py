""" "Changer mon mot de passe": the current one, then the new one with its live checklist; the other
devices are signed out, this one stays signed in."""

from typing import cast

import flet as ft

from mobile.settings.settings import SettingsApp
from mobile.shell.state import Screen
from mobile.shell.widgets import (
    Ui,
    banner,
    column,
    field,
    para,
    password_checklist,
    primary_button,
    progress,
    title,
)


def build(ui: Ui) -> list[ft.Control]:
    state = cast(SettingsApp, ui.state)
    account = state.settings
    form = account.password
    email = state.me.email if state.me else ""

    async def submit(_: ft.ControlEvent) -> None:
        if await ui.run(form, lambda: account.change_password(email)):
            state.go(Screen.SETTINGS)  # which says it is done
            ui.render()

    return column(
        title(ui.t("ui.account.password.title")),
        para(ui.t("ui.account.password.intro"), key="password-intro"),
        banner(ui, form.banner),
        field(ui, form, "current", ui.t("ui.account.password.current"), password=True),
        field(ui, form, "password", ui.t("ui.account.password.new"), password=True, live=True),
        password_checklist(ui, form.rules()),
        field(ui, form, "confirm", ui.t("ui.account.password.confirm"), password=True, on_submit=submit),
        primary_button(
            ui.t("ui.account.password.submit"), "password-submit", submit, busy=form.busy, icon=ft.Icons.SAVE
        ),
        progress(ui, form.busy),
    )
