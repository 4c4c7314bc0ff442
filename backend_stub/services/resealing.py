"""Bringing what is at rest under the keys, after the fact: sealing the rows and files written
before issue #15 and linking their access logs under the log key (`seal-existing`), or sealing
everything again under fresh keys after a compromise (`rotate-keys --reencrypt`).

The work goes holder by holder in the order of `holder.id`, then file by file in the order of
`upload.id`, a few hundred rows per transaction, each taken under the holder's row lock and with
the rows read inside it (a request changing a record meanwhile is never overwritten). A small
JSON file in the data directory remembers where the run stands, so a run stopped anywhere
(Ctrl-C, a crash) resumes after the last holder or file it finished.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import LargeBinary, func
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.core.sealed_columns import MAGIC, keyring_of
from backend_stub.holder_keys import HolderKeys
from backend_stub.models.access_log import AccessEntry
from backend_stub.models.accounts import Holder
from backend_stub.models.administrative import Reimbursement
from backend_stub.models.notifications import Notification
from backend_stub.models.record import Record, Upload
from backend_stub.models.rights import Complaint, HealthCorrection
from backend_stub.sealed_blobs import BlobDamaged, SealedBlobStore
from backend_stub.services import audit
from backend_stub.services.sequence import lock_holder

SEALED: list[tuple[Any, tuple[str, ...]]] = [
    (Record, ("data",)),
    (AccessEntry, ("target_title", "detail")),
    (Notification, ("params",)),
    (Reimbursement, ("care", "professional", "label")),
    (HealthCorrection, ("note", "reason", "previous")),
    (Complaint, ("text",)),
]
log = logging.getLogger(__name__)


@dataclass
class Report:
    """What a run did; holder and file ids only (random, nothing personal)."""

    holders: int = 0
    rows: int = 0
    relinked: int = 0
    files: int = 0
    broken_logs: list[str] = field(default_factory=list)
    damaged_files: list[str] = field(default_factory=list)


@dataclass
class Cursor:
    """Where a run stands, kept in a file so that a second run resumes after it."""

    path: Path
    holder_after: str = ""
    file_after: str = ""

    @classmethod
    def load(cls, path: Path, restart: bool = False) -> "Cursor":
        if restart or not path.exists():
            return cls(path)
        return cls(path, **json.loads(path.read_text()))

    def save(self) -> None:
        self.path.write_text(json.dumps({"holder_after": self.holder_after, "file_after": self.file_after}))

    def done(self) -> None:
        self.path.unlink(missing_ok=True)


def counts(session: Session, cursor: Cursor) -> tuple[int, int, int, int]:
    """Holders and finished files a run walks, and how many of each it already did (progress)."""
    holders = select(func.count()).select_from(Holder)
    files = select(func.count()).select_from(Upload).where(col(Upload.complete))
    return (
        int(session.exec(holders).one()),
        int(session.exec(holders.where(col(Holder.id) <= cursor.holder_after)).one()),
        int(session.exec(files).one()),
        int(session.exec(files.where(col(Upload.id) <= cursor.file_after)).one()),
    )


def _walk_key(model: Any) -> Any:
    """The column that orders a holder's rows of a table (its key besides `holder_id`)."""
    return next(c for c in model.__table__.primary_key.columns if c.name != "holder_id")


def _page(
    session: Session, model: Any, fields: tuple[str, ...], holder_id: str, after: Any, fresh: bool, batch: int
) -> tuple[list[Any], Any]:
    """The next page of a holder's rows after `after`: those to seal (all with `fresh`, else
    those with a column still in clear, told by its first bytes), and the key to go on from."""
    key, table = _walk_key(model), model.__table__
    heads = [func.substr(table.c[name], 1, len(MAGIC), type_=LargeBinary) for name in fields]
    stmt = select(key, *heads).where(table.c.holder_id == holder_id)
    found = session.execute(
        (stmt if after is None else stmt.where(key > after)).order_by(key).limit(batch)
    ).all()
    if not found:
        return [], None
    wanted = [row[0] for row in found if fresh or any(_raw(head) != MAGIC for head in row[1:])]
    rows = session.exec(select(model).where(table.c.holder_id == holder_id, key.in_(wanted))).all()
    return list(rows), found[-1][0]


def _raw(head: Any) -> bytes:
    return head.encode() if isinstance(head, str) else bytes(head or b"")


def seal_holder(*, session: Session, holder_id: str, fresh: bool, batch: int = 500) -> int:
    """Seal one holder's rows: those still in clear, or with `fresh` all of them under a new key
    generation (the older ones are then retired once no process can still be using them)."""
    started, done = datetime.now(UTC), 0
    keyring = keyring_of(session.get_bind())  # type: ignore[arg-type]
    assert isinstance(keyring, HolderKeys)
    if fresh:
        lock_holder(session, holder_id)
        new = keyring.new_generation(session.connection(), holder_id)
        session.commit()
    for model, fields in SEALED:
        after = None
        while True:
            lock_holder(session, holder_id)  # rows read under the lock: no request's write is lost
            rows, after = _page(session, model, fields, holder_id, after, fresh, batch)
            for row in rows:
                for name in fields:
                    flag_modified(row, name)  # the flush seals it with the holder's current key
            session.commit()
            session.expunge_all()
            done += len(rows)
            if after is None:
                break
    if fresh:
        keyring.retire(session.connection(), holder_id, below=new, started=started)
        session.commit()
    return done


def walk_holders(
    *, ctx: Context, cursor: Cursor, fresh: bool, report: Report, step: Callable[[], None], batch: int = 200
) -> None:
    """Every holder after the cursor: link an old log under the log key (unless `fresh`), seal."""
    with Session(ctx.engine, expire_on_commit=False) as session:
        while ids := session.exec(
            select(Holder.id)
            .where(col(Holder.id) > cursor.holder_after)
            .order_by(col(Holder.id))
            .limit(batch)
        ).all():
            for holder_id in ids:
                if not fresh and audit.needs_relink(session=session, holder_id=holder_id):
                    if audit.relink(session=session, holder_id=holder_id):
                        report.relinked += 1
                    else:
                        report.broken_logs.append(holder_id)
                report.rows += seal_holder(session=session, holder_id=holder_id, fresh=fresh)
                report.holders += 1
                cursor.holder_after = holder_id
                cursor.save()
                step()


def walk_files(
    *,
    ctx: Context,
    store: SealedBlobStore,
    cursor: Cursor,
    fresh: bool,
    report: Report,
    step: Callable[[], None],
) -> None:
    """Every finished file after the cursor: rewritten under a fresh data key (with `fresh`), or
    only those of format 1, checked against the digest their upload named."""
    with Session(ctx.engine) as session:
        while uploads := session.exec(
            select(Upload.id, Upload.sha256)
            .where(col(Upload.complete), col(Upload.id) > cursor.file_after)
            .order_by(col(Upload.id))
            .limit(200)
        ).all():
            for upload_id, sha256 in uploads:
                try:
                    if (fresh or store.format_of(upload_id) == 1) and store.reencrypt(upload_id, sha256):
                        report.files += 1
                except BlobDamaged as exc:
                    log.error("sealed file failed its integrity check: %s", exc)
                    report.damaged_files.append(upload_id)
                cursor.file_after = upload_id
                cursor.save()
                step()
