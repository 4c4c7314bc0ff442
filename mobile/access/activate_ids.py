"""Activation, step 1: the provisional code, the social security number, the Vitale serial."""

import flet as ft

from mobile.shell.identifiers import identifier_fields
from mobile.shell.widgets import Ui, banner, column, para, primary_button, progress, subtitle, title


def build(ui: Ui) -> list[ft.Control]:
    form = ui.state.activation

    async def submit(_: ft.ControlEvent) -> None:
        await ui.run(form, ui.state.check_identifiers)

    return column(
        title(ui.t("ui.activate.title")),
        subtitle(ui.t("ui.activate.step1")),
        para(ui.t("ui.activate.step1.intro")),
        banner(ui, form.banner),
        *identifier_fields(ui, form, submit),
        primary_button(ui.t("ui.activate.check"), "activate-check", submit, busy=form.busy),
        progress(ui, form.busy),
    )
