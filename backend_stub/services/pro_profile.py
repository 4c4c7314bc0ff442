"""Professionals reading and feeding a holder's medical profile, through the matrix and the log.

The record is opened by the same rules as documents (`record_access.open_record`: blocked,
emergency and regulator switches, attending, authorised, care team, consent at a first access).
What they then see is filtered by the profile sections of their profession in the access matrix;
the holder's personal notes never. Every read, write and refusal is one access-log entry whose
target is "profile" and whose title lists the sections concerned, in the same transaction.
"""

from typing import Any

from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.errors import DomainError
from backend_stub.models.record import Record
from backend_stub.rules import gate
from backend_stub.services import audit, gatekeeper, notifications
from backend_stub.services.gatekeeper import PRO_PREFIX, SECRET
from backend_stub.services.record_access import Opened, log_allowed, new_id
from backend_stub.services.sequence import lock_holder, stamp
from sync.protocol import profile
from sync.protocol.errors import ErrorCode

PAGE = 200
TARGET = "profile"
COLLECTIONS = ("profile_entry", "measurement")


def section_of(record: Record) -> str:
    return "measurement" if record.collection == "measurement" else str(record.data.get("section", ""))


def read_profile(
    *, session: Session, ctx: Context, opened: Opened, before: int | None = None
) -> tuple[list[str], list[Record], int | None]:
    """The sections this professional reads (the gate let them in: at least one), their entries
    and measurements newest first by pages (with the next `before`), and the log entry saying
    which sections were read."""
    sections = gate.readable_profile(opened.actor, gatekeeper.space_of(opened.holder))
    stmt = select(Record).where(
        Record.holder_id == opened.holder.id,
        col(Record.collection).in_(COLLECTIONS),
        col(Record.deleted).is_(False),
    )
    if before is not None:
        stmt = stmt.where(col(Record.seq) < before)
    rows = session.exec(stmt.order_by(col(Record.seq).desc()).limit(PAGE)).all()
    next_before = rows[-1].seq if len(rows) == PAGE else None
    mine = f"{PRO_PREFIX}{opened.professional.id}"
    visible = [r for r in rows if section_of(r) in sections or r.author == mine]
    listed = sorted(sections)
    access = audit.Access("read", opened.basis, "allowed", TARGET, ",".join(listed), opened.reason)
    log_allowed(session, ctx, opened, access)
    session.commit()
    return listed, visible, next_before


def add_entry(
    *, session: Session, ctx: Context, opened: Opened, section: str, data: dict[str, Any]
) -> Record:
    """A professional's entry (the gate checked the section): checked like the holder's, authored by
    them (read-only to the holder), synced to the holder's devices; the holder is informed."""
    entry = {**data, "section": section}
    now = ctx.clock.now()
    errors = profile.check(entry, now.date())
    if errors:
        raise DomainError(ErrorCode(next(iter(errors.values()))), fields=sorted(errors))
    pro, holder = opened.professional, opened.holder
    name = f"{pro.first_name} {pro.last_name}"
    secret = {SECRET: True} if opened.verdict.secret else {}  # a minor's secret
    lock_holder(session, holder.id)
    record = Record(
        holder_id=holder.id,
        id=new_id(),
        collection="profile_entry",
        version=1,
        seq=0,
        author=f"{PRO_PREFIX}{pro.id}",
        updated_at=now,
        data=profile.clean(entry) | {"author_name": name, "author_profession": pro.profession} | secret,
    )
    stamp(session, record)
    session.add(record)
    access = audit.Access("write", opened.basis, "allowed", TARGET, section)
    audit.append(session=session, holder_id=holder.id, actor=pro, access=access, at=now, secret=bool(secret))
    notifications.notify(
        session=session,
        ctx=ctx,
        holder=holder,
        kind="profile_entry_added",
        name=name,
        profession=pro.profession,
        **({"secret": True} if secret else {}),
    )
    session.commit()
    session.refresh(record)
    return record
