"""Professionals reading and feeding a holder's shared record, through the gate and the log.

Every call asks the gate (rules/gate.py) and writes its access-log entry in the same transaction
as what it does, allowed or refused; a refusal commits its entry before the error goes back.
"""

import base64
import binascii
import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import BinaryIO

from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.models.professionals import Grant, Professional
from backend_stub.models.record import Record, Upload
from backend_stub.rules import gate
from backend_stub.services import audit, gatekeeper, notifications, professionals, security
from backend_stub.services.gatekeeper import PRO_PREFIX
from backend_stub.services.professionals import grant_of
from backend_stub.services.sequence import lock_holder, stamp
from sync.protocol.errors import ErrorCode
from sync.protocol.identifiers import InvalidIdentifier, normalize_nir
from sync.protocol.reference import document_type_codes

MAX_DOCUMENT = 20 * 1024 * 1024
PAGE = 100
MIME_MAGIC = {"application/pdf": b"%PDF-", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


@dataclass(frozen=True)
class Opened:
    """A record a professional was let into, and on what basis."""

    holder: Holder
    actor: gate.Professional  # with the holder's decisions about them and how they asked
    verdict: gate.Verdict
    professional: Professional

    @property
    def basis(self) -> str:
        return self.verdict.basis

    @property
    def reason(self) -> str:
        """The stated reason, written in the log's lines of an emergency or regulator access."""
        return self.actor.reason if self.basis in ("emergency", "regulator") else ""


def holder_by_nir(session: Session, ctx: Context, nir: str) -> Holder | None:
    """The holder of a social security number, None when none is enrolled (the gate answers)."""
    try:
        digest = ctx.hasher.digest("nir", normalize_nir(nir))
    except InvalidIdentifier as exc:
        raise DomainError(exc.code) from exc
    return session.exec(select(Holder).where(Holder.nir_digest == digest)).first()


def ask(
    *,
    session: Session,
    ctx: Context,
    professional: Professional,
    holder: Holder | None,
    request: gate.Professional,
    item: gate.Item,
    access: audit.Access,
) -> Opened:
    """Ask the gate for this professional; a refusal is logged where it says and raised, an
    allowed access has its consequences (care team, first access, emergency) carried out."""
    rel = (
        professionals.relation(session=session, holder=holder, professional_id=professional.id)
        if holder is not None
        else gate.Relation()
    )
    actor = professionals.gate_actor(professional, rel, request)
    verdict = gate.decide(actor, gatekeeper.space_of(holder), item, ctx.clock.now())
    if not verdict.allowed:
        gatekeeper.refuse(
            ctx=ctx,
            session=session,
            verdict=verdict,
            holder_id=holder.id if holder is not None else None,
            who=professional,
            access=replace(access, mode=request.mode),
            actor_kind="professional",
        )
    assert holder is not None  # the gate lets no one into a space that does not exist
    opened = Opened(holder, actor, verdict, professional)
    _admitted(session, ctx, opened)
    return opened


def _admitted(session: Session, ctx: Context, opened: Opened) -> None:
    """What an allowed access changes: the care team joined with the declared consent, the first
    access recorded and told (a minor's secret act told out of the parents' sight), every
    emergency or regulator access told with its reason and kept for the unusual-use alert."""
    now, holder, pro, verdict = ctx.clock.now(), opened.holder, opened.professional, opened.verdict
    grant = grant_of(session, holder.id, pro.id)
    if verdict.join_care_team:
        grant = grant or Grant(holder_id=holder.id, professional_id=pro.id, kind="care_team", since=now)
        grant.kind, grant.consent_at, grant.revoked_at = "care_team", now, None
        grant.secret_only = verdict.secret
    if grant is not None:
        grant.first_access_at = grant.first_access_at or now
        grant.secret_only = grant.secret_only and not verdict.reveal_relation
        session.add(grant)
    secret = {"secret": True} if verdict.secret else {}
    who = {"name": f"{pro.first_name} {pro.last_name}", "profession": pro.profession}
    if verdict.notify in ("first_access", "access"):
        notifications.notify(session=session, ctx=ctx, holder=holder, kind=verdict.notify, **who, **secret)
    elif verdict.notify:
        notifications.notify(
            session=session,
            ctx=ctx,
            holder=holder,
            kind=verdict.notify,
            reason=opened.reason,
            **who,
            **secret,
        )
        security.emergency_use(session=session, ctx=ctx, professional_id=pro.id, space_id=holder.id)


def open_record(
    *,
    session: Session,
    ctx: Context,
    professional: Professional,
    nir: str,
    request: gate.Professional,
    action: str,
    target: str = "",
    kind: str = "space",
    section: str = "",
    secret: bool = False,
) -> Opened:
    """Open a patient's record (named by their number) for one action, through the gate.

    `target` names what was aimed at in a refusal's log entry ("profile" for the medical profile,
    with the `section` aimed at); `secret`: the act concerns a minor's secret item (its traces stay
    out of the parents' sight)."""
    return ask(
        session=session,
        ctx=ctx,
        professional=professional,
        holder=holder_by_nir(session, ctx, nir),
        request=request,
        item=gate.Item(kind=kind, action=action, section=section, secret=secret),
        access=audit.Access(action, request.mode, "refused", target, section[:40]),
    )


def log_allowed(
    session: Session, ctx: Context, opened: Opened, access: audit.Access, secret: bool = False
) -> None:
    """An allowed act's line in the patient's log, by the professional who opened it (the caller
    commits)."""
    audit.append(
        session=session,
        holder_id=opened.holder.id,
        actor=opened.professional,
        access=access,
        at=ctx.clock.now(),
        secret=secret,
    )


def list_documents(
    *, session: Session, ctx: Context, opened: Opened, before: int | None = None
) -> tuple[list[Record], int | None]:
    """The documents this professional may see, newest first, a page at a time (next `before`)."""
    stmt = select(Record).where(
        Record.holder_id == opened.holder.id, Record.collection == "document", col(Record.deleted).is_(False)
    )
    if before is not None:
        stmt = stmt.where(col(Record.seq) < before)
    rows = session.exec(stmt.order_by(col(Record.seq).desc()).limit(PAGE)).all()
    next_before = rows[-1].seq if len(rows) == PAGE else None
    space = gatekeeper.space_of(opened.holder)
    visible = [r for r in rows if gate.can_read_document(opened.actor, space, gatekeeper.item_of(r))]
    log_allowed(
        session, ctx, opened, audit.Access("list", opened.basis, "allowed", "documents", detail=opened.reason)
    )
    session.commit()
    return visible, next_before


def log_target(record: Record) -> tuple[str, str]:
    """What a log line names of a record: a document hidden from the patient shows neither its
    title nor its id in the patient's log (the line says only that the professional wrote)."""
    if record.data.get(gatekeeper.HIDDEN):
        return "", ""
    return record.id, str(record.data.get("title", ""))


def read_document(*, session: Session, ctx: Context, opened: Opened, document_id: str) -> Record:
    """One document's metadata, if the gate allows it (the matrix, the mask; logged either way)."""
    record = session.get(Record, (opened.holder.id, document_id))
    if record is None or record.collection != "document" or record.deleted:
        raise DomainError(ErrorCode.NOT_FOUND)
    item = gatekeeper.item_of(record)
    verdict = gate.decide(opened.actor, gatekeeper.space_of(opened.holder), item, ctx.clock.now())
    target, title = log_target(record)
    access = audit.Access("read", opened.basis, "allowed", target, title, opened.reason)
    if not verdict.allowed:
        gatekeeper.refuse(
            ctx=ctx,
            session=session,
            verdict=verdict,
            holder_id=opened.holder.id,
            who=opened.professional,
            access=access,
            actor_kind="professional",
        )
    log_allowed(session, ctx, opened, access, item.secret)
    session.commit()
    return record


def upload_of(session: Session, holder_id: str, sha256: str, audience: str) -> Upload | None:
    """The bytes of this content within one audience of the space (never across a secrecy boundary;
    what everyone of the space reads may have been sent by a helper)."""
    audiences = [audience, gatekeeper.HELPERS] if audience == "" else [audience]
    found = session.exec(
        select(Upload).where(
            Upload.holder_id == holder_id, Upload.sha256 == sha256, col(Upload.audience).in_(audiences)
        )
    ).all()
    return min(found, key=lambda u: (u.audience != audience, not u.complete), default=None)


def version_of(record: Record, version: int | None) -> dict[str, object] | None:
    """A document's details as they were in one version (None or the current one: as it stands;
    an earlier one: as a correction left it in `earlier`; another: None)."""
    if version is None or version == record.version:
        return record.data
    return next((e for e in record.data.get("earlier", ()) if e.get("version") == version), None)


def document_bytes(
    *, session: Session, ctx: Context, holder_id: str, record: Record, version: int | None = None
) -> Iterator[bytes]:
    """The bytes of the document, or of one of its earlier versions, by 1 MiB pieces (the file is
    closed when the response ends)."""
    data = version_of(record, version)
    if data is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    sha256 = str(data.get("sha256", ""))
    upload = upload_of(session, holder_id, sha256, gatekeeper.audience(record.data))
    if upload is None or not upload.complete:
        raise DomainError(ErrorCode.NOT_FOUND)
    return pieces(ctx.blobs.open(upload.id))


def new_id() -> str:
    """The id of a record someone else writes in a space: random (nothing can be derived from it)
    and in the namespace no device may create (services/gatekeeper.py)."""
    return f"pro-{uuid.uuid4().hex}"


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
    *,
    session: Session,
    ctx: Context,
    holder_id: str,
    doc_type: str,
    mime: str,
    content_b64: str,
    audience: str = "",
) -> tuple[Upload, int]:
    """A document someone else sends (a professional, an app): type known, bytes decoded and checked
    (PDF, JPEG or PNG, size), sealed once per content and audience. Returns the upload and the size."""
    if doc_type not in document_type_codes():
        raise DomainError(ErrorCode.DOCUMENT_TYPE_UNKNOWN)
    return store_bytes(
        session=session, ctx=ctx, holder_id=holder_id, mime=mime, content_b64=content_b64, audience=audience
    )


def store_bytes(
    *, session: Session, ctx: Context, holder_id: str, mime: str, content_b64: str, audience: str
) -> tuple[Upload, int]:
    """Decode, check and seal bytes someone else sends, once per content within their audience."""
    try:
        content = base64.b64decode(content_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DomainError(ErrorCode.DOCUMENT_FORMAT) from exc
    check_content(mime, content)
    sha256 = hashlib.sha256(content).hexdigest()
    upload = upload_of(session, holder_id, sha256, audience)
    if upload is None:
        upload = Upload(
            holder_id=holder_id,
            sha256=sha256,
            audience=audience,
            size=len(content),
            created_at=ctx.clock.now(),
        )
        ctx.blobs.put(upload.id, content)
        upload.offset, upload.complete = len(content), True
        session.add(upload)
    return upload, len(content)


def add_document(*, session: Session, ctx: Context, opened: Opened, new: NewDocument) -> Record:
    """Feed the record; the holder is informed (unless the document is hidden from them)."""
    now, holder, pro = ctx.clock.now(), opened.holder, opened.professional
    flags = {
        "hidden_from_patient": new.hidden_from_patient,
        "hidden_from_guardians": new.hidden_from_guardians,
    }
    upload, size = store_file(
        session=session,
        ctx=ctx,
        holder_id=holder.id,
        doc_type=new.type,
        mime=new.mime,
        content_b64=new.content_b64,
        audience=gatekeeper.audience(flags),
    )
    sha256 = upload.sha256
    lock_holder(session, holder.id)
    record = Record(
        holder_id=holder.id,
        id=new_id(),
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
            **flags,
            "author_name": f"{pro.first_name} {pro.last_name}",
            "author_profession": pro.profession,
        },
    )
    stamp(session, record)
    session.add(record)
    target, title = log_target(record)
    audit.append(
        session=session,
        holder_id=holder.id,
        actor=pro,
        access=audit.Access("write", opened.basis, "allowed", target, title),
        at=now,
        secret=new.hidden_from_guardians,
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
