"""New letter: a fresh provisional code, sent to the address the insurer holds."""

import flet as ft

from mobile.shell.identifiers import identifier_fields
from mobile.shell.widgets import Ui, banner, column, para, primary_button, progress, title


def build(ui: Ui) -> list[ft.Control]:
    state, form = ui.state, ui.state.letter

    async def submit(_: ft.ControlEvent) -> None:
        await ui.run(form, state.request_new_letter)

    return column(
        title(ui.t("ui.letter.title")),
        para(ui.t("ui.letter.intro")),
        banner(ui, form.banner),
        *identifier_fields(ui, form, submit, code=False),
        primary_button(ui.t("ui.letter.submit"), "letter-submit", submit, busy=form.busy),
        progress(ui, form.busy),
    )
