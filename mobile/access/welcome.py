"""Welcome: what the space is, and the four ways in."""

import flet as ft

from mobile.shell.state import Screen
from mobile.shell.widgets import Ui, column, notice, para, primary_button, secondary_button, title


def build(ui: Ui) -> list[ft.Control]:
    state = ui.state

    def go(screen: Screen):  # type: ignore[no-untyped-def]
        def handler(_: ft.ControlEvent) -> None:
            state.go(screen)
            ui.render()

        return handler

    return column(
        ft.Icon(ft.Icons.HEALTH_AND_SAFETY, size=64, color="#0B4F9C"),
        title(ui.t("ui.welcome.title")),
        notice(ui.t("ui.logout.done"), key="logged-out") if state.logged_out else None,
        para(ui.t("ui.welcome.intro")),
        para(ui.t("ui.welcome.letter")),
        primary_button(
            ui.t("ui.welcome.activate"), "welcome-activate", go(Screen.ACTIVATE_IDS), icon=ft.Icons.KEY
        ),
        primary_button(ui.t("ui.welcome.login"), "welcome-login", go(Screen.LOGIN), icon=ft.Icons.LOGIN),
        secondary_button(
            ui.t("ui.welcome.object"), "welcome-object", go(Screen.OBJECTION), icon=ft.Icons.BLOCK
        ),
        secondary_button(
            ui.t("ui.welcome.new_letter"),
            "welcome-new-letter",
            go(Screen.NEW_LETTER),
            icon=ft.Icons.MAIL_OUTLINE,
        ),
    )
