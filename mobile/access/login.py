"""Login, first step: e-mail and password."""

import flet as ft

from mobile.shell.widgets import Ui, banner, column, field, para, primary_button, progress, title


def build(ui: Ui) -> list[ft.Control]:
    state, form = ui.state, ui.state.login

    async def submit(_: ft.ControlEvent) -> None:
        await ui.run(form, state.submit_login)

    return column(
        title(ui.t("ui.login.title")),
        para(ui.t("ui.login.intro")),
        banner(ui, form.banner),
        field(
            ui, form, "email", ui.t("ui.field.email.label"), keyboard=ft.KeyboardType.EMAIL, on_submit=submit
        ),
        field(ui, form, "password", ui.t("ui.field.password.label"), password=True, on_submit=submit),
        primary_button(ui.t("ui.login.submit"), "login-submit", submit, busy=form.busy, icon=ft.Icons.LOGIN),
        progress(ui, form.busy),
    )
