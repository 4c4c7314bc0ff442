"""'Exporter toutes mes données': what the two files hold, a button for each (a download in the
browser, a save dialog elsewhere), and the import of an export, offered only to an empty space."""

from typing import Protocol, cast

import flet as ft

from mobile.export.state import KINDS, ExportState
from mobile.shell.core import SpaceApp
from mobile.shell.file_picker import choose_files
from mobile.shell.panels import offer_file
from mobile.shell.widgets import (
    Ui,
    banner,
    column,
    notice,
    para,
    primary_button,
    progress,
    secondary_button,
    subtitle,
    title,
)
from mobile.shell.words import format_date


class ExportApp(SpaceApp, Protocol):
    """What the export screen uses of the app state (the composition root builds it)."""

    export: ExportState


def export_of(ui: Ui) -> ExportState:
    return cast(ExportApp, ui.state).export


async def download(ui: Ui, kind: str) -> None:
    """Make the file off the UI loop, then offer it to save."""
    state = export_of(ui)
    lang = ui.state.lang
    made = await ui.run(state, lambda: state.make(kind, lang, ui.state.tz))
    if made is None:
        return
    name, content = made
    if await offer_file(ui.t(f"ui.export.{kind}.button"), name, content, KINDS[kind][0]):
        state.saved(name)
    else:
        state.save_failed()
    ui.render()


def _link_shown(ui: Ui, state: ExportState) -> list[ft.Control]:
    """The SMART Health Link just made: its QR code, the code to give another way, its end."""
    if state.link is None:
        return []
    until = format_date(state.link.expires_at, ui.state.lang, ui.state.tz)
    return [
        ft.Container(
            key="shl-qr-box",
            bgcolor=ft.Colors.WHITE,
            padding=8,
            content=ft.Semantics(
                label=ui.t("ui.export.shl.qr"),
                key="shl-qr-sem",
                content=ft.Image(src=state.link_png(), key="shl-qr", width=320, fit=ft.BoxFit.CONTAIN),
            ),
        ),
        para(ui.t("ui.export.shl.code", code=state.link.code, day=until), key="shl-code"),
        ft.Text(state.shlink, size=12, selectable=True, key="shl-text"),
        para(ui.t("ui.export.shl.how"), key="shl-how"),
    ]


def build(ui: Ui) -> list[ft.Control]:
    state = export_of(ui)

    async def fhir(_: ft.ControlEvent) -> None:
        await download(ui, "fhir")

    async def pdf(_: ft.ControlEvent) -> None:
        await download(ui, "pdf")

    async def summary(_: ft.ControlEvent) -> None:
        await download(ui, "ips")

    async def summary_pdf(_: ft.ControlEvent) -> None:
        await download(ui, "ips_pdf")

    async def share_link(_: ft.ControlEvent) -> None:
        lang = ui.state.lang
        await ui.run(state, lambda: state.share_summary(lang))

    async def import_export(_: ft.ControlEvent) -> None:
        files = await choose_files(ui.t("ui.export.import.button"), ["json"])
        if files:
            chosen, lang = files[0], ui.state.lang
            await ui.run(state, lambda: state.import_file(chosen.name, chosen.bytes, lang))
        ui.render()

    message = notice(ui.t(state.notice, **state.notice_params), key="export-notice") if state.notice else None
    importing = (
        [
            ft.Divider(height=24),
            subtitle(ui.t("ui.export.import.title")),
            para(ui.t("ui.export.import.intro"), key="export-import-intro"),
            secondary_button(
                ui.t("ui.export.import.button"),
                "export-import",
                import_export,
                busy=state.busy,
                icon=ft.Icons.UPLOAD_FILE,
            ),
        ]
        if state.can_import()
        else []
    )
    return column(
        title(ui.t("ui.export.title")),
        para(ui.t("ui.export.intro"), key="export-intro"),
        banner(ui, state.banner, key="export-banner"),
        message,
        progress(ui, state.busy),
        subtitle(ui.t("ui.export.fhir.title")),
        para(ui.t("ui.export.fhir.text"), key="export-fhir-text"),
        primary_button(
            ui.t("ui.export.fhir.button"), "export-fhir", fhir, busy=state.busy, icon=ft.Icons.DOWNLOAD
        ),
        subtitle(ui.t("ui.export.pdf.subtitle")),
        para(ui.t("ui.export.pdf.text"), key="export-pdf-text"),
        secondary_button(
            ui.t("ui.export.pdf.button"), "export-pdf", pdf, busy=state.busy, icon=ft.Icons.PICTURE_AS_PDF
        ),
        subtitle(ui.t("ui.export.ips.title")),
        para(ui.t("ui.export.ips.text"), key="export-ips-text"),
        secondary_button(
            ui.t("ui.export.ips.button"), "export-ips", summary, busy=state.busy, icon=ft.Icons.DOWNLOAD
        ),
        secondary_button(
            ui.t("ui.export.ips_pdf.button"),
            "export-ips-pdf",
            summary_pdf,
            busy=state.busy,
            icon=ft.Icons.PICTURE_AS_PDF,
        ),
        secondary_button(
            ui.t("ui.export.shl.button"), "export-shl", share_link, busy=state.busy, icon=ft.Icons.QR_CODE_2
        ),
        *_link_shown(ui, state),
        para(ui.t("ui.export.care"), key="export-care"),
        *importing,
    )
