"""Les personnes que j'aide: the space switcher, invitations to answer, attestations, ending."""

from typing import cast

import flet as ft

from mobile.helpers.helpers import HelpersApp
from mobile.helpers.words import rights, status
from mobile.shell.panels import load_in_background, offer_file
from mobile.shell.widgets import (
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
from sync.protocol.helpers_schemas import DelegationOut

HELPED_COLOUR = "#00695C"  # the band's and the switcher's: white text on it reads (contrast >= 4.5)


def _switcher(ui: Ui, state: HelpersApp) -> list[ft.Control]:
    helpers = state.helpers
    choices = [SpaceChoice("", ui.t("ui.family.own"), PRIMARY, ft.Icons.PERSON)]
    choices += [
        SpaceChoice(
            d.helped.id,
            ui.t("ui.family.space_of", first_name=d.helped.first_name),
            HELPED_COLOUR,
            ft.Icons.PERSON,
        )
        for d in helpers.helping()
    ]
    return space_switcher(ui, choices, active=helpers.active, holder=helpers, switch=state.switch_helped)


def _card(ui: Ui, state: HelpersApp, d: DelegationOut) -> ft.Control:
    helpers = state.helpers
    name = d.helped.first_name

    def answer(verb: str):  # type: ignore[no-untyped-def]
        async def handler(_: ft.ControlEvent) -> None:
            await ui.run(helpers, lambda: helpers.answer(d.id, verb))

        return handler

    async def attestation(_: ft.ControlEvent) -> None:
        content = helpers.attestation(d.id, ui.state.lang)
        if content is not None:
            await offer_file(
                ui.t("ui.helpers.attestation"), f"attestation-aidant-{d.id[:8]}.pdf", content, "pdf"
            )

    lines: list[ft.Control] = [
        ft.Text(f"{d.helped.first_name} {d.helped.last_name}", size=20, weight=ft.FontWeight.BOLD),
        para(status(d, ui.state.lang)),
        para(rights(d, ui.state.lang)),
    ]
    if d.status == "pending":
        lines += [
            primary_button(
                ui.t("ui.helped.accept", name=name),
                f"helped-accept-{d.id}",
                answer("accept"),
                busy=helpers.busy,
            ),
            secondary_button(
                ui.t("ui.helped.refuse"), f"helped-refuse-{d.id}", answer("refuse"), busy=helpers.busy
            ),
        ]
    else:
        lines += [
            secondary_button(
                ui.t("ui.helpers.attestation"),
                f"helped-attestation-{d.id}",
                attestation,
                icon=ft.Icons.PICTURE_AS_PDF,
            ),
            secondary_button(
                ui.t("ui.helped.end", name=name), f"helped-end-{d.id}", answer("end"), busy=helpers.busy
            ),
        ]
    return ft.Container(
        key=f"helped-{d.id}",
        border=ft.Border.all(2, HELPED_COLOUR),
        border_radius=12,
        padding=14,
        content=ft.Column(lines, spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
    )


def build(ui: Ui) -> list[ft.Control]:
    state = cast(HelpersApp, ui.state)
    helpers = state.helpers
    if not helpers.loaded and not helpers.busy:
        load_in_background(ui, helpers, helpers.load)  # type: ignore[arg-type]
    shown = helpers.invitations() + [d for d in helpers.received if d.status == "active"]
    done = ui.t(helpers.notice, name=helpers.notice_name) if helpers.notice else ""
    return column(
        title(ui.t("ui.helped.title")),
        para(ui.t("ui.helped.intro")),
        banner(ui, helpers.banner),
        notice(done, key="helped-notice") if done else None,
        para(ui.t("ui.helpers.offline"), key="helped-offline") if helpers.offline else None,
        *_switcher(ui, state),
        subtitle(ui.t("ui.helped.list"), key="helped-list"),
        *[_card(ui, state, d) for d in shown],
        para(ui.t("ui.helped.none"), key="helped-none") if helpers.loaded and not shown else None,
        progress(ui, helpers.busy),
    )
