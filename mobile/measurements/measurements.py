"""My measurements: one large card per kind with its latest value, the BMI, and the CSV import."""

from collections.abc import Callable
from typing import Protocol, cast

import flet as ft

from mobile.measurements.state import (
    ImportReport,
    MeasureState,
    Reading,
)
from mobile.shell.core import SpaceApp
from mobile.shell.file_picker import choose_files
from mobile.shell.measure_words import format_number, format_value, kind_label
from mobile.shell.state import Screen
from mobile.shell.widgets import (
    BODY_SIZE,
    ERROR_FG,
    INFO_BG,
    INFO_FG,
    PRIMARY,
    Ui,
    banner,
    column,
    para,
    progress,
    secondary_button,
    title,
)
from mobile.shell.words import format_datetime
from sync.protocol.readings_csv import LineProblem


class MeasurementsApp(SpaceApp, Protocol):
    """What the measurements' screens use of the app state (the composition root builds it)."""

    measures: MeasureState


ICONS: dict[str, ft.IconData] = {
    "weight": ft.Icons.MONITOR_WEIGHT,
    "height": ft.Icons.HEIGHT,
    "blood_pressure": ft.Icons.FAVORITE,
    "heart_rate": ft.Icons.MONITOR_HEART,
    "blood_glucose": ft.Icons.BLOODTYPE,
    "temperature": ft.Icons.THERMOSTAT,
    "waist": ft.Icons.STRAIGHTEN,
}


def kind_card(
    ui: Ui, kind: str, latest: Reading | None, on_click: Callable[[ft.ControlEvent], None]
) -> ft.Control:
    """A large tappable card: the kind, its latest value and unit, and when it was taken."""
    lang = ui.state.lang
    if latest is None:
        value, when = ui.t("ui.measurements.none"), ""
    else:
        value = format_value(kind, latest.value, latest.second, lang)
        when = ui.t("ui.measurements.latest", date=format_datetime(latest.at, lang, ui.state.tz))
    lines: list[ft.Control] = [ft.Text(value, size=24, weight=ft.FontWeight.BOLD, color=PRIMARY)]
    if when:
        lines.append(ft.Text(when, size=15))
    return ft.Container(
        key=f"kind-{kind}",
        border=ft.Border.all(1, "#C5CED9"),
        border_radius=12,
        padding=ft.Padding.symmetric(vertical=4),
        content=ft.ListTile(
            leading=ft.Icon(ICONS.get(kind, ft.Icons.SHOW_CHART), color=PRIMARY, size=36),
            title=ft.Text(kind_label(kind, lang), size=19, weight=ft.FontWeight.W_600),
            subtitle=ft.Column(lines, spacing=2, tight=True),
            trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
            min_height=80,
            on_click=on_click,
        ),
    )


def bmi_box(ui: Ui, measures: MeasureState, grouped: dict[str, list[Reading]]) -> ft.Control:
    """The BMI, worked out from the latest weight and height (never stored)."""
    value = measures.bmi(grouped)
    if value is None:
        return para(ui.t("ui.measurements.bmi.missing"), key="bmi-missing")
    shown = format_number(value, ui.state.lang, 1)
    return ft.Container(
        key="bmi",
        bgcolor=INFO_BG,
        border_radius=12,
        padding=14,
        content=ft.Column(
            [
                ft.Text(
                    ui.t("ui.measurements.bmi", value=shown),
                    size=20,
                    weight=ft.FontWeight.BOLD,
                    color=INFO_FG,
                ),
                ft.Text(ui.t("ui.measurements.bmi.hint"), size=15, color=INFO_FG),
            ],
            spacing=4,
        ),
    )


def _problem_text(ui: Ui, problem: LineProblem) -> str:
    lang = ui.state.lang
    params = {k: format_number(v, lang) if isinstance(v, float) else v for k, v in problem.params.items()}
    reason = ui.t(problem.code, **params)
    if problem.line == 0:
        return ui.t("ui.measurements.csv.file", reason=reason)
    return ui.t("ui.measurements.csv.line", line=problem.line, reason=reason)


def report_box(ui: Ui, report: ImportReport) -> ft.Control:
    """What the import did, then each refused line and each unusual value, by line number."""
    parts: list[ft.Control] = [
        ft.Text(
            ui.t(
                "ui.measurements.import.done",
                file=report.file_name,
                imported=report.imported,
                already=report.already,
                bad=len(report.problems),
            ),
            size=BODY_SIZE,
            weight=ft.FontWeight.W_600,
            key="import-done",
        )
    ]
    if report.problems:
        parts.append(ft.Text(ui.t("ui.measurements.import.problems"), size=BODY_SIZE, color=ERROR_FG))
        parts += [
            ft.Text(_problem_text(ui, p), size=15, color=ERROR_FG, key=f"import-problem-{i}")
            for i, p in enumerate(report.problems)
        ]
    if report.unusual:
        parts.append(ft.Text(ui.t("ui.measurements.import.unusual"), size=BODY_SIZE))
        parts += [
            ft.Text(_problem_text(ui, p), size=15, key=f"import-unusual-{i}")
            for i, p in enumerate(report.unusual)
        ]
    return ft.Container(
        key="import-report",
        border=ft.Border.all(2, ERROR_FG if report.problems else INFO_FG),
        border_radius=10,
        padding=14,
        content=ft.Column(parts, spacing=6),
    )


def build(ui: Ui) -> list[ft.Control]:
    state = cast(MeasurementsApp, ui.state)
    measures = state.measures
    grouped = measures.by_kind()

    def open_kind(kind: str) -> Callable[[ft.ControlEvent], None]:
        def handler(_: ft.ControlEvent) -> None:
            measures.open_kind(kind)
            state.go(Screen.MEASURE_KIND)
            ui.render()

        return handler

    async def import_csv(_: ft.ControlEvent) -> None:
        files = await choose_files(ui.t("ui.measurements.import"), ("csv", "txt"))
        if files:
            chosen = files[0]
            await ui.run(measures, lambda: measures.import_csv(chosen.name, chosen.bytes))
        ui.render()

    return column(
        title(ui.t("ui.measurements.title")),
        para(ui.t("ui.measurements.intro"), key="measures-intro"),
        banner(ui, measures.banner, key="measures-banner"),
        bmi_box(ui, measures, grouped),
        *(
            kind_card(ui, kind, found[0] if found else None, open_kind(kind))
            for kind, found in grouped.items()
        ),
        secondary_button(
            ui.t("ui.measurements.import"),
            "measures-import",
            import_csv,
            busy=measures.busy,
            icon=ft.Icons.UPLOAD_FILE,
        ),
        para(ui.t("ui.measurements.import.hint"), key="measures-import-hint"),
        progress(ui, measures.busy),
        report_box(ui, measures.report) if measures.report else None,
    )
