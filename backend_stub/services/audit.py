"""The access log: append-only, linked per holder, written in the caller's transaction.

Each entry's link (`hash`) is an HMAC-SHA256 of its fields and the previous entry's link, under
a log key that is not in the database (`ENS_LOG_KEYS`, rotatable: the entry names its key in
`kid`). Changing, removing or inserting an entry breaks every link after it, and whoever writes
the database cannot compute new links. Cutting the end of a log (and moving the head back) or
erasing it leaves no broken link: the signed checkpoints of the heads, written outside the
database (`evidence/checkpoints.py`), show those. The chain is per holder (its head kept on
the holder row, taken under the holder's lock), so it shards with the holder and never needs a
global lock. `check` says what is wrong with one holder's log; `verify-log` runs it for all.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import event, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from backend_stub.core.clock import as_utc
from backend_stub.evidence.checkpoints import Checkpointed
from backend_stub.evidence.log_evidence import evidence_of
from backend_stub.models.access_log import AccessEntry
from backend_stub.models.accounts import Holder
from backend_stub.sealed_blobs import MasterKeys

GENESIS = "0" * 64
HEADS, ENTRIES, PURGED = "log_heads", "log_entries", "log_purged"  # kept in `session.info` until commit


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


def _fields(entry: AccessEntry) -> bytes:
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
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_link(entry: AccessEntry, keys: MasterKeys) -> str:
    """The entry's link: HMAC-SHA256 of its fields (the previous link included) under key `kid`."""
    key = keys.keys.get(entry.kid)
    if key is None:
        return ""  # a key no longer configured (or none): the link cannot be confirmed
    return hmac.new(key, entry.kid.encode() + b"|" + _fields(entry), hashlib.sha256).hexdigest()


def legacy_digest(entry: AccessEntry) -> str:
    """The link before issue #15: plain SHA-256, which anyone could recompute (`relink`)."""
    return hashlib.sha256(_fields(entry)).hexdigest()


def append(
    *, session: Session, holder_id: str, actor: Actor, access: Access, at: datetime, secret: bool = False
) -> AccessEntry:
    """Add one entry at the end of the holder's chain (commit is the caller's, with its action).

    The UPDATE ... RETURNING takes the holder's row lock and the next number in one statement;
    the new head goes to the checkpoints once the caller's transaction is committed. A line
    about a minor's secret item (`secret`) takes no number in the parents' numbering, so the log
    they read has no gap that would tell them something happened."""
    evidence = evidence_of(session)
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
        kid=evidence.keys.current,
    )
    entry.hash = entry_link(entry, evidence.keys)
    session.execute(
        update(Holder)
        .where(col(Holder.id) == holder_id)
        .values(log_head=entry.hash)
        .execution_options(synchronize_session=False)
    )
    session.add(entry)
    session.info.setdefault(HEADS, {})[holder_id] = (seq, entry.hash)
    session.info[ENTRIES] = session.info.get(ENTRIES, 0) + 1
    return entry


def purged(*, session: Session, holder_ids: list[str]) -> None:
    """These holders' spaces are deleted for good in this transaction: the next checkpoint says
    so, and their logs are no longer expected."""
    session.info.setdefault(PURGED, set()).update(holder_ids)


@event.listens_for(OrmSession, "after_commit")
def _committed(session: OrmSession) -> None:
    heads, entries = session.info.pop(HEADS, None), session.info.pop(ENTRIES, 0)
    gone = session.info.pop(PURGED, None)
    if heads or gone:
        evidence = evidence_of(session)
        if gone:
            evidence.checkpoints.purged(gone)
        if heads:
            evidence.checkpoints.committed(heads, entries)


@event.listens_for(OrmSession, "after_rollback")
def _rolled_back(session: OrmSession) -> None:
    for key in (HEADS, ENTRIES, PURGED):
        session.info.pop(key, None)


def verify(*, session: Session, holder_id: str, batch: int = 1000) -> int | None:
    """The sequence number of the first broken link of a holder's chain, or None if intact."""
    keys = evidence_of(session).keys
    prev, expected_seq, after = GENESIS, 1, 0
    while True:
        rows = session.exec(
            select(AccessEntry)
            .where(AccessEntry.holder_id == holder_id, col(AccessEntry.seq) > after)
            .order_by(col(AccessEntry.seq))
            .limit(batch)
        ).all()
        for entry in rows:
            if entry.seq != expected_seq or entry.prev_hash != prev or entry_link(entry, keys) != entry.hash:
                return expected_seq
            prev, expected_seq = entry.hash, expected_seq + 1
        if len(rows) < batch:
            head = session.exec(select(Holder.log_seq, Holder.log_head).where(Holder.id == holder_id)).first()
            head_ok = head is not None and head[0] == expected_seq - 1 and (head[1] or GENESIS) == prev
            return None if head_ok else expected_seq
        after = rows[-1].seq


@dataclass(frozen=True)
class Finding:
    """What is wrong with one holder's log: `rewritten` (a link does not hold), `truncated` (the
    database has fewer entries than a checkpoint signed), `erased` (none left of a signed log)."""

    kind: str
    seq: int
    note: str = ""


def check(*, session: Session, holder_id: str, checkpointed: Checkpointed | None) -> Finding | None:
    """What the database holds against the checkpoints' word (erased, cut), then the links."""
    count = session.exec(select(Holder.log_seq).where(Holder.id == holder_id)).first() or 0
    kept = None
    if checkpointed is not None and checkpointed.seq > 0:
        signed = f"checkpoint {checkpointed.where} signed {checkpointed.seq} entries, the database has"
        if not count or session.get(AccessEntry, (holder_id, 1)) is None:
            return Finding("erased", 1, f"{signed} none")
        kept = session.get(AccessEntry, (holder_id, checkpointed.seq))
        if count < checkpointed.seq or kept is None:
            return Finding("truncated", min(count, checkpointed.seq) + 1, f"{signed} {count}")
    broken = verify(session=session, holder_id=holder_id)
    if broken is not None:
        return Finding("rewritten", broken)
    if kept is not None and checkpointed is not None and kept.hash != checkpointed.head:
        return Finding("rewritten", checkpointed.seq, "not the entry the checkpoint signed")
    return None


def needs_relink(*, session: Session, holder_id: str) -> bool:
    """Whether the holder's log starts with entries of before issue #15 (no key id)."""
    first = session.get(AccessEntry, (holder_id, 1))
    return first is not None and not first.kid


def relink(*, session: Session, holder_id: str, batch: int = 1000) -> bool:
    """Link a holder's log of before issue #15 (plain SHA-256 links, `kid` empty, possibly
    followed by entries linked since) again under the current log key, after checking that every
    old link holds: a broken chain is left as it is (False), for `verify-log` to report, rather
    than laundered. One transaction per holder."""
    keys = evidence_of(session).keys
    prev_old = prev_new = GENESIS
    after = count = 0
    while rows := session.exec(
        select(AccessEntry)
        .where(AccessEntry.holder_id == holder_id, col(AccessEntry.seq) > after)
        .order_by(col(AccessEntry.seq))
        .limit(batch)
    ).all():
        for entry in rows:
            count += 1
            link = entry_link(entry, keys) if entry.kid else legacy_digest(entry)
            if entry.seq != count or entry.prev_hash != prev_old or link != entry.hash:
                session.rollback()
                return False
            prev_old = entry.hash
            entry.prev_hash, entry.kid = prev_new, keys.current
            entry.hash = prev_new = entry_link(entry, keys)
            session.add(entry)
        after = rows[-1].seq
        session.flush()
    holder = session.exec(select(Holder.log_seq, Holder.log_head).where(Holder.id == holder_id)).first()
    if holder is None or holder[0] != count or (holder[1] or GENESIS) != prev_old:
        session.rollback()
        return False
    session.execute(update(Holder).where(col(Holder.id) == holder_id).values(log_head=prev_new))
    session.info.setdefault(HEADS, {})[holder_id] = (count, prev_new)  # the next checkpoint has it
    session.commit()
    return True


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
