"""Secure messaging, the professionals' side (API key): start a conversation with a patient in
their care (named by `X-Patient-Nir`, never in a URL), list their own conversations, read and
answer one, open what the patient joined (written to the patient's access log)."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from backend_stub.api import files
from backend_stub.api.deps import ContextDep, SessionDep
from backend_stub.api.routes.pro import CurrentPro, PatientNir
from backend_stub.context import Context
from backend_stub.core.clock import as_utc
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.models.messages import Conversation, MessageDelivery
from backend_stub.models.professionals import Professional
from backend_stub.models.record import Record
from backend_stub.services import messages
from sync.protocol.errors import ErrorCode
from sync.protocol.messaging import MAX_BODY, MAX_SUBJECT

router = APIRouter(prefix="/pro/conversations", tags=["professionals' API"])


class ProFile(BaseModel):
    """A file joined to a message: PDF, JPEG or PNG, as base64."""

    name: str = Field(min_length=1, max_length=200)
    mime: Literal["application/pdf", "image/jpeg", "image/png"]
    content_b64: str = Field(max_length=28 * 1024 * 1024)
    type: str = Field(default="", max_length=40)  # a document type code: kept if the patient saves it


class ProMessageCreate(BaseModel):
    body: str = Field(min_length=1, max_length=MAX_BODY)
    file: ProFile | None = None


class ProConversationCreate(ProMessageCreate):
    subject: str = Field(min_length=1, max_length=MAX_SUBJECT)
    hidden_from_guardians: bool = False  # a minor's secret conversation: never shown to their parents


class ProMessage(BaseModel):
    """One message as the professional sees it; attachments by index (open them by index)."""

    id: str
    n: int
    sender: Literal["holder", "professional"]
    at: datetime
    body: str
    attachments: list[dict[str, object]]
    read_by_professional: bool


class ProConversation(BaseModel):
    id: str
    patient: str
    subject: str
    started_by: str
    last_at: datetime
    unread: int


class ProConversationPage(BaseModel):
    """Latest activity first; pass `next_before` back as `before` (None at the end)."""

    conversations: list[ProConversation]
    next_before: str | None


class ProThread(BaseModel):
    """A page of a conversation's messages, oldest first; pass `next_after` back as `after`."""

    conversation: ProConversation
    messages: list[ProMessage]
    next_after: int | None


def _conversation(conversation: Conversation, holder: Holder, record: Record | None) -> ProConversation:
    return ProConversation(
        id=conversation.id,
        patient=f"{holder.first_name} {holder.last_name}",
        subject=str(record.data.get("subject", "")) if record else "",
        started_by=conversation.started_by,
        last_at=as_utc(conversation.last_at),
        unread=conversation.pro_unread,
    )


def _message(delivery: MessageDelivery, record: Record) -> ProMessage:
    attachments = [
        {k: v for k, v in a.items() if k in ("kind", "title", "name", "mime", "size")}
        for a in record.data.get("attachments", [])
    ]
    return ProMessage(
        id=record.id,
        n=delivery.n,
        sender="holder" if delivery.sender == "holder" else "professional",
        at=as_utc(delivery.at),
        body=str(record.data.get("body", "")),
        attachments=attachments,
        read_by_professional=delivery.sender != "holder" or delivery.read_at is not None,
    )


def _file(body: ProMessageCreate) -> messages.NewFile | None:
    return messages.NewFile(**body.file.model_dump()) if body.file else None


@router.post("")
def start(
    body: ProConversationCreate, pro: CurrentPro, nir: PatientNir, ctx: ContextDep, session: SessionDep
) -> ProThread:
    """Open a conversation with a patient in this professional's care, with a first message."""
    conversation, _ = messages.start(
        session=session,
        ctx=ctx,
        pro=pro,
        nir=nir,
        subject=body.subject,
        body=body.body,
        file=_file(body),
        hidden_from_guardians=body.hidden_from_guardians,
    )
    return _page(conversation.id, pro, ctx, session, after=0, reading=False)


@router.get("")
def conversations(
    pro: CurrentPro, ctx: ContextDep, session: SessionDep, before: Annotated[str, Query(max_length=100)] = ""
) -> ProConversationPage:
    """This professional's conversations (and no one else's) the holders still let them read,
    latest activity first."""
    cursor = None
    if before:
        at, _, last_id = before.partition("|")
        try:
            cursor = (datetime.fromisoformat(at), last_id)
        except ValueError as exc:
            raise DomainError(ErrorCode.REQUEST_INVALID, fields=["before"]) from exc
    rows, last = messages.conversations(session=session, ctx=ctx, pro=pro, before=cursor)
    found = [_conversation(c, h, r) for c, h, r in rows]
    return ProConversationPage(
        conversations=found, next_before=f"{as_utc(last.last_at).isoformat()}|{last.id}" if last else None
    )


@router.get("/{conversation_id}")
def thread(
    conversation_id: Annotated[str, Path(max_length=32)],
    pro: CurrentPro,
    ctx: ContextDep,
    session: SessionDep,
    after: Annotated[int, Query(ge=0)] = 0,
) -> ProThread:
    """A conversation's messages, oldest first (the patient's become read)."""
    return _page(conversation_id, pro, ctx, session, after=after, reading=True)


def _page(
    conversation_id: str, pro: Professional, ctx: Context, session: Session, *, after: int, reading: bool
) -> ProThread:
    """A page of the thread; `reading`: a reading of the patient's messages (a line of their log),
    not the answer to what the professional just wrote."""
    conversation, holder, record, rows = messages.thread(
        session=session, ctx=ctx, pro=pro, conversation_id=conversation_id, after=after, reading=reading
    )
    return ProThread(
        conversation=_conversation(conversation, holder, record),
        messages=[_message(d, r) for d, r in rows],
        next_after=rows[-1][0].n if len(rows) == messages.PAGE else None,
    )


@router.post("/{conversation_id}/messages")
def reply(
    conversation_id: Annotated[str, Path(max_length=32)],
    body: ProMessageCreate,
    pro: CurrentPro,
    ctx: ContextDep,
    session: SessionDep,
) -> ProThread:
    """Write again in one of this professional's conversations."""
    conversation, _ = messages.reply(
        session=session, ctx=ctx, pro=pro, conversation_id=conversation_id, body=body.body, file=_file(body)
    )
    return _page(conversation_id, pro, ctx, session, after=conversation.count - 1, reading=False)


@router.get("/{conversation_id}/messages/{message_id}/attachments/{index}")
def attachment(
    conversation_id: Annotated[str, Path(max_length=32)],
    message_id: Annotated[str, Path(max_length=64)],
    index: Annotated[int, Path(ge=0, le=20)],
    pro: CurrentPro,
    ctx: ContextDep,
    session: SessionDep,
) -> StreamingResponse:
    """A file or document the patient joined to a message of this conversation (logged)."""
    _, stream = messages.pro_attachment(
        session=session, ctx=ctx, pro=pro, conversation_id=conversation_id, message_id=message_id, index=index
    )
    return files.send(stream)
