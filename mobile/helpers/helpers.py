"""Mes aidants: those who help me (or are invited to), inviting one, ending an access."""

from typing import Protocol, cast

import flet as ft

from mobile.helpers.state import HelpersState
from mobile.helpers.words import rights, status
from mobile.shell.core import SpaceApp
from mobile.shell.date_pickers import picked_field
from mobile.shell.panels import load_in_background
from mobile.shell.state import Screen
from mobile.shell.widgets import (
    PRIMARY,
    Ui,
    banner,
    column,
    field,
    notice,
    para,
    primary_button,
    progress,
    secondary_button,
    subtitle,
    title,
)
from sync.protocol.helpers_schemas import MAX_HELPERS, DelegationOut


class HelpersApp(SpaceApp, Protocol):
    """What the helpers' screens use of the app state (the composition root builds it)."""

    helpers: HelpersState

    def switch_helped(self, helped_id: str) -> bool: ...


def _card(ui: Ui, state: HelpersApp, d: DelegationOut) -> ft.Control:
    helpers = state.helpers
    name = d.helper.first_name

    async def end(_: ft.ControlEvent) -> None:
        await ui.run(helpers, lambda: helpers.answer(d.id, "end"))

    verb = "ui.helpers.withdraw" if d.status == "pending" else "ui.helpers.end"
    return ft.Container(
        key=f"helper-{d.id}",
        border=ft.Border.all(2, PRIMARY),
        border_radius=12,
        padding=14,
        content=ft.Column(
            [
                ft.Text(f"{d.helper.first_name} {d.helper.last_name}", size=20, weight=ft.FontWeight.BOLD),
                para(status(d, ui.state.lang)),
                para(rights(d, ui.state.lang)),
                secondary_button(ui.t(verb, name=name), f"helper-end-{d.id}", end, busy=helpers.busy),
            ],
            spacing=8,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        ),
    )


def _form(ui: Ui, state: HelpersApp) -> list[ft.Control | None]:
    helpers, form = state.helpers, state.helpers.form

    async def send(_: ft.ControlEvent) -> None:
        await ui.run(form, helpers.invite)

    def cancel(_: ft.ControlEvent) -> None:
        helpers.cancel()
        ui.render()

    def toggle(name: str):  # type: ignore[no-untyped-def]
        def handler(e: ft.ControlEvent) -> None:
            setattr(form, name, bool(e.control.value))

        return handler

    day_hint = ui.t("ui.helpers.form.day_hint")
    return [
        subtitle(ui.t("ui.helpers.form.title"), key="helpers-form-title"),
        para(ui.t("ui.helpers.form.intro")),
        banner(ui, form.banner),
        field(ui, form, "last_name", ui.t("ui.helpers.form.last_name")),
        field(ui, form, "first_name", ui.t("ui.helpers.form.first_name")),
        picked_field(ui, form, "birth_date", ui.t("ui.helpers.form.birth_date"), helper=day_hint),
        field(ui, form, "nir", ui.t("ui.helpers.form.nir"), keyboard=ft.KeyboardType.NUMBER),
        picked_field(ui, form, "starts_on", ui.t("ui.helpers.form.starts_on"), helper=day_hint),
        picked_field(
            ui, form, "ends_on", ui.t("ui.helpers.form.ends_on"), helper=ui.t("ui.helpers.form.ends_hint")
        ),
        ft.Checkbox(
            label=ui.t("ui.helpers.form.may_add"),
            value=form.may_add,
            key="helpers-may-add",
            on_change=toggle("may_add"),
        ),
        ft.Checkbox(
            label=ui.t("ui.helpers.form.messages"),
            value=form.messages,
            key="helpers-messages",
            on_change=toggle("messages"),
        ),
        primary_button(ui.t("ui.helpers.form.send"), "helpers-send", send, busy=form.busy),
        secondary_button(ui.t("ui.helpers.form.cancel"), "helpers-cancel", cancel, busy=form.busy),
        progress(ui, form.busy),
    ]


def build(ui: Ui) -> list[ft.Control]:
    state = cast(HelpersApp, ui.state)
    helpers = state.helpers
    if not helpers.loaded and not helpers.busy:
        load_in_background(ui, helpers, helpers.load)  # type: ignore[arg-type]

    def start(_: ft.ControlEvent) -> None:
        helpers.start()
        ui.render()

    def helped(_: ft.ControlEvent) -> None:
        state.go(Screen.HELPED)
        ui.render()

    mine = helpers.my_helpers()
    done = ui.t(helpers.notice, name=helpers.notice_name) if helpers.notice else ""
    invite: list[ft.Control | None] = (
        _form(ui, state)
        if helpers.form.open
        else [
            primary_button(ui.t("ui.helpers.invite"), "helpers-invite", start, busy=helpers.busy)
            if len(mine) < MAX_HELPERS
            else para(ui.t("ui.helpers.full"), key="helpers-full")
        ]
    )
    return column(
        title(ui.t("ui.helpers.title")),
        para(ui.t("ui.helpers.intro")),
        banner(ui, helpers.banner),
        notice(done, key="helpers-notice") if done else None,
        para(ui.t("ui.helpers.offline"), key="helpers-offline") if helpers.offline else None,
        *[_card(ui, state, d) for d in mine],
        para(ui.t("ui.helpers.none"), key="helpers-none") if helpers.loaded and not mine else None,
        *invite,
        progress(ui, helpers.busy),
        secondary_button(ui.t("ui.helped.title"), "helpers-to-helped", helped, icon=ft.Icons.PEOPLE),
    )
