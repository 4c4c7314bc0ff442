"""A section of the space that is not built yet: said honestly, with a way back."""

import flet as ft

from mobile.views.common import Ui, para, primary_button, title


def build(ui: Ui) -> list[ft.Control]:
    state = ui.state
    name = ui.t(f"ui.section.{state.section}")

    def back(_: ft.ControlEvent) -> None:
        state.back()
        ui.render()

    return [
        ft.Icon(ft.Icons.CONSTRUCTION, size=56, color="#0B4F9C"),
        title(ui.t("ui.soon.title")),
        para(ui.t("ui.soon.text", section=name)),
        primary_button(ui.t("ui.back_home"), "back-home", back, icon=ft.Icons.HOME),
    ]
