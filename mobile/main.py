"""Composition root: one account client and one state per page session (browser tab), and the
screens of every feature as the router draws them. With `mobile/app.py` (which builds the
features' states) it is the only place that knows every feature.
"""

import os
from functools import partial

import flet as ft

from mobile.access import (
    activate_ids,
    activate_login,
    code,
    done,
    login,
    new_letter,
    objection,
    password_reset,
    pin_setup,
    unlock,
    welcome,
)
from mobile.administrative import admin_data, reimbursements
from mobile.agenda import agenda, checkups
from mobile.app import VaultAppState
from mobile.catalogue import app_consent, catalogue
from mobile.children import children, space_band
from mobile.devices import devices
from mobile.devices.naming import ThisDevice
from mobile.documents import document_add, document_view, documents
from mobile.export import export
from mobile.health_history import timeline
from mobile.helpers import helped, helped_band, helpers
from mobile.launch import attach, devices_root
from mobile.measurements import measurements, measurements_add, measurements_kind
from mobile.messages import conversation, messages
from mobile.profile import emergency_card, profile, profile_list, wishes
from mobile.questionnaires import questionnaires
from mobile.record_access import access_log, alerts, emergency, notifications, professionals, sharing
from mobile.rights import rights
from mobile.settings import closed, contact, password, settings, unlock_code
from mobile.shares import shares
from mobile.shell import home
from mobile.shell.router import Builder, Router, Screens
from mobile.shell.state import SECTIONS, Screen
from sync.client import AccountClient

DEFAULT_API_URL = "http://127.0.0.1:8000"

BUILDERS: dict[Screen, Builder] = {
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
    Screen.ACCESS_LOG: notifications.read_by_opening(access_log.build, notifications.ACCESS_NOTICES),
    Screen.ALERTS: alerts.build,
    Screen.PROFILE_SHARING: sharing.build,
    Screen.NOTIFICATIONS: partial(notifications.build, device_notices=agenda.device_notices),
    Screen.MESSAGES: messages.build,
    Screen.CONVERSATION: notifications.read_by_opening(
        conversation.build, notifications.MESSAGE_NOTICES, left=conversation.unread_left
    ),
    Screen.PROFILE: profile.build,
    Screen.PROFILE_LIST: profile_list.build,
    Screen.WISHES: wishes.build,
    Screen.EMERGENCY_CARD: emergency_card.build,
    Screen.ADMIN_DATA: admin_data.build,
    Screen.REIMBURSEMENTS: reimbursements.build,
    Screen.HEALTH_HISTORY: timeline.build,
    Screen.MEASUREMENTS: measurements.build,
    Screen.MEASURE_KIND: measurements_kind.build,
    Screen.MEASURE_ADD: measurements_add.build,
    Screen.AGENDA: agenda.build,
    Screen.APPOINTMENT: agenda.build_form,
    Screen.CHECKUPS: checkups.build,
    Screen.QUESTIONNAIRES: questionnaires.build_list,
    Screen.QUESTIONNAIRE: questionnaires.build,
    Screen.CATALOGUE: catalogue.build,
    Screen.APP_CONSENT: app_consent.build,
    Screen.EXPORT: export.build,
    Screen.CHILDREN: children.build,
    Screen.HELPERS: helpers.build,
    Screen.HELPED: helped.build,
    Screen.PASSWORD_RESET: password_reset.build,
    Screen.PASSWORD_CHANGE: password.build,
    Screen.CONTACT_CHANGE: contact.build,
    Screen.PIN_CHANGE: unlock_code.build,
    Screen.DEVICES: devices.build,
    Screen.RIGHTS: rights.build,
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
        Screen.ALERTS,
        Screen.PROFILE_SHARING,
        Screen.NOTIFICATIONS,
        Screen.MESSAGES,
        Screen.CONVERSATION,
        Screen.PROFILE,
        Screen.PROFILE_LIST,
        Screen.WISHES,
        Screen.EMERGENCY_CARD,
        Screen.ADMIN_DATA,
        Screen.REIMBURSEMENTS,
        Screen.HEALTH_HISTORY,
        Screen.MEASUREMENTS,
        Screen.MEASURE_KIND,
        Screen.MEASURE_ADD,
        Screen.AGENDA,
        Screen.APPOINTMENT,
        Screen.CHECKUPS,
        Screen.QUESTIONNAIRES,
        Screen.QUESTIONNAIRE,
        Screen.CATALOGUE,
        Screen.APP_CONSENT,
        Screen.EXPORT,
        Screen.CHILDREN,
        Screen.HELPERS,
        Screen.HELPED,
        Screen.PASSWORD_RESET,
        Screen.PASSWORD_CHANGE,
        Screen.CONTACT_CHANGE,
        Screen.PIN_CHANGE,
        Screen.DEVICES,
        Screen.RIGHTS,
    }
)
# The screens an address opens (the others need a choice first: a document, a conversation...).
ROUTES = frozenset(
    {
        Screen.WELCOME,
        Screen.ACTIVATE_IDS,
        Screen.OBJECTION,
        Screen.NEW_LETTER,
        Screen.LOGIN,
        Screen.PASSWORD_RESET,
        Screen.HOME,
        *SECTIONS.values(),
        Screen.NOTIFICATIONS,
        Screen.EMERGENCY,
        Screen.MEASUREMENTS,
        Screen.WISHES,
        Screen.EMERGENCY_CARD,
        Screen.ADMIN_DATA,
        Screen.REIMBURSEMENTS,
        Screen.CHECKUPS,
        Screen.EXPORT,
        Screen.PASSWORD_CHANGE,
        Screen.CONTACT_CHANGE,
        Screen.DEVICES,
    }
)
# The band says whose space is shown (a child's, or that of someone one helps); the bell counts the
# server's notifications and the agenda's reminders computed on this device.
SCREENS = Screens(
    builders=BUILDERS,
    with_back=WITH_BACK,
    band=lambda ui: space_band.build(ui) or helped_band.build(ui),
    bell=partial(notifications.appbar_bell, device_unread=agenda.device_unread),
    routes=ROUTES,
    nav=home.nav,
)


def api_url() -> str:
    return os.environ.get("ENS_API_URL", DEFAULT_API_URL).rstrip("/")


def main(page: ft.Page) -> None:
    """Build this tab's client, state and router; nothing is shared between tabs."""
    client = AccountClient(api_url())
    if page.web:  # every call comes from this app server: the server keys its limits on the person
        client.forwarded_for = page.client_ip or None
    state = VaultAppState(client, devices_root())
    platform = page.platform.value if page.platform else None
    state.this_device = ThisDevice.of(web=page.web, user_agent=page.client_user_agent, platform=platform)
    state.catalogue.keep_request(page.route)  # an app asking to connect: `/?consent=<id>`
    page.theme_mode = ft.ThemeMode.LIGHT
    page.theme = ft.Theme(color_scheme_seed="#0B4F9C")
    page.padding = ft.Padding.symmetric(horizontal=16, vertical=12)
    router = Router(page, state, SCREENS)

    def route_changed(e: ft.RouteChangeEvent) -> None:
        if not app_consent.route_changed(router.ui, e.route):  # an app's consent request, or a screen
            router.follow(e.route)

    page.on_route_change = route_changed
    router.follow(page.route)  # an address opened directly (a bookmark, a shared link)
    attach(page, state, router.render)
