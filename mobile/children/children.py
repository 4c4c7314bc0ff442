"""Mes enfants: the space switcher, the parent's children, and activating or refusing a child's space."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol, cast

import flet as ft
import flet_charts as fch

from mobile.children.state import GROWTH_KINDS, ChildRow, FamilyState, GrowthChart, age_words, growth_chart
from mobile.shell.core import SpaceApp
from mobile.shell.identifiers import identifier_fields
from mobile.shell.measure_words import format_number, format_value, kind_label
from mobile.shell.panels import load_in_background
from mobile.shell.widgets import (
    BODY_SIZE,
    PRIMARY,
    SpaceChoice,
    Ui,
    banner,
    column,
    notice,
    para,
    primary_button,
    progress,
    secondary_button,
    space_switcher,
    subtitle,
    title,
)


class Reading(Protocol):
    """One reading of the child's space, as the growth charts read it."""

    at: datetime
    value: float


class Readings(Protocol):
    """The measurements of the space shown (mobile/measurements), for the growth charts."""

    def readings(self, kind: str) -> Sequence[Reading]: ...


class ChildrenApp(SpaceApp, Protocol):
    """What the children's screens use of the app state (the composition root builds it)."""

    family: FamilyState
    measures: Readings

    def switch_space(self, child_id: str) -> bool: ...


STATUSES = ("pending", "active", "objected", "closed")
CURVE_COLOUR = "#8A94A0"
POINT_COLOUR = "#0B4F9C"


def _switcher(ui: Ui, state: ChildrenApp) -> list[ft.Control]:
    family = state.family
    choices = [SpaceChoice("", ui.t("ui.family.own"), PRIMARY, ft.Icons.PERSON)]
    choices += [
        SpaceChoice(c.id, ui.t("ui.family.space_of", first_name=c.first_name), c.colour, ft.Icons.CHILD_CARE)
        for c in family.switchable()
    ]
    return space_switcher(ui, choices, active=family.active, holder=family, switch=state.switch_space)


def _child_card(ui: Ui, state: ChildrenApp, child: ChildRow) -> ft.Control:
    family = state.family

    def start(action: str):  # type: ignore[no-untyped-def]
        def handler(_: ft.ControlEvent) -> None:
            family.start(child.id, action)
            ui.render()

        return handler

    status = child.status if child.status in STATUSES else "other"
    lines: list[ft.Control] = [
        ft.Row(
            [
                ft.Container(width=20, height=20, bgcolor=child.colour, border_radius=10),
                ft.Text(
                    f"{child.first_name} {child.last_name}", size=20, weight=ft.FontWeight.BOLD, expand=True
                ),
            ]
        ),
        para(f"{age_words(child, ui.state.lang)} · {ui.t(f'ui.family.status.{status}')}"),
    ]
    if child.status == "pending":
        lines.append(
            primary_button(
                ui.t("ui.family.activate", first_name=child.first_name),
                f"child-activate-{child.id}",
                start("activate"),
            )
        )
        lines.append(secondary_button(ui.t("ui.family.refuse"), f"child-refuse-{child.id}", start("refuse")))
    return ft.Container(
        key=f"child-{child.id}",
        border=ft.Border.all(2, child.colour),
        border_radius=12,
        padding=14,
        content=ft.Column(lines, spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
    )


def _form(ui: Ui, state: ChildrenApp) -> list[ft.Control]:
    family, form = state.family, state.family.form
    child = form.child
    assert child is not None
    name = child.first_name

    async def check(_: ft.ControlEvent) -> None:
        await ui.run(form, family.check)

    async def confirm(_: ft.ControlEvent) -> None:
        await ui.run(form, family.submit)

    def cancel(_: ft.ControlEvent) -> None:
        family.cancel()
        ui.render()

    controls: list[ft.Control | None] = [
        title(ui.t(f"ui.family.form.{form.action}", first_name=name), key="family-form-title"),
        para(ui.t("ui.family.form.intro", first_name=name)),
        banner(ui, form.banner),
        *identifier_fields(ui, form, check),
    ]
    if form.confirm_name:
        controls += [
            ft.Container(
                key="family-confirm",
                border=ft.Border.all(2, PRIMARY),
                border_radius=12,
                padding=14,
                content=ft.Text(
                    ui.t(f"ui.family.confirm.{form.action}", first_name=form.confirm_name), size=BODY_SIZE
                ),
            ),
            primary_button(
                ui.t(f"ui.family.confirm.{form.action}.yes", first_name=form.confirm_name),
                "family-confirm-yes",
                confirm,
                busy=form.busy,
            ),
        ]
    else:
        controls.append(primary_button(ui.t("ui.family.check"), "family-check", check, busy=form.busy))
    controls += [
        secondary_button(ui.t("ui.family.cancel"), "family-cancel", cancel, busy=form.busy),
        progress(ui, form.busy),
    ]
    return column(*controls)


def _growth_chart(ui: Ui, chart: GrowthChart) -> ft.Control:
    """The three reference curves (grey) and the child's readings (blue dots), by age in years."""
    lines = [
        fch.LineChartData(
            points=[fch.LineChartDataPoint(x=age, y=value) for age, value in curve],
            color=CURVE_COLOUR,
            stroke_width=3 if name == "p50" else 2,
            dash_pattern=None if name == "p50" else [6, 4],
        )
        for name, curve in chart.curves.items()
    ]
    if chart.points:
        lines.append(
            fch.LineChartData(
                points=[fch.LineChartDataPoint(x=age, y=value) for age, value in chart.points],
                color=POINT_COLOUR,
                stroke_width=2,
                point=True,
            )
        )
    values = [v for curve in chart.curves.values() for _, v in curve] + [v for _, v in chart.points]
    ages = [a for curve in chart.curves.values() for a, _ in curve] + [a for a, _ in chart.points]
    low, high = min(values), max(values)
    step = 2 if high - low <= 16 else 5 if high - low <= 40 else 10  # a baby's weight: every 2 kg
    low, high = step * int(low // step), step * (int(high // step) + 1)
    first, last = int(min(ages)), int(max(ages)) + 1
    # Under 5 the ages are months: a label every 3 months up to 2 years, then one a year (12, 24...).
    every = 1 if chart.unit == "years" else 3 if last <= 25 else 12
    axis = ui.t(f"ui.family.growth.age_axis.{chart.unit}")
    return fch.LineChart(
        data_series=lines,
        min_x=first,
        max_x=last,
        min_y=low,
        max_y=high,
        height=240,
        expand=True,
        left_axis=fch.ChartAxis(
            labels=[
                fch.ChartAxisLabel(value=v, label=ft.Text(format_number(v, ui.state.lang, 0), size=13))
                for v in range(low, high + 1, step)
            ],
            label_size=40,
            label_spacing=step,  # else the chart picks its own spacing and skips labels
        ),
        bottom_axis=fch.ChartAxis(  # no label at the right edge: it would be cut
            labels=[
                fch.ChartAxisLabel(value=a, label=ft.Text(str(a), size=13))
                for a in range(first, last - (chart.unit == "months"), every)
            ],
            label_size=28,
            label_spacing=every,
            title=ft.Text(axis, size=13),
            title_size=22,
        ),
        horizontal_grid_lines=fch.ChartGridLines(interval=step, color="#DDE3EA", width=1),
        border=ft.Border.all(1, "#C5CED9"),
    )


def _growth(ui: Ui, state: ChildrenApp, child: ChildRow) -> list[ft.Control]:
    """The child's growth charts (weight and height for age against the WHO reference)."""
    lang, name = ui.state.lang, child.first_name
    me = state.vault.space.me if state.vault.space is not None else None
    sex, birth = (me.sex, me.birth_date) if me is not None else ("", None)
    controls: list[ft.Control] = [
        subtitle(ui.t("ui.family.growth.title", first_name=name), key="growth-title")
    ]
    for kind in GROWTH_KINDS:
        readings = [(r.at, r.value) for r in state.measures.readings(kind)]
        chart = growth_chart(kind, sex, birth, readings, date.today())
        if chart is None:
            return [*controls, para(ui.t("ui.family.growth.unknown", first_name=name), key="growth-unknown")]
        label = kind_label(kind, lang)
        controls.append(para(label, key=f"growth-{kind}-label"))
        if chart.points:
            age, value = chart.points[-1]
            words = ui.t(
                f"ui.family.growth.position.{chart.position}",
                value=format_value(kind, value, None, lang),
                age=ui.t(f"ui.family.growth.age.{chart.unit}", age=format_number(age, lang, 1)),
            )
        else:
            words = ui.t(f"ui.family.growth.none.{chart.unit}", kind=label.lower())
        controls.append(
            ft.Semantics(label=f"{label}. {words}", container=True, content=_growth_chart(ui, chart))
        )
        controls.append(para(words, key=f"growth-{kind}-position"))
        if kind == "height" and chart.unit == "months":
            controls.append(para(ui.t("ui.family.growth.lying"), key="growth-lying"))
    controls += [
        para(ui.t("ui.family.growth.legend", first_name=name), key="growth-legend"),
        para(ui.t("ui.family.growth.source"), key="growth-source"),
    ]
    return controls


def build(ui: Ui) -> list[ft.Control]:
    state = cast(ChildrenApp, ui.state)
    family = state.family
    if family.form.child is not None:
        return _form(ui, state)
    if not family.loaded and not family.busy:
        load_in_background(ui, family, family.load)  # type: ignore[arg-type]
    cards = [_child_card(ui, state, c) for c in family.rows]
    done = ui.t(family.notice, first_name=family.notice_name) if family.notice else ""
    return column(
        title(ui.t("ui.family.title")),
        para(ui.t("ui.family.intro")),
        banner(ui, family.banner),
        notice(done, key="family-notice") if done else None,
        para(ui.t("ui.family.offline"), key="family-offline") if family.offline else None,
        *_switcher(ui, state),
        subtitle(ui.t("ui.family.title"), key="family-list"),
        *(cards or [para(ui.t("ui.family.none"), key="family-none")] if family.loaded else []),
        progress(ui, family.busy),
        *(_growth(ui, state, shown) if (shown := family.current()) is not None else []),
    )
