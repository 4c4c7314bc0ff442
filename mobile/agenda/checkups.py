"""The prevention reminders: what the calendar recommends for the holder's age and sex, each
with why it is shown, a way to say it is done (with the day) and a way to hide it."""

from datetime import date

import flet as ft

from mobile.agenda.agenda import agenda_of
from mobile.agenda.state import AgendaState
from mobile.shell.date_pickers import picked_field
from mobile.shell.panels import chip, confirm_dialog, small_button
from mobile.shell.state import Screen
from mobile.shell.widgets import (
    BODY_SIZE,
    ERROR_FG,
    PRIMARY,
    Ui,
    banner,
    column,
    notice,
    para,
    subtitle,
    title,
)
from sync.protocol.i18n import day_text
from sync.protocol.prevention import Reminder, Status
from sync.protocol.questionnaires import IDS, load

# The reminders of "Mon bilan prévention": each leads to its questionnaire.
KEY_AGE_ITEMS = frozenset(load(i).calendar_item for i in IDS)
# Status words with their colours (never colour alone).
STATUS_STYLE = {
    Status.OVERDUE: (ERROR_FG, "#FDECEA", ft.Icons.ERROR_OUTLINE),
    Status.DUE: ("#0B4A2E", "#E6F4EA", ft.Icons.TODAY),
    Status.UPCOMING: (PRIMARY, "#E8F0FB", ft.Icons.SCHEDULE),
    Status.DONE: ("#3A3A3A", "#EEEEEE", ft.Icons.CHECK_CIRCLE_OUTLINE),
}


def _day(value: date | None, lang: str) -> str:
    return day_text(value, lang) if value is not None else ""


def _dates(ui: Ui, r: Reminder) -> str:
    """When, in words: 'À faire du … au …', 'Recommandé depuis le …', 'Fait le … · Prochain …'."""
    if r.status == Status.DONE:
        done = ui.t("ui.checkups.done_on", date=_day(r.last_done, ui.state.lang))
        return f"{done} · {ui.t('ui.checkups.next', date=_day(r.due, ui.state.lang))}" if r.due else done
    if r.status == Status.OVERDUE:
        return ui.t("ui.checkups.late", until=_day(r.until, ui.state.lang))
    if r.status == Status.UPCOMING:
        return ui.t("ui.checkups.from", date=_day(r.due, ui.state.lang))
    if r.until is not None:
        return ui.t("ui.checkups.window", date=_day(r.due, ui.state.lang), until=_day(r.until, ui.state.lang))
    return ui.t("ui.checkups.since", date=_day(r.due, ui.state.lang))


def _done_form(ui: Ui, agenda: AgendaState, r: Reminder, key: str) -> ft.Control:
    form = agenda.done_form
    assert form is not None

    async def save(_: ft.ControlEvent) -> None:
        agenda.mark_done()
        ui.render()

    def close(_: ft.ControlEvent) -> None:
        agenda.done_form = None
        ui.render()

    parts: list[ft.Control | None] = [
        ft.Text(
            ui.t("ui.checkups.done.title"), size=BODY_SIZE, weight=ft.FontWeight.W_600, key=f"{key}-done-q"
        ),
        picked_field(ui, form, "date", ui.t("ui.checkups.done.field"), on_submit=save),
        para(ui.t("ui.checkups.done.vaccine"), key=f"{key}-done-vaccine") if r.vaccines else None,
        banner(ui, form.banner, key=f"{key}-done-banner"),
        ft.Row(
            [
                small_button(ui.t("ui.checkups.done.save"), f"{key}-done-save", save, icon=ft.Icons.SAVE),
                small_button(ui.t("ui.cancel"), f"{key}-done-cancel", close),
            ],
            wrap=True,
            spacing=8,
            key=f"{key}-done-actions",
        ),
    ]
    return ft.Container(
        key=f"{key}-done",
        bgcolor="#F2F6FB",
        border_radius=10,
        padding=12,
        content=ft.Column(column(*parts), spacing=8, key=f"{key}-done-body"),
    )


def _card(ui: Ui, agenda: AgendaState, r: Reminder) -> ft.Control:
    key = f"checkup-{r.item}"
    lang = ui.state.lang
    fg, bg, icon = STATUS_STYLE[r.status]

    def open_questionnaires(_: ft.ControlEvent) -> None:
        ui.state.go(Screen.QUESTIONNAIRES)
        ui.render()

    def start_done(_: ft.ControlEvent) -> None:
        agenda.start_done(r.item)
        ui.render()

    async def do_dismiss() -> None:
        agenda.dismiss(r.item)
        ui.render()

    def ask_dismiss(_: ft.ControlEvent) -> None:
        ui.page.show_dialog(
            confirm_dialog(
                ui,
                key=f"{key}-dismiss-dialog",
                title=ui.t("ui.checkups.dismiss.title"),
                text=ui.t("ui.checkups.dismiss.text", label=r.label(lang)),
                confirm=ui.t("ui.checkups.dismiss"),
                on_confirm=do_dismiss,
            )
        )

    lines: list[ft.Control | None] = [
        ft.Text(r.label(lang), size=19, weight=ft.FontWeight.BOLD, color=PRIMARY, key=f"{key}-label"),
        ft.Row(
            [chip(ui.t(f"ui.checkups.status.{r.status.value}"), fg, bg, f"{key}-status", icon=icon)],
            wrap=True,
            key=f"{key}-chips",
        ),
        ft.Text(_dates(ui, r), size=BODY_SIZE, key=f"{key}-dates"),
        ft.Text(ui.t("ui.checkups.dose", dose=r.dose, doses=r.doses), size=BODY_SIZE, key=f"{key}-dose")
        if r.doses > 1 and r.dose
        else None,
        ft.Text(ui.t("ui.checkups.why", reason=r.reason(lang)), size=15, key=f"{key}-why"),
        small_button(
            ui.t("ui.checkups.questionnaire"), f"{key}-questionnaire", open_questionnaires, icon=ft.Icons.QUIZ
        )
        if r.item in KEY_AGE_ITEMS
        else None,
    ]
    if agenda.done_form is not None and agenda.done_form.item == r.item:
        lines.append(_done_form(ui, agenda, r, key))
    elif r.status != Status.DONE:
        lines.append(
            ft.Row(
                [
                    small_button(
                        ui.t("ui.checkups.mark_done"), f"{key}-mark", start_done, icon=ft.Icons.CHECK
                    ),
                    small_button(
                        ui.t("ui.checkups.dismiss"),
                        f"{key}-dismiss",
                        ask_dismiss,
                        icon=ft.Icons.VISIBILITY_OFF,
                    ),
                ],
                wrap=True,
                spacing=8,
                run_spacing=8,
                key=f"{key}-actions",
            )
        )
    return ft.Container(
        key=key,
        border=ft.Border.all(
            2 if r.status == Status.OVERDUE else 1, fg if r.status == Status.OVERDUE else "#C5CED9"
        ),
        border_radius=12,
        padding=14,
        content=ft.Column(column(*lines), spacing=6, key=f"{key}-body"),
    )


def _intro(ui: Ui) -> str:
    """Whose age and sex the reminders follow: the holder's, or the child's whose space is shown."""
    family = getattr(ui.state, "family", None)
    child = family.current() if family is not None else None
    if child is None:
        return ui.t("ui.checkups.intro")
    return ui.t("ui.checkups.intro.child", first_name=child.first_name)


def build(ui: Ui) -> list[ft.Control]:
    agenda = agenda_of(ui)
    header: list[ft.Control | None] = [
        title(ui.t("ui.checkups.title")),
        banner(ui, agenda.banner, key="checkups-banner"),
        notice(ui.t(agenda.notice), key="checkups-notice") if agenda.notice else None,
        para(_intro(ui)),
    ]
    if agenda.person() is None:
        return column(*header, para(ui.t("ui.checkups.unknown"), key="checkups-unknown"))
    reminders = agenda.reminders()
    groups = (
        ("todo", [r for r in reminders if r.status in (Status.OVERDUE, Status.DUE)]),
        ("upcoming", [r for r in reminders if r.status == Status.UPCOMING]),
        ("done", [r for r in reminders if r.status == Status.DONE]),
    )
    body: list[ft.Control | None] = []
    for name, found in groups:
        if found:
            body.append(subtitle(ui.t(f"ui.checkups.group.{name}"), key=f"checkups-group-{name}"))
            body += [_card(ui, agenda, r) for r in found]
    if not reminders:
        body.append(para(ui.t("ui.checkups.empty"), key="checkups-empty"))
    return column(*header, *body)
