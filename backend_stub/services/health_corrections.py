"""Corrections of health data (EHDS art. 6): the holder asks the author of a profile entry to
correct it; the author accepts (a new version of the entry, the one before kept with the request)
or refuses with a reason; the holder sees where each request stands.

Only entries a professional wrote are asked of their author (the holder changes their own
entries themself). The holder's request goes through the gate as any holder route; the author's
listing and answer open the record through the gate (`record_access.open_record`), are written
to the access log and told to the holder.
"""

from typing import Any

from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.models.record import Record
from backend_stub.models.rights import HealthCorrection
from backend_stub.services import audit, gatekeeper, notifications
from backend_stub.services.gatekeeper import PRO_PREFIX
from backend_stub.services.record_access import Opened
from backend_stub.services.sequence import lock_holder, stamp
from sync.protocol import profile
from sync.protocol.errors import ErrorCode
from sync.protocol.rights_schemas import (
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
    if record.collection != "profile_entry" or author is None:
        raise DomainError(ErrorCode.CORRECTION_NOT_CORRECTABLE)
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
                section=_section(record),
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


def _pro_out(row: HealthCorrection, record: Record | None) -> ProHealthCorrection:
    return ProHealthCorrection(
        id=row.id,
        record_id=row.record_id,
        section=_section(record),
        entry=record.data if record is not None else {},
        note=row.note,
        status=HealthCorrectionStatus(row.status),
        reason=row.reason,
        created_at=row.created_at,
        decided_at=row.decided_at,
    )


def for_author(*, session: Session, ctx: Context, opened: Opened) -> list[ProHealthCorrection]:
    """The requests this patient sent this professional about their entries, newest first; the
    reading is a line of the patient's log."""
    rows = session.exec(
        select(HealthCorrection)
        .where(
            HealthCorrection.professional_id == opened.professional.id,
            HealthCorrection.holder_id == opened.holder.id,
        )
        .order_by(col(HealthCorrection.created_at).desc())
        .limit(MAX_LISTED)
    ).all()
    access = audit.Access("list", opened.basis, "allowed", TARGET, detail=opened.reason)
    audit.append(
        session=session,
        holder_id=opened.holder.id,
        actor=opened.professional,
        access=access,
        at=ctx.clock.now(),
    )
    out = [_pro_out(row, session.get(Record, (row.holder_id, row.record_id))) for row in rows]
    session.commit()
    return out


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
    lock_holder(session, holder.id)
    record = session.get(Record, (holder.id, row.record_id))
    if record is None or record.deleted or record.author != f"{PRO_PREFIX}{pro.id}":
        raise DomainError(ErrorCode.NOT_FOUND)
    if decision.accept:
        data = _corrected(record, decision.fields, now.date())
        row.previous = dict(record.data)
        record.data, record.version, record.updated_at = data, record.version + 1, now
        stamp(session, record)
        session.add(record)
    else:
        if problem := reason_problem(decision.reason):
            raise DomainError(problem, fields=["reason"])
        row.reason = decision.reason.strip()
    row.status = (
        HealthCorrectionStatus.ACCEPTED if decision.accept else HealthCorrectionStatus.REFUSED
    ).value
    row.decided_at = now
    session.add(row)
    secret = gatekeeper.secret_data(record.data)
    access = audit.Access("write", opened.basis, "allowed", "profile", _section(record), row.status)
    audit.append(session=session, holder_id=holder.id, actor=pro, access=access, at=now, secret=secret)
    notifications.notify(
        session=session,
        ctx=ctx,
        holder=holder,
        kind=f"health_correction_{row.status}",
        name=f"{pro.first_name} {pro.last_name}",
        **({"secret": True} if secret else {}),
    )
    session.commit()
    session.refresh(row)
    return _pro_out(row, record)
