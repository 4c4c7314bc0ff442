"""'Mon histoire de santé': the care of each year (consultations, acts, medicines dispensed, hospital
stays), a search, and "Ajouter à mon profil" on a medicine or a stay (the profile's form opens
with the entry drafted, for the person to check and save)."""

from typing import Any, Protocol, cast

import flet as ft

from mobile.health_history.state import HistoryState
from mobile.shell.core import SpaceApp
from mobile.shell.panels import chip, load_in_background, problem, small_button, status_line
from mobile.shell.widgets import (
    BODY_SIZE,
    PRIMARY,
    Ui,
    column,
    para,
    search_field,
    secondary_button,
    title,
)
from sync.protocol.health_history import HistoryItem, HistoryYear


class HistoryApp(SpaceApp, Protocol):
    """What the timeline uses of the app state (the composition root builds it)."""

    history: HistoryState

    def add_to_profile(self, entry: dict[str, Any]) -> None: ...


ICONS: dict[str, ft.IconData] = {
    "consultation": ft.Icons.MEDICAL_SERVICES,
    "act": ft.Icons.HEALING,
    "medicine": ft.Icons.MEDICATION,
    "hospital": ft.Icons.LOCAL_HOSPITAL,
}


def _search(ui: Ui, history: HistoryState) -> ft.Control:
    def changed(e: ft.ControlEvent) -> None:
        history.set_query(e.control.value or "")

    def go(_: ft.ControlEvent) -> None:
        ui.render()

    return ft.Column(
        [
            search_field(ui.t("ui.history.search"), "field-history-search", history.query, changed, go),
            secondary_button(ui.t("ui.history.search.go"), "history-search", go, icon=ft.Icons.SEARCH),
        ],
        spacing=8,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        key="history-search-box",
    )


def _item(ui: Ui, item: HistoryItem) -> ft.Control:
    state = cast(HistoryApp, ui.state)
    key = f"history-item-{item.id}"

    def add(_: ft.ControlEvent) -> None:
        entry = state.history.draft(item.id)
        if entry is not None:
            state.add_to_profile(entry)
            ui.render()

    when = ui.t("ui.history.item.when", date=item.day.strftime("%d/%m/%Y"))
    by = ui.t("ui.history.item.by", professional=item.professional) if item.professional else ""
    return ft.Container(
        key=key,
        border=ft.Border(top=ft.BorderSide(1, "#DDE3EA")),
        padding=ft.Padding.only(top=10),
        content=ft.Column(
            column(
                ft.Row(
                    [
                        ft.Icon(ICONS.get(item.kind, ft.Icons.HEALING), color=PRIMARY),
                        ft.Text(
                            item.title, size=18, weight=ft.FontWeight.W_600, expand=True, key=f"{key}-title"
                        ),
                    ],
                    key=f"{key}-head",
                ),
                chip(ui.t(f"ui.history.kind.{item.kind}"), "#0B3D75", "#E3EEFA", f"{key}-kind"),
                ft.Text(" · ".join(w for w in (when, by) if w), size=BODY_SIZE, key=f"{key}-when"),
                ft.Text(item.care, size=BODY_SIZE, key=f"{key}-care") if item.care != item.title else None,
                small_button(ui.t("ui.history.add", title=item.title), f"{key}-add", add, icon=ft.Icons.ADD)
                if item.convertible
                else None,
            ),
            spacing=4,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            key=f"{key}-body",
        ),
    )


def _year(ui: Ui, year: HistoryYear) -> ft.Control:
    key = f"history-year-{year.year}"
    return ft.Container(
        key=key,
        border=ft.Border.all(1, "#C5CED9"),
        border_radius=12,
        padding=14,
        content=ft.Column(
            [
                ft.Text(
                    str(year.year), size=20, weight=ft.FontWeight.BOLD, color=PRIMARY, key=f"{key}-title"
                ),
                *[_item(ui, item) for item in year.items],
            ],
            spacing=8,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            key=f"{key}-body",
        ),
    )


def build(ui: Ui) -> list[ft.Control]:
    history = cast(HistoryApp, ui.state).history
    if not history.loaded and not history.offline and history.banner is None:
        load_in_background(ui, history, history.load)

    async def retry(_: ft.ControlEvent) -> None:
        await ui.run(history, history.load)

    years = history.years() if history.loaded else []
    empty = None
    if history.loaded and not years:
        words = (
            ui.t("ui.history.none.search", query=history.query)
            if history.query.strip()
            else ui.t("ui.history.none")
        )
        empty = para(words, key="history-none")
    return column(
        title(ui.t("ui.history.title")),
        para(ui.t("ui.history.intro"), key="history-intro"),
        _search(ui, history),
        status_line(ui, history, "history"),
        problem(ui, history, retry, "history"),
        empty,
        *[_year(ui, year) for year in years],
        para(ui.t("ui.history.older"), key="history-older") if history.older else None,
    )
