"""The holder's change feed: the write lock taken first, and the numbers every change takes.

Every change takes the next number of the holder's own sequence (`Holder.last_seq`, bumped
under the holder's row lock), and of the feeds of those who may see it: the holder's (`vseq`)
skips what a professional hid from the patient, a minor's parents' (`gseq`) skips the minor's
secret items too. Every service that writes a record (sync, messages, professionals' writes,
apps) numbers it here.
"""

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import update
from sqlmodel import Session, col

from backend_stub.models.accounts import Holder
from backend_stub.models.record import Record
from backend_stub.services import gatekeeper


class Numbered(Protocol):
    """A record about to be written (a `Record` row, or a push's new record kept out of the ORM)."""

    data: dict[str, Any]
    seq: int
    vseq: int | None
    gseq: int | None


def lock_holder(session: Session, holder_id: str) -> None:
    """Take the holder's write lock first (a no-op UPDATE): PostgreSQL locks the row, SQLite the
    database, so two pushes of one holder never read the same state and both apply it."""
    session.execute(update(Holder).where(col(Holder.id) == holder_id).values(last_seq=col(Holder.last_seq)))


def _secrecy(record: Numbered) -> tuple[bool, bool]:
    """Is the record hidden from the patient, secret from a minor's parents? An item's secrecy is
    fixed when it is written, so its tombstone stays as hidden as it was."""
    known = record.seq > 0
    hidden = bool(record.data.get(gatekeeper.HIDDEN)) or (known and record.vseq is None)
    secret = hidden or gatekeeper.secret_data(record.data) or (known and record.gseq is None)
    return hidden, secret


def stamp(session: Session, record: Record) -> None:
    """Give a new or changed record the next number of the holder's sequence, and of the feeds of
    those who may see it (one UPDATE, which locks the holder's row until commit)."""
    hidden, secret = _secrecy(record)
    seq, vseq, gseq = session.execute(
        update(Holder)
        .where(col(Holder.id) == record.holder_id)
        .values(
            last_seq=col(Holder.last_seq) + 1,
            last_vseq=col(Holder.last_vseq) + (0 if hidden else 1),
            last_gseq=col(Holder.last_gseq) + (0 if secret else 1),
        )
        .returning(col(Holder.last_seq), col(Holder.last_vseq), col(Holder.last_gseq))
        .execution_options(synchronize_session=False)
    ).one()
    record.seq, record.vseq, record.gseq = seq, (None if hidden else vseq), (None if secret else gseq)


@dataclass
class Numbers:
    """A holder's last numbers, read once under its write lock and handed out in memory, then
    written back once: a page of changes costs two statements on the holder, not one per record."""

    holder_id: str
    seq: int
    vseq: int
    gseq: int

    @classmethod
    def lock(cls, session: Session, holder_id: str) -> "Numbers":
        """Take the holder's write lock (as `lock_holder`) and read its numbers in one UPDATE."""
        seq, vseq, gseq = session.execute(
            update(Holder)
            .where(col(Holder.id) == holder_id)
            .values(last_seq=col(Holder.last_seq))
            .returning(col(Holder.last_seq), col(Holder.last_vseq), col(Holder.last_gseq))
            .execution_options(synchronize_session=False)
        ).one()
        return cls(holder_id, seq, vseq, gseq)

    def stamp(self, record: Numbered) -> None:
        """What `stamp` does, without a statement."""
        hidden, secret = _secrecy(record)
        self.seq += 1
        self.vseq += 0 if hidden else 1
        self.gseq += 0 if secret else 1
        record.seq, record.vseq, record.gseq = (
            self.seq,
            (None if hidden else self.vseq),
            (None if secret else self.gseq),
        )

    def save(self, session: Session) -> None:
        session.execute(
            update(Holder)
            .where(col(Holder.id) == self.holder_id)
            .values(last_seq=self.seq, last_vseq=self.vseq, last_gseq=self.gseq)
            .execution_options(synchronize_session=False)
        )
