"""A later launch in the same browser: the unlock code opens the holder's vault."""

from typing import Protocol, cast

import flet as ft

from mobile.shell.core import SpaceApp
from mobile.shell.panels import confirm_dialog
from mobile.shell.state import Screen
from mobile.shell.widgets import (
    Ui,
    banner,
    column,
    field,
    para,
    primary_button,
    progress,
    secondary_button,
    text_button,
    title,
)


class LockedCard(Protocol):
    """The emergency card the lock screen offers without the unlock code (mobile/profile)."""

    def card_available_locked(self) -> bool: ...

    def open_locked_card(self) -> bool: ...


class UnlockApp(SpaceApp, Protocol):
    """What the unlock screen uses of the app state (the composition root builds it)."""

    profile: LockedCard

    def unlock(self) -> bool: ...

    def other_account(self) -> None: ...

    def forget_unlock_code(self) -> None: ...


def build(ui: Ui) -> list[ft.Control]:
    state = cast(UnlockApp, ui.state)
    form = state.vault.unlock_form

    async def submit(_: ft.ControlEvent) -> None:
        await ui.run(form, state.unlock)

    async def other(_: ft.ControlEvent) -> None:
        await ui.run(form, state.other_account)

    def welcome(_: ft.ControlEvent) -> None:
        state.go(Screen.WELCOME)
        ui.render()

    async def erase() -> None:
        await ui.run(form, state.forget_unlock_code)

    def forgot(_: ft.ControlEvent) -> None:
        ui.page.show_dialog(
            confirm_dialog(
                ui,
                key="forgot-pin",
                title=ui.t("ui.unlock.forgot.title"),
                text=ui.t("ui.unlock.forgot.text"),
                confirm=ui.t("ui.unlock.forgot.confirm"),
                on_confirm=erase,
                danger=True,
            )
        )

    def card(_: ft.ControlEvent) -> None:
        state.profile.open_locked_card()
        state.go(Screen.EMERGENCY_CARD)
        ui.render()

    return column(
        ft.Icon(ft.Icons.LOCK_OPEN, size=56, color="#0B4F9C", key="unlock-icon"),
        title(ui.t("ui.vault.unlock.title")),
        para(ui.t("ui.vault.unlock.intro"), key="unlock-intro"),
        banner(ui, form.banner),
        field(ui, form, "pin", ui.t("ui.vault.unlock.label"), password=True, on_submit=submit),
        primary_button(
            ui.t("ui.vault.unlock.submit"), "unlock-submit", submit, busy=form.busy, icon=ft.Icons.LOCK_OPEN
        ),
        text_button(ui.t("ui.unlock.forgot.open"), "unlock-forgot", forgot),
        secondary_button(
            ui.t("ui.vault.unlock.other"), "unlock-other", other, busy=form.busy, icon=ft.Icons.LOGIN
        ),
        ft.TextButton(
            content=ui.t("ui.vault.unlock.welcome"),
            key="unlock-welcome",
            on_click=welcome,
            height=48,
            style=ft.ButtonStyle(text_style=ft.TextStyle(size=17)),
        ),
        progress(ui, form.busy),
        secondary_button(ui.t("ui.profile.card.open"), "unlock-card", card, icon=ft.Icons.EMERGENCY)
        if state.profile.card_available_locked()
        else None,
    )
