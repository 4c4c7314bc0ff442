"""The catalogue of referenced apps, and "Mes applications connectées" with a way to revoke each.

Needs the server: it loads when opened, says plainly when there is no connection, and the
list on screen is the server's answer after every change.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol, cast

import flet as ft

from mobile.catalogue.state import CatalogueState, connection_status
from mobile.shell.core import SpaceApp
from mobile.shell.panels import chip, confirm_dialog, load_in_background, problem, small_button, status_line
from mobile.shell.widgets import (
    ERROR_FG,
    INFO_BG,
    INFO_FG,
    PRIMARY,
    Ui,
    column,
    para,
    subtitle,
    title,
)
from mobile.shell.words import format_date, format_datetime
from sync.protocol.apps import AppOut, ConnectionOut


class CatalogueApp(SpaceApp, Protocol):
    """What the catalogue's screens use of the app state (the composition root builds it)."""

    catalogue: CatalogueState


GREY = ("#4A4A4A", "#ECECEC")
STATUS_LOOK = {
    "active": (INFO_FG, INFO_BG, ft.Icons.LINK),
    "revoked": (*GREY, ft.Icons.LINK_OFF),
    "expired": (*GREY, ft.Icons.HOURGLASS_BOTTOM),
    "suspended": (ERROR_FG, "#FDECEA", ft.Icons.BLOCK),
}


def state_of(ui: Ui) -> CatalogueState:
    return cast(CatalogueApp, ui.state).catalogue


def scope_lines(ui: Ui, cat: CatalogueState, scopes: list[str], key: str) -> ft.Control:
    """Each scope in plain words, an eye for reading and a pencil for adding."""
    lang = ui.state.lang
    return ft.Column(
        [
            ft.Row(
                [
                    ft.Icon(
                        ft.Icons.EDIT_NOTE if cat.scope_writes(s) else ft.Icons.VISIBILITY, color=PRIMARY
                    ),
                    ft.Text(cat.scope_words(s, lang), size=16, expand=True),
                ],
                key=f"{key}-{s}",
                vertical_alignment=ft.CrossAxisAlignment.START,
            )
            for s in scopes
        ],
        spacing=6,
        key=key,
    )


def _card(content: list[ft.Control], key: str) -> ft.Control:
    return ft.Container(
        key=key,
        border=ft.Border.all(1, "#B0B8C4"),
        border_radius=12,
        padding=14,
        content=ft.Column(content, spacing=8, key=f"{key}-body"),
    )


def _connection_card(ui: Ui, cat: CatalogueState, c: ConnectionOut, now: datetime) -> ft.Control:
    lang, key = ui.state.lang, f"conn-{c.id}"
    status = connection_status(c, now)
    fg, bg, icon = STATUS_LOOK[status]
    used = (
        ui.t("ui.catalogue.connected.last_used", date=format_datetime(c.last_used_at, lang, ui.state.tz))
        if c.last_used_at
        else ui.t("ui.catalogue.connected.never_used")
    )

    async def revoke() -> None:
        await ui.run(cat, lambda: cat.revoke(c.id))

    def ask_revoke(_: ft.ControlEvent) -> None:
        ui.page.show_dialog(
            confirm_dialog(
                ui,
                key=f"{key}-dialog",
                title=ui.t("ui.catalogue.revoke.title", name=c.app.name),
                text=ui.t("ui.catalogue.revoke.text", name=c.app.name),
                confirm=ui.t("ui.catalogue.revoke.confirm"),
                on_confirm=revoke,
                danger=True,
            )
        )

    body: list[ft.Control] = [
        ft.Text(c.app.name, size=19, weight=ft.FontWeight.W_600, key=f"{key}-name"),
        ft.Text(c.app.publisher, size=16, key=f"{key}-publisher"),
        chip(ui.t(f"ui.catalogue.status.{status}"), fg, bg, f"{key}-status", icon),
        para(
            ui.t("ui.catalogue.connected.may" if status == "active" else "ui.catalogue.connected.could"),
            key=f"{key}-may",
        ),
        scope_lines(ui, cat, c.scopes, f"{key}-scopes"),
        para(used, key=f"{key}-used"),
    ]
    if status == "active":
        body += [
            para(
                ui.t("ui.catalogue.connected.until", date=format_date(c.until, lang, ui.state.tz)),
                key=f"{key}-until",
            ),
            small_button(
                ui.t("ui.catalogue.revoke.button", name=c.app.name),
                f"{key}-revoke",
                ask_revoke,
                icon=ft.Icons.LINK_OFF,
                danger=True,
                disabled=cat.busy,
            ),
        ]
    return _card(body, key)


def _app_card(ui: Ui, cat: CatalogueState, app: AppOut, now: datetime) -> ft.Control:
    lang, key = ui.state.lang, f"app-{app.id}"
    body: list[ft.Control] = [
        ft.Text(app.name, size=19, weight=ft.FontWeight.W_600, key=f"{key}-name"),
        ft.Text(
            ui.t(
                "ui.catalogue.app.by",
                publisher=app.publisher,
                category=cat.category_label(app.category, lang),
            ),
            size=16,
            key=f"{key}-publisher",
        ),
    ]
    if cat.connection_of(app.id, now) is not None:
        body.append(
            chip(ui.t("ui.catalogue.status.active"), INFO_FG, INFO_BG, f"{key}-connected", ft.Icons.LINK)
        )
    if description := cat.description(app, lang):
        body.append(para(description, key=f"{key}-description"))
    body += [
        para(ui.t("ui.catalogue.app.asks"), key=f"{key}-asks"),
        scope_lines(ui, cat, app.scopes, f"{key}-scopes"),
    ]
    return _card(body, key)


def _categories(ui: Ui, cat: CatalogueState) -> ft.Control:
    def choose(code: str) -> Callable[[ft.ControlEvent], None]:
        def chosen(_: ft.ControlEvent) -> None:
            cat.set_category(code)
            ui.render()

        return chosen

    buttons = []
    for code, label in cat.category_choices(ui.state.lang):
        selected = code == cat.category
        buttons.append(
            ft.Semantics(
                label=label,
                selected=selected,
                button=True,
                key=f"category-{code or 'all'}-sem",
                content=ft.Button(
                    content=label,
                    key=f"category-{code or 'all'}",
                    on_click=choose(code),
                    height=48,
                    icon=ft.Icons.CHECK if selected else None,
                    style=ft.ButtonStyle(
                        bgcolor=PRIMARY if selected else None,
                        color=ft.Colors.WHITE if selected else PRIMARY,
                        icon_color=ft.Colors.WHITE,
                        text_style=ft.TextStyle(size=16, weight=ft.FontWeight.W_600),
                    ),
                ),
            )
        )
    return ft.Row(buttons, wrap=True, spacing=8, run_spacing=8, key="categories")


def build(ui: Ui) -> list[ft.Control]:
    cat = state_of(ui)
    if not cat.loaded and not cat.offline and cat.banner is None:
        load_in_background(ui, cat, cat.load)

    async def retry(_: ft.ControlEvent) -> None:
        await ui.run(cat, cat.load)

    now = datetime.now(UTC)
    body: list[ft.Control | None] = []
    if cat.loaded:
        body.append(subtitle(ui.t("ui.catalogue.connected.title"), key="connected-title"))
        if cat.connections:
            body += [_connection_card(ui, cat, c, now) for c in cat.connections]
        else:
            body.append(para(ui.t("ui.catalogue.connected.empty"), key="connected-empty"))
        body += [
            ft.Divider(height=16),
            subtitle(ui.t("ui.catalogue.apps.title"), key="apps-title"),
            para(ui.t("ui.catalogue.apps.how"), key="apps-how"),
            _categories(ui, cat),
        ]
        shown = cat.shown()
        body += [_app_card(ui, cat, a, now) for a in shown]
        if not shown:
            body.append(para(ui.t("ui.catalogue.apps.empty"), key="apps-empty"))
    return column(
        title(ui.t("ui.catalogue.title")),
        para(ui.t("ui.catalogue.intro"), key="catalogue-intro"),
        status_line(ui, cat, "catalogue"),
        problem(ui, cat, retry, "catalogue"),
        *body,
        ft.Container(height=12, key="catalogue-end"),
    )
