"""Common widgets as a screen reader meets them."""

import flet as ft

from mobile.shell.widgets import named_dropdown


def test_a_dropdown_says_its_label_then_the_option_chosen() -> None:
    options = [ft.DropdownOption(key="rx", text="Ordonnance"), ft.DropdownOption(key="cr", text="CR")]
    chosen = named_dropdown(ft.Dropdown(label="Type de document", value="cr", options=options), "k")
    assert isinstance(chosen, ft.Semantics) and chosen.label == "Type de document, CR"
    empty = named_dropdown(ft.Dropdown(label="Type de document", value=None, options=options), "k")
    assert isinstance(empty, ft.Semantics) and empty.label == "Type de document"
