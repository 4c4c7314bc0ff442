"""The access log: append-only, hash-chained per holder, written in the caller's transaction.

Each entry's hash covers its fields and the previous entry's hash, so changing, removing or
inserting an entry breaks every link after it; `verify` finds the first broken one. The chain
is per holder (its head kept on the holder row, taken under the holder's lock), so it shards
with the holder and never needs a global lock.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import update
from sqlmodel import Session, col, select

from backend_stub.core.clock import as_utc
from backend_stub.models import AccessEntry, Holder

GENESIS = "0" * 64


class Actor(Protocol):
    """Who reached the record: a professional, or a connected app (services/apps.py)."""

    id: str
    first_name: str
    last_name: str
    profession: str


@dataclass(frozen=True)
class Access:
    """What happened: who, what, how, and whether it was allowed."""

    action: str
    mode: str
    outcome: str
    target: str = ""
    target_title: str = ""
    detail: str = ""


def entry_digest(entry: AccessEntry) -> str:
    fields = {
        "holder": entry.holder_id,
        "seq": entry.seq,
        "at": as_utc(entry.at).isoformat(),
        "actor": entry.actor_id,
        "name": entry.actor_name,
        "profession": entry.profession,
        "action": entry.action,
        "target": entry.target,
        "title": entry.target_title,
        "mode": entry.mode,
        "outcome": entry.outcome,
        "detail": entry.detail,
        "prev": entry.prev_hash,
    }
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def append(
    *, session: Session, holder_id: str, actor: Actor, access: Access, at: datetime, secret: bool = False
) -> AccessEntry:
    """Add one entry at the end of the holder's chain (commit is the caller's, with its action).

    The UPDATE ... RETURNING takes the holder's row lock and the next number in one statement. A
    line about a minor's secret item (`secret`) takes no number in the parents' numbering, so
    the log they read has no gap that would tell them something happened."""
    seq, head, gseq = session.execute(
        update(Holder)
        .where(col(Holder.id) == holder_id)
        .values(log_seq=col(Holder.log_seq) + 1, log_gseq=col(Holder.log_gseq) + (0 if secret else 1))
        .returning(col(Holder.log_seq), col(Holder.log_head), col(Holder.log_gseq))
        .execution_options(synchronize_session=False)
    ).one()
    entry = AccessEntry(
        holder_id=holder_id,
        seq=seq,
        at=at,
        actor_id=actor.id,
        actor_name=f"{actor.first_name} {actor.last_name}".strip(),
        profession=actor.profession,
        action=access.action,
        target=access.target,
        target_title=access.target_title[:200],
        mode=access.mode,
        outcome=access.outcome,
        detail=access.detail[:500],
        prev_hash=head or GENESIS,
        hash="",
        gseq=None if secret else gseq,
    )
    entry.hash = entry_digest(entry)
    session.execute(
        update(Holder)
        .where(col(Holder.id) == holder_id)
        .values(log_head=entry.hash)
        .execution_options(synchronize_session=False)
    )
    session.add(entry)
    return entry


def verify(*, session: Session, holder_id: str, batch: int = 1000) -> int | None:
    """The sequence number of the first broken link of a holder's chain, or None if intact."""
    prev, expected_seq, after = GENESIS, 1, 0
    while True:
        rows = session.exec(
            select(AccessEntry)
            .where(AccessEntry.holder_id == holder_id, col(AccessEntry.seq) > after)
            .order_by(col(AccessEntry.seq))
            .limit(batch)
        ).all()
        for entry in rows:
            if entry.seq != expected_seq or entry.prev_hash != prev or entry_digest(entry) != entry.hash:
                return expected_seq
            prev, expected_seq = entry.hash, expected_seq + 1
        if len(rows) < batch:
            head = session.exec(select(Holder.log_seq, Holder.log_head).where(Holder.id == holder_id)).first()
            head_ok = head is not None and head[0] == expected_seq - 1 and (head[1] or GENESIS) == prev
            return None if head_ok else expected_seq
        after = rows[-1].seq


def page(
    *,
    session: Session,
    holder_id: str,
    parents: bool = False,
    before: int | None = None,
    limit: int = 50,
    actor_id: str = "",
    mode: str = "",
    outcome: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[list[AccessEntry], int | None]:
    """Newest first, filtered, walking the (holder_id, seq) key; returns the next `before` or None.

    `parents`: the log as a minor's parents read it, numbered and paged by `gseq` (secret items'
    lines have none and are not there)."""
    number = col(AccessEntry.gseq) if parents else col(AccessEntry.seq)
    stmt = select(AccessEntry).where(AccessEntry.holder_id == holder_id)
    if parents:
        stmt = stmt.where(number.is_not(None))
    if before is not None:
        stmt = stmt.where(number < before)
    if actor_id:
        stmt = stmt.where(AccessEntry.actor_id == actor_id)
    if mode:
        stmt = stmt.where(AccessEntry.mode == mode)
    if outcome:
        stmt = stmt.where(AccessEntry.outcome == outcome)
    if since is not None:
        stmt = stmt.where(col(AccessEntry.at) >= since)
    if until is not None:
        stmt = stmt.where(col(AccessEntry.at) < until)
    rows = list(session.exec(stmt.order_by(number.desc()).limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more and rows else None
    return rows, (None if last is None else (last.gseq if parents else last.seq))


def holders_with_log(*, session: Session) -> list[str]:
    """Holders having at least one entry (an offline command, walking the holder table by index)."""
    return list(session.exec(select(Holder.id).where(col(Holder.log_seq) > 0)).all())
