"""Share documents through a link and a code: choose, make the link, note the code; see and stop links."""

from datetime import UTC, datetime

import flet as ft

from mobile.shares.state import DURATIONS, SharesState
from mobile.shell.panels import chip, load_in_background, problem, small_button, status_line
from mobile.shell.widgets import (
    BODY_SIZE,
    PRIMARY,
    Ui,
    column,
    para,
    primary_button,
    radio_group,
    title,
)
from mobile.shell.words import format_date
from sync.protocol.record_schemas import ShareCreated, ShareOut


def _shares(ui: Ui) -> SharesState:
    shares: SharesState = ui.state.shares  # type: ignore[attr-defined]
    return shares


def _copy_button(ui: Ui, label: str, value: str, key: str) -> ft.Control:
    async def copy(_: ft.ControlEvent) -> None:
        await ft.Clipboard().set(value)
        ui.page.show_dialog(ft.SnackBar(ft.Text(ui.t("ui.share.copied"), size=16)))

    return small_button(label, key, copy, icon=ft.Icons.COPY)


def _created(ui: Ui, shares: SharesState, made: ShareCreated) -> ft.Control:
    def noted(_: ft.ControlEvent) -> None:
        shares.noted()
        ui.render()

    return ft.Container(
        key="share-created",
        bgcolor="#E8F5E9",
        border=ft.Border.all(2, "#1B5E20"),
        border_radius=12,
        padding=14,
        content=ft.Column(
            column(
                ft.Text(
                    ui.t("ui.share.created"), size=20, weight=ft.FontWeight.BOLD, key="share-created-title"
                ),
                para(ui.t("ui.share.created.how"), key="share-created-how"),
                ft.Text(ui.t("ui.share.link"), size=16, weight=ft.FontWeight.W_600, key="share-link-label"),
                ft.Text(made.url, size=16, key="share-link"),
                _copy_button(ui, ui.t("ui.share.copy_link"), made.url, "share-copy-link"),
                ft.Text(ui.t("ui.share.code"), size=16, weight=ft.FontWeight.W_600, key="share-code-label"),
                ft.Semantics(
                    label=ui.t("ui.share.code.spoken", code=" ".join(made.code)),
                    key="share-code-sem",
                    content=ft.Text(made.code, size=32, weight=ft.FontWeight.BOLD, key="share-code"),
                ),
                _copy_button(ui, ui.t("ui.share.copy_code"), made.code, "share-copy-code"),
                para(ui.t("ui.share.created.once"), key="share-created-once"),
                primary_button(ui.t("ui.share.noted"), "share-noted", noted, icon=ft.Icons.CHECK),
            ),
            spacing=8,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            key="share-created-body",
        ),
    )


def _form(ui: Ui, shares: SharesState) -> list[ft.Control | None]:
    documents = shares.documents()

    def toggle(record_id: str):  # type: ignore[no-untyped-def]
        def changed(e: ft.ControlEvent) -> None:
            shares.toggle(record_id, bool(e.control.value))

        return changed

    def pick_days(e: ft.ControlEvent) -> None:
        shares.set_days(int(e.control.value or 7))

    def typed(e: ft.ControlEvent) -> None:
        shares.label = e.control.value or ""

    async def create(_: ft.ControlEvent) -> None:
        await ui.run(shares, shares.create)

    if not documents:
        return [para(ui.t("ui.share.no_documents"), key="share-no-docs")]
    boxes = [
        ft.Checkbox(
            key=f"share-doc-{row.id}",
            label=f"{row.title} ({format_date(row.day, ui.state.lang)})" if row.day else row.title,
            value=row.id in shares.selected,
            on_change=toggle(row.id),
            label_style=ft.TextStyle(size=17),
        )
        for row in documents
    ]
    return [
        ft.Text(ui.t("ui.share.choose"), size=18, weight=ft.FontWeight.W_600, key="share-choose"),
        ft.Column(boxes, spacing=2, key="share-docs"),
        ft.Text(ui.t("ui.share.duration"), size=18, weight=ft.FontWeight.W_600, key="share-duration"),
        radio_group(
            "share-days",
            str(shares.days),
            [(str(d), ui.t(f"ui.share.days.{d}")) for d in DURATIONS],
            pick_days,
        ),
        ft.TextField(
            key="share-label",
            label=ui.t("ui.share.for"),
            hint_text=ui.t("ui.share.for.hint"),
            value=shares.label,
            max_length=100,
            text_size=18,
            label_style=ft.TextStyle(size=16),
            read_only=shares.busy,
            on_change=typed,
        ),
        primary_button(ui.t("ui.share.create"), "share-create", create, busy=shares.busy, icon=ft.Icons.LINK),
    ]


def _link(ui: Ui, shares: SharesState, link: ShareOut, now: datetime) -> ft.Control:
    status = SharesState.status(link, now)
    colours = {
        "active": ("#1B5E20", "#E8F5E9"),
        "stopped": ("#5F6368", "#F1F3F4"),
        "expired": ("#5F6368", "#F1F3F4"),
    }
    titles = ", ".join(filter(None, (shares.title_of(i) for i in link.document_ids))) or "—"

    async def stop(_: ft.ControlEvent) -> None:
        await ui.run(shares, lambda: shares.revoke(link.id))

    key = f"share-{link.id}"
    return ft.Container(
        key=key,
        border=ft.Border.all(1, "#C5CED9"),
        border_radius=12,
        padding=12,
        content=ft.Column(
            column(
                ft.Text(
                    link.label or ui.t("ui.share.unnamed"),
                    size=18,
                    weight=ft.FontWeight.W_600,
                    key=f"{key}-l",
                ),
                ft.Text(titles, size=BODY_SIZE, key=f"{key}-docs"),
                ft.Text(
                    ui.t("ui.share.until", day=format_date(link.expires_at, ui.state.lang, ui.state.tz)),
                    size=16,
                    key=f"{key}-u",
                ),
                ft.Text(ui.t("ui.share.opens", count=link.opens), size=16, key=f"{key}-o"),
                chip(ui.t(f"ui.share.status.{status}"), *colours[status], f"{key}-status"),
                small_button(ui.t("ui.share.stop"), f"{key}-stop", stop, icon=ft.Icons.LINK_OFF, danger=True)
                if status == "active"
                else None,
            ),
            spacing=4,
            key=f"{key}-col",
        ),
    )


def build(ui: Ui) -> list[ft.Control]:
    shares = _shares(ui)
    if not shares.loaded and not shares.offline and shares.banner is None:
        load_in_background(ui, shares, shares.load)

    async def retry(_: ft.ControlEvent) -> None:
        await ui.run(shares, shares.load)

    now = datetime.now(UTC)
    links = [_link(ui, shares, link, now) for link in shares.links]
    return column(
        title(ui.t("ui.share.title")),
        para(ui.t("ui.share.intro"), key="share-intro"),
        _created(ui, shares, shares.created) if shares.created else None,
        status_line(ui, shares, "share"),
        problem(ui, shares, retry, "share"),
        *(_form(ui, shares) if shares.created is None else []),
        ft.Text(ui.t("ui.share.mine"), size=20, weight=ft.FontWeight.BOLD, color=PRIMARY, key="share-mine"),
        *(links or [para(ui.t("ui.share.none"), key="share-none")]),
        ft.Container(height=12, key="share-bottom"),
    )
