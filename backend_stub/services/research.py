"""The holder's choice about research (EHDS art. 71, "Utilisation de mes données pour la recherche").

Everyone's data may serve research by default; the holder opts out without giving a reason and
may opt back in, as often as they like. Every change is a row (`ResearchChoiceChange`), so the
history is kept and shown; the latest row is the choice. `cohort` is what a data request gets:
the active spaces whose holder has not opted out, by pages of holder ids.
"""

from sqlalchemy import func
from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.models.accounts import Holder
from backend_stub.models.rights import ResearchChoiceChange
from backend_stub.services.sequence import lock_holder
from sync.protocol.rights_schemas import ResearchChange, ResearchOut
from sync.protocol.schemas import SpaceStatus

HISTORY = 50  # changes shown, newest first


def choice_of(*, session: Session, holder: Holder) -> ResearchOut:
    rows = session.exec(
        select(ResearchChoiceChange)
        .where(ResearchChoiceChange.holder_id == holder.id)
        .order_by(col(ResearchChoiceChange.seq).desc())
        .limit(HISTORY)
    ).all()
    return ResearchOut(
        opted_out=bool(rows) and rows[0].opted_out,
        history=[ResearchChange(opted_out=r.opted_out, at=r.at) for r in rows],
    )


def set_choice(*, session: Session, ctx: Context, holder: Holder, opted_out: bool) -> ResearchOut:
    """Record a change (the same choice again changes nothing), under the holder's lock."""
    lock_holder(session, holder.id)
    last = session.exec(
        select(ResearchChoiceChange)
        .where(ResearchChoiceChange.holder_id == holder.id)
        .order_by(col(ResearchChoiceChange.seq).desc())
        .limit(1)
    ).first()
    if (last.opted_out if last else False) != opted_out:
        seq = (last.seq if last else 0) + 1
        session.add(
            ResearchChoiceChange(holder_id=holder.id, seq=seq, opted_out=opted_out, at=ctx.clock.now())
        )
    session.commit()
    return choice_of(session=session, holder=holder)


def cohort(*, session: Session, after: str = "", limit: int = 1000) -> list[str]:
    """The next page of holder ids (after `after`, in id order) whose data may serve research: an
    active space, and no opt-out as the latest choice. One query per page, on the primary keys."""
    latest = (
        select(ResearchChoiceChange.holder_id, func.max(ResearchChoiceChange.seq).label("seq"))
        .group_by(col(ResearchChoiceChange.holder_id))
        .subquery()
    )
    opted_out = (
        select(ResearchChoiceChange.holder_id)
        .join(
            latest,
            (col(ResearchChoiceChange.holder_id) == latest.c.holder_id)
            & (col(ResearchChoiceChange.seq) == latest.c.seq),
        )
        .where(col(ResearchChoiceChange.opted_out).is_(True))
    )
    rows = session.exec(
        select(Holder.id)
        .where(
            Holder.status == SpaceStatus.ACTIVE,
            col(Holder.id) > after,
            col(Holder.id).not_in(opted_out),
        )
        .order_by(col(Holder.id))
        .limit(limit)
    ).all()
    return list(rows)
