"""One document: its details, its content (image, or a PDF page by page), mask and delete; for a
professional's document, "Demander une correction" and, once corrected, its earlier versions."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import cast

import flet as ft

from mobile.documents.documents import DocumentsApp, badge
from mobile.documents.state import DocumentRow, DocumentsState, describe_author
from mobile.shell.panels import confirm_dialog, small_button
from mobile.shell.state import Screen
from mobile.shell.widgets import (
    Ui,
    banner,
    column,
    notice,
    para,
    primary_button,
    progress,
    secondary_button,
    title,
    type_dropdown,
)
from mobile.shell.words import format_date

NONE = "-"  # the dropdown's "in no folder"


def _versions(ui: Ui, docs: DocumentsState, row: DocumentRow) -> list[ft.Control | None]:
    """A corrected document: which version is read, and each earlier one with a way to read it."""
    lang, tz = ui.state.lang, ui.state.tz
    reading = docs.viewer.earlier if docs.viewer is not None else None

    def read(version: int | None) -> Callable[[ft.ControlEvent], Awaitable[None]]:
        async def go(_: ft.ControlEvent) -> None:
            await ui.run(docs, lambda: docs.open(row.id, version))

        return go

    shown: list[ft.Control | None] = [
        para(ui.t("ui.docs.version.corrected", version=row.version), key="doc-version"),
    ]
    if reading is not None:
        until = format_date(reading.until, lang, tz)
        shown += [
            notice(ui.t("ui.docs.version.reading", version=reading.version, day=until), key="doc-reading"),
            small_button(
                ui.t("ui.docs.version.current"), "doc-version-current", read(None), icon=ft.Icons.UPDATE
            ),
        ]
    for earlier in row.earlier:
        until = format_date(earlier.until, lang, tz)
        words = ui.t("ui.docs.version.earlier", version=earlier.version, title=earlier.title, day=until)
        shown += [
            para(words, key=f"doc-version-{earlier.version}-about"),
            small_button(
                ui.t("ui.docs.version.read", version=earlier.version),
                f"doc-version-{earlier.version}",
                read(earlier.version),
                icon=ft.Icons.HISTORY,
            )
            if reading is None or reading.version != earlier.version
            else None,
        ]
    return shown


def build(ui: Ui) -> list[ft.Control]:
    state = cast(DocumentsApp, ui.state)
    docs = state.docs
    viewer = docs.viewer
    lang = state.lang
    if viewer is None:
        return column(title(ui.t("ui.docs.view.loading")), progress(ui, True))
    row = docs.get(viewer.row.id) or viewer.row
    author_key, author_params = describe_author(row, lang)

    def back(_: ft.ControlEvent) -> None:
        state.back()
        ui.render()

    async def turn(step: int) -> None:
        await ui.run(docs, lambda: docs.turn(step))

    async def previous(_: ft.ControlEvent) -> None:
        await turn(-1)

    async def following(_: ft.ControlEvent) -> None:
        await turn(1)

    async def do_mask() -> None:
        await ui.run(docs, lambda: docs.set_masked(row.id, not row.masked))

    async def do_delete() -> None:
        ok = await asyncio.to_thread(docs.delete, row.id)
        if ok:
            state.go(Screen.DOCUMENTS)
            docs.notice = "ui.docs.deleted"
        ui.render()

    async def pin(_: ft.ControlEvent) -> None:
        await ui.run(docs, lambda: docs.set_pinned(row.id, not row.pinned))

    def file_in(e: ft.ControlEvent) -> None:
        value = e.control.value or NONE
        docs.file_in(row.id, "" if value == NONE else value)
        ui.render()

    def ask_mask(_: ft.ControlEvent) -> None:
        which = "unmask" if row.masked else "mask"
        ui.page.show_dialog(
            confirm_dialog(
                ui,
                key=f"{which}-dialog",
                title=ui.t(f"ui.docs.{which}.title"),
                text=ui.t(f"ui.docs.{which}.text"),
                confirm=ui.t(f"ui.docs.{which}.confirm"),
                on_confirm=do_mask,
            )
        )

    def ask_correction(_: ft.ControlEvent) -> None:
        state.ask_correction(row.id, ui.t("ui.docs.correction.label", title=row.title))
        ui.render()

    def ask_delete(_: ft.ControlEvent) -> None:
        ui.page.show_dialog(
            confirm_dialog(
                ui,
                key="delete-dialog",
                title=ui.t("ui.docs.delete.title"),
                text=ui.t("ui.docs.delete.text", title=row.title),
                confirm=ui.t("ui.docs.delete.confirm"),
                on_confirm=do_delete,
                danger=True,
            )
        )

    badges: list[ft.Control] = []
    if row.pinned:
        badges.append(badge(ui.t("ui.docs.pinned"), "view-pinned", "#0B3D75", "#E3EEFA", ft.Icons.PUSH_PIN))
    if row.masked:
        badges.append(
            badge(ui.t("ui.docs.masked"), "view-masked", "#5B2A86", "#F1E8FA", ft.Icons.VISIBILITY_OFF)
        )
    if row.pending:
        badges.append(
            badge(ui.t("ui.docs.pending"), "view-pending", "#5C3B00", "#FFF4DC", ft.Icons.CLOUD_UPLOAD)
        )

    content: list[ft.Control | None] = []
    if viewer.error is not None:
        content.append(banner(ui, viewer.error, key="view-error"))
    elif viewer.png is not None:
        content.append(
            ft.Container(
                key="doc-image-box",
                border=ft.Border.all(1, "#C5CED9"),
                border_radius=8,
                padding=4,
                bgcolor=ft.Colors.WHITE,
                content=ft.Semantics(
                    label=ui.t("ui.docs.view.image", title=row.title),
                    key="doc-image-semantics",
                    content=ft.Image(
                        src=viewer.png,
                        key=f"doc-image-{viewer.page}",
                        fit=ft.BoxFit.CONTAIN,
                        width=560,
                    ),
                ),
            )
        )
        if viewer.pages > 1:
            content.append(
                ft.Text(
                    ui.t("ui.docs.view.page", page=viewer.page + 1, pages=viewer.pages),
                    size=18,
                    weight=ft.FontWeight.W_600,
                    key="page-number",
                    text_align=ft.TextAlign.CENTER,
                )
            )
            content.append(
                ft.Row(
                    [
                        ft.OutlinedButton(
                            content=ui.t("ui.docs.view.previous"),
                            key="page-previous",
                            icon=ft.Icons.NAVIGATE_BEFORE,
                            on_click=previous,
                            disabled=viewer.page == 0 or docs.busy,
                            height=52,
                            expand=True,
                            style=ft.ButtonStyle(text_style=ft.TextStyle(size=16)),
                        ),
                        ft.OutlinedButton(
                            content=ui.t("ui.docs.view.next"),
                            key="page-next",
                            icon=ft.Icons.NAVIGATE_NEXT,
                            on_click=following,
                            disabled=viewer.page >= viewer.pages - 1 or docs.busy,
                            height=52,
                            expand=True,
                            style=ft.ButtonStyle(text_style=ft.TextStyle(size=16)),
                        ),
                    ],
                    key="pager",
                )
            )
        elif viewer.row.mime == "application/pdf":
            content.append(para(ui.t("ui.docs.view.page", page=1, pages=1), key="page-number"))

    return column(
        title(row.title, key="doc-title"),
        notice(ui.t(docs.notice), key="doc-notice") if docs.notice else None,
        banner(ui, docs.banner),
        para(docs.type_label(row.type, lang), key="doc-type"),
        para(ui.t("ui.docs.date", date=format_date(row.day + "T12:00:00", lang)), key="doc-date"),
        para(ui.t(author_key, **author_params), key="doc-author"),
        ft.Row(badges, wrap=True, spacing=8, key="doc-badges") if badges else None,
        *(_versions(ui, docs, row) if row.earlier else ()),
        progress(ui, docs.busy),
        *content,
        secondary_button(
            ui.t("ui.docs.unpin.button" if row.pinned else "ui.docs.pin.button"),
            "doc-pin",
            pin,
            busy=docs.busy,
            icon=ft.Icons.PUSH_PIN_OUTLINED if row.pinned else ft.Icons.PUSH_PIN,
        ),
        type_dropdown(
            ui,
            key="doc-folder",
            label=ui.t("ui.docs.folder.of"),
            value=docs.folder_of(row.id) or NONE,
            options=[(NONE, ui.t("ui.docs.folder.none")), *((f, f) for f in docs.folders())],
            on_select=file_in,
        )
        if docs.folders()
        else None,
        secondary_button(
            ui.t("ui.docs.unmask.button" if row.masked else "ui.docs.mask.button"),
            "doc-mask",
            ask_mask,
            busy=docs.busy,
            icon=ft.Icons.VISIBILITY if row.masked else ft.Icons.VISIBILITY_OFF,
        ),
        secondary_button(
            ui.t("ui.docs.delete.button"), "doc-delete", ask_delete, busy=docs.busy, icon=ft.Icons.DELETE
        )
        if row.own
        else para(ui.t("ui.docs.read_only"), key="doc-read-only"),
        None
        if row.own
        else secondary_button(
            ui.t("ui.profile.ask_correction"),
            "doc-correct",
            ask_correction,
            busy=docs.busy,
            icon=ft.Icons.EDIT_NOTE,
        ),
        primary_button(ui.t("ui.docs.back"), "doc-back", back, icon=ft.Icons.ARROW_BACK),
    )
