"""Administrative data as the insurer holds it, and the holder's requests to correct it.

The holder asks; the insurer decides (commands `corrections` and `correct`). Accepting applies
the value to the holder's row and tells the holder, in the same transaction.
"""

from dataclasses import dataclass, replace
from datetime import date

from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.models.administrative import CorrectionRequest
from backend_stub.rules import gate
from backend_stub.services import audit, gatekeeper, notifications
from backend_stub.services.sequence import lock_holder
from sync.protocol.admin_schemas import (
    AdministrativeData,
    CorrectionCreate,
    CorrectionOut,
    CorrectionStatus,
    correction_problems,
    normalize_value,
)
from sync.protocol.errors import ErrorCode

MAX_LISTED = 100  # a holder's requests shown (newest first); a person asks a handful in a lifetime


def data_of(holder: Holder) -> AdministrativeData:
    return AdministrativeData(
        last_name=holder.last_name,
        first_name=holder.first_name,
        birth_date=holder.birth_date,
        postal_address=holder.postal_address,
        insurer=holder.insurer or None,
    )


def current_value(holder: Holder, field: str) -> str:
    value = getattr(holder, field)
    return value.isoformat() if isinstance(value, date) else str(value or "")


def correction_out(row: CorrectionRequest) -> CorrectionOut:
    return CorrectionOut(
        id=row.id,
        field=row.field,
        value=row.value,
        note=row.note,
        status=CorrectionStatus(row.status),
        created_at=row.created_at,
        decided_at=row.decided_at,
    )


def request_correction(
    *, session: Session, ctx: Context, holder: Holder, body: CorrectionCreate
) -> CorrectionRequest:
    """Check the request as the app did; one open request per field at a time."""
    now = ctx.clock.now()
    problems = correction_problems(body.field, body.value, body.note, now.date())
    if problems:
        code, params = next(iter(problems.values()))
        raise DomainError(code, fields=sorted(problems), **params)
    value = normalize_value(body.field, body.value)
    if value == current_value(holder, body.field):
        raise DomainError(ErrorCode.ADMIN_SAME_VALUE, fields=["value"])
    lock_holder(session, holder.id)  # two requests at once cannot both find none open
    already = session.exec(
        select(CorrectionRequest.id).where(
            CorrectionRequest.holder_id == holder.id,
            CorrectionRequest.field == body.field,
            CorrectionRequest.status == CorrectionStatus.OPEN.value,
        )
    ).first()
    if already is not None:
        raise DomainError(ErrorCode.ADMIN_ALREADY_OPEN, fields=["field"])
    row = CorrectionRequest(
        holder_id=holder.id, field=body.field, value=value, note=body.note.strip(), created_at=now
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def requests_of(*, session: Session, holder: Holder) -> list[CorrectionRequest]:
    """The holder's requests, newest first."""
    return list(
        session.exec(
            select(CorrectionRequest)
            .where(CorrectionRequest.holder_id == holder.id)
            .order_by(col(CorrectionRequest.created_at).desc())
            .limit(MAX_LISTED)
        ).all()
    )


def open_requests(*, session: Session, limit: int = 50) -> list[tuple[CorrectionRequest, Holder]]:
    """The insurer's queue: open requests, oldest first, with whom they concern."""
    rows = session.exec(
        select(CorrectionRequest, Holder)
        .join(Holder, col(Holder.id) == col(CorrectionRequest.holder_id))
        .where(CorrectionRequest.status == CorrectionStatus.OPEN.value)
        .order_by(col(CorrectionRequest.created_at))
        .limit(limit)
    ).all()
    return [(row, holder) for row, holder in rows]


INSURER = audit.Access("write", "operator", "allowed", "administrative")


@dataclass(frozen=True)
class InsurerActor:
    """The insurer's agent deciding a correction, as the holder's log names them."""

    id: str = "insurer"
    first_name: str = "Assurance Maladie"
    last_name: str = ""
    profession: str = "insurer"


def decide(*, session: Session, ctx: Context, request_id: str, accept: bool) -> CorrectionRequest:
    """The insurer accepts (the holder's data changes) or rejects, through the gate (an operator's
    act on a space, written to its log); the holder is told either way."""
    row = session.get(CorrectionRequest, request_id)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    if row.status != CorrectionStatus.OPEN.value:
        raise DomainError(ErrorCode.ADMIN_DECIDED)
    holder = session.get(Holder, row.holder_id)
    item = gate.Item(kind="administrative", action="write")
    verdict = gate.decide(gate.Operator("correct"), gatekeeper.space_of(holder), item, ctx.clock.now())
    if holder is None or not verdict.allowed:
        raise DomainError(ErrorCode.NOT_FOUND)
    line = replace(INSURER, target_title=row.field, detail="accepted" if accept else "rejected")
    audit.append(session=session, holder_id=holder.id, actor=InsurerActor(), access=line, at=ctx.clock.now())
    if accept:
        value = date.fromisoformat(row.value) if row.field == "birth_date" else row.value
        setattr(holder, row.field, value)
        session.add(holder)
    row.status = (CorrectionStatus.ACCEPTED if accept else CorrectionStatus.REJECTED).value
    row.decided_at = ctx.clock.now()
    session.add(row)
    notifications.notify(
        session=session, ctx=ctx, holder=holder, kind=f"correction_{row.status}", field=row.field
    )
    session.commit()
    session.refresh(row)
    return row
