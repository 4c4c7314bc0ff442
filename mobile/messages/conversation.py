"""One conversation: the messages in order, a reply with a document of the record or a file,
"save to my record" for a file a professional sent, and archiving."""

from typing import cast

import flet as ft

from mobile.messages.messages import MessagesApp, who
from mobile.shell.file_picker import choose_files
from mobile.shell.files import EXTENSIONS
from mobile.shell.state import Screen
from mobile.shell.widgets import (
    BODY_SIZE,
    ERROR_FG,
    PRIMARY,
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
from mobile.shell.words import format_datetime
from sync.messages import Attachment, Message

MINE_BG = "#E6F4EA"
THEIRS_BG = "#EEF2F8"


def _attachment(ui: Ui, state: MessagesApp, message: Message, item: Attachment) -> ft.Control:
    messages = state.messages
    key = f"att-{message.id}-{item.index}"
    label = ft.Row(
        [
            ft.Icon(ft.Icons.ATTACH_FILE, color=PRIMARY),
            ft.Text(ui.t("ui.messages.attached", name=item.name), size=BODY_SIZE, expand=True),
        ],
        key=f"{key}-name",
    )
    actions: list[ft.Control] = []
    if item.kind == "document" and message.mine:

        async def open_doc(_: ft.ControlEvent) -> None:
            state.docs.viewer = None
            state.go(Screen.DOCUMENT_VIEW)
            await ui.run(state.docs, lambda: state.open_document(item.document_id))

        actions.append(
            secondary_button(
                ui.t("ui.messages.attachment.open", name=item.name),
                f"{key}-open",
                open_doc,
                icon=ft.Icons.VISIBILITY,
            )
        )
    if item.kind == "file" and not message.mine:

        async def save(_: ft.ControlEvent) -> None:
            await ui.run(messages, lambda: messages.save_attachment(message.id, item.index))

        actions.append(
            secondary_button(
                ui.t("ui.messages.attachment.save", name=item.name),
                f"{key}-save",
                save,
                busy=messages.busy,
                icon=ft.Icons.SAVE_ALT,
            )
        )
    return ft.Column([label, *actions], spacing=6, key=key)


def _bubble(ui: Ui, state: MessagesApp, message: Message, pro_name: str) -> ft.Control:
    lang = state.lang
    author = ui.t("ui.messages.you") if message.mine else pro_name
    when = (
        ui.t("ui.messages.pending")
        if message.pending
        else ui.t("ui.messages.sent_at", when=format_datetime(message.sent_at, lang, ui.state.tz))
    )
    return ft.Container(
        key=f"msg-{message.id}",
        bgcolor=MINE_BG if message.mine else THEIRS_BG,
        border_radius=14,
        padding=14,
        margin=ft.Margin.only(left=40 if message.mine else 0, right=0 if message.mine else 40),
        content=ft.Column(
            [
                ft.Text(author, size=16, weight=ft.FontWeight.W_700, color=PRIMARY),
                ft.Text(message.body, size=BODY_SIZE),
                *(_attachment(ui, state, message, a) for a in message.attachments),
                ft.Text(when, size=15, italic=message.pending),
            ],
            spacing=6,
        ),
    )


def _compose(ui: Ui, state: MessagesApp) -> list[ft.Control | None]:
    messages = state.messages
    form = messages.compose

    def typed(e: ft.ControlEvent) -> None:
        had_error = "body" in form.errors
        form.set("body", e.control.value or "")
        if had_error:
            ui.render()

    def pick_document(e: ft.ControlEvent) -> None:
        messages.attach_document(e.control.value or "")
        ui.render()

    async def pick_file(_: ft.ControlEvent) -> None:
        files = await choose_files(ui.t("ui.messages.attach.file"), EXTENSIONS)
        if files:
            messages.choose_file(files[0].name, files[0].bytes)
        ui.render()

    def remove(key: str):  # type: ignore[no-untyped-def]
        def handler(_: ft.ControlEvent) -> None:
            messages.remove_attachment(key)
            ui.render()

        return handler

    def send(_: ft.ControlEvent) -> None:
        messages.send()
        ui.render()

    joined: list[tuple[str, str]] = [(d, messages.document_title(d)) for d in form.documents]
    if form.file is not None:
        joined.append(("file", form.file.name))
    chips = [
        ft.Column(
            [
                ft.Row(
                    [
                        ft.Icon(ft.Icons.ATTACH_FILE, color=PRIMARY),
                        ft.Text(ui.t("ui.messages.attached", name=name), size=BODY_SIZE, expand=True),
                    ]
                ),
                ft.TextButton(
                    content=ui.t("ui.messages.attach.remove", name=name),
                    key=f"remove-{key}",
                    icon=ft.Icons.CLOSE,
                    on_click=remove(key),
                    height=48,
                ),
            ],
            key=f"joined-{key}",
            spacing=0,
        )
        for key, name in joined
    ]
    choices = messages.document_choices()
    error = ui.err(form.errors.get("body"))
    return [
        banner(ui, form.banner, key="compose-banner"),
        ft.TextField(
            key="field-body",
            label=ui.t("ui.messages.compose"),
            value=form.values["body"],
            helper=ui.t("ui.messages.compose.helper"),
            error=error,
            multiline=True,
            min_lines=3,
            max_lines=8,
            text_size=18,
            label_style=ft.TextStyle(size=17),
            error_style=ft.TextStyle(size=15, color=ERROR_FG),
            on_change=typed,
        ),
        *chips,
        type_dropdown(
            ui,
            key="attach-document",
            label=ui.t("ui.messages.attach.document"),
            value="",
            options=choices,
            on_select=pick_document,
        )
        if choices
        else None
        if form.documents
        else para(ui.t("ui.messages.attach.none"), key="attach-none"),
        secondary_button(
            ui.t("ui.messages.attach.file"), "attach-file", pick_file, icon=ft.Icons.UPLOAD_FILE
        ),
        primary_button(ui.t("ui.messages.send"), "send", send, icon=ft.Icons.SEND),
    ]


def unread_left(ui: Ui) -> int:
    """Messages still unread once this conversation is shown: as many "new message" notices stay."""
    return cast(MessagesApp, ui.state).messages.unread_total()


def build(ui: Ui) -> list[ft.Control]:
    state = cast(MessagesApp, ui.state)
    messages = state.messages
    conversation = messages.conversation()

    def back(_: ft.ControlEvent) -> None:
        state.go(Screen.MESSAGES)
        ui.render()

    if conversation is None:
        return column(
            title(ui.t("ui.messages.title")),
            banner(ui, messages.banner),
            secondary_button(ui.t("ui.messages.back"), "conv-back", back, icon=ft.Icons.ARROW_BACK),
        )

    def archive(_: ft.ControlEvent) -> None:
        messages.set_archived(not conversation.archived)
        ui.render()

    if conversation.unread:
        messages.seen()  # shown on screen: read
    name, profession = who(ui, conversation.professional_name, conversation.profession)
    return column(
        title(conversation.subject),
        para(ui.t("ui.messages.with", name=name, profession=profession), key="conv-with"),
        notice(ui.t(messages.notice), key="conv-notice") if messages.notice else None,
        banner(ui, messages.banner),
        *(_bubble(ui, state, m, name) for m in messages.thread()),
        *_compose(ui, state),
        progress(ui, messages.busy),
        secondary_button(
            ui.t("ui.messages.unarchive" if conversation.archived else "ui.messages.archive"),
            "conv-archive",
            archive,
            icon=ft.Icons.UNARCHIVE if conversation.archived else ft.Icons.ARCHIVE,
        ),
        secondary_button(ui.t("ui.messages.back"), "conv-back", back, icon=ft.Icons.ARROW_BACK),
    )
