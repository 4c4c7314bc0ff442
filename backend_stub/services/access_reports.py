"""'Report this access': the holder flags a line of their access log, and may block its author.

The report is kept for the insurer's follow-up (`python -m backend_stub access-reports`). Blocking
goes through the same rule as 'Bloquer' in 'Mes professionnels', so a blocked professional is
refused everywhere, emergency access included, and the refusals are logged.
"""

from collections.abc import Iterable

from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.errors import DomainError
from backend_stub.models.access_log import AccessEntry, AccessReport
from backend_stub.models.accounts import Holder
from backend_stub.models.professionals import Professional
from backend_stub.rules import gate
from backend_stub.services import gatekeeper, professionals
from sync.protocol.errors import ErrorCode


def report(
    *, session: Session, ctx: Context, holder: Holder, seq: int, note: str, block: bool
) -> AccessReport:
    """Flag the log line numbered `seq` as the member asking sees it (a minor's parents number
    lines in their own numbering, where the secret items' lines have none); again: the new note
    replaces the old; a block stays."""
    number = AccessEntry.gseq if gatekeeper.parents() else AccessEntry.seq
    entry = session.exec(select(AccessEntry).where(AccessEntry.holder_id == holder.id, number == seq)).first()
    if entry is None or not gatekeeper.may_see(gate.Item(kind="log_entry", secret=entry.gseq is None)):
        raise DomainError(ErrorCode.NOT_FOUND)
    seq = entry.seq
    if block and session.get(Professional, entry.actor_id) is None:
        raise DomainError(ErrorCode.REPORT_CANNOT_BLOCK)
    found = session.exec(
        select(AccessReport).where(AccessReport.holder_id == holder.id, AccessReport.entry_seq == seq)
    ).first()
    flagged = found or AccessReport(holder_id=holder.id, entry_seq=seq, actor_id=entry.actor_id)
    flagged.note, flagged.at = note.strip(), ctx.clock.now()
    flagged.blocked = flagged.blocked or block
    session.add(flagged)
    if block:  # commits the report with the block, in one transaction
        pro_id = entry.actor_id
        professionals.revoke(session=session, ctx=ctx, holder=holder, professional_id=pro_id, block=True)
    else:
        session.commit()
    session.refresh(flagged)
    return flagged


def reported_seqs(*, session: Session, holder_id: str, seqs: Iterable[int]) -> set[int]:
    """Which of these log lines the holder has reported."""
    wanted = list(seqs)
    if not wanted:
        return set()
    rows = session.exec(
        select(AccessReport.entry_seq).where(
            AccessReport.holder_id == holder_id, col(AccessReport.entry_seq).in_(wanted)
        )
    )
    return set(rows)


def all_reports(*, session: Session, limit: int = 100) -> list[AccessReport]:
    """The newest reports first, for the insurer."""
    return list(session.exec(select(AccessReport).order_by(col(AccessReport.at).desc()).limit(limit)))
