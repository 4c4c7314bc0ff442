""" "Mot de passe oublié ?": the social security number and the Vitale serial, then the code received
and a new password with its live checklist; then back to the login screen, which says so."""

from typing import cast

import flet as ft

from mobile.access.login import LoginApp
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
    subtitle,
    text_button,
    title,
)


def build(ui: Ui) -> list[ft.Control]:
    state = cast(LoginApp, ui.state)
    access = state.access
    form = access.reset

    async def send(_: ft.ControlEvent) -> None:
        await ui.run(form, form.start)

    async def confirm(_: ft.ControlEvent) -> None:
        if await ui.run(form, access.confirm_reset):
            state.go(Screen.LOGIN)  # which says the password was changed
            ui.render()

    def again(_: ft.ControlEvent) -> None:
        form.restart()
        ui.render()

    if form.challenge is None:  # step 1: who the person is
        return column(
            title(ui.t("ui.reset.title")),
            subtitle(ui.t("ui.reset.step1")),
            para(ui.t("ui.reset.step1.intro"), key="reset-intro"),
            banner(ui, form.banner),
            field(
                ui,
                form,
                "nir",
                ui.t("ui.field.nir.label"),
                helper=ui.t("ui.field.nir.helper"),
                keyboard=ft.KeyboardType.NUMBER,
            ),
            field(
                ui,
                form,
                "vitale",
                ui.t("ui.field.vitale.label"),
                helper=ui.t("ui.field.vitale.helper"),
                keyboard=ft.KeyboardType.NUMBER,
                on_submit=send,
            ),
            primary_button(ui.t("ui.reset.send"), "reset-send", send, busy=form.busy, icon=ft.Icons.SEND),
            progress(ui, form.busy),
        )
    return column(  # step 2: the code received and the new password
        title(ui.t("ui.reset.title")),
        subtitle(ui.t("ui.reset.step2")),
        para(ui.t("ui.reset.step2.intro", minutes=form.code_minutes()), key="reset-sent"),
        banner(ui, form.banner),
        field(
            ui,
            form,
            "otp",
            ui.t("ui.reset.code.label"),
            helper=ui.t("ui.field.otp.helper"),
            keyboard=ft.KeyboardType.NUMBER,
        ),
        field(ui, form, "password", ui.t("ui.reset.password.label"), password=True, live=True),
        password_checklist(ui, form.rules()),
        field(ui, form, "confirm", ui.t("ui.reset.confirm.label"), password=True, on_submit=confirm),
        primary_button(
            ui.t("ui.reset.submit"), "reset-submit", confirm, busy=form.busy, icon=ft.Icons.LOCK_RESET
        ),
        text_button(ui.t("ui.reset.again"), "reset-again", again),
        progress(ui, form.busy),
    )
