"""The band under the app bar while the space of someone one helps is shown: whose space it is and
until when ("Espace de Jean · vous l'aidez jusqu'au 31/05/2027"), with "Changer d'espace", so
nobody adds a document to the wrong space. Screen readers read it as one labelled region."""

from typing import cast

import flet as ft

from mobile.helpers.helped import HELPED_COLOUR
from mobile.helpers.helpers import HelpersApp
from mobile.helpers.words import day
from mobile.shell.state import Screen
from mobile.shell.widgets import Ui, space_band


def build(ui: Ui) -> ft.Control | None:
    """None in one's own space (and before the vault is open)."""
    state = cast(HelpersApp, ui.state)
    shown = state.helpers.current() if state.vault.unlocked else None
    if shown is None:
        return None

    def change(_: ft.ControlEvent) -> None:
        state.helpers.entered()
        state.go(Screen.HELPED)
        ui.render()

    first_name, end = shown.helped.first_name, day(shown.ends_on)
    return space_band(
        ui,
        key="helped-band",
        colour=HELPED_COLOUR,
        icon=ft.Icons.VOLUNTEER_ACTIVISM,
        words=ui.t("ui.helped.band", first_name=first_name, end=end),
        label=ui.t("ui.helped.band.label", first_name=first_name, end=end),
        on_change=change,
    )
