"""Objection: refuse the creation of the space, after a plain explanation and a confirmation."""

import flet as ft

from mobile.shell.identifiers import identifier_fields
from mobile.shell.widgets import Ui, banner, column, para, primary_button, progress, title


def build(ui: Ui) -> list[ft.Control]:
    state, form = ui.state, ui.state.objection

    async def confirmed(_: ft.ControlEvent) -> None:
        ui.page.pop_dialog()
        await ui.run(form, state.object_to_creation)

    def cancelled(_: ft.ControlEvent) -> None:
        ui.page.pop_dialog()

    def ask(_: ft.ControlEvent) -> None:
        if not form.validate():
            ui.render()
            return
        ui.page.show_dialog(
            ft.AlertDialog(
                key="objection-dialog",
                modal=True,
                title=ft.Text(ui.t("ui.object.confirm.title"), size=22, weight=ft.FontWeight.BOLD),
                content=ft.Text(ui.t("ui.object.confirm.text"), size=17),
                actions=[
                    ft.TextButton(
                        content=ui.t("ui.cancel"),
                        key="objection-cancel",
                        on_click=cancelled,
                        height=48,
                        style=ft.ButtonStyle(text_style=ft.TextStyle(size=17)),
                    ),
                    ft.FilledButton(
                        content=ui.t("ui.object.confirm.yes"),
                        key="objection-confirm",
                        on_click=confirmed,
                        height=48,
                        style=ft.ButtonStyle(text_style=ft.TextStyle(size=17)),
                    ),
                ],
            )
        )

    return column(
        title(ui.t("ui.object.title")),
        para(ui.t("ui.object.intro")),
        banner(ui, form.banner),
        *identifier_fields(ui, form),
        primary_button(ui.t("ui.object.submit"), "objection-submit", ask, busy=form.busy),
        progress(ui, form.busy),
    )
