"""The band under the app bar on every screen while a child's space is shown: whose space it is.

"Espace de Léa · 8 ans" in the child's colour, with "Changer d'espace", so nobody adds a
document to the wrong child. Screen readers read it as one labelled region.
"""

from typing import cast

import flet as ft

from mobile.children.children import ChildrenApp
from mobile.children.state import age_words
from mobile.shell.state import Screen
from mobile.shell.widgets import Ui, space_band


def build(ui: Ui) -> ft.Control | None:
    """None in the parent's own space (and before the vault is open)."""
    state = cast(ChildrenApp, ui.state)
    child = state.family.current() if state.vault.unlocked else None
    if child is None:
        return None

    def change(_: ft.ControlEvent) -> None:
        state.family.entered()
        state.go(Screen.CHILDREN)
        ui.render()

    age = age_words(child, ui.state.lang)
    return space_band(
        ui,
        key="space-band",
        colour=child.colour,
        icon=ft.Icons.CHILD_CARE,
        words=ui.t("ui.family.band", first_name=child.first_name, age=age),
        label=ui.t("ui.family.band.label", first_name=child.first_name, age=age),
        on_change=change,
    )
