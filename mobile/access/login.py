"""Login, first step: e-mail and password; "Mot de passe oublié ?" for a person who forgot it."""

from typing import Protocol, cast

import flet as ft

from mobile.access.state import AccessState
from mobile.shell.core import SpaceApp
from mobile.shell.state import LoginForm, Screen
from mobile.shell.widgets import (
    Ui,
    banner,
    column,
    field,
    notice,
    para,
    primary_button,
    progress,
    text_button,
    title,
)


class LoginApp(SpaceApp, Protocol):
    """What the login screens use of the app state (the composition root builds it)."""

    login: LoginForm
    access: AccessState

    def submit_login(self) -> bool: ...


def build(ui: Ui) -> list[ft.Control]:
    state = cast(LoginApp, ui.state)
    form = state.login

    async def submit(_: ft.ControlEvent) -> None:
        await ui.run(form, state.submit_login)

    def forgot(_: ft.ControlEvent) -> None:
        state.access.start_reset()
        state.go(Screen.PASSWORD_RESET)
        ui.render()

    done = state.access.notice
    return column(
        title(ui.t("ui.login.title")),
        notice(ui.t(done), key="login-notice") if done else None,
        para(ui.t("ui.login.intro")),
        banner(ui, form.banner),
        field(
            ui, form, "email", ui.t("ui.field.email.label"), keyboard=ft.KeyboardType.EMAIL, on_submit=submit
        ),
        field(ui, form, "password", ui.t("ui.field.password.label"), password=True, on_submit=submit),
        primary_button(ui.t("ui.login.submit"), "login-submit", submit, busy=form.busy, icon=ft.Icons.LOGIN),
        text_button(ui.t("ui.reset.open"), "login-forgot", forgot),
        progress(ui, form.busy),
    )
