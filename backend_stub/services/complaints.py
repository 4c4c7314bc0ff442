"""A complaint to the digital health authority (EHDS art. 21), from the access log or the settings.

The complaint goes by e-mail to the authority's address (`ENS_COMPLAINT_AUTHORITY`) with its
context (the access-log line it is about, as the holder sees it) and how to answer the holder; it
stays in the holder's history ("Mes droits"), sealed like their health data.
"""

import contextlib
from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.core.clock import as_utc
from backend_stub.errors import DomainError
from backend_stub.models.access_log import AccessEntry
from backend_stub.models.accounts import Holder
from backend_stub.models.rights import Complaint
from backend_stub.rules import gate
from backend_stub.services import gatekeeper
from backend_stub.services.ages import PARIS
from sync.protocol.errors import ErrorCode
from sync.protocol.i18n import moment_text
from sync.protocol.rights_schemas import ComplaintCreate, ComplaintOut, complaint_problem

MAX_LISTED = 100


def _out(row: Complaint) -> ComplaintOut:
    return ComplaintOut(
        id=row.id,
        text=row.text,
        access_seq=row.access_seq,
        authority=row.authority,
        created_at=row.created_at,
    )


def _zone(name: str) -> tzinfo:
    """The zone the person's app names, or the French calendar's when it names none it knows."""
    try:
        return ZoneInfo(name) if name else PARIS
    except (ZoneInfoNotFoundError, ValueError):
        return PARIS


def _context(session: Session, holder: Holder, seq: int, tz: tzinfo) -> str:
    """The access-log line named, as the member asking numbers and sees it (its time in their
    zone, in French: the authority reads it); else not found."""
    number = AccessEntry.gseq if gatekeeper.parents() else AccessEntry.seq
    entry = session.exec(select(AccessEntry).where(AccessEntry.holder_id == holder.id, number == seq)).first()
    if entry is None or not gatekeeper.may_see(gate.Item(kind="log_entry", secret=entry.gseq is None)):
        raise DomainError(ErrorCode.NOT_FOUND)
    what = " ".join(part for part in (entry.action, entry.target, entry.target_title) if part)
    return (
        f"{moment_text(as_utc(entry.at), tz, 'fr')} · {entry.actor_name} ({entry.profession}) · {what} · "
        f"{entry.mode} · {entry.outcome}"
    )


def file(*, session: Session, ctx: Context, holder: Holder, body: ComplaintCreate) -> ComplaintOut:
    """Keep the complaint, then send it to the authority (a failed delivery keeps the complaint)."""
    if problem := complaint_problem(body.text):
        raise DomainError(problem, fields=["text"])
    context = (
        _context(session, holder, body.access_seq, _zone(body.zone)) if body.access_seq is not None else ""
    )
    authority = ctx.settings.complaint_authority
    row = Complaint(
        holder_id=holder.id,
        text=body.text.strip(),
        access_seq=body.access_seq,
        authority=authority,
        created_at=ctx.clock.now(),
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    with contextlib.suppress(Exception):  # logged by the notifier without personal data; kept here
        ctx.notifier.send(
            "email",
            authority,
            "complaint",
            "fr",
            name=f"{holder.first_name} {holder.last_name}",
            reply_to=holder.email or holder.letter_email or "",
            context=context or "-",
            text=row.text,
            reference=row.id,
        )
    return _out(row)


def complaints_of(*, session: Session, holder: Holder) -> list[ComplaintOut]:
    rows = session.exec(
        select(Complaint)
        .where(Complaint.holder_id == holder.id)
        .order_by(col(Complaint.created_at).desc())
        .limit(MAX_LISTED)
    ).all()
    return [_out(r) for r in rows]
