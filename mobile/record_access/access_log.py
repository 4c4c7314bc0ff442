"""The access log: who opened the record, what, when, how; refusals and emergency reasons in words."""

from typing import Protocol, cast

import flet as ft

from mobile.record_access.common import entering, record
from mobile.record_access.state import LOG_KINDS, AccessLogState
from mobile.shell.date_pickers import picker_button, with_picker
from mobile.shell.panels import chip, load_in_background, problem, small_button, status_line
from mobile.shell.state import Screen
from mobile.shell.widgets import (
    BODY_SIZE,
    ERROR_FG,
    PRIMARY,
    Ui,
    column,
    named_dropdown,
    para,
    primary_button,
    secondary_button,
    title,
)
from sync.protocol.record_schemas import AccessEntryOut

ALL = "all"  # the dropdowns' "no filter" choice (an empty key is not a valid option)


def _dropdown(
    ui: Ui, *, key: str, label: str, value: str, options: list[tuple[str, str]], on_pick
) -> ft.Control:  # type: ignore[no-untyped-def]
    """A dropdown with an accessible name (Flet does not expose a dropdown's label)."""

    def picked(e: ft.ControlEvent) -> None:
        chosen = e.control.value or ALL
        on_pick("" if chosen == ALL else chosen)

    return named_dropdown(
        ft.Dropdown(
            key=key,
            label=label,
            value=value or ALL,
            options=[ft.DropdownOption(key=k or ALL, text=text) for k, text in options],
            on_select=picked,
            text_size=17,
            label_style=ft.TextStyle(size=17),
            expand=True,
            menu_height=420,
        ),
        f"{key}-sem",
    )


def _date_field(ui: Ui, log: AccessLogState, name: str, on_submit) -> ft.Control:  # type: ignore[no-untyped-def]
    def changed(e: ft.ControlEvent) -> None:
        had_error = name in log.errors
        log.set_date(name, e.control.value or "")
        if had_error:
            ui.render()

    def chosen(value: str) -> None:
        log.set_date(name, value)
        ui.render()

    label = ui.t(f"ui.log.filter.{name}")

    def value() -> str:
        return log.since_text if name == "since" else log.until_text

    box = ft.TextField(
        key=f"field-log-{name}",
        label=label,
        value=value(),
        hint_text=ui.t("ui.log.filter.date_hint"),
        error=ui.err(log.errors.get(name)),
        error_max_lines=3,
        keyboard_type=ft.KeyboardType.DATETIME,
        text_size=18,
        label_style=ft.TextStyle(size=16),
        error_style=ft.TextStyle(size=15, color=ERROR_FG),
        read_only=log.busy,
        on_change=changed,
        on_submit=on_submit,
    )
    button = picker_button(ui, kind="day", key=f"field-log-{name}", label=label, current=value, chosen=chosen)
    return with_picker(box, button, f"field-log-{name}")


def _filters(ui: Ui, log: AccessLogState) -> ft.Control:
    lang = ui.state.lang

    async def reload() -> None:
        await ui.run(log, log.load)

    def pick_professional(value: str) -> None:
        log.set_professional(value)
        ui.page.run_task(reload)

    def pick_kind(value: str) -> None:
        log.set_kind(value)
        ui.page.run_task(reload)

    async def apply(_: ft.ControlEvent) -> None:
        await reload()

    async def clear(_: ft.ControlEvent) -> None:
        log.clear_filters()
        await reload()

    professionals = [("", ui.t("ui.log.filter.professional.all")), *log.actor_choices(lang)]
    kinds = [(k, ui.t(f"ui.log.kind.{k or 'all'}")) for k in LOG_KINDS]
    return ft.Container(
        key="log-filters",
        bgcolor="#F2F6FB",
        border_radius=12,
        padding=12,
        content=ft.Column(
            column(
                ft.Text(ui.t("ui.log.filters"), size=18, weight=ft.FontWeight.W_600, key="log-filters-title"),
                _dropdown(
                    ui,
                    key="log-filter-professional",
                    label=ui.t("ui.log.filter.professional"),
                    value=log.professional_id,
                    options=professionals,
                    on_pick=pick_professional,
                ),
                _dropdown(
                    ui,
                    key="log-filter-kind",
                    label=ui.t("ui.log.filter.kind"),
                    value=log.kind,
                    options=kinds,
                    on_pick=pick_kind,
                ),
                ft.ResponsiveRow(  # side by side on a wide screen, one under the other on a phone
                    [
                        ft.Container(
                            _date_field(ui, log, name, apply), col={"xs": 12, "sm": 6}, key=f"{name}-box"
                        )
                        for name in ("since", "until")
                    ],
                    spacing=8,
                    run_spacing=10,
                    key="log-dates",
                ),
                ft.Row(
                    column(
                        secondary_button(
                            ui.t("ui.log.filter.apply"),
                            "log-apply",
                            apply,
                            busy=log.busy,
                            icon=ft.Icons.FILTER_ALT,
                        ),
                        ft.TextButton(
                            content=ui.t("ui.log.filter.clear"),
                            key="log-clear",
                            on_click=clear,
                            height=48,
                            disabled=log.busy,
                            style=ft.ButtonStyle(
                                text_style=ft.TextStyle(size=16, weight=ft.FontWeight.W_600)
                            ),
                        )
                        if log.filtered()
                        else None,
                    ),
                    wrap=True,
                    spacing=8,
                    run_spacing=8,
                    key="log-filter-actions",
                ),
            ),
            spacing=10,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            key="log-filters-body",
        ),
    )


class Complaining(Protocol):
    """A complaint to the authority about one line (the composition root opens "Mes droits")."""

    def complain_about(self, seq: int) -> None: ...


def _report(ui: Ui, log: AccessLogState, entry: AccessEntryOut, key: str) -> ft.Control:
    """'Signaler cet accès': a button, the small form under the line, or 'you reported it'."""
    if entry.reported:
        return chip(ui.t("ui.report.done"), "#5C3200", "#FFF4E5", f"{key}-reported", ft.Icons.FLAG)

    async def start(_: ft.ControlEvent) -> None:
        log.start_report(entry.seq)
        ui.render()

    if log.reporting != entry.seq:
        return small_button(ui.t("ui.report.button"), f"{key}-report", start, icon=ft.Icons.FLAG_OUTLINED)

    def typed(e: ft.ControlEvent) -> None:
        log.report_note = e.control.value or ""

    def ticked(e: ft.ControlEvent) -> None:
        log.report_block = bool(e.control.value)

    async def send(_: ft.ControlEvent) -> None:
        await ui.run(log, log.send_report)

    async def cancel(_: ft.ControlEvent) -> None:
        log.cancel_report()
        ui.render()

    return ft.Container(
        key=f"{key}-report-form",
        bgcolor="#FFF8EC",
        border_radius=10,
        padding=10,
        content=ft.Column(
            column(
                ft.Text(ui.t("ui.report.title"), size=18, weight=ft.FontWeight.W_600, key=f"{key}-rtitle"),
                para(ui.t("ui.report.intro"), key=f"{key}-rintro"),
                ft.TextField(
                    key=f"{key}-note",
                    label=ui.t("ui.report.note"),
                    hint_text=ui.t("ui.report.note_hint"),
                    value=log.report_note,
                    multiline=True,
                    min_lines=2,
                    max_length=1000,
                    text_size=18,
                    label_style=ft.TextStyle(size=16),
                    read_only=log.busy,
                    on_change=typed,
                ),
                ft.Checkbox(
                    key=f"{key}-block",
                    label=ui.t("ui.report.block"),
                    value=log.report_block,
                    on_change=ticked,
                    label_style=ft.TextStyle(size=16),
                )
                if AccessLogState.can_block(entry)
                else None,
                ft.Row(
                    [
                        primary_button(ui.t("ui.report.send"), f"{key}-send", send, busy=log.busy),
                        small_button(ui.t("ui.report.cancel"), f"{key}-cancel", cancel),
                    ],
                    wrap=True,
                    key=f"{key}-ractions",
                ),
            ),
            spacing=8,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            key=f"{key}-rbody",
        ),
    )


def _entry(ui: Ui, log: AccessLogState, entry: AccessEntryOut) -> ft.Control:
    words = AccessLogState.describe(entry, ui.state.lang, ui.state.tz)
    key = f"log-{entry.seq}"
    emergency = entry.mode in ("emergency", "regulator")
    if words.refused:
        icon, colour, border = ft.Icons.BLOCK, ERROR_FG, ERROR_FG
    elif emergency:
        icon, colour, border = ft.Icons.EMERGENCY, "#8A4B00", "#8A4B00"
    else:
        icon, colour, border = ft.Icons.VISIBILITY, PRIMARY, "#C5CED9"
    lines: list[ft.Control | None] = [
        ft.Text(f"{words.who} · {words.profession}", size=18, weight=ft.FontWeight.W_600, key=f"{key}-who"),
        ft.Text(words.what, size=BODY_SIZE, key=f"{key}-what"),
        ft.Text(words.when, size=16, key=f"{key}-when"),
        ft.Text(words.how, size=16, key=f"{key}-how"),
    ]
    if words.refused:
        lines.append(chip(ui.t("ui.log.refused"), ERROR_FG, "#FDECEA", f"{key}-refused", ft.Icons.BLOCK))
        if words.refusal:
            lines.append(
                ft.Text(
                    ui.t("ui.log.refusal", refusal=words.refusal),
                    size=16,
                    color=ERROR_FG,
                    key=f"{key}-refusal",
                )
            )
    if words.reason:
        lines.append(
            ft.Text(
                ui.t("ui.log.reason", reason=words.reason),
                size=16,
                weight=ft.FontWeight.W_600,
                color="#5C3200",
                key=f"{key}-reason",
            )
        )
    lines.append(_report(ui, log, entry, key))

    def complain(_: ft.ControlEvent) -> None:
        cast(Complaining, ui.state).complain_about(entry.seq)
        ui.render()

    lines.append(small_button(ui.t("ui.log.complain"), f"{key}-complain", complain, icon=ft.Icons.GAVEL))
    return ft.Container(
        key=key,
        border=ft.Border.all(2 if words.refused or emergency else 1, border),
        border_radius=12,
        padding=12,
        content=ft.Row(
            [
                ft.Icon(icon, color=colour, size=28),
                ft.Column(column(*lines), spacing=4, expand=True, key=f"{key}-lines"),
            ],
            vertical_alignment=ft.CrossAxisAlignment.START,
            key=f"{key}-row",
        ),
    )


def build(ui: Ui) -> list[ft.Control]:
    log = record(ui).log
    if entering(ui, "access-log"):
        log.loaded, log.offline, log.banner = False, False, None
    if not log.loaded and not log.offline and log.banner is None and not log.errors:
        load_in_background(ui, log, log.load)

    async def retry(_: ft.ControlEvent) -> None:
        await ui.run(log, log.load)

    async def more(_: ft.ControlEvent) -> None:
        await ui.run(log, log.more)

    entries: list[ft.Control | None] = []
    if log.loaded:
        if not log.entries:
            key = "ui.log.empty.filtered" if log.filtered() else "ui.log.empty"
            entries.append(para(ui.t(key), key="log-empty"))
        entries += [_entry(ui, log, e) for e in log.entries]
        if log.next_before is not None:
            entries.append(
                primary_button(
                    ui.t("ui.log.more"), "log-more", more, busy=log.busy, icon=ft.Icons.EXPAND_MORE
                )
            )
        elif log.entries:
            entries.append(para(ui.t("ui.log.end"), key="log-end"))

    def open_alerts(_: ft.ControlEvent) -> None:
        ui.state.go(Screen.ALERTS)
        ui.render()

    return column(
        title(ui.t("ui.log.title")),
        para(ui.t("ui.log.intro"), key="log-intro"),
        _filters(ui, log),
        status_line(ui, log, "log"),
        problem(ui, log, retry, "log"),
        *entries,
        small_button(ui.t("ui.alerts.open"), "log-alerts", open_alerts, icon=ft.Icons.NOTIFICATIONS_ACTIVE),
        ft.Container(height=12, key="log-bottom"),
    )
