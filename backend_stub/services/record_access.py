"""Professionals reading and feeding a holder's shared record, through the rules and the log.

Every call writes its access-log entry in the same transaction as what it does, allowed or
refused; a refusal commits its entry before the error goes back.
"""

import base64
import binascii
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.errors import DomainError
from backend_stub.models import Grant, Holder, Professional, Record, Upload
from backend_stub.rules.access import Actor, Decision, DocumentFacts, Request, access_basis, can_read
from backend_stub.services import audit, notifications, professionals
from backend_stub.services.professionals import grant_of, relation
from backend_stub.services.sync import lock_holder, next_seq
from sync.protocol.errors import ErrorCode
from sync.protocol.identifiers import InvalidIdentifier, normalize_nir
from sync.protocol.reference import document_type_codes
from sync.protocol.schemas import SpaceStatus

MAX_DOCUMENT = 20 * 1024 * 1024
PAGE = 100
MIME_MAGIC = {"application/pdf": b"%PDF-", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
PRO_PREFIX = "professional:"


@dataclass(frozen=True)
class Opened:
    """A record a professional was let into, and on what basis."""

    holder: Holder
    actor: Actor
    decision: Decision
    professional: Professional


def _author_id(record: Record) -> str | None:
    return record.author.removeprefix(PRO_PREFIX) if record.author.startswith(PRO_PREFIX) else None


def facts(record: Record) -> DocumentFacts:
    return DocumentFacts(
        type=str(record.data.get("type", "other")),
        masked=bool(record.data.get("masked")),
        author_id=_author_id(record),
    )


def holder_by_nir(session: Session, ctx: Context, nir: str) -> Holder:
    try:
        digest = ctx.hasher.digest("nir", normalize_nir(nir))
    except InvalidIdentifier as exc:
        raise DomainError(exc.code) from exc
    holder = session.exec(select(Holder).where(Holder.nir_digest == digest)).first()
    if holder is None or holder.status not in (SpaceStatus.ACTIVE, SpaceStatus.CLOSED):
        raise DomainError(ErrorCode.PATIENT_NOT_FOUND)
    return holder


def _log(
    session: Session, ctx: Context, opened_or_holder: Holder, pro: Professional, access: audit.Access
) -> None:
    audit.append(session=session, holder_id=opened_or_holder.id, actor=pro, access=access, at=ctx.clock.now())


def open_record(
    *,
    session: Session,
    ctx: Context,
    professional: Professional,
    nir: str,
    request: Request,
    action: str,
    target: str = "",
) -> Opened:
    """Apply the access rules; log and raise on refusal; record consent and notify on first access.

    `target` names what was aimed at in a refusal's log entry ("profile" for the medical profile)."""
    holder = holder_by_nir(session, ctx, nir)
    actor = professionals.actor(professional)
    request = Request(
        request.mode,
        request.reason,
        request.consent_declared,
        holder.emergency_access,
        holder.regulator_access,
    )
    now = ctx.clock.now()
    decision = access_basis(
        actor, relation(session=session, holder=holder, professional_id=professional.id), request, now
    )
    if decision.allowed and holder.status != SpaceStatus.ACTIVE:
        decision = Decision(False, refusal=ErrorCode.PATIENT_NOT_FOUND)
    if not decision.allowed:
        assert decision.refusal is not None
        _log(
            session,
            ctx,
            holder,
            professional,
            audit.Access(action, request.mode, "refused", target, detail=decision.refusal.value),
        )
        session.commit()
        raise DomainError(decision.refusal)
    grant = grant_of(session, holder.id, professional.id)
    if decision.basis == "new_care_team":
        grant = grant or Grant(
            holder_id=holder.id, professional_id=professional.id, kind="care_team", since=now
        )
        grant.kind, grant.consent_at, grant.revoked_at = "care_team", now, None
        decision = Decision(True, "care_team")
    name = f"{professional.first_name} {professional.last_name}"
    if grant is not None and grant.first_access_at is None:
        grant.first_access_at = now
        notifications.notify(
            session=session,
            ctx=ctx,
            holder=holder,
            kind="first_access",
            name=name,
            profession=professional.profession,
        )
    if grant is not None:
        session.add(grant)
    if decision.basis in ("emergency", "regulator"):
        notifications.notify(
            session=session,
            ctx=ctx,
            holder=holder,
            kind=f"{decision.basis}_access",
            name=name,
            profession=professional.profession,
            reason=request.reason,
        )
    return Opened(holder, actor, decision, professional)


def _detail(opened: Opened, request: Request) -> str:
    return request.reason if opened.decision.basis in ("emergency", "regulator") else ""


def list_documents(
    *, session: Session, ctx: Context, opened: Opened, request: Request, before: int | None = None
) -> tuple[list[Record], int | None]:
    """The documents this professional may see, newest first, a page at a time (next `before`)."""
    stmt = select(Record).where(
        Record.holder_id == opened.holder.id, Record.collection == "document", col(Record.deleted).is_(False)
    )
    if before is not None:
        stmt = stmt.where(col(Record.seq) < before)
    rows = session.exec(stmt.order_by(col(Record.seq).desc()).limit(PAGE)).all()
    next_before = rows[-1].seq if len(rows) == PAGE else None
    rel = relation(session=session, holder=opened.holder, professional_id=opened.professional.id)
    visible = [r for r in rows if can_read(opened.actor, facts(r), rel)]
    _log(
        session,
        ctx,
        opened.holder,
        opened.professional,
        audit.Access("list", opened.decision.basis, "allowed", "documents", detail=_detail(opened, request)),
    )
    session.commit()
    return visible, next_before


def _title_for_log(record: Record) -> str:
    """A document hidden from the patient must not show its title in the patient's log."""
    return "" if record.data.get("hidden_from_patient") else str(record.data.get("title", ""))


def read_document(
    *, session: Session, ctx: Context, opened: Opened, request: Request, document_id: str
) -> Record:
    """One document's metadata, if the matrix and the mask allow it (logged either way)."""
    record = session.get(Record, (opened.holder.id, document_id))
    if record is None or record.collection != "document" or record.deleted:
        raise DomainError(ErrorCode.NOT_FOUND)
    rel = relation(session=session, holder=opened.holder, professional_id=opened.professional.id)
    allowed = can_read(opened.actor, facts(record), rel)
    _log(
        session,
        ctx,
        opened.holder,
        opened.professional,
        audit.Access(
            "read",
            opened.decision.basis,
            "allowed" if allowed else "refused",
            record.id,
            _title_for_log(record),
            _detail(opened, request) if allowed else ErrorCode.DOCUMENT_NOT_READABLE.value,
        ),
    )
    session.commit()
    if not allowed:
        raise DomainError(ErrorCode.DOCUMENT_NOT_READABLE)
    return record


def document_bytes(*, session: Session, ctx: Context, holder_id: str, record: Record) -> Iterator[bytes]:
    """The document's bytes by 1 MiB pieces (the file is closed when the response ends)."""
    upload = session.exec(
        select(Upload).where(
            Upload.holder_id == holder_id, Upload.sha256 == str(record.data.get("sha256", ""))
        )
    ).first()
    if upload is None or not upload.complete:
        raise DomainError(ErrorCode.NOT_FOUND)
    return pieces(ctx.blobs.open(upload.id))


def pieces(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while piece := handle.read(1 << 20):
            yield piece


@dataclass(frozen=True)
class NewDocument:
    """A document a professional adds, with its visibility flags."""

    title: str
    type: str
    date: date
    mime: str
    content_b64: str
    hidden_from_patient: bool = False
    hidden_from_guardians: bool = False


def check_content(mime: str, content: bytes) -> None:
    """PDF, JPEG or PNG only, checked on the bytes, and not over the size limit."""
    if len(content) > MAX_DOCUMENT:
        raise DomainError(ErrorCode.DOCUMENT_TOO_LARGE, max_mb=MAX_DOCUMENT // (1024 * 1024))
    magic = MIME_MAGIC.get(mime)
    if magic is None or not content.startswith(magic):
        raise DomainError(ErrorCode.DOCUMENT_FORMAT)


def store_file(
    *, session: Session, ctx: Context, holder_id: str, doc_type: str, mime: str, content_b64: str
) -> tuple[Upload, int]:
    """A document someone else sends (a professional, an app): type known, bytes decoded and checked
    (PDF, JPEG or PNG, size), sealed once per content. Returns the upload and the size."""
    if doc_type not in document_type_codes():
        raise DomainError(ErrorCode.DOCUMENT_TYPE_UNKNOWN)
    try:
        content = base64.b64decode(content_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DomainError(ErrorCode.DOCUMENT_FORMAT) from exc
    check_content(mime, content)
    sha256 = hashlib.sha256(content).hexdigest()
    same = select(Upload).where(Upload.holder_id == holder_id, Upload.sha256 == sha256)
    upload = session.exec(same).first()
    if upload is None:
        upload = Upload(holder_id=holder_id, sha256=sha256, size=len(content), created_at=ctx.clock.now())
        ctx.blobs.write_at(upload.id, 0, content)
        upload.offset, upload.complete = len(content), True
        session.add(upload)
    return upload, len(content)


def add_document(*, session: Session, ctx: Context, opened: Opened, new: NewDocument) -> Record:
    """Feed the record; the holder is informed (unless the document is hidden from them)."""
    now, holder, pro = ctx.clock.now(), opened.holder, opened.professional
    upload, size = store_file(
        session=session,
        ctx=ctx,
        holder_id=holder.id,
        doc_type=new.type,
        mime=new.mime,
        content_b64=new.content_b64,
    )
    sha256 = upload.sha256
    lock_holder(session, holder.id)
    record = Record(
        holder_id=holder.id,
        id=f"pro-{upload.id}-{next_seq(session, holder.id)}",
        collection="document",
        version=1,
        seq=0,
        author=f"{PRO_PREFIX}{pro.id}",
        updated_at=now,
        data={
            "title": new.title[:200],
            "type": new.type,
            "date": new.date.isoformat(),
            "mime": new.mime,
            "size": size,
            "sha256": sha256,
            "masked": False,
            "hidden_from_patient": new.hidden_from_patient,
            "hidden_from_guardians": new.hidden_from_guardians,
            "author_name": f"{pro.first_name} {pro.last_name}",
            "author_profession": pro.profession,
        },
    )
    record.seq = next_seq(session, holder.id)
    session.add(record)
    _log(
        session,
        ctx,
        holder,
        pro,
        audit.Access("write", opened.decision.basis, "allowed", record.id, _title_for_log(record)),
    )
    if not new.hidden_from_patient:
        notifications.notify(
            session=session,
            ctx=ctx,
            holder=holder,
            kind="document_added",
            name=f"{pro.first_name} {pro.last_name}",
            profession=pro.profession,
            **({"secret": True} if new.hidden_from_guardians else {}),  # not shown to a minor's parents
        )
    session.commit()
    return record
