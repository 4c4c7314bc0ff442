"""One kind of measurement: its chart over a day, a month or a year, and every reading below it."""

import math
from datetime import datetime
from typing import cast

import flet as ft
import flet_charts as fch

from mobile.measurements.measurements import MeasurementsApp
from mobile.measurements.state import (
    PAGE,
    PERIODS,
    Chart,
    Reading,
    chart_summary,
    describe_author,
)
from mobile.shell.measure_words import format_number, format_value, kind_label
from mobile.shell.panels import chip, confirm_dialog, small_button
from mobile.shell.state import Screen
from mobile.shell.widgets import (
    BODY_SIZE,
    PRIMARY,
    Ui,
    banner,
    column,
    notice,
    para,
    primary_button,
    secondary_button,
    subtitle,
    title,
)
from mobile.shell.words import format_date, format_datetime

SECOND_COLOUR = "#B3261E"  # the diastolic line: dashed as well, never colour alone
LABEL_FORMAT = {"day": "%H:%M", "month": "%d/%m", "year": "%m/%Y"}


def _hours(chart: Chart, moment: datetime) -> float:
    return (moment - chart.start).total_seconds() / 3600


def _step(low: float, high: float, count: int = 4) -> float:
    """A round distance between the value axis' labels (1, 2, 2.5 or 5 times a power of ten)."""
    raw = max(high - low, 1e-6) / count
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def line_chart(ui: Ui, chart: Chart) -> ft.Control:
    """The readings as lines with a dot per reading; the x axis is hours since the window's start,
    the value axis runs between round numbers written the person's way (70,5 in French)."""
    lang = ui.state.lang
    values = [v for series in chart.series for _, v in series.points]
    margin = max((max(values) - min(values)) * 0.1, abs(max(values)) * 0.02, 0.1)
    step = _step(min(values) - margin, max(values) + margin)
    low = math.floor((min(values) - margin) / step) * step
    high = math.ceil((max(values) + margin) / step) * step
    span = _hours(chart, chart.end)
    colours = (PRIMARY, SECOND_COLOUR)
    data = [
        fch.LineChartData(
            points=[
                fch.LineChartDataPoint(
                    x=_hours(chart, at),
                    y=value,
                    tooltip=format_value(chart.kind, value, None, lang),
                )
                for at, value in series.points
            ],
            color=colours[i % 2],
            stroke_width=3,
            point=True,
            dash_pattern=[8, 4] if i else None,
        )
        for i, series in enumerate(chart.series)
    ]
    ticks = [0, span / 2, span]
    steps = round((high - low) / step)
    value_labels = [
        fch.ChartAxisLabel(value=low + n * step, label=ft.Text(format_number(low + n * step, lang), size=13))
        for n in range(steps + 1)
    ]
    labels = [
        fch.ChartAxisLabel(
            value=tick,
            label=ft.Text(
                (chart.start + (chart.end - chart.start) * (tick / span))
                .astimezone(ui.state.tz)
                .strftime(LABEL_FORMAT[chart.period]),
                size=13,
            ),
        )
        for tick in ticks
    ]
    return fch.LineChart(
        data_series=data,
        min_x=0,
        max_x=span,
        min_y=low,
        max_y=high,
        height=240,
        expand=True,
        interactive=True,
        left_axis=fch.ChartAxis(labels=value_labels, label_size=48, label_spacing=step),
        bottom_axis=fch.ChartAxis(labels=labels, label_size=32, label_spacing=span / 2),
        horizontal_grid_lines=fch.ChartGridLines(interval=step, color="#DDE3EA", width=1),
        border=ft.Border.all(1, "#C5CED9"),
    )


def legend(ui: Ui, chart: Chart) -> ft.Control | None:
    if len(chart.series) < 2:
        return None
    items = []
    for i, series in enumerate(chart.series):
        items.append(
            ft.Row(
                [
                    ft.Container(width=28, height=4, bgcolor=(PRIMARY, SECOND_COLOUR)[i % 2]),
                    ft.Text(ui.t(series.name) + (" (- - -)" if i else ""), size=15),
                ],
                tight=True,
                spacing=6,
            )
        )
    return ft.Row(items, spacing=20, wrap=True, key="chart-legend")


def period_buttons(ui: Ui, current: str, on_pick: object) -> ft.Control:
    """Day / month / year: the chosen one is filled and ticked (not colour alone)."""
    buttons: list[ft.Control] = []
    for period in PERIODS:
        chosen = period == current
        style = ft.ButtonStyle(
            text_style=ft.TextStyle(size=17, weight=ft.FontWeight.W_600),
            bgcolor=PRIMARY if chosen else None,
            color=ft.Colors.WHITE if chosen else PRIMARY,
            side=ft.BorderSide(2, PRIMARY),
            shape=ft.RoundedRectangleBorder(radius=10),
        )
        buttons.append(
            ft.Semantics(
                selected=chosen,
                key=f"period-{period}-semantics",
                content=ft.OutlinedButton(
                    content=ui.t(f"ui.measurements.period.{period}"),
                    key=f"period-{period}",
                    icon=ft.Icons.CHECK if chosen else None,
                    height=48,
                    style=style,
                    on_click=on_pick(period),  # type: ignore[operator]
                ),
            )
        )
    return ft.Row(buttons, spacing=8, wrap=True, key="periods")


def reading_card(ui: Ui, reading: Reading, on_delete: object) -> ft.Control:
    lang = ui.state.lang
    key, params = describe_author(reading, lang)
    lines: list[ft.Control] = [
        ft.Text(
            format_value(reading.kind, reading.value, reading.second, lang),
            size=20,
            weight=ft.FontWeight.BOLD,
        ),
        ft.Text(format_datetime(reading.at, lang, ui.state.tz), size=BODY_SIZE),
        ft.Text(ui.t(key, **params), size=15, italic=not reading.own),
    ]
    if reading.note:
        lines.append(ft.Text(reading.note, size=15))
    extras: list[ft.Control] = []
    if reading.pending:
        extras.append(
            chip(
                ui.t("ui.measurements.pending"),
                "#5C3B00",
                "#FFF4DC",
                f"pending-{reading.id}",
                ft.Icons.CLOUD_UPLOAD,
            )
        )
    if reading.own:
        extras.append(
            small_button(
                ui.t("ui.measurements.delete"),
                f"delete-{reading.id}",
                on_delete,
                icon=ft.Icons.DELETE_OUTLINE,
                danger=True,
            )
        )
    if extras:
        lines.append(ft.Row(extras, spacing=8, wrap=True))
    return ft.Container(
        key=f"reading-{reading.id}",
        border=ft.Border.all(1, "#C5CED9"),
        border_radius=12,
        padding=12,
        bgcolor=None if reading.own else "#F4F6F9",
        content=ft.Column(lines, spacing=4),
    )


def build(ui: Ui) -> list[ft.Control]:
    state = cast(MeasurementsApp, ui.state)
    measures = state.measures
    lang = state.lang
    kind = measures.kind
    readings = measures.readings(kind)
    chart = measures.chart(readings=readings)
    summary = chart_summary(chart, lang, ui.state.tz)

    def pick(period: str):  # type: ignore[no-untyped-def]
        def handler(_: ft.ControlEvent) -> None:
            measures.set_period(period)
            ui.render()

        return handler

    def more(_: ft.ControlEvent) -> None:
        measures.show_more()
        ui.render()

    def add(_: ft.ControlEvent) -> None:
        measures.new_reading(kind)
        measures.notice = ""
        state.go(Screen.MEASURE_ADD)
        ui.render()

    def delete(reading: Reading):  # type: ignore[no-untyped-def]
        async def remove() -> None:
            measures.delete(reading.id)
            ui.render()

        def ask(_: ft.ControlEvent) -> None:
            ui.page.show_dialog(
                confirm_dialog(
                    ui,
                    key="delete-reading",
                    title=ui.t("ui.measurements.delete.title"),
                    text=ui.t(
                        "ui.measurements.delete.text",
                        date=format_date(reading.at, lang, ui.state.tz),
                        value=format_value(reading.kind, reading.value, reading.second, lang),
                    ),
                    confirm=ui.t("ui.measurements.delete"),
                    on_confirm=remove,
                    danger=True,
                )
            )

        return ask

    graph: ft.Control
    if chart.readings:
        graph = ft.Semantics(
            label=ui.t("ui.measurements.chart.label", summary=summary),
            container=True,
            exclude_semantics=True,
            key="chart-semantics",
            content=ft.Container(
                line_chart(ui, chart), key="chart", padding=ft.Padding.only(right=24, top=8)
            ),
        )
    else:
        graph = ft.Container(key="chart-empty")
    return column(
        title(kind_label(kind, lang)),
        notice(ui.t(measures.notice), key="kind-notice") if measures.notice else None,
        banner(ui, measures.banner, key="kind-banner"),
        primary_button(ui.t("ui.measurements.add"), "reading-add", add, icon=ft.Icons.ADD),
        ft.Semantics(
            label=ui.t("ui.measurements.period.label"),
            container=True,
            content=period_buttons(ui, measures.period, pick),
        ),
        graph,
        legend(ui, chart),
        # The same words for everyone who sees the chart (screen readers get them on the chart).
        ft.Semantics(exclude_semantics=True, content=para(summary, key="chart-summary")),
        subtitle(ui.t("ui.measurements.list.title", count=len(readings)), key="list-title"),
        *(
            [reading_card(ui, r, delete(r)) for r in readings[: measures.shown]]
            or [para(ui.t("ui.measurements.list.none"), key="list-none")]
        ),
        secondary_button(
            ui.t("ui.measurements.list.more", count=min(PAGE, len(readings) - measures.shown)),
            "list-more",
            more,
            icon=ft.Icons.EXPAND_MORE,
        )
        if len(readings) > measures.shown
        else None,
    )
