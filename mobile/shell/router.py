"""Shows the screen named by `AppState.screen`, with the app bar (way back, language switch)."""

from collections.abc import Callable

import flet as ft

from mobile.access import (
    activate_ids,
    activate_login,
    code,
    done,
    login,
    new_letter,
    objection,
    pin_setup,
    unlock,
    welcome,
)
from mobile.administrative import admin_data, reimbursements
from mobile.agenda import agenda, checkups
from mobile.catalogue import app_consent, catalogue
from mobile.children import children, space_band
from mobile.documents import document_add, document_view, documents
from mobile.export import export
from mobile.measurements import measurements, measurements_add, measurements_kind
from mobile.messages import conversation, messages
from mobile.profile import emergency_card, profile, profile_list, wishes
from mobile.record_access import access_log, emergency, notifications, professionals
from mobile.settings import closed, settings
from mobile.shares import shares
from mobile.shell import home, sync_bar
from mobile.shell.state import AppState, Screen
from mobile.shell.widgets import PRIMARY, Ui

BUILDERS: dict[Screen, Callable[[Ui], list[ft.Control]]] = {
    Screen.WELCOME: welcome.build,
    Screen.ACTIVATE_IDS: activate_ids.build,
    Screen.ACTIVATE_LOGIN: activate_login.build,
    Screen.ACTIVATED: done.build,
    Screen.OBJECTION: objection.build,
    Screen.OBJECTED: done.build,
    Screen.NEW_LETTER: new_letter.build,
    Screen.LETTER_SENT: done.build,
    Screen.LOGIN: login.build,
    Screen.CODE: code.build,
    Screen.HOME: home.build,
    Screen.SETTINGS: settings.build,
    Screen.CLOSED: closed.build,
    Screen.PIN_SETUP: pin_setup.build,
    Screen.UNLOCK: unlock.build,
    Screen.DOCUMENTS: documents.build,
    Screen.DOCUMENT_VIEW: document_view.build,
    Screen.DOCUMENT_ADD: document_add.build,
    Screen.SHARES: shares.build,
    Screen.PROFESSIONALS: professionals.build,
    Screen.EMERGENCY: emergency.build,
    Screen.ACCESS_LOG: access_log.build,
    Screen.NOTIFICATIONS: notifications.build,
    Screen.MESSAGES: messages.build,
    Screen.CONVERSATION: conversation.build,
    Screen.PROFILE: profile.build,
    Screen.PROFILE_LIST: profile_list.build,
    Screen.WISHES: wishes.build,
    Screen.EMERGENCY_CARD: emergency_card.build,
    Screen.ADMIN_DATA: admin_data.build,
    Screen.REIMBURSEMENTS: reimbursements.build,
    Screen.MEASUREMENTS: measurements.build,
    Screen.MEASURE_KIND: measurements_kind.build,
    Screen.MEASURE_ADD: measurements_add.build,
    Screen.AGENDA: agenda.build,
    Screen.APPOINTMENT: agenda.build_form,
    Screen.CHECKUPS: checkups.build,
    Screen.CATALOGUE: catalogue.build,
    Screen.APP_CONSENT: app_consent.build,
    Screen.EXPORT: export.build,
    Screen.CHILDREN: children.build,
}
# Screens reached from a choice: they get an arrow back in the app bar.
WITH_BACK = frozenset(
    {
        Screen.ACTIVATE_IDS,
        Screen.ACTIVATE_LOGIN,
        Screen.OBJECTION,
        Screen.NEW_LETTER,
        Screen.LOGIN,
        Screen.CODE,
        Screen.SETTINGS,
        Screen.DOCUMENTS,
        Screen.DOCUMENT_VIEW,
        Screen.DOCUMENT_ADD,
        Screen.SHARES,
        Screen.PROFESSIONALS,
        Screen.EMERGENCY,
        Screen.ACCESS_LOG,
        Screen.NOTIFICATIONS,
        Screen.MESSAGES,
        Screen.CONVERSATION,
        Screen.PROFILE,
        Screen.PROFILE_LIST,
        Screen.WISHES,
        Screen.EMERGENCY_CARD,
        Screen.ADMIN_DATA,
        Screen.REIMBURSEMENTS,
        Screen.MEASUREMENTS,
        Screen.MEASURE_KIND,
        Screen.MEASURE_ADD,
        Screen.AGENDA,
        Screen.APPOINTMENT,
        Screen.CHECKUPS,
        Screen.CATALOGUE,
        Screen.APP_CONSENT,
        Screen.EXPORT,
        Screen.CHILDREN,
    }
)


class Router:
    """Rebuilds the page from the state after every change; typed values live in the state."""

    def __init__(self, page: ft.Page, state: AppState) -> None:
        self.page = page
        self.state = state
        self.ui = Ui(page, state, self.render)

    def render(self) -> None:
        state, page = self.state, self.page
        page.title = self.ui.t("ui.app.title")
        page.appbar = self._appbar()
        content = BUILDERS[state.screen](self.ui)
        bar = sync_bar.build(self.ui) if hasattr(state, "sync_bar") else None  # once the vault is open
        content = [bar, *content] if bar is not None else content
        band = space_band.build(self.ui) if hasattr(state, "family") else None  # in a child's space
        content = [band, *content] if band is not None else content
        page.controls = [
            ft.ResponsiveRow(
                [
                    ft.Column(
                        content,
                        key=f"screen-{state.screen.value}",
                        col={"xs": 12, "sm": 10, "md": 8, "lg": 6, "xl": 5},
                        spacing=16,
                        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                    )
                ],
                alignment=ft.MainAxisAlignment.CENTER,
                key="layout",
            )
        ]
        page.update()

    def _appbar(self) -> ft.AppBar:
        state = self.state

        def back(_: ft.ControlEvent) -> None:
            state.back()
            self.render()

        def switch_language(_: ft.ControlEvent) -> None:
            state.toggle_language()
            self.render()

        leading = None
        if state.screen in WITH_BACK:
            leading = ft.IconButton(
                icon=ft.Icons.ARROW_BACK,
                key="back",
                tooltip=self.ui.t("ui.back"),
                on_click=back,
                icon_color=ft.Colors.WHITE,
                icon_size=28,
            )
        return ft.AppBar(
            leading=leading,
            automatically_imply_leading=False,
            title=ft.Text(
                self.ui.t("ui.app.title"), size=20, weight=ft.FontWeight.BOLD, color=ft.Colors.WHITE
            ),
            bgcolor=PRIMARY,
            actions=[
                *([bell] if (bell := notifications.appbar_bell(self.ui)) is not None else []),
                ft.TextButton(
                    content=self.ui.t("ui.lang.switch"),
                    key="lang",
                    icon=ft.Icons.TRANSLATE,
                    on_click=switch_language,
                    style=ft.ButtonStyle(
                        color=ft.Colors.WHITE,
                        icon_color=ft.Colors.WHITE,
                        text_style=ft.TextStyle(size=17, weight=ft.FontWeight.W_600),
                    ),
                    height=48,
                ),
            ],
        )
