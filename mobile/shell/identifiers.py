"""The three identifier fields shared by activation and objection (and two of them by new letter)."""

import flet as ft

from mobile.shell.state import Form
from mobile.shell.widgets import Ui, field


def identifier_fields(ui: Ui, form: Form, on_submit: object = None, *, code: bool = True) -> list[ft.Control]:
    fields: list[ft.Control] = []
    if code:
        fields.append(
            field(
                ui,
                form,
                "code",
                ui.t("ui.field.code.label"),
                helper=ui.t("ui.field.code.helper"),
                capitalization=ft.TextCapitalization.CHARACTERS,
                on_submit=on_submit,
            )
        )
    fields.append(
        field(
            ui,
            form,
            "nir",
            ui.t("ui.field.nir.label"),
            helper=ui.t("ui.field.nir.helper"),
            keyboard=ft.KeyboardType.NUMBER,
            on_submit=on_submit,
        )
    )
    fields.append(
        field(
            ui,
            form,
            "vitale",
            ui.t("ui.field.vitale.label"),
            helper=ui.t("ui.field.vitale.helper"),
            keyboard=ft.KeyboardType.NUMBER,
            on_submit=on_submit,
        )
    )
    return fields
