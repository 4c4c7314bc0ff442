"""The holder's change feed: the write lock taken first, and the numbers every change takes.

Every change takes the next number of the holder's own sequence (`Holder.last_seq`, bumped
under the holder's row lock), and of the feeds of those who may see it: the holder's (`vseq`)
skips what a professional hid from the patient, a minor's parents' (`gseq`) skips the minor's
secret items too, a helper's (`hseq`, `hmseq` with the messages right) what the holder masked from
their helpers (and, in `hseq`, messages). Every service that writes a record (sync, messages,
professionals' writes, apps) numbers it here.
"""

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import update
from sqlmodel import Session, col

from backend_stub.models.accounts import Holder
from backend_stub.models.record import Record
from backend_stub.rules.gate import MESSAGING
from backend_stub.services import gatekeeper


class Numbered(Protocol):
    """A record about to be written (a `Record` row, or a push's new record kept out of the ORM)."""

    collection: str
    data: dict[str, Any]
    deleted: bool
    seq: int
    vseq: int | None
    gseq: int | None
    hseq: int | None
    hmseq: int | None


FEEDS = ("vseq", "gseq", "hseq", "hmseq")  # the readers' numberings, each `Holder.last_<feed>`


def lock_holder(session: Session, holder_id: str) -> None:
    """Take the holder's write lock first (a no-op UPDATE): PostgreSQL locks the row, SQLite the
    database, so two pushes of one holder never read the same state and both apply it."""
    session.execute(update(Holder).where(col(Holder.id) == holder_id).values(last_seq=col(Holder.last_seq)))


def _unnumbered(record: Numbered) -> tuple[bool, bool, bool, bool]:
    """Which feeds the record stays out of: hidden from the patient (all), secret from a minor's
    parents, masked from helpers (and, in `hseq`, messages). An item's hiding and secrecy are fixed
    when it is written, so its tombstone stays as hidden as it was; a helper's masking follows the
    holder's flag, and a masked item's tombstone stays masked."""
    known = record.seq > 0
    hidden = bool(record.data.get(gatekeeper.HIDDEN)) or (known and record.vseq is None)
    secret = hidden or gatekeeper.secret_data(record.data) or (known and record.gseq is None)
    gone = record.deleted and known
    masked = hidden or bool(record.data.get(gatekeeper.MASKED_FROM_HELPERS))
    masked_m = masked or (gone and record.hmseq is None)
    masked_h = masked_m or record.collection in MESSAGING or (gone and record.hseq is None)
    return hidden, secret, masked_h, masked_m


def _returning() -> list[Any]:
    return [col(Holder.last_seq)] + [col(getattr(Holder, f"last_{feed}")) for feed in FEEDS]


def stamp(session: Session, record: Record) -> None:
    """Give a new or changed record the next number of the holder's sequence, and of the feeds of
    those who may see it (one UPDATE, which locks the holder's row until commit)."""
    out = _unnumbered(record)
    bumps = {
        f"last_{feed}": col(getattr(Holder, f"last_{feed}")) + (0 if skip else 1)
        for feed, skip in zip(FEEDS, out, strict=True)
    }
    seq, *numbers = session.execute(
        update(Holder)
        .where(col(Holder.id) == record.holder_id)
        .values(last_seq=col(Holder.last_seq) + 1, **bumps)
        .returning(*_returning())
        .execution_options(synchronize_session=False)
    ).one()
    record.seq = seq
    for feed, skip, number in zip(FEEDS, out, numbers, strict=True):
        setattr(record, feed, None if skip else number)


@dataclass
class Numbers:
    """A holder's last numbers, read once under its write lock and handed out in memory, then
    written back once: a page of changes costs two statements on the holder, not one per record."""

    holder_id: str
    seq: int
    last: list[int]  # the last number of each feed of `FEEDS`

    @classmethod
    def lock(cls, session: Session, holder_id: str) -> "Numbers":
        """Take the holder's write lock (as `lock_holder`) and read its numbers in one UPDATE."""
        seq, *last = session.execute(
            update(Holder)
            .where(col(Holder.id) == holder_id)
            .values(last_seq=col(Holder.last_seq))
            .returning(*_returning())
            .execution_options(synchronize_session=False)
        ).one()
        return cls(holder_id, seq, list(last))

    def stamp(self, record: Numbered) -> None:
        """What `stamp` does, without a statement."""
        out = _unnumbered(record)
        self.seq += 1
        record.seq = self.seq
        for i, (feed, skip) in enumerate(zip(FEEDS, out, strict=True)):
            self.last[i] += 0 if skip else 1
            setattr(record, feed, None if skip else self.last[i])

    def save(self, session: Session) -> None:
        values = {f"last_{feed}": n for feed, n in zip(FEEDS, self.last, strict=True)}
        session.execute(
            update(Holder)
            .where(col(Holder.id) == self.holder_id)
            .values(last_seq=self.seq, **values)
            .execution_options(synchronize_session=False)
        )
