"""The health agenda: upcoming and past appointments, the way to the prevention reminders, the
add / change form with its reminder delay, cancelling with a confirmation, the iCalendar export.

Everything reads and writes the vault on this device (it works offline); the list redraws from
the state after each action.
"""

from typing import Protocol, cast

import flet as ft

from mobile.agenda.state import DELAYS, AgendaState, Appointment, DeviceNotice, plyer_notify
from mobile.shell.core import SpaceApp
from mobile.shell.date_pickers import picked_field
from mobile.shell.panels import chip, confirm_dialog, offer_file, small_button
from mobile.shell.state import Screen, local_error
from mobile.shell.widgets import (
    BODY_SIZE,
    PRIMARY,
    Ui,
    banner,
    column,
    field,
    notice,
    para,
    primary_button,
    radio_group,
    secondary_button,
    subtitle,
    title,
)
from sync.protocol.i18n import day_text
from sync.protocol.prevention import Status


class AgendaApp(SpaceApp, Protocol):
    """What the agenda's screens use of the app state (the composition root builds it)."""

    agenda: AgendaState


CANCELLED_FG, CANCELLED_BG = "#8C1D18", "#FDECEA"


def agenda_of(ui: Ui) -> AgendaState:
    return cast(AgendaApp, ui.state).agenda


def _when(ui: Ui, a: Appointment) -> str:
    return ui.t("ui.datetime", date=day_text(a.day, ui.state.lang), time=a.at.strftime("%H:%M"))


async def export(ui: Ui, appointment_id: str | None = None) -> None:
    """Offer the .ics file to save (a download in the browser, a save dialog elsewhere)."""
    agenda = agenda_of(ui)
    name, data = agenda.export(ui.state.lang, appointment_id)
    if await offer_file(ui.t("ui.agenda.export.dialog"), name, data, "ics"):
        agenda.banner = None
        agenda.notice, agenda.notice_params = "ui.agenda.export.done", {"name": name}
    else:
        agenda.notice, agenda.notice_params = "", {}
        agenda.banner = local_error("ui.agenda.export.failed")
    ui.render()


def _card(ui: Ui, a: Appointment) -> ft.Control:
    agenda = agenda_of(ui)
    key = f"appt-{a.id}"

    def edit(_: ft.ControlEvent) -> None:
        if agenda.start_edit(a.id):
            ui.state.go(Screen.APPOINTMENT)
        ui.render()

    async def do_cancel() -> None:
        agenda.cancel(a.id)
        ui.render()

    def ask_cancel(_: ft.ControlEvent) -> None:
        ui.page.show_dialog(
            confirm_dialog(
                ui,
                key=f"{key}-cancel-dialog",
                title=ui.t("ui.agenda.cancel.title"),
                text=ui.t(
                    "ui.agenda.cancel.text", date=day_text(a.day, ui.state.lang), time=a.at.strftime("%H:%M")
                ),
                confirm=ui.t("ui.agenda.cancel.confirm"),
                on_confirm=do_cancel,
                danger=True,
            )
        )

    async def export_one(_: ft.ControlEvent) -> None:
        await export(ui, a.id)

    lines: list[ft.Control] = [
        ft.Text(_when(ui, a), size=19, weight=ft.FontWeight.BOLD, color=PRIMARY, key=f"{key}-when"),
    ]
    if a.professional:
        lines.append(ft.Text(ui.t("ui.agenda.with", who=a.professional), size=BODY_SIZE, key=f"{key}-who"))
    if a.reason:
        lines.append(ft.Text(a.reason, size=BODY_SIZE, weight=ft.FontWeight.W_600, key=f"{key}-reason"))
    if a.place:
        lines.append(ft.Text(ui.t("ui.agenda.at_place", place=a.place), size=BODY_SIZE, key=f"{key}-place"))
    if a.notes:
        lines.append(ft.Text(a.notes, size=15, italic=True, key=f"{key}-notes"))
    badges: list[ft.Control] = []
    if a.cancelled:
        badges.append(chip(ui.t("ui.agenda.badge.cancelled"), CANCELLED_FG, CANCELLED_BG, f"{key}-cancelled"))
    else:
        delay = ui.t(f"ui.agenda.reminder.{a.reminder}")
        lines.append(
            ft.Text(ui.t("ui.agenda.reminder.shown", delay=delay), size=15, key=f"{key}-reminder"),
        )
    if a.pending:
        badges.append(chip(ui.t("ui.agenda.badge.pending"), "#5C3200", "#FFF4E5", f"{key}-pending"))
    if badges:
        lines.append(ft.Row(badges, wrap=True, key=f"{key}-badges"))
    actions: list[ft.Control] = []
    if not a.cancelled and a.own:
        actions.append(small_button(ui.t("ui.agenda.edit"), f"{key}-edit", edit, icon=ft.Icons.EDIT))
    actions.append(
        small_button(ui.t("ui.agenda.export.one"), f"{key}-export", export_one, icon=ft.Icons.IOS_SHARE)
    )
    if not a.cancelled and a.own and a in agenda.upcoming():
        actions.append(
            small_button(
                ui.t("ui.agenda.cancel"), f"{key}-cancel", ask_cancel, icon=ft.Icons.EVENT_BUSY, danger=True
            )
        )
    lines.append(ft.Row(actions, wrap=True, spacing=8, run_spacing=8, key=f"{key}-actions"))
    return ft.Container(
        key=key,
        border=ft.Border.all(1, "#C5CED9"),
        border_radius=12,
        padding=14,
        bgcolor="#F7F7F7" if a.cancelled else None,
        content=ft.Column(lines, spacing=6, key=f"{key}-body"),
    )


def _tab(ui: Ui, name: str, count: int) -> ft.Control:
    agenda = agenda_of(ui)
    chosen = agenda.tab == name

    def pick(_: ft.ControlEvent) -> None:
        agenda.set_tab(name)
        ui.render()

    label = f"{ui.t(f'ui.agenda.tab.{name}')} ({count})"
    button = primary_button if chosen else secondary_button
    return ft.Semantics(
        key=f"agenda-tab-{name}-sem",
        selected=chosen,
        container=True,
        content=button(label, f"agenda-tab-{name}", pick),
    )


def _checkups_tile(ui: Ui) -> ft.Control:
    agenda = agenda_of(ui)
    todo = sum(1 for r in agenda.reminders() if r.status in (Status.DUE, Status.OVERDUE))

    def open_checkups(_: ft.ControlEvent) -> None:
        agenda.banner, agenda.notice = None, ""
        ui.state.go(Screen.CHECKUPS)
        ui.render()

    hint = ui.t("ui.agenda.checkups.count", count=todo) if todo else ui.t("ui.agenda.checkups.none")
    return ft.Container(
        key="agenda-checkups",
        border=ft.Border.all(2, PRIMARY),
        border_radius=12,
        content=ft.ListTile(
            leading=ft.Icon(ft.Icons.HEALTH_AND_SAFETY, color=PRIMARY, size=32),
            title=ft.Text(ui.t("ui.agenda.checkups.open"), size=19, weight=ft.FontWeight.W_600),
            subtitle=ft.Text(hint, size=15, key="agenda-checkups-hint"),
            trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
            min_height=64,
            on_click=open_checkups,
        ),
    )


def _questionnaires_tile(ui: Ui) -> ft.Control:
    def open_questionnaires(_: ft.ControlEvent) -> None:
        ui.state.go(Screen.QUESTIONNAIRES)
        ui.render()

    return ft.Container(
        key="agenda-questionnaires",
        border=ft.Border.all(1, "#C5CED9"),
        border_radius=12,
        content=ft.ListTile(
            leading=ft.Icon(ft.Icons.QUIZ, color=PRIMARY, size=32),
            title=ft.Text(ui.t("ui.agenda.questionnaires.open"), size=19, weight=ft.FontWeight.W_600),
            subtitle=ft.Text(ui.t("ui.agenda.questionnaires.hint"), size=15),
            trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
            min_height=64,
            on_click=open_questionnaires,
        ),
    )


def build(ui: Ui) -> list[ft.Control]:
    agenda = agenda_of(ui)

    def add(_: ft.ControlEvent) -> None:
        agenda.start_add()
        ui.state.go(Screen.APPOINTMENT)
        ui.render()

    async def export_all(_: ft.ControlEvent) -> None:
        await export(ui)

    upcoming, past = agenda.upcoming(), agenda.past()
    shown = upcoming if agenda.tab == "upcoming" else past
    cards: list[ft.Control] = [_card(ui, a) for a in shown]
    if not cards:
        cards.append(para(ui.t(f"ui.agenda.empty.{agenda.tab}"), key=f"agenda-empty-{agenda.tab}"))
    return column(
        title(ui.t("ui.agenda.title")),
        banner(ui, agenda.banner, key="agenda-banner"),
        notice(ui.t(agenda.notice, **agenda.notice_params), key="agenda-notice") if agenda.notice else None,
        para(ui.t("ui.agenda.intro")),
        _checkups_tile(ui),
        _questionnaires_tile(ui),
        primary_button(ui.t("ui.agenda.add"), "agenda-add", add, icon=ft.Icons.ADD),
        ft.Semantics(
            key="agenda-tabs-sem",
            label=ui.t("ui.agenda.tabs"),
            container=True,
            content=ft.Row(
                [_tab(ui, "upcoming", len(upcoming)), _tab(ui, "past", len(past))],
                wrap=True,
                spacing=8,
                run_spacing=8,
                key="agenda-tabs",
            ),
        ),
        *cards,
        secondary_button(
            ui.t("ui.agenda.export.all"), "agenda-export-all", export_all, icon=ft.Icons.CALENDAR_MONTH
        )
        if upcoming or past
        else None,
    )


def build_form(ui: Ui) -> list[ft.Control]:
    """Adding or changing one appointment."""
    agenda = agenda_of(ui)
    form = agenda.form
    if form is None:  # reached without a form (e.g. after a reload): start a new one
        agenda.start_add()
        form = agenda.form
    assert form is not None

    def delay_changed(e: ft.ControlEvent) -> None:
        agenda.set_reminder(str(e.control.value or "none"))

    async def save(_: ft.ControlEvent) -> None:
        if agenda.save():
            ui.state.go(Screen.AGENDA)
        ui.render()

    def back(_: ft.ControlEvent) -> None:
        agenda.close_form()
        ui.state.go(Screen.AGENDA)
        ui.render()

    delays = [(d, ui.t(f"ui.agenda.reminder.{d}")) for d in DELAYS]
    radios = radio_group("appt-reminder", form.reminder, delays, delay_changed)
    return column(
        title(ui.t("ui.agenda.form.edit" if form.editing else "ui.agenda.form.add")),
        banner(ui, form.banner, key="appt-banner"),
        para(ui.t("ui.agenda.form.hint")),
        picked_field(
            ui, form, "date", ui.t("ui.agenda.field.date"), helper=ui.t("ui.agenda.field.date.helper")
        ),
        picked_field(
            ui, form, "time", ui.t("ui.agenda.field.time"), "time", helper=ui.t("ui.agenda.field.time.helper")
        ),
        field(ui, form, "professional", ui.t("ui.agenda.field.professional")),
        field(ui, form, "reason", ui.t("ui.agenda.field.reason")),
        field(ui, form, "place", ui.t("ui.agenda.field.place")),
        field(ui, form, "notes", ui.t("ui.agenda.field.notes")),
        subtitle(ui.t("ui.agenda.reminder.label")),
        radios,
        primary_button(ui.t("ui.agenda.save"), "appt-save", save, icon=ft.Icons.SAVE),
        secondary_button(ui.t("ui.agenda.form.back"), "appt-back", back, icon=ft.Icons.ARROW_BACK),
    )


# --- the bell: notices computed on this device --------------------------------------------------------


def _open_agenda(ui: Ui) -> AgendaState | None:
    state = ui.state
    vault = getattr(state, "vault", None)
    return cast(AgendaApp, state).agenda if vault is not None and vault.unlocked else None


def device_unread(ui: Ui) -> int:
    """The unread notices of this device, for the bell; pushes new ones to the platform's
    notification centre where there is one (never in web mode)."""
    agenda = _open_agenda(ui)
    if agenda is None:
        return 0
    if not ui.page.web and agenda.local_notify is None and not agenda.local_tried:
        agenda.local_tried, agenda.local_notify = True, plyer_notify
    agenda.push_local(ui.state.lang)
    return agenda.unread()


def device_notices(ui: Ui) -> list[ft.Control]:
    """The notices computed on this device, under their own heading, for the notifications list."""
    agenda = _open_agenda(ui)
    found = agenda.notices() if agenda is not None else []
    if agenda is None or not found:
        return []

    def opener(item: DeviceNotice):  # type: ignore[no-untyped-def]
        def tapped(_: ft.ControlEvent) -> None:
            agenda.mark_read(item.id)
            agenda.banner, agenda.notice = None, ""
            ui.state.go(Screen.AGENDA if item.kind == "appointment" else Screen.CHECKUPS)
            ui.render()

        return tapped

    rows: list[ft.Control] = [subtitle(ui.t("ui.agenda.notice.section"), key="device-notices-title")]
    for item in found:
        key = f"device-{item.id}"
        status = ui.t("ui.agenda.notice.seen" if item.read else "ui.agenda.notice.new")
        rows.append(
            ft.Container(
                key=key,
                bgcolor=None if item.read else "#E8F0FB",
                border=ft.Border.all(1 if item.read else 2, "#C5CED9" if item.read else PRIMARY),
                border_radius=12,
                content=ft.ListTile(
                    key=f"{key}-tile",
                    leading=ft.Icon(
                        ft.Icons.EVENT if item.kind == "appointment" else ft.Icons.HEALTH_AND_SAFETY,
                        color=PRIMARY,
                        size=30,
                    ),
                    title=ft.Text(
                        item.describe(ui.state.lang),
                        size=BODY_SIZE,
                        weight=ft.FontWeight.NORMAL if item.read else ft.FontWeight.W_600,
                        key=f"{key}-text",
                    ),
                    subtitle=ft.Text(status, size=15, key=f"{key}-status"),
                    min_height=64,
                    on_click=opener(item),
                ),
            )
        )
    rows.append(subtitle(ui.t("ui.agenda.notice.server"), key="server-notices-title"))
    return rows
