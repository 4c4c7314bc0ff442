"""Documents: the holder's and the professionals' documents, newest first, with filters."""

from typing import Protocol, cast

import flet as ft

from mobile.documents.state import DocumentRow, DocumentsState, describe_author
from mobile.shell.core import SpaceApp
from mobile.shell.date_pickers import picked_field
from mobile.shell.state import Screen
from mobile.shell.widgets import (
    BODY_SIZE,
    PRIMARY,
    Ui,
    banner,
    column,
    field,
    is_wide,
    notice,
    para,
    primary_button,
    progress,
    secondary_button,
    subtitle,
    title,
    type_dropdown,
)
from mobile.shell.words import format_date


class SharesEntry(Protocol):
    """The share links' state, opened from the list (mobile/shares)."""

    def enter(self) -> None: ...


class DocumentsApp(SpaceApp, Protocol):
    """What the documents' screens use of the app state (the composition root builds it)."""

    docs: DocumentsState
    shares: SharesEntry

    def open_document(self, record_id: str) -> None: ...

    def ask_correction(self, record_id: str, label: str) -> None: ...


ALL = "all"


def badge(text: str, key: str, fg: str, bg: str, icon: ft.IconData) -> ft.Control:
    return ft.Container(
        key=key,
        bgcolor=bg,
        border_radius=8,
        padding=ft.Padding.symmetric(horizontal=8, vertical=4),
        content=ft.Row(
            [ft.Icon(icon, size=18, color=fg), ft.Text(text, size=15, color=fg, weight=ft.FontWeight.W_600)],
            spacing=4,
            tight=True,
        ),
    )


def row_badges(ui: Ui, row: DocumentRow, uploads: dict[str, int], held: bool) -> list[ft.Control]:
    found: list[ft.Control] = []
    if row.pinned:
        found.append(
            badge(ui.t("ui.docs.pinned"), f"pinned-{row.id}", "#0B3D75", "#E3EEFA", ft.Icons.PUSH_PIN)
        )
    if held:
        found.append(
            badge(ui.t("ui.docs.offline.held"), f"held-{row.id}", "#0B4A2E", "#E6F4EA", ft.Icons.OFFLINE_PIN)
        )
    if row.masked:
        found.append(
            badge(ui.t("ui.docs.masked"), f"masked-{row.id}", "#5B2A86", "#F1E8FA", ft.Icons.VISIBILITY_OFF)
        )
    if row.id in uploads:
        found.append(
            ft.Column(
                [
                    ft.Text(ui.t("ui.sync.upload", percent=uploads[row.id]), size=15),
                    ft.ProgressBar(value=uploads[row.id] / 100, color=PRIMARY, height=8),
                ],
                key=f"progress-{row.id}",
                spacing=2,
                expand=True,
            )
        )
    elif row.pending:
        found.append(
            badge(ui.t("ui.docs.pending"), f"pending-{row.id}", "#5C3B00", "#FFF4DC", ft.Icons.CLOUD_UPLOAD)
        )
    return found


def build(ui: Ui) -> list[ft.Control]:
    state = cast(DocumentsApp, ui.state)
    docs = state.docs
    lang = state.lang
    filters = docs.filters
    rows = docs.rows(lang)
    line = state.sync_bar.line()
    uploads = dict(line.uploads) if line else {}

    def add(_: ft.ControlEvent) -> None:
        docs.new_document()
        state.go(Screen.DOCUMENT_ADD)
        ui.render()

    def open_doc(record_id: str):  # type: ignore[no-untyped-def]
        async def handler(_: ft.ControlEvent) -> None:
            state.docs.viewer = None
            state.go(Screen.DOCUMENT_VIEW)
            await ui.run(docs, lambda: state.open_document(record_id))

        return handler

    cards: list[ft.Control] = []
    for row in rows:
        key, params = describe_author(row, lang)
        cards.append(
            ft.Container(
                key=f"doc-{row.id}",
                border=ft.Border.all(1, "#C5CED9"),
                border_radius=12,
                padding=ft.Padding.only(left=4, right=4, top=4, bottom=8),
                content=ft.Column(
                    [
                        ft.ListTile(
                            leading=ft.Icon(
                                ft.Icons.PICTURE_AS_PDF if row.mime == "application/pdf" else ft.Icons.IMAGE,
                                color=PRIMARY,
                                size=32,
                            ),
                            title=ft.Text(row.title, size=18, weight=ft.FontWeight.W_600),
                            subtitle=ft.Text(
                                "\n".join(
                                    (
                                        docs.type_label(row.type, lang),
                                        ui.t("ui.docs.date", date=format_date(row.day + "T12:00:00", lang)),
                                        ui.t(key, **params),
                                    )
                                ),
                                size=15,
                            ),
                            is_three_line=True,
                            trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                            min_height=64,
                            on_click=open_doc(row.id),
                        ),
                        ft.Row(
                            row_badges(ui, row, uploads, docs.held(row)),
                            wrap=True,
                            spacing=8,
                            key=f"badges-{row.id}",
                        ),
                    ],
                    spacing=0,
                ),
            )
        )

    def share(_: ft.ControlEvent) -> None:
        state.shares.enter()
        state.go(Screen.SHARES)
        ui.render()

    empty = para(ui.t("ui.docs.none.filtered" if filters.active() else "ui.docs.none"), key="docs-empty")
    return column(
        title(ui.t("ui.docs.title")),
        notice(ui.t(docs.notice), key="docs-notice") if docs.notice else None,
        banner(ui, docs.banner),
        primary_button(ui.t("ui.docs.add"), "docs-add", add, icon=ft.Icons.UPLOAD_FILE),
        secondary_button(ui.t("ui.share.open"), "docs-share", share, icon=ft.Icons.SHARE),
        *_filters(ui, docs),
        ft.Text(ui.t("ui.docs.count", count=len(rows)), size=BODY_SIZE, key="docs-count"),
        *(cards or [empty]),
        progress(ui, docs.busy),
        folders_panel(ui, docs),
        offline_panel(ui, docs),
    )


def _filters(ui: Ui, docs: DocumentsState) -> list[ft.Control]:
    """One "Filtrer" button saying how many filters are on, and under it, when open, the search,
    the type, category and folder choices and the two dates: folded, a phone shows the list first."""
    lang = ui.state.lang
    filters = docs.filters
    wide = is_wide(ui.page)
    shown = filters.is_open(wide)
    active = filters.active()

    def toggle(_: ft.ControlEvent) -> None:
        filters.toggle(wide)
        ui.render()

    def pick_type(e: ft.ControlEvent) -> None:
        value = e.control.value or ALL
        filters.set("type", "" if value == ALL else value)
        ui.render()

    def chose(name: str):  # type: ignore[no-untyped-def]
        def handler(e: ft.ControlEvent) -> None:
            value = e.control.value or ALL
            filters.set(name, "" if value == ALL else value)
            ui.render()

        return handler

    def clear(_: ft.ControlEvent) -> None:
        for name in filters.values:
            if name != "folder_name":
                filters.set(name, "")
        ui.render()

    label = ui.t("ui.docs.filter.toggle", count=active) if active else ui.t("ui.docs.filter.none")
    button = (primary_button if active else secondary_button)(
        label, "docs-filter-toggle", toggle, icon=ft.Icons.EXPAND_LESS if shown else ft.Icons.FILTER_LIST
    )
    head: list[ft.Control] = [
        ft.Semantics(expanded=shown, container=True, key="docs-filter-sem", content=button)
    ]
    if not shown:
        return head
    return head + column(
        field(
            ui,
            filters,
            "query",
            ui.t("ui.docs.search"),
            live=True,
        ),
        type_dropdown(
            ui,
            key="filter-type",
            label=ui.t("ui.docs.filter.type"),
            value=filters.values["type"] or ALL,
            options=[(ALL, ui.t("ui.docs.filter.all")), *docs.all_types(lang)],
            on_select=pick_type,
        ),
        type_dropdown(
            ui,
            key="filter-category",
            label=ui.t("ui.docs.filter.category"),
            value=filters.values["category"] or ALL,
            options=[(ALL, ui.t("ui.docs.filter.all_categories")), *docs.categories(lang)],
            on_select=chose("category"),
        ),
        type_dropdown(
            ui,
            key="filter-folder",
            label=ui.t("ui.docs.filter.folder"),
            value=filters.values["folder"] or ALL,
            options=[(ALL, ui.t("ui.docs.filter.all_folders")), *((f, f) for f in docs.folders())],
            on_select=chose("folder"),
        )
        if docs.folders()
        else None,
        ft.ResponsiveRow(
            [
                ft.Container(
                    picked_field(
                        ui,
                        filters,
                        "from",
                        ui.t("ui.docs.filter.from"),
                        helper=ui.t("ui.docs.date.helper"),
                        live=True,
                    ),
                    col={"xs": 12, "sm": 6},
                    key="from-box",
                ),
                ft.Container(
                    picked_field(
                        ui,
                        filters,
                        "to",
                        ui.t("ui.docs.filter.to"),
                        helper=ui.t("ui.docs.date.helper"),
                        live=True,
                    ),
                    col={"xs": 12, "sm": 6},
                    key="to-box",
                ),
            ],
            key="dates",
        ),
        ft.TextButton(
            content=ui.t("ui.docs.filter.clear"),
            key="filter-clear",
            icon=ft.Icons.FILTER_ALT_OFF,
            on_click=clear,
            height=48,
            style=ft.ButtonStyle(text_style=ft.TextStyle(size=17)),
        )
        if active
        else None,
    )


def folders_panel(ui: Ui, docs: DocumentsState) -> ft.Control:
    """'Mes dossiers': the holder's folders, and a new one (a document is filed from its page)."""

    def new_folder(_: ft.ControlEvent) -> None:
        docs.create_folder()
        ui.render()

    names = list(docs.folders())
    return ft.Container(
        key="docs-folders",
        border=ft.Border.all(1, "#C5CED9"),
        border_radius=12,
        padding=14,
        content=ft.Column(
            [
                subtitle(ui.t("ui.docs.folder.title"), key="docs-folders-title"),
                para(
                    ui.t("ui.docs.folder.list", names=", ".join(names))
                    if names
                    else ui.t("ui.docs.folder.empty"),
                    key="docs-folders-list",
                ),
                field(ui, docs.filters, "folder_name", ui.t("ui.docs.folder.name"), on_submit=new_folder),
                secondary_button(
                    ui.t("ui.docs.folder.create"),
                    "docs-folder-create",
                    new_folder,
                    icon=ft.Icons.CREATE_NEW_FOLDER,
                ),
            ],
            spacing=8,
            key="docs-folders-body",
        ),
    )


def offline_panel(ui: Ui, docs: DocumentsState) -> ft.Control:
    """'Garder hors connexion': every document on this device (the default), or some categories
    and folders; a document read once stays anyway."""
    choice = docs.offline_choice()

    def everything(e: ft.ControlEvent) -> None:
        docs.keep_offline(everything=bool(e.control.value))
        ui.render()

    def category(code: str):  # type: ignore[no-untyped-def]
        def handler(e: ft.ControlEvent) -> None:
            docs.keep_offline(category=code, on=bool(e.control.value))
            ui.render()

        return handler

    def folder(name: str):  # type: ignore[no-untyped-def]
        def handler(e: ft.ControlEvent) -> None:
            docs.keep_offline(folder=name, on=bool(e.control.value))
            ui.render()

        return handler

    boxes = [
        ft.Checkbox(
            key=f"offline-{code}",
            label=label,
            value=code in choice.categories,
            label_style=ft.TextStyle(size=BODY_SIZE),
            on_change=category(code),
        )
        for code, label in docs.categories(ui.state.lang)
    ] + [
        ft.Checkbox(
            key=f"offline-folder-{n}",
            label=ui.t("ui.docs.offline.folder", name=name),
            value=name in choice.folders,
            label_style=ft.TextStyle(size=BODY_SIZE),
            on_change=folder(name),
        )
        for n, name in enumerate(docs.folders())
    ]
    return ft.Container(
        key="docs-offline",
        border=ft.Border.all(1, "#C5CED9"),
        border_radius=12,
        padding=14,
        content=ft.Column(
            [
                subtitle(ui.t("ui.docs.offline.title"), key="docs-offline-title"),
                para(ui.t("ui.docs.offline.intro"), key="docs-offline-intro"),
                ft.Switch(
                    key="offline-all",
                    label=ui.t("ui.docs.offline.all"),
                    value=choice.all,
                    label_text_style=ft.TextStyle(size=BODY_SIZE),
                    on_change=everything,
                ),
                *([] if choice.all else boxes),
            ],
            spacing=8,
            key="docs-offline-body",
        ),
    )
