"""Secure messaging between a holder and professionals.

A professional starts a conversation (they must be in the holder's care: attending physician,
authorised, care team; never blocked or revoked) and writes into it; the holder replies, or
opens a new conversation with a professional who already wrote to them. Conversations and
messages are records of the holder's space, so the holder's devices get them through the change
feed and send theirs through the outbox (offline, exactly once per device sequence); the tables
`Conversation` and `MessageDelivery` are the professional's side. A professional reaches only
their own conversations; the files and documents a holder sent them are logged when opened.
The holder is told of a new message in the app and by a mail or SMS that says nothing else.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.models.messages import Conversation, MessageDelivery
from backend_stub.models.professionals import Grant, Professional
from backend_stub.models.record import Record
from backend_stub.rules import gate
from backend_stub.services import audit, gatekeeper, notifications, professionals, record_access
from backend_stub.services.gatekeeper import PRO_PREFIX, SECRET
from backend_stub.services.sequence import lock_holder, stamp
from sync.protocol.collections import only_flags_changed
from sync.protocol.errors import ErrorCode
from sync.protocol.messaging import body_problem, message_problem, subject_problem
from sync.protocol.reference import document_type_codes
from sync.protocol.sync_schemas import Mutation

PAGE = 50


@dataclass(frozen=True)
class NewFile:
    """A file a professional joins to a message (PDF, JPEG or PNG, as base64)."""

    name: str
    mime: str
    content_b64: str
    type: str = ""  # a document type (assets/reference/document_types.json), "" none


# --- the holder's side: checks and delivery of what their devices push ---------------------------


def _conversation_of(session: Session, holder_id: str, record_id: str) -> Conversation | None:
    return session.exec(
        select(Conversation).where(Conversation.holder_id == holder_id, Conversation.record_id == record_id)
    ).first()


def _unavailable(session: Session, holder_id: str, professional_id: str, now: datetime) -> bool:
    """The holder writes only to a professional the gate lets read the conversation now (a
    blocked, revoked or ended one would never read it)."""
    holder, pro = session.get(Holder, holder_id), session.get(Professional, professional_id)
    if holder is None or pro is None:
        return True
    rel = professionals.relation(session=session, holder=holder, professional_id=pro.id)
    item = gate.Item(kind="message", action="read")
    return not gate.decide(professionals.gate_actor(pro, rel), gatekeeper.space_of(holder), item, now).allowed


def _document_problem(session: Session, holder_id: str, attachment: dict[str, Any]) -> bool:
    if attachment.get("kind") != "document":
        return False
    found = session.get(Record, (holder_id, str(attachment.get("document_id"))))
    return found is None or found.collection != "document" or found.deleted or not gatekeeper.visible(found)


def check_push(
    *, session: Session, holder_id: str, m: Mutation, record: Record | None, now: datetime
) -> str | None:
    """Why the holder's change to a conversation or message is refused (a code), or None.

    Once written, only the holder's flags change (read, archived); nothing is deleted. A new
    conversation needs a professional who already wrote to the holder and is not blocked; a new
    message needs one of the holder's conversations, and documents of their own record."""
    if m.op == "delete" or (record is not None and not only_flags_changed(m.collection, record.data, m.data)):
        return ErrorCode.MESSAGE_CHANGE_REFUSED.value
    if record is not None:
        return None
    data = m.data
    if m.collection == "conversation":
        if problem := subject_problem(data.get("subject")):
            return problem.value
        pro_id = str(data.get("professional_id", ""))
        known = session.exec(
            select(Conversation.id).where(
                Conversation.holder_id == holder_id, Conversation.professional_id == pro_id
            )
        ).first()
        if known is None:
            return ErrorCode.MESSAGE_PRO_UNKNOWN.value
        return (
            ErrorCode.MESSAGE_PRO_UNAVAILABLE.value if _unavailable(session, holder_id, pro_id, now) else None
        )
    if problem := message_problem(data):
        return problem.value
    conversation = _conversation_of(session, holder_id, str(data.get("conversation_id", "")))
    if conversation is None:
        return ErrorCode.MESSAGE_CONVERSATION_UNKNOWN.value
    if _unavailable(session, holder_id, conversation.professional_id, now):
        return ErrorCode.MESSAGE_PRO_UNAVAILABLE.value
    if any(_document_problem(session, holder_id, a) for a in data.get("attachments", [])):
        return ErrorCode.MESSAGE_ATTACHMENT.value
    return None


def accept(*, session: Session, holder_id: str, record: Record, now: datetime) -> None:
    """A new conversation or message of the holder: the server's facts replace what the device
    said (names, times, attachment titles), and a message is delivered to the professional."""
    data = dict(record.data)
    if record.collection == "conversation":
        pro = session.get(Professional, str(data["professional_id"]))
        assert pro is not None  # checked by `check_push`
        session.add(
            Conversation(
                holder_id=holder_id,
                professional_id=pro.id,
                record_id=record.id,
                started_by="holder",
                created_at=now,
                last_at=now,
            )
        )
        record.data = (
            data | _pro_facts(pro) | {"started_by": "holder", "archived": bool(data.get("archived"))}
        )
        return
    conversation = _conversation_of(session, holder_id, str(data["conversation_id"]))
    assert conversation is not None  # checked by `check_push`
    attachments = [_attachment_facts(session, holder_id, a) for a in data.get("attachments", [])]
    record.data = data | {"sent_at": now.isoformat(), "attachments": attachments, "read": True}
    _deliver(session, conversation, record.id, "holder", now)
    conversation.pro_unread += 1
    session.add(conversation)


def _attachment_facts(session: Session, holder_id: str, attachment: dict[str, Any]) -> dict[str, Any]:
    if attachment.get("kind") != "document":
        return attachment
    document = session.get(Record, (holder_id, str(attachment["document_id"])))
    assert document is not None
    return {
        "kind": "document",
        "document_id": document.id,
        "title": str(document.data.get("title", ""))[:200],
        "mime": str(document.data.get("mime", "")),
    }


def _pro_facts(pro: Professional) -> dict[str, str]:
    return {
        "professional_id": pro.id,
        "professional_name": f"{pro.first_name} {pro.last_name}",
        "profession": pro.profession,
    }


def _deliver(
    session: Session, conversation: Conversation, record_id: str, sender: str, now: datetime
) -> None:
    conversation.count += 1
    conversation.last_at = now
    session.add(
        MessageDelivery(
            conversation_id=conversation.id,
            holder_id=conversation.holder_id,
            record_id=record_id,
            n=conversation.count,
            sender=sender,
            at=now,
        )
    )


def holder_file(
    *, session: Session, ctx: Context, holder: Holder, message_id: str, index: int
) -> tuple[str, Iterator[bytes]]:
    """The bytes of a file joined to one of the holder's messages (a professional's, usually)."""
    record = session.get(Record, (holder.id, message_id))
    if record is None or record.collection != "message" or record.deleted or not gatekeeper.visible(record):
        raise DomainError(ErrorCode.NOT_FOUND)
    attachment = _attachment_at(record, index)
    if attachment.get("kind") != "file":
        raise DomainError(ErrorCode.MESSAGE_ATTACHMENT)
    sha256 = str(attachment["sha256"])
    return str(attachment["mime"]), _upload_bytes(session, ctx, holder.id, sha256, record.data)


def _attachment_at(record: Record, index: int) -> dict[str, Any]:
    attachments = record.data.get("attachments", [])
    if not 0 <= index < len(attachments):
        raise DomainError(ErrorCode.MESSAGE_ATTACHMENT)
    return dict(attachments[index])


def _upload_bytes(
    session: Session, ctx: Context, holder_id: str, sha256: str, data: dict[str, Any]
) -> Iterator[bytes]:
    """The bytes of a file, found within the audience of the item that holds it."""
    upload = record_access.upload_of(session, holder_id, sha256, gatekeeper.audience(data))
    if upload is None or not upload.complete:
        raise DomainError(ErrorCode.MESSAGE_FILE_PENDING)  # the phone has not sent the file yet
    return record_access.pieces(ctx.blobs.open(upload.id))


# --- the professional's side ------------------------------------------------------------------------


def _ask(
    session: Session,
    ctx: Context,
    holder: Holder | None,
    pro: Professional,
    item: gate.Item,
    target: str,
    title: str = "",
) -> record_access.Opened:
    """The gate's answer for this professional and this conversation (a refusal is logged and
    raised; messaging needs the holder's care as it stands now: attending, authorised, care team)."""
    return record_access.ask(
        session=session,
        ctx=ctx,
        professional=pro,
        holder=holder,
        request=gate.Professional(pro.id, pro.profession),
        item=item,
        access=audit.Access(item.action, "message", "refused", target[:64], title),
    )


CONVERSATION = "conversation"  # the log's target of a conversation read or written in (its subject as title)


def _log_read(
    session: Session,
    ctx: Context,
    opened: record_access.Opened,
    target: str,
    title: str,
    mode: str = "message",
) -> None:
    """A reading through messaging: a file the holder joined (mode "message"), or the thread itself."""
    access = audit.Access("read", mode, "allowed", target[:64], title)
    record_access.log_allowed(session, ctx, opened, access, opened.verdict.secret)


def _store_file(
    session: Session, ctx: Context, holder: Holder, file: NewFile, secret: bool
) -> dict[str, Any]:
    if file.type and file.type not in document_type_codes():
        raise DomainError(ErrorCode.DOCUMENT_TYPE_UNKNOWN)
    upload, size = record_access.store_bytes(
        session=session,
        ctx=ctx,
        holder_id=holder.id,
        mime=file.mime,
        content_b64=file.content_b64,
        audience=gatekeeper.audience({SECRET: secret}),
    )
    name = file.name.replace("/", "_").replace("\\", "_")[:200] or "document"
    typed = {"type": file.type} if file.type else {}
    return {"kind": "file", "name": name, "mime": file.mime, "size": size, "sha256": upload.sha256} | typed


def _write_record(
    session: Session,
    holder_id: str,
    record_id: str,
    collection: str,
    author: str,
    data: dict[str, Any],
    now: datetime,
) -> Record:
    record = Record(
        holder_id=holder_id,
        id=record_id,
        collection=collection,
        version=1,
        seq=0,
        author=author,
        data=data,
        updated_at=now,
    )
    stamp(session, record)
    session.add(record)
    return record


def _pro_message(
    session: Session,
    ctx: Context,
    opened: record_access.Opened,
    conversation: Conversation,
    body: str,
    file: NewFile | None,
    subject: str,
) -> Record:
    """A professional's message, once the gate let them write (a line of the holder's log says so)."""
    holder, pro, secret = opened.holder, opened.professional, opened.verdict.secret
    if problem := body_problem(body):
        raise DomainError(problem)
    now = ctx.clock.now()
    attachments = [_store_file(session, ctx, holder, file, secret)] if file is not None else []
    lock_holder(session, holder.id)
    data = {
        "conversation_id": conversation.record_id,
        "body": body,
        "attachments": attachments,
        "sent_at": now.isoformat(),
        "read": False,
    }
    if secret:
        data[SECRET] = True
    record = _write_record(
        session, holder.id, record_access.new_id(), "message", f"{PRO_PREFIX}{pro.id}", data, now
    )
    _deliver(session, conversation, record.id, "professional", now)
    session.add(conversation)
    line = audit.Access("write", opened.basis, "allowed", CONVERSATION, subject)
    audit.append(session=session, holder_id=holder.id, actor=pro, access=line, at=now, secret=secret)
    # Nothing of the message, not even who wrote it, leaves the space: "you have a new message".
    notifications.notify(
        session=session, ctx=ctx, holder=holder, kind="new_message", **({"secret": True} if secret else {})
    )
    return record


def start(
    *,
    session: Session,
    ctx: Context,
    pro: Professional,
    nir: str,
    subject: str,
    body: str,
    file: NewFile | None,
    hidden_from_guardians: bool = False,
) -> tuple[Conversation, Record]:
    """A professional opens a conversation with a patient in their care, with a first message
    (a minor's secret one, with all its messages, stays out of their parents' sight)."""
    found = record_access.holder_by_nir(session, ctx, nir)
    item = gate.Item(kind="conversation", action="write", secret=hidden_from_guardians)
    opened = _ask(session, ctx, found, pro, item, CONVERSATION, subject)
    holder = opened.holder
    if problem := subject_problem(subject):
        raise DomainError(problem)
    now = ctx.clock.now()
    record_id = record_access.new_id()[
        :32
    ]  # also the professional's id of the conversation (112 random bits)
    conversation = Conversation(
        id=record_id,
        holder_id=holder.id,
        professional_id=pro.id,
        record_id=record_id,
        started_by="professional",
        created_at=now,
        last_at=now,
    )
    lock_holder(session, holder.id)
    data = _pro_facts(pro) | {"subject": subject, "started_by": "professional", "archived": False}
    if hidden_from_guardians:
        data[SECRET] = True
    _write_record(
        session, holder.id, conversation.record_id, "conversation", f"{PRO_PREFIX}{pro.id}", data, now
    )
    session.add(conversation)
    session.flush()
    record = _pro_message(session, ctx, opened, conversation, body, file, subject)
    session.commit()
    return conversation, record


def own_conversation(
    session: Session, ctx: Context, pro: Professional, conversation_id: str, action: str
) -> tuple[Conversation, record_access.Opened, Record | None]:
    """One of this professional's conversations, through the gate; any other is "not found"
    (never "not yours"), and so is one whose holder's space no longer answers."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.professional_id != pro.id:
        raise DomainError(ErrorCode.NOT_FOUND)
    holder = session.get(Holder, conversation.holder_id)
    thread = session.get(Record, (conversation.holder_id, conversation.record_id))
    secret = thread is not None and gatekeeper.secret_data(thread.data)
    subject = str(thread.data.get("subject", "")) if thread is not None else ""
    item = gate.Item(kind="message", action=action, secret=secret)
    opened = _ask(session, ctx, holder, pro, item, CONVERSATION, subject)
    return conversation, opened, thread


def reply(
    *,
    session: Session,
    ctx: Context,
    pro: Professional,
    conversation_id: str,
    body: str,
    file: NewFile | None,
) -> tuple[Conversation, Record]:
    """A professional writes again in one of their conversations (still in the holder's care)."""
    conversation, opened, thread = own_conversation(session, ctx, pro, conversation_id, "write")
    subject = str(thread.data.get("subject", "")) if thread is not None else ""
    record = _pro_message(session, ctx, opened, conversation, body, file, subject)
    session.commit()
    return conversation, record


def conversations(
    *, session: Session, ctx: Context, pro: Professional, before: tuple[datetime, str] | None = None
) -> tuple[list[tuple[Conversation, Holder, Record | None]], Conversation | None]:
    """This professional's conversations the gate still lets them read, latest activity first, a
    page at a time (and the page's last one, for the next `before`)."""
    stmt = select(Conversation, Holder).join(Holder, col(Holder.id) == col(Conversation.holder_id))
    stmt = stmt.where(Conversation.professional_id == pro.id)
    if before is not None:
        at, last_id = before
        stmt = stmt.where(
            (col(Conversation.last_at) < at)
            | ((col(Conversation.last_at) == at) & (col(Conversation.id) < last_id))
        )
    rows = session.exec(
        stmt.order_by(col(Conversation.last_at).desc(), col(Conversation.id).desc()).limit(PAGE)
    ).all()
    holders = {h.id for _, h in rows}
    grants = {
        g.holder_id: g
        for g in session.exec(
            select(Grant).where(Grant.professional_id == pro.id, col(Grant.holder_id).in_(holders))
        )
    }
    now, item, found = ctx.clock.now(), gate.Item(kind="message", action="list"), []
    for conversation, holder in rows:
        actor = professionals.gate_actor(pro, professionals.relation_of(holder, grants.get(holder.id)))
        if gate.decide(actor, gatekeeper.space_of(holder), item, now).allowed:
            found.append((conversation, holder, session.get(Record, (holder.id, conversation.record_id))))
    return found, (rows[-1][0] if len(rows) == PAGE else None)


def thread(
    *,
    session: Session,
    ctx: Context,
    pro: Professional,
    conversation_id: str,
    after: int = 0,
    reading: bool = True,
) -> tuple[Conversation, Holder, Record | None, list[tuple[MessageDelivery, Record]]]:
    """A conversation's messages in order (a page after `after`); the holder's become read. A
    reading is a line of the holder's access log (not the page that answers the professional's own
    new message)."""
    conversation, opened, thread_record = own_conversation(session, ctx, pro, conversation_id, "read")
    holder = opened.holder
    rows = session.exec(
        select(MessageDelivery)
        .where(MessageDelivery.conversation_id == conversation.id, col(MessageDelivery.n) > after)
        .order_by(col(MessageDelivery.n))
        .limit(PAGE)
    ).all()
    now, found = ctx.clock.now(), []
    for delivery in rows:
        record = session.get(Record, (holder.id, delivery.record_id))
        if record is None:
            continue
        if delivery.sender == "holder" and delivery.read_at is None:
            delivery.read_at = now
            conversation.pro_unread = max(0, conversation.pro_unread - 1)
            session.add(delivery)
        found.append((delivery, record))
    session.add(conversation)
    subject = str(thread_record.data.get("subject", "")) if thread_record is not None else ""
    if reading:
        _log_read(session, ctx, opened, CONVERSATION, subject, opened.basis)
    session.commit()
    return conversation, holder, thread_record, found


def pro_attachment(
    *, session: Session, ctx: Context, pro: Professional, conversation_id: str, message_id: str, index: int
) -> tuple[str, Iterator[bytes]]:
    """A file or document the holder joined to a message of this professional's conversation.

    The holder chose to send it, so neither the matrix nor the mask applies; the opening is
    written to the holder's access log."""
    conversation, opened, _ = own_conversation(session, ctx, pro, conversation_id, "read")
    holder = opened.holder
    delivery = session.exec(
        select(MessageDelivery).where(
            MessageDelivery.holder_id == holder.id, MessageDelivery.record_id == message_id
        )
    ).first()
    record = session.get(Record, (holder.id, message_id))
    if delivery is None or delivery.conversation_id != conversation.id or record is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    attachment = _attachment_at(record, index)
    if attachment.get("kind") == "document":
        document = session.get(Record, (holder.id, str(attachment.get("document_id"))))
        if document is None or document.deleted or document.collection != "document":
            raise DomainError(ErrorCode.MESSAGE_ATTACHMENT)
        sha256, mime, data = (
            str(document.data.get("sha256", "")),
            str(document.data.get("mime", "")),
            document.data,
        )
        target, title = record_access.log_target(document)
    else:
        sha256, mime, data = str(attachment.get("sha256", "")), str(attachment.get("mime", "")), record.data
        target, title = message_id, str(attachment.get("name", ""))
    stream = _upload_bytes(session, ctx, holder.id, sha256, data)
    _log_read(session, ctx, opened, target, title)
    session.commit()
    return mime, stream
