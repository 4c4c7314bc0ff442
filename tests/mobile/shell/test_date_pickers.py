"""Date and time pickers beside typed fields (issue #19): the button is named for a screen
reader, opens the picker at the typed value, and writes the same text a person would type."""

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import flet as ft

from mobile.shell.date_pickers import picked_field, picked_text, typed_day
from mobile.shell.state import Form
from mobile.shell.widgets import Ui
from sync.errors import SyncError


class DayForm(Form):
    fields = ("date", "time")


class StubPage:
    """Keeps the dialog the button opened."""

    def __init__(self) -> None:
        self.dialogs: list[ft.DialogControl] = []

    def show_dialog(self, dialog: ft.DialogControl) -> None:
        self.dialogs.append(dialog)


def _ui(lang: str = "fr") -> tuple[Ui, StubPage, list[int]]:
    page, renders = StubPage(), []
    state = SimpleNamespace(lang=lang, tz=None)
    return Ui(page, state, lambda: renders.append(1)), page, renders  # type: ignore[arg-type]


def _button(row: ft.Control) -> ft.IconButton:
    assert isinstance(row, ft.Row)
    box, holder = row.controls
    assert isinstance(box, ft.TextField) and box.expand
    assert isinstance(holder, ft.Container) and isinstance(holder.content, ft.IconButton)
    return holder.content


def _pick(dialog: ft.DialogControl, value: object) -> None:
    dialog.value = value  # type: ignore[attr-defined]
    assert dialog.on_change is not None  # type: ignore[attr-defined]
    dialog.on_change(SimpleNamespace(control=dialog))  # type: ignore[attr-defined]


def test_a_picked_day_fills_the_field_as_typed_and_clears_its_error() -> None:
    ui, page, renders = _ui()
    form = DayForm(None)  # type: ignore[arg-type]
    button = _button(picked_field(ui, form, "date", "Date (JJ/MM/AAAA)"))
    form.set("date", "3/2/2027")  # typed after the screen was drawn: typing does not redraw it
    form.errors["date"] = SyncError("error.day")
    assert isinstance(button.icon, ft.Icon)
    assert button.icon.semantics_label == "Choisir la date : Date (JJ/MM/AAAA)"
    assert (button.width, button.height) == (52, 52)
    button.on_click(None)  # type: ignore[misc]
    dialog = page.dialogs[-1]
    assert isinstance(dialog, ft.DatePicker)
    assert dialog.value == datetime(2027, 2, 3, 12)  # opens at the typed day
    assert dialog.cancel_text == "Annuler"
    _pick(dialog, datetime(2027, 5, 31))
    assert form.values["date"] == "31/05/2027" and "date" not in form.errors and renders


def test_a_picked_time_is_written_hh_mm_and_a_bad_typed_one_opens_at_now() -> None:
    ui, page, _ = _ui("en")
    form = DayForm(None)  # type: ignore[arg-type]
    button = _button(picked_field(ui, form, "time", "Time (HH:MM)", "time"))
    form.set("time", "midi")
    assert button.icon.semantics_label == "Choose the time: Time (HH:MM)"  # type: ignore[union-attr]
    button.on_click(None)  # type: ignore[misc]
    dialog = page.dialogs[-1]
    assert isinstance(dialog, ft.TimePicker) and dialog.hour_format == ft.TimePickerHourFormat.H24
    assert dialog.value is not None and dialog.confirm_text == "Confirm"
    _pick(dialog, time(8, 5))
    assert form.values["time"] == "08:05"


def test_what_a_picker_returns_becomes_typed_text() -> None:
    assert picked_text("day", date(2026, 1, 9)) == typed_day(date(2026, 1, 9)) == "09/01/2026"
    assert picked_text("day", datetime(2026, 12, 7, 23, 0)) == "07/12/2026"
    assert picked_text("time", time(23, 59)) == "23:59"
    assert picked_text("day", None) is None and picked_text("time", "x") is None


def test_an_empty_field_opens_at_the_persons_own_now() -> None:
    ui, page, _ = _ui()
    ui.state.tz = ZoneInfo("Pacific/Kiritimati")  # UTC+14: another hour than the app server's
    form = DayForm(None)  # type: ignore[arg-type]
    _button(picked_field(ui, form, "time", "Heure (HH:MM)", "time")).on_click(None)  # type: ignore[misc]
    _button(picked_field(ui, form, "date", "Date (JJ/MM/AAAA)")).on_click(None)  # type: ignore[misc]
    clock, calendar = page.dialogs
    there = datetime.now(ZoneInfo("Pacific/Kiritimati"))
    assert isinstance(clock, ft.TimePicker) and clock.value is not None
    assert abs(clock.value.hour * 60 + clock.value.minute - (there.hour * 60 + there.minute)) in (0, 1, 1439)
    assert isinstance(calendar, ft.DatePicker) and calendar.value is None
    assert calendar.current_date.date() in (there.date(), (there - timedelta(minutes=1)).date())  # type: ignore[union-attr]
