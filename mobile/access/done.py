"""The confirmation screens: space activated, objection recorded, new code requested."""

import flet as ft

from mobile.shell.state import Screen
from mobile.shell.widgets import Ui, notice, primary_button, secondary_button, title

_TEXTS = {
    Screen.ACTIVATED: ("ui.activated.title", "ui.activated.text"),
    Screen.OBJECTED: ("ui.object.done.title", "ui.object.done.text"),
    Screen.LETTER_SENT: ("ui.letter.done.title", "ui.letter.done.text"),
}


def build(ui: Ui) -> list[ft.Control]:
    state = ui.state
    heading, body = _TEXTS[state.screen]

    def go(screen: Screen):  # type: ignore[no-untyped-def]
        def handler(_: ft.ControlEvent) -> None:
            state.go(screen)
            ui.render()

        return handler

    controls: list[ft.Control] = [
        ft.Icon(ft.Icons.CHECK_CIRCLE, size=56, color="#0B4A2E"),
        title(ui.t(heading)),
        notice(ui.t(body)),
    ]
    if state.screen == Screen.ACTIVATED:
        controls.append(
            primary_button(
                ui.t("ui.activated.login"), "activated-login", go(Screen.LOGIN), icon=ft.Icons.LOGIN
            )
        )
    controls.append(secondary_button(ui.t("ui.back_welcome"), "back-welcome", go(Screen.WELCOME)))
    return controls
