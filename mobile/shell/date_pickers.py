"""A calendar or clock button beside a typed date or time: the picker fills the field.

Typing stays possible (some screen-reader users prefer it) and is checked as before; the picker
only writes the same text a person would type (JJ/MM/AAAA, HH:MM), in the page's language.
"""

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any, Literal

import flet as ft

from mobile.shell.state import Form
from mobile.shell.widgets import Ui, field, icon_action
from mobile.shell.words import parse_day, parse_time, text

Kind = Literal["day", "time"]

FIRST_DAY = datetime(1900, 1, 1)
LAST_DAY = datetime(2100, 12, 31)


def typed_day(day: date) -> str:
    """The way a day is typed in the app's fields, whatever the language."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def typed_time(moment: time) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def picked_text(kind: Kind, value: object) -> str | None:
    """The text for the field from what the picker returned (a date, a datetime or a time)."""
    if kind == "time":
        return typed_time(value) if isinstance(value, time) else None
    if isinstance(value, datetime):
        return typed_day(value.date())
    return typed_day(value) if isinstance(value, date) else None


def _dialog(kind: Kind, ui: Ui, label: str, current: str, chosen: Callable[[str], None]) -> ft.DialogControl:
    """The picker, opened at the typed value, else at the person's own today and now."""
    lang, now = ui.state.lang, datetime.now(ui.state.tz).replace(tzinfo=None, second=0, microsecond=0)

    def changed(e: ft.ControlEvent) -> None:
        value = picked_text(kind, e.control.value)
        if value is not None:
            chosen(value)

    words = {
        "help_text": label,
        "cancel_text": text("ui.cancel", lang),
        "confirm_text": text("ui.pick.confirm", lang),
    }
    if kind == "time":
        return ft.TimePicker(
            value=parse_time(current) or now.time(),
            hour_format=ft.TimePickerHourFormat.H24,
            hour_label_text=text("ui.pick.hour", lang),
            minute_label_text=text("ui.pick.minute", lang),
            error_invalid_text=text("ui.pick.time_invalid", lang),
            on_change=changed,
            **words,
        )
    day = parse_day(current)
    return ft.DatePicker(
        value=datetime.combine(day, time(12)) if day and FIRST_DAY.date() <= day <= LAST_DAY.date() else None,
        first_date=FIRST_DAY,
        last_date=LAST_DAY,
        current_date=now,
        field_label_text=label,
        error_format_text=text("ui.pick.day_format", lang),
        error_invalid_text=text("ui.pick.day_invalid", lang),
        on_change=changed,
        **words,
    )


def picker_button(
    ui: Ui, *, kind: Kind, key: str, label: str, current: Callable[[], str], chosen: Callable[[str], None]
) -> ft.Control:
    """A 52 px button named "Choisir la date : <field>" that opens the picker at the field's value
    (read when tapped: typing does not redraw the screen)."""
    name = ui.t("ui.pick.day" if kind == "day" else "ui.pick.time", field=label)

    def open_picker(_: ft.ControlEvent) -> None:
        ui.page.show_dialog(_dialog(kind, ui, label, current(), chosen))

    icon = ft.Icons.CALENDAR_MONTH if kind == "day" else ft.Icons.SCHEDULE
    return icon_action(name, icon, open_picker, key=f"{key}-pick")


def with_picker(box: ft.Control, button: ft.Control, key: str) -> ft.Control:
    """The field and its button on one row, the field taking the room left."""
    box.expand = True
    return ft.Row(
        [box, ft.Container(button, padding=ft.Padding.only(top=4))],
        key=f"{key}-row",
        spacing=4,
        vertical_alignment=ft.CrossAxisAlignment.START,
    )


def picked_field(
    ui: Ui,
    form: Form,
    name: str,
    label: str,
    kind: Kind = "day",
    *,
    rerender: Callable[[], None] | None = None,
    **options: Any,
) -> ft.Control:
    """`field` with its picker: what is picked is stored as if typed, and its error goes away."""

    def chosen(value: str) -> None:
        form.set(name, value)
        (rerender or ui.render)()

    box = field(ui, form, name, label, keyboard=ft.KeyboardType.DATETIME, rerender=rerender, **options)
    button = picker_button(
        ui, kind=kind, key=f"field-{name}", label=label, current=lambda: form.values[name], chosen=chosen
    )
    return with_picker(box, button, f"field-{name}")
