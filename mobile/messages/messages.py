"""Messages: the conversations with professionals (unread badges, search, archived ones), and a
new conversation with a professional who already wrote."""

from typing import Protocol, cast

import flet as ft

from mobile.messages.state import ConversationRow, MessagesState
from mobile.shell.core import SpaceApp
from mobile.shell.state import Screen
from mobile.shell.widgets import (
    BODY_SIZE,
    PRIMARY,
    Ui,
    banner,
    column,
    field,
    para,
    primary_button,
    secondary_button,
    subtitle,
    title,
    type_dropdown,
)
from mobile.shell.words import display_name, format_datetime, profession_label


class RecordDocuments(Protocol):
    """The documents' state (mobile/documents), busy while a document of the record opens."""

    busy: bool
    viewer: object | None


class MessagesApp(SpaceApp, Protocol):
    """What the messaging screens use of the app state (the composition root builds it)."""

    messages: MessagesState
    docs: RecordDocuments

    def open_document(self, record_id: str) -> None: ...


UNREAD_BG = "#E8F0FB"


def who(ui: Ui, name: str, profession: str) -> tuple[str, str]:
    """'Dr Alex Durand' and 'Médecin' in the person's language."""
    return display_name(name, profession), profession_label(profession, ui.state.lang)


def _row(ui: Ui, state: MessagesApp, row: ConversationRow) -> ft.Control:
    name, profession = who(ui, row.name, row.profession)
    key = f"conv-{row.id}"

    def open_it(_: ft.ControlEvent) -> None:
        if state.messages.open(row.id):
            state.go(Screen.CONVERSATION)
        ui.render()

    spoken = ui.t(
        "ui.messages.row.unread" if row.unread else "ui.messages.row.read",
        name=name,
        subject=row.subject,
        count=row.unread,
    )
    preview = row.last_body if len(row.last_body) <= 90 else row.last_body[:87] + "…"
    lines = [format_datetime(row.last_at, state.lang, state.tz), preview]
    badge = (
        ft.Container(
            key=f"{key}-unread",
            bgcolor="#C62828",
            border_radius=14,
            padding=ft.Padding.symmetric(horizontal=10, vertical=4),
            content=ft.Text(ui.t("ui.messages.unread", count=row.unread), size=15, color=ft.Colors.WHITE),
        )
        if row.unread
        else ft.Icon(ft.Icons.CHEVRON_RIGHT)
    )
    return ft.Semantics(
        key=f"{key}-sem",
        label=spoken,
        button=True,
        container=True,
        content=ft.Container(
            key=key,
            bgcolor=UNREAD_BG if row.unread else None,
            border=ft.Border.all(2 if row.unread else 1, PRIMARY if row.unread else "#C5CED9"),
            border_radius=12,
            content=ft.ListTile(
                key=f"{key}-tile",
                leading=ft.Icon(
                    ft.Icons.MARK_EMAIL_UNREAD if row.unread else ft.Icons.EMAIL, color=PRIMARY, size=30
                ),
                title=ft.Text(
                    ui.t("ui.messages.row", name=name, profession=profession, subject=row.subject),
                    size=18,
                    weight=ft.FontWeight.W_700 if row.unread else ft.FontWeight.NORMAL,
                ),
                subtitle=ft.Text("\n".join(lines), size=15),
                is_three_line=True,
                trailing=badge,
                min_height=72,
                on_click=open_it,
            ),
        ),
    )


def _new_conversation(ui: Ui, state: MessagesApp, messages: MessagesState) -> list[ft.Control | None]:
    form = messages.new
    people = messages.correspondents()

    def pick(e: ft.ControlEvent) -> None:
        form.set("professional", e.control.value or "")
        ui.render()

    def start(_: ft.ControlEvent) -> None:
        if messages.start():
            state.go(Screen.CONVERSATION)
        ui.render()

    def cancel(_: ft.ControlEvent) -> None:
        messages.new_open = False
        ui.render()

    if not people:
        return [para(ui.t("ui.messages.new.none"), key="new-none")]
    options = [
        (pid, f"{display_name(name, prof)} ({profession_label(prof, state.lang)})")
        for pid, name, prof in people
    ]
    return [
        subtitle(ui.t("ui.messages.new.title"), key="new-title"),
        para(ui.t("ui.messages.new.intro"), key="new-intro"),
        banner(ui, form.banner, key="new-banner"),
        type_dropdown(
            ui,
            key="new-pro",
            label=ui.t("ui.messages.new.pro"),
            value=form.values["professional"],
            options=options,
            on_select=pick,
            error=ui.err(form.errors.get("professional")),
        ),
        field(ui, form, "subject", ui.t("ui.messages.new.subject")),
        field(ui, form, "body", ui.t("ui.messages.compose"), helper=ui.t("ui.messages.compose.helper")),
        primary_button(ui.t("ui.messages.new.start"), "new-start", start, icon=ft.Icons.SEND),
        secondary_button(ui.t("ui.cancel"), "new-cancel", cancel, icon=ft.Icons.CLOSE),
    ]


def build(ui: Ui) -> list[ft.Control]:
    state = cast(MessagesApp, ui.state)
    messages = state.messages
    rows = messages.rows()

    def show(archived: bool):  # type: ignore[no-untyped-def]
        def handler(_: ft.ControlEvent) -> None:
            messages.show_archived(archived)
            ui.render()

        return handler

    def write(_: ft.ControlEvent) -> None:
        messages.open_new()
        ui.render()

    searching = bool(messages.filters.values["query"].strip())
    if rows:
        listing: list[ft.Control] = [_row(ui, state, r) for r in rows]
    else:
        empty = "ui.messages.empty.search" if searching else "ui.messages.empty"
        listing = [
            para(
                ui.t("ui.messages.empty.archived" if messages.archived and not searching else empty),
                key="messages-empty",
            )
        ]
    unread = messages.unread_total()
    tabs = ft.Row(
        [
            (primary_button if not messages.archived else secondary_button)(
                ui.t("ui.messages.filter.inbox"), "show-inbox", show(False), icon=ft.Icons.INBOX
            ),
            (primary_button if messages.archived else secondary_button)(
                ui.t("ui.messages.filter.archived"), "show-archived", show(True), icon=ft.Icons.ARCHIVE
            ),
        ],
        wrap=True,
        key="messages-tabs",
    )
    return column(
        title(ui.t("ui.messages.title")),
        para(ui.t("ui.messages.intro"), key="messages-intro"),
        banner(ui, messages.banner),
        ft.Text(
            ui.t("ui.messages.unread_total", count=unread),
            size=BODY_SIZE,
            weight=ft.FontWeight.W_600,
            key="messages-unread",
        ),
        field(
            ui,
            messages.filters,
            "query",
            ui.t("ui.messages.search"),
            helper=ui.t("ui.messages.search.helper"),
            live=True,
        ),
        tabs,
        *listing,
        *(
            _new_conversation(ui, state, messages)
            if messages.new_open
            else [secondary_button(ui.t("ui.messages.new"), "messages-new", write, icon=ft.Icons.EDIT)]
        ),
    )
