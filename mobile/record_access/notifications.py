"""Notifications: the bell in the app bar (unread count) and the list (tap to mark as read).

Both also show the notices computed on this device (the agenda's reminders): the composition
root hands over the functions that count and draw them.
"""

import asyncio
from collections.abc import Callable

import flet as ft

from mobile.record_access.common import MY_SCREENS, entering, record
from mobile.record_access.state import NotificationsState
from mobile.shell.panels import load_in_background, problem, status_line
from mobile.shell.router import Builder
from mobile.shell.state import Screen
from mobile.shell.widgets import BODY_SIZE, PRIMARY, Ui, column, icon_action, para, secondary_button, title
from mobile.shell.words import format_datetime
from sync.protocol.record_schemas import NotificationOut

ICONS = {
    "first_access": ft.Icons.PERSON_SEARCH,
    "emergency_access": ft.Icons.EMERGENCY,
    "regulator_access": ft.Icons.LOCAL_HOSPITAL,
    "document_added": ft.Icons.NOTE_ADD,
    "new_message": ft.Icons.MAIL,
    "new_device": ft.Icons.DEVICES,
    "session_reuse": ft.Icons.GPP_MAYBE,
    "password_changed": ft.Icons.PASSWORD,
    "password_reset": ft.Icons.LOCK_RESET,
    "email_changed": ft.Icons.EMAIL,
    "phone_changed": ft.Icons.PHONE_ANDROID,
    "channel_changed": ft.Icons.SMS,
}
UNREAD_BG = "#E8F0FB"

# What a notice points to: opening it is reading the notice (the bell's count drops).
ACCESS_NOTICES = frozenset({"first_access", "access", "emergency_access", "regulator_access"})
MESSAGE_NOTICES = frozenset({"new_message"})

DeviceUnread = Callable[[Ui], int]  # how many notices of this device are unread
DeviceNotices = Callable[[Ui], list[ft.Control]]  # those notices, under their own heading


def appbar_bell(ui: Ui, device_unread: DeviceUnread) -> ft.Control | None:
    """The bell with the unread count, once signed in; opening home refreshes the count.

    Called by the router on every drawing of the app bar (before the screen itself).
    """
    state = ui.state
    if state.me is None or state.screen == Screen.CLOSED:
        return None
    rec = record(ui)
    if state.screen.value not in MY_SCREENS:
        rec.view_seen = ""  # the next shared-record screen opened loads afresh
    notes = rec.notifications
    if state.screen == Screen.HOME and rec.bell_seen != Screen.HOME.value and not notes.busy:
        notes.busy = True

        async def refresh() -> None:
            try:
                await asyncio.to_thread(notes.refresh)
            finally:
                notes.busy = False
            ui.render()

        ui.page.run_task(refresh)
    rec.bell_seen = state.screen.value
    count = notes.unread + device_unread(ui)  # the server's notifications and this device's reminders

    def open_list(_: ft.ControlEvent) -> None:
        state.go(Screen.NOTIFICATIONS)
        ui.render()

    label = ui.t("ui.notif.bell", count=count) if count else ui.t("ui.notif.bell.none")
    badge = ft.Badge(
        label=str(count) if count < 100 else "99+",
        bgcolor="#C62828",
        text_color=ft.Colors.WHITE,
        text_style=ft.TextStyle(size=13, weight=ft.FontWeight.BOLD),
    )
    icon = ft.Icons.NOTIFICATIONS if count else ft.Icons.NOTIFICATIONS_NONE
    return icon_action(
        label, icon, open_list, key="bell", color=ft.Colors.WHITE, badge=badge if count else None
    )


def read_by_opening(
    build: Builder, kinds: frozenset[str], left: Callable[[Ui], int] = lambda _ui: 0
) -> Builder:
    """A screen whose opening reads the bell's notices of `kinds` (the access log, a message): they
    are marked read on the server in the background, leaving `left` unread (messages not read yet).

    Only once the bell has loaded the notices (on home, right after signing in): nothing to mark
    otherwise, and no loop of calls while offline."""

    def drawn(ui: Ui) -> list[ft.Control]:
        controls = build(ui)
        notes = record(ui).notifications
        answered = notes.beyond(kinds, left(ui)) if notes.loaded else []
        if answered:
            load_in_background(ui, notes, lambda: notes.read_all(answered))
        return controls

    return drawn


def _item(ui: Ui, notes: NotificationsState, item: NotificationOut) -> ft.Control:
    key = f"notif-{item.id}"
    unread = not item.read

    async def tapped(_: ft.ControlEvent) -> None:
        if unread:
            await ui.run(notes, lambda: notes.mark_read(item.id))

    when = format_datetime(item.at, ui.state.lang, ui.state.tz)
    status = ui.t("ui.notif.unread" if unread else "ui.notif.read")
    return ft.Container(
        key=key,
        bgcolor=UNREAD_BG if unread else None,
        border=ft.Border.all(2 if unread else 1, PRIMARY if unread else "#C5CED9"),
        border_radius=12,
        content=ft.ListTile(
            key=f"{key}-tile",
            leading=ft.Icon(ICONS.get(item.kind, ft.Icons.NOTIFICATIONS), color=PRIMARY, size=30),
            title=ft.Text(
                NotificationsState.describe(item, ui.state.lang),
                size=BODY_SIZE,
                weight=ft.FontWeight.W_600 if unread else ft.FontWeight.NORMAL,
                key=f"{key}-text",
            ),
            subtitle=ft.Text(f"{when} · {status}", size=15, key=f"{key}-when"),
            min_height=64,
            on_click=tapped,
        ),
    )


def build(ui: Ui, device_notices: DeviceNotices) -> list[ft.Control]:
    notes = record(ui).notifications
    if entering(ui, "notifications"):
        notes.loaded, notes.offline, notes.banner, notes.notice = False, False, None, None
    if not notes.loaded and not notes.offline and notes.banner is None:
        load_in_background(ui, notes, notes.refresh)

    async def retry(_: ft.ControlEvent) -> None:
        await ui.run(notes, notes.refresh)

    def open_log(_: ft.ControlEvent) -> None:
        ui.state.go(Screen.ACCESS_LOG)
        ui.render()

    items: list[ft.Control | None] = [*device_notices(ui)]  # agenda reminders, computed on this device
    if notes.loaded:
        if not notes.items:
            items.append(para(ui.t("ui.notif.empty"), key="notif-empty"))
        else:
            items.append(para(ui.t("ui.notif.hint"), key="notif-hint"))
        items += [_item(ui, notes, n) for n in notes.items]
    return column(
        title(ui.t("ui.notif.title")),
        status_line(ui, notes, "notif") if notes.busy else None,
        problem(ui, notes, retry, "notif"),
        *items,
        secondary_button(ui.t("ui.notif.open_log"), "notif-open-log", open_log, icon=ft.Icons.HISTORY),
    )
