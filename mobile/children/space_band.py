"""The band under the app bar on every screen while a child's space is shown: whose space it is.

"Espace de Léa · 8 ans" in the child's colour, with "Changer d'espace", so nobody adds a
document to the wrong child. Screen readers read it as one labelled region.
"""

from typing import cast

import flet as ft

from mobile.children.children import ChildrenApp
from mobile.children.state import age_words
from mobile.shell.state import Screen
from mobile.shell.widgets import Ui


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
    return ft.Semantics(
        label=ui.t("ui.family.band.label", first_name=child.first_name, age=age),
        container=True,
        key="space-band-sem",
        content=ft.Container(
            key="space-band",
            bgcolor=child.colour,
            border_radius=10,
            padding=ft.Padding.symmetric(horizontal=14, vertical=6),
            content=ft.Column(
                [
                    ft.Row(
                        [
                            ft.Icon(ft.Icons.CHILD_CARE, color=ft.Colors.WHITE, size=28),
                            ft.Text(
                                ui.t("ui.family.band", first_name=child.first_name, age=age),
                                key="space-band-text",
                                size=19,
                                weight=ft.FontWeight.BOLD,
                                color=ft.Colors.WHITE,
                                expand=True,
                            ),
                        ],
                        vertical_alignment=ft.CrossAxisAlignment.CENTER,
                    ),
                    ft.OutlinedButton(
                        content=ui.t("ui.family.switch"),
                        key="space-band-switch",
                        icon=ft.Icons.SWAP_HORIZ,
                        on_click=change,
                        height=48,
                        style=ft.ButtonStyle(
                            color=ft.Colors.WHITE,
                            icon_color=ft.Colors.WHITE,
                            side=ft.BorderSide(2, ft.Colors.WHITE),
                            text_style=ft.TextStyle(size=16, weight=ft.FontWeight.W_600),
                        ),
                    ),
                ],
                spacing=6,
                horizontal_alignment=ft.CrossAxisAlignment.START,
            ),
        ),
    )
