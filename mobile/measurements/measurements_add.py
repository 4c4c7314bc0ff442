"""Adding a reading: value(s), date and time (now by default), a note; unusual values ask first."""

from typing import cast

import flet as ft

from mobile.measurements.measurements import MeasurementsApp
from mobile.measurements.state import Outcome
from mobile.shell.date_pickers import picked_field
from mobile.shell.measure_words import kind_label, unit_of
from mobile.shell.panels import confirm_dialog
from mobile.shell.state import Screen
from mobile.shell.widgets import Ui, banner, column, field, primary_button, secondary_button, title
from sync.protocol.measurements import kinds


def build(ui: Ui) -> list[ft.Control]:
    state = cast(MeasurementsApp, ui.state)
    measures = state.measures
    form = measures.add
    kind = form.kind
    unit = unit_of(kind)
    two = "second" in kinds()[kind]

    def saved() -> None:
        state.go(Screen.MEASURE_KIND)
        ui.render()

    async def save_anyway() -> None:
        if measures.submit(confirmed=True) == Outcome.SAVED:
            saved()
        else:
            ui.render()

    def save(_: ft.ControlEvent) -> None:
        outcome = measures.submit()
        if outcome == Outcome.SAVED:
            saved()
            return
        ui.render()
        if outcome == Outcome.CONFIRM:
            ui.page.show_dialog(
                confirm_dialog(
                    ui,
                    key="unusual",
                    title=ui.t("ui.measurements.confirm.title"),
                    text=measures.confirm_question(state.lang),
                    confirm=ui.t("ui.measurements.confirm.yes"),
                    on_confirm=save_anyway,
                )
            )

    def cancel(_: ft.ControlEvent) -> None:
        state.back()
        ui.render()

    number = ft.KeyboardType.NUMBER
    return column(
        title(ui.t("ui.measurements.add.title", kind=kind_label(kind, state.lang))),
        banner(ui, form.banner, key="add-banner"),
        field(
            ui,
            form,
            "value",
            ui.t("ui.measurements.add.systolic" if two else "ui.measurements.add.value", unit=unit),
            keyboard=number,
        ),
        field(ui, form, "second", ui.t("ui.measurements.add.diastolic", unit=unit), keyboard=number)
        if two
        else None,
        picked_field(
            ui, form, "date", ui.t("ui.measurements.add.date"), helper=ui.t("ui.measurements.add.date.helper")
        ),
        picked_field(
            ui,
            form,
            "time",
            ui.t("ui.measurements.add.time"),
            "time",
            helper=ui.t("ui.measurements.add.time.helper"),
        ),
        field(ui, form, "note", ui.t("ui.measurements.add.note")),
        primary_button(ui.t("ui.measurements.add.save"), "reading-save", save, icon=ft.Icons.SAVE),
        secondary_button(ui.t("ui.cancel"), "reading-cancel", cancel, icon=ft.Icons.CLOSE),
    )
