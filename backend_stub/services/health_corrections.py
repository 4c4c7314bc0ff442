"""Corrections of health data (EHDS art. 6): the holder asks the author of a profile entry or of a
document to correct it; the author accepts (the entry's or the document's next version, the one
before kept with the request, and for a document in its list of earlier versions) or refuses with
a reason; the holder sees where each request stands.

Only what a professional wrote is asked of its author (the holder changes their own entries
themself). The holder's request goes through the gate as any holder route; the author's listing
and answer open the record through the gate (`record_access.open_record` or `ask`), are written
to the access log and told to the holder. The author's list of what waits across their patients
asks the gate patient by patient: a patient whose record it refuses (blocked, revoked, ended,
closed) is left out, the refusal logged where the gate says.
"""

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.models.professionals import Professional
from backend_stub.models.record import Record
from backend_stub.models.rights import HealthCorrection
from backend_stub.rules import gate
from backend_stub.services import audit, gatekeeper, notifications, record_access
from backend_stub.services.claims import claim
from backend_stub.services.gatekeeper import PRO_PREFIX
from backend_stub.services.record_access import Opened
from backend_stub.services.sequence import lock_holder, stamp
from sync.protocol import profile
from sync.protocol.errors import ErrorCode
from sync.protocol.rights_schemas import (
    CORRECTABLE,
    CorrectedDocument,
    HealthCorrectionCreate,
    HealthCorrectionDecision,
    HealthCorrectionOut,
    HealthCorrectionStatus,
    ProHealthCorrection,
    note_problem,
    reason_problem,
)

MAX_LISTED = 100  # a holder's requests, newest first; a person asks a handful in a lifetime
TARGET = "corrections"
# What the server adds to a professional's entry: kept through a correction, never changed by it.
KEPT = ("author_name", "author_profession", gatekeeper.SECRET, gatekeeper.HIDDEN)
VERSIONED = ("title", "date", "mime", "size", "sha256")  # what differs between a document's versions


def _section(record: Record | None) -> str:
    return str(record.data.get("section", "")) if record is not None else ""


def ask(*, session: Session, ctx: Context, holder: Holder, body: HealthCorrectionCreate) -> HealthCorrection:
    """The holder's request about one entry they see, written by a professional; one open at a time."""
    if problem := note_problem(body.note):
        raise DomainError(problem, fields=["note"])
    record = session.get(Record, (holder.id, body.record_id))
    if record is None or record.deleted or not gatekeeper.visible(record):
        raise DomainError(ErrorCode.NOT_FOUND)
    author = gatekeeper.author_id(record)
    if record.collection not in CORRECTABLE or author is None:
        raise DomainError(ErrorCode.CORRECTION_NOT_CORRECTABLE)
    lock_holder(session, holder.id)  # two requests at once cannot both find none open
    already = session.exec(
        select(HealthCorrection.id).where(
            HealthCorrection.holder_id == holder.id,
            HealthCorrection.record_id == record.id,
            HealthCorrection.status == HealthCorrectionStatus.OPEN.value,
        )
    ).first()
    if already is not None:
        raise DomainError(ErrorCode.CORRECTION_ALREADY_OPEN)
    row = HealthCorrection(
        holder_id=holder.id,
        record_id=record.id,
        professional_id=author,
        note=body.note.strip(),
        created_at=ctx.clock.now(),
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def requests_of(*, session: Session, holder: Holder) -> list[HealthCorrectionOut]:
    """The holder's requests, newest first, about entries the member asking may see."""
    rows = session.exec(
        select(HealthCorrection)
        .where(HealthCorrection.holder_id == holder.id)
        .order_by(col(HealthCorrection.created_at).desc())
        .limit(MAX_LISTED)
    ).all()
    out = []
    for row in rows:
        record = session.get(Record, (holder.id, row.record_id))
        if record is not None and not gatekeeper.visible(record):
            continue
        out.append(
            HealthCorrectionOut(
                id=row.id,
                record_id=row.record_id,
                collection=record.collection if record is not None else "profile_entry",
                section=_section(record),
                title=_title(record),
                author_name=str(record.data.get("author_name", "")) if record is not None else "",
                note=row.note,
                status=HealthCorrectionStatus(row.status),
                reason=row.reason,
                previous=row.previous or None,
                created_at=row.created_at,
                decided_at=row.decided_at,
            )
        )
    return out


def _title(record: Record | None) -> str:
    return str(record.data.get("title", "")) if record is not None and record.collection == "document" else ""


def _pro_out(
    row: HealthCorrection, record: Record | None, holder: Holder | None = None
) -> ProHealthCorrection:
    return ProHealthCorrection(
        id=row.id,
        record_id=row.record_id,
        collection=record.collection if record is not None else "profile_entry",
        section=_section(record),
        entry=record.data if record is not None else {},
        patient=f"{holder.first_name} {holder.last_name}" if holder is not None else "",
        patient_birth_date=holder.birth_date if holder is not None else None,
        note=row.note,
        status=HealthCorrectionStatus(row.status),
        reason=row.reason,
        created_at=row.created_at,
        decided_at=row.decided_at,
    )


def _listed(
    session: Session, ctx: Context, opened: Opened, rows: list[HealthCorrection], holder: Holder | None = None
) -> list[ProHealthCorrection]:
    """The requests of one patient as their author reads them; the reading is a line of the
    patient's log (the caller commits)."""
    access = audit.Access("list", opened.basis, "allowed", TARGET, detail=opened.reason)
    record_access.log_allowed(session, ctx, opened, access)
    return [_pro_out(row, session.get(Record, (row.holder_id, row.record_id)), holder) for row in rows]


def for_author(*, session: Session, ctx: Context, opened: Opened) -> list[ProHealthCorrection]:
    """The requests this patient sent this professional about what they wrote, newest first."""
    rows = session.exec(
        select(HealthCorrection)
        .where(
            HealthCorrection.professional_id == opened.professional.id,
            HealthCorrection.holder_id == opened.holder.id,
        )
        .order_by(col(HealthCorrection.created_at).desc())
        .limit(MAX_LISTED)
    ).all()
    out = _listed(session, ctx, opened, list(rows))
    session.commit()
    return out


def waiting_for(*, session: Session, ctx: Context, professional: Professional) -> list[ProHealthCorrection]:
    """Every request still waiting for this professional, across their patients, newest first.
    Each patient's record is opened through the gate to list (normal mode, no consent declared):
    one it refuses is left out, its refusal logged where the gate says."""
    rows = session.exec(
        select(HealthCorrection)
        .where(
            HealthCorrection.professional_id == professional.id,
            HealthCorrection.status == HealthCorrectionStatus.OPEN.value,
        )
        .order_by(col(HealthCorrection.created_at).desc())
        .limit(MAX_LISTED)
    ).all()
    by_holder: dict[str, list[HealthCorrection]] = {}
    for row in rows:
        by_holder.setdefault(row.holder_id, []).append(row)
    out: list[ProHealthCorrection] = []
    for holder_id, theirs in by_holder.items():
        holder = session.get(Holder, holder_id)
        try:
            opened = _open(session, ctx, professional, holder, "list")
        except DomainError:
            continue
        out += _listed(session, ctx, opened, theirs, holder)
    session.commit()
    return sorted(out, key=lambda r: r.created_at, reverse=True)


def _open(
    session: Session,
    ctx: Context,
    professional: Professional,
    holder: Holder | None,
    action: str,
    secret: bool = False,
) -> Opened:
    """The patient's record opened through the gate, asked as in normal mode without consent."""
    return record_access.ask(
        session=session,
        ctx=ctx,
        professional=professional,
        holder=holder,
        request=gate.Professional("", "", mode="normal"),
        item=gate.Item(kind="space", action=action, secret=secret),
        access=audit.Access(action, "normal", "refused", TARGET),
    )


def opened_for(*, session: Session, ctx: Context, professional: Professional, correction_id: str) -> Opened:
    """The record of the patient who sent this request, opened to answer it (when the author
    answers from the list across patients, without naming the patient): another's request, or
    none, is not found."""
    row = session.get(HealthCorrection, correction_id)
    if row is None or row.professional_id != professional.id:
        raise DomainError(ErrorCode.NOT_FOUND)
    holder = session.get(Holder, row.holder_id)
    secret_act = secret(session=session, correction_id=correction_id, professional_id=professional.id)
    return _open(session, ctx, professional, holder, "write", secret_act)


def secret(*, session: Session, correction_id: str, professional_id: str) -> bool:
    """Whether a request of this professional is about a minor's secret entry: the gate keeps the
    traces of acts on it out of the parents' sight (False for any other id: nothing to hide)."""
    row = session.get(HealthCorrection, correction_id)
    if row is None or row.professional_id != professional_id:
        return False
    record = session.get(Record, (row.holder_id, row.record_id))
    return record is not None and gatekeeper.secret_data(record.data)


def _corrected(record: Record, fields: dict[str, Any], today: Any) -> dict[str, Any]:
    """The entry with the author's corrected fields, checked as a new entry would be."""
    section = _section(record)
    entry = {k: v for k, v in record.data.items() if k not in KEPT} | fields | {"section": section}
    errors = profile.check(entry, today)
    if errors:
        raise DomainError(ErrorCode(next(iter(errors.values()))), fields=sorted(errors))
    return profile.clean(entry) | {k: record.data[k] for k in KEPT if k in record.data}


def _next_version(
    session: Session, ctx: Context, record: Record, new: CorrectedDocument | None, now: datetime
) -> dict[str, Any]:
    """The document's next version: the new bytes sealed for the same audience, its title and date
    if they change, and the version before first in `earlier` (its bytes kept; its `file_id` the
    file the devices that read it keep it in, so they keep it and fetch the new one)."""
    if new is None:
        raise DomainError(ErrorCode.REQUEST_INVALID, fields=["document"])
    data = record.data
    upload, size = record_access.store_file(
        session=session,
        ctx=ctx,
        holder_id=record.holder_id,
        doc_type=str(data.get("type", "")),
        mime=new.mime,
        content_b64=new.content_b64,
        audience=gatekeeper.audience(data),
    )
    before = {k: data.get(k) for k in VERSIONED} | {
        "version": record.version,
        "file_id": str(data.get("file_id") or record.id),
        "until": now.isoformat(),
    }
    return data | {
        "title": new.title.strip()[:200] or data.get("title", ""),
        "date": new.date.isoformat() if new.date else data.get("date", ""),
        "mime": new.mime,
        "size": size,
        "sha256": upload.sha256,
        "file_id": f"{record.id[:56]}-v{record.version + 1}",
        "earlier": [before, *data.get("earlier", [])],
    }


def decide(
    *, session: Session, ctx: Context, opened: Opened, correction_id: str, decision: HealthCorrectionDecision
) -> ProHealthCorrection:
    """The author's answer (the gate let them write to the record). Accepting writes the entry's
    next version, synced to the holder's devices, and keeps the version before with the request;
    refusing needs a reason. Logged and told to the holder either way."""
    row = session.get(HealthCorrection, correction_id)
    pro, holder = opened.professional, opened.holder
    if row is None or row.holder_id != holder.id or row.professional_id != pro.id:
        raise DomainError(ErrorCode.NOT_FOUND)
    if row.status != HealthCorrectionStatus.OPEN.value:
        raise DomainError(ErrorCode.CORRECTION_DECIDED)
    now = ctx.clock.now()
    status = (HealthCorrectionStatus.ACCEPTED if decision.accept else HealthCorrectionStatus.REFUSED).value
    # The request is taken in one statement: of answers sent at once (two server processes), one
    # decides it and writes its version; the others find it decided.
    where = (col(HealthCorrection.id) == row.id, col(HealthCorrection.status) == row.status)
    if not claim(session, HealthCorrection, *where, status=status, decided_at=now):
        raise DomainError(ErrorCode.CORRECTION_DECIDED)
    lock_holder(session, holder.id)
    record = session.get(Record, (holder.id, row.record_id))
    if record is None or record.deleted or record.author != f"{PRO_PREFIX}{pro.id}":
        raise DomainError(ErrorCode.NOT_FOUND)
    document = record.collection == "document"
    if decision.accept:
        if document:
            data = _next_version(session, ctx, record, decision.document, now)
        else:
            data = _corrected(record, decision.fields, now.date())
        row.previous = dict(record.data)
        record.data, record.version, record.updated_at = data, record.version + 1, now
        stamp(session, record)
        session.add(record)
    else:
        if problem := reason_problem(decision.reason):
            raise DomainError(problem, fields=["reason"])
        row.reason = decision.reason.strip()
    row.status, row.decided_at = status, now
    session.add(row)
    secret = gatekeeper.secret_data(record.data)
    target, about = record_access.log_target(record) if document else ("profile", _section(record))
    access = audit.Access("write", opened.basis, "allowed", target, about, row.status)
    audit.append(session=session, holder_id=holder.id, actor=pro, access=access, at=now, secret=secret)
    notifications.notify(
        session=session,
        ctx=ctx,
        holder=holder,
        kind="document_correction_accepted"
        if document and decision.accept
        else f"health_correction_{row.status}",
        name=f"{pro.first_name} {pro.last_name}",
        profession=pro.profession,
        **({"secret": True} if secret else {}),
    )
    session.commit()
    session.refresh(row)
    return _pro_out(row, record)
