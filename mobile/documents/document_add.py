"""Adding a document: pick a PDF, JPEG or PNG, or "scan" several pages (photos, or image files in
web mode) into one PDF; give it a title, a type and a date."""

from typing import cast

import flet as ft

from mobile.documents.documents import DocumentsApp
from mobile.documents.state import IMAGES
from mobile.shell.date_pickers import picked_field
from mobile.shell.file_picker import choose_files
from mobile.shell.files import EXTENSIONS
from mobile.shell.state import Screen
from mobile.shell.widgets import (
    BODY_SIZE,
    ERROR_FG,
    Ui,
    banner,
    column,
    field,
    para,
    primary_button,
    progress,
    secondary_button,
    title,
    type_dropdown,
)


def _size(n: int, lang: str) -> str:
    mb = n / (1024 * 1024)
    text = f"{mb:.1f} Mo" if mb >= 0.1 else f"{max(1, round(n / 1024))} Ko"
    if lang == "en":
        text = text.replace("Mo", "MB").replace("Ko", "KB")
    return text.replace(".", ",") if lang == "fr" else text


def build(ui: Ui) -> list[ft.Control]:
    state = cast(DocumentsApp, ui.state)
    docs = state.docs
    form = docs.add

    async def pick(_: ft.ControlEvent) -> None:
        files = await choose_files(ui.t("ui.docs.add.pick"), EXTENSIONS)
        if files:
            chosen = files[0]
            docs.choose_file(chosen.name, chosen.bytes)
        ui.render()

    async def scan(_: ft.ControlEvent) -> None:
        files = await choose_files(ui.t("ui.docs.add.scan"), IMAGES, multiple=True)
        if files:
            await ui.run(form, lambda: docs.choose_scan([(f.name, f.bytes) for f in files]))
        ui.render()

    def pick_type(e: ft.ControlEvent) -> None:
        form.set("type", e.control.value or "")
        ui.render()

    async def save(_: ft.ControlEvent) -> None:
        record_id = await ui.run(form, docs.submit)
        if record_id:
            state.go(Screen.DOCUMENTS)
            ui.render()

    def cancel(_: ft.ControlEvent) -> None:
        state.back()
        ui.render()

    file_error = ui.err(form.errors.get("file"))
    chosen: ft.Control | None = None
    if form.file_bytes is not None:
        chosen = ft.Row(
            [
                ft.Icon(ft.Icons.CHECK_CIRCLE, color="#0B4A2E"),
                ft.Text(
                    ui.t(
                        "ui.docs.add.scanned" if form.pages else "ui.docs.add.chosen",
                        name=form.file_name,
                        size=_size(len(form.file_bytes), state.lang),
                        pages=form.pages,
                    ),
                    size=BODY_SIZE,
                    expand=True,
                ),
            ],
            key="file-chosen",
        )
    return column(
        title(ui.t("ui.docs.add.title")),
        para(ui.t("ui.docs.add.intro"), key="add-intro"),
        banner(ui, form.banner),
        secondary_button(
            ui.t("ui.docs.add.pick" if form.file_bytes is None else "ui.docs.add.repick"),
            "add-pick",
            pick,
            busy=form.busy,
            icon=ft.Icons.ATTACH_FILE,
        ),
        secondary_button(
            ui.t("ui.docs.add.scan"), "add-scan", scan, busy=form.busy, icon=ft.Icons.DOCUMENT_SCANNER
        ),
        para(ui.t("ui.docs.add.scan.hint"), key="add-scan-hint"),
        chosen,
        ft.Row(
            [
                ft.Icon(ft.Icons.ERROR_OUTLINE, color=ERROR_FG),
                ft.Text(file_error, size=BODY_SIZE, color=ERROR_FG, expand=True),
            ],
            key="file-error",
        )
        if file_error
        else None,
        field(ui, form, "title", ui.t("ui.docs.add.title_label"), helper=ui.t("ui.docs.add.title_helper")),
        type_dropdown(
            ui,
            key="add-type",
            label=ui.t("ui.docs.add.type"),
            value=form.values["type"],
            options=docs.holder_types(state.lang),
            on_select=pick_type,
            error=ui.err(form.errors.get("type")),
        ),
        picked_field(ui, form, "date", ui.t("ui.docs.add.date"), helper=ui.t("ui.docs.date.helper")),
        primary_button(ui.t("ui.docs.add.save"), "add-save", save, busy=form.busy, icon=ft.Icons.SAVE),
        secondary_button(ui.t("ui.cancel"), "add-cancel", cancel, busy=form.busy, icon=ft.Icons.CLOSE),
        progress(ui, form.busy),
    )
