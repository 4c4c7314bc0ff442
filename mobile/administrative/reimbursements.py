"""Reimbursements: one year by month, with the month's and the year's totals, and a search.

Amounts are written the way people read them (12,40 € in French); each month says its totals
in words. The data come from the insurer (the server): without a connection the screen says so.
"""

from typing import cast

import flet as ft

from mobile.administrative.admin_data import AdministrativeApp
from mobile.administrative.state import ReimbursementsState, euros, month_label
from mobile.shell.panels import load_in_background, problem, small_button, status_line
from mobile.shell.widgets import (
    BODY_SIZE,
    PRIMARY,
    Ui,
    column,
    para,
    search_field,
    secondary_button,
    subtitle,
    title,
)
from sync.protocol.i18n import day_text
from sync.protocol.record_schemas import ReimbursementMonth, ReimbursementOut


def _state(ui: Ui) -> ReimbursementsState:
    return cast(AdministrativeApp, ui.state).reimbursements


def _years(ui: Ui, reimb: ReimbursementsState) -> ft.Control:
    async def step(delta: int) -> None:
        reimb.step_year(delta)
        await ui.run(reimb, reimb.load)

    async def previous(_: ft.ControlEvent) -> None:
        await step(-1)

    async def following(_: ft.ControlEvent) -> None:
        await step(1)

    buttons = column(
        small_button(
            ui.t("ui.reimb.year.previous"),
            "reimb-previous",
            previous,
            icon=ft.Icons.CHEVRON_LEFT,
            disabled=reimb.busy,
        ),
        small_button(
            ui.t("ui.reimb.year.next"),
            "reimb-next",
            following,
            icon=ft.Icons.CHEVRON_RIGHT,
            disabled=reimb.busy,
        )
        if reimb.can_go_forward
        else None,
    )
    return ft.Column(
        [
            subtitle(ui.t("ui.reimb.year", year=reimb.year), key="reimb-year"),
            ft.Row(buttons, wrap=True, spacing=8, run_spacing=8, key="reimb-year-actions"),
        ],
        spacing=8,
        key="reimb-years",
    )


def _search(ui: Ui, reimb: ReimbursementsState) -> ft.Control:
    def changed(e: ft.ControlEvent) -> None:
        reimb.set_query(e.control.value or "")

    async def search(_: ft.ControlEvent) -> None:
        await ui.run(reimb, reimb.load)

    async def clear(_: ft.ControlEvent) -> None:
        reimb.clear_query()
        await ui.run(reimb, reimb.load)

    return ft.Column(
        column(
            search_field(ui.t("ui.reimb.search"), "field-reimb-search", reimb.query, changed, search),
            ft.Row(
                column(
                    secondary_button(
                        ui.t("ui.reimb.search.go"),
                        "reimb-search",
                        search,
                        busy=reimb.busy,
                        icon=ft.Icons.SEARCH,
                    ),
                    small_button(ui.t("ui.reimb.search.clear"), "reimb-clear", clear, disabled=reimb.busy)
                    if reimb.shown_query
                    else None,
                ),
                wrap=True,
                spacing=8,
                run_spacing=8,
                key="reimb-search-actions",
            ),
        ),
        spacing=8,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        key="reimb-search-box",
    )


def _item(ui: Ui, item: ReimbursementOut) -> ft.Control:
    lang = ui.state.lang
    key = f"reimb-item-{item.id}"
    when = ui.t("ui.reimb.item.when", date=day_text(item.care_date, ui.state.lang))
    by = ui.t("ui.reimb.item.by", professional=item.professional) if item.professional else ""
    return ft.Container(
        key=key,
        border=ft.Border(top=ft.BorderSide(1, "#DDE3EA")),
        padding=ft.Padding.only(top=10),
        content=ft.Column(
            [
                ft.Text(item.care, size=18, weight=ft.FontWeight.W_600, key=f"{key}-care"),
                ft.Text(" · ".join(w for w in (when, by) if w), size=16, key=f"{key}-when"),
                ft.Text(
                    ui.t(
                        "ui.reimb.item.amounts",
                        paid=euros(item.paid_cents, lang),
                        reimbursed=euros(item.reimbursed_cents, lang),
                    ),
                    size=BODY_SIZE,
                    key=f"{key}-amounts",
                ),
            ],
            spacing=2,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            key=f"{key}-body",
        ),
    )


def _month(ui: Ui, month: ReimbursementMonth) -> ft.Control:
    lang = ui.state.lang
    key = f"reimb-month-{month.month}"
    total = ui.t(
        "ui.reimb.month.total",
        paid=euros(month.paid_cents, lang),
        reimbursed=euros(month.reimbursed_cents, lang),
    )
    return ft.Container(
        key=key,
        border=ft.Border.all(1, "#C5CED9"),
        border_radius=12,
        padding=14,
        content=ft.Column(
            [
                ft.Text(
                    month_label(month.month, lang).capitalize(),
                    size=20,
                    weight=ft.FontWeight.BOLD,
                    color=PRIMARY,
                    key=f"{key}-title",
                ),
                ft.Text(total, size=BODY_SIZE, weight=ft.FontWeight.W_600, key=f"{key}-total"),
                *[_item(ui, item) for item in month.items],
            ],
            spacing=8,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            key=f"{key}-body",
        ),
    )


def build(ui: Ui) -> list[ft.Control]:
    reimb = _state(ui)
    lang = ui.state.lang
    if not reimb.loaded and not reimb.offline and reimb.banner is None:
        load_in_background(ui, reimb, reimb.load)

    async def retry(_: ft.ControlEvent) -> None:
        await ui.run(reimb, reimb.load)

    data = reimb.data
    summary: ft.Control | None = None
    empty: ft.Control | None = None
    if data is not None and reimb.loaded:
        if data.months:
            summary = ft.Text(
                ui.t(
                    "ui.reimb.total.year",
                    year=data.year,
                    paid=euros(data.paid_cents, lang),
                    reimbursed=euros(data.reimbursed_cents, lang),
                ),
                size=18,
                weight=ft.FontWeight.W_600,
                key="reimb-year-total",
            )
        elif reimb.shown_query:
            empty = para(
                ui.t("ui.reimb.none.search", query=reimb.shown_query, year=data.year), key="reimb-none"
            )
        else:
            empty = para(ui.t("ui.reimb.none", year=data.year), key="reimb-none")
    results = (
        subtitle(ui.t("ui.reimb.search.results", query=reimb.shown_query), key="reimb-results")
        if reimb.shown_query and data is not None and data.months
        else None
    )
    return column(
        title(ui.t("ui.reimb.title")),
        para(ui.t("ui.reimb.intro"), key="reimb-intro"),
        _years(ui, reimb),
        _search(ui, reimb),
        status_line(ui, reimb, "reimb"),
        problem(ui, reimb, retry, "reimb"),
        results,
        summary,
        empty,
        *[_month(ui, m) for m in reimb.months],
    )
