"""The server side of synchronisation: idempotent push, conflict rule, paged change feed.

Every change takes the next number of the holder's own sequence (`Holder.last_seq`, bumped
under the holder's row lock), so the feed is "records of this holder with seq > cursor", served
by an index and never by a device's clock. The feed a person reads is numbered for them: the
holder's (`vseq`) skips what a professional hid from the patient, a minor's parents' (`gseq`)
skips the minor's secret items too, a helper's (`hseq`, `hmseq`) what is masked from helpers, so
no number, gap or cursor tells them anything exists.
What a member may see is the gate's answer (services/gatekeeper.py).
"""

import base64
import binascii
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.core.clock import as_utc
from backend_stub.core.sealed_columns import sealed_row
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.models.record import Record, SyncClient
from backend_stub.services import gatekeeper, messages
from backend_stub.services.sequence import Numbers
from sync.protocol import agenda_records, measurements, profile, questionnaires
from sync.protocol.collections import COLLECTIONS, HOLDER_FLAGS, only_flags_changed
from sync.protocol.errors import ErrorCode
from sync.protocol.sync_schemas import (
    MAX_PULL,
    Mutation,
    MutationResult,
    Outcome,
    PullResponse,
    PushRequest,
    RecordOut,
)


@dataclass(slots=True)
class NewRecord:
    """A device's new record, the common case of a push: kept out of the ORM and inserted with the
    page's other new records in one statement (`Page.write`)."""

    holder_id: str
    id: str
    collection: str
    data: dict[str, Any]
    updated_at: datetime
    version: int = 1
    seq: int = 0
    vseq: int | None = None
    gseq: int | None = None
    hseq: int | None = None
    hmseq: int | None = None
    deleted: bool = False
    author: str = "holder"

    def row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}  # type: ignore[attr-defined]


def record_out(record: Record | NewRecord) -> RecordOut:
    """A record as the member asking sees it: numbered in their own feed."""
    number = getattr(record, gatekeeper.feed())
    return RecordOut(
        id=record.id,
        collection=record.collection,
        version=record.version,
        seq=number or 0,
        deleted=record.deleted,
        data=record.data,
        author=record.author,
        updated_at=as_utc(record.updated_at),
    )


def merge(collection: str, server: dict[str, Any], incoming: dict[str, Any], at: datetime) -> dict[str, Any]:
    """The conflict rule: incoming structured fields win; differing free text is kept aside."""
    free_text = COLLECTIONS[collection].free_text
    merged = dict(server)
    conflicts = list(server.get("_conflicts", []))
    for key, value in incoming.items():
        if key == "_conflicts":
            continue
        if key in free_text and key in server and server[key] != value:
            conflicts.append({"field": key, "value": value, "at": at.isoformat()})
        else:
            merged[key] = value
    if conflicts:
        merged["_conflicts"] = conflicts
    return merged


# A day typed on the phone is the holder's local day: up to 14 hours ahead of UTC.
LOCAL_DAY_AHEAD = timedelta(hours=14)
CLOCK_SKEW = timedelta(hours=1)


def invalid_content(collection: str, data: dict[str, Any], now: datetime) -> str | None:
    """The server checks again what the app checked: an impossible measurement is refused, and
    so is a profile entry the app would not have saved."""
    if collection == "profile_entry":
        return profile.first_error(data, (now + LOCAL_DAY_AHEAD).date())
    if collection == "appointment" and agenda_records.appointment_problem(data):
        return ErrorCode.REQUEST_INVALID.value
    if collection == "checkup" and agenda_records.checkup_problem(data):
        return ErrorCode.REQUEST_INVALID.value
    if collection == "questionnaire" and (problem := questionnaires.record_problem(data)):
        return problem.value
    if collection != "measurement":
        return None
    try:
        value = float(data["value"])
        second = float(data["second"]) if data.get("second") is not None else None
    except (KeyError, TypeError, ValueError):
        return ErrorCode.REQUEST_INVALID.value
    result = measurements.check(str(data.get("kind", "")), value, second)
    if result.verdict == measurements.Verdict.REFUSE:
        return result.message
    return _future_reading(data.get("at"), now)


def _future_reading(at: object, now: datetime) -> str | None:
    """A reading is taken in the past (a phone's clock a little ahead is forgiven)."""
    if at is None:
        return None
    try:
        moment = datetime.fromisoformat(str(at).replace("Z", "+00:00"))
    except ValueError:
        return ErrorCode.REQUEST_INVALID.value
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return ErrorCode.MEASURE_FUTURE.value if moment > now + CLOCK_SKEW else None


def only_mask_changes(record: Record, m: Mutation) -> bool:
    """The holder may change their flags of a record someone else wrote (mask a professional's
    document, mark a message read, archive a conversation), and nothing else of it."""
    return (
        m.op == "upsert"
        and record.collection == m.collection
        and only_flags_changed(record.collection, record.data, m.data)
    )


MESSAGING = frozenset({"conversation", "message"})  # records secure messaging checks and completes


# Flags only a professional sets: a device's write never carries them (the holder's own record
# cannot hide itself from the holder, nor from a minor's parents who wrote it).
SERVER_FLAGS = (gatekeeper.HIDDEN, gatekeeper.SECRET)


def _own(data: dict[str, Any]) -> dict[str, Any]:
    """What a device writes of its own record, without the flags only a professional sets."""
    return {k: v for k, v in data.items() if k not in SERVER_FLAGS}


@dataclass
class Page:
    """The records a page of mutations touches, as this transaction has them: those that existed
    (read in one SELECT), those created through the ORM, and the device's new ones waiting for
    their bulk insert. Whatever needs the database (the ORM path, messaging's checks) writes the
    waiting ones first, so it sees the page as the old one-statement-per-record push did."""

    session: Session
    holder_id: str
    records: dict[str, Record]
    new: dict[str, NewRecord] = field(default_factory=dict)
    written: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, session: Session, holder_id: str, ids: set[str]) -> "Page":
        query = select(Record).where(Record.holder_id == holder_id, col(Record.id).in_(ids))
        return cls(session, holder_id, {r.id: r for r in session.exec(query)})

    def fresh(self, m: Mutation) -> bool:
        """A new record of the device's own collections (no messaging: it checks and completes)."""
        return (
            m.op == "upsert"
            and m.collection not in MESSAGING
            and m.id not in self.records
            and m.id not in self.new
            and m.id not in self.written
            and not gatekeeper.reserved(m.id)
        )

    def record(self, record_id: str) -> Record | None:
        """The page's record through the ORM (after writing the waiting ones)."""
        self.write()
        if record_id in self.written and record_id not in self.records:
            found = self.session.get(Record, (self.holder_id, record_id))
            if found is not None:
                self.records[record_id] = found
        return self.records.get(record_id)

    def write(self) -> None:
        """Insert the waiting new records in one statement, sealed as a flush seals them."""
        if not self.new:
            return
        connection = self.session.connection()
        rows = [sealed_row(connection, Record, r.row()) for r in self.new.values()]
        self.session.execute(insert(Record.__table__), rows)  # type: ignore[attr-defined]
        self.written.update(self.new)
        self.new.clear()


def _refusal(m: Mutation, now: datetime) -> MutationResult | None:
    """A mutation refused for what it says, whatever the space holds."""
    if m.collection not in COLLECTIONS:
        return MutationResult(seq=m.seq, outcome=Outcome.REJECTED, error=ErrorCode.REQUEST_INVALID.value)
    if m.op == "upsert" and (refusal := invalid_content(m.collection, m.data, now)):
        return MutationResult(seq=m.seq, outcome=Outcome.REJECTED, error=refusal)
    return None


def _create(m: Mutation, now: datetime, page: Page, numbers: Numbers) -> MutationResult:
    """A device's new record (`Page.fresh`): what `_apply` does to it, without the ORM."""
    if refusal := gatekeeper.write_refusal(m.collection, new=True):  # a helper's, beyond their rights
        return MutationResult(seq=m.seq, outcome=Outcome.REJECTED, error=refusal.value)
    record = page.new[m.id] = NewRecord(page.holder_id, m.id, m.collection, _own(m.data), now)
    numbers.stamp(record)
    return MutationResult(seq=m.seq, outcome=Outcome.APPLIED, record=record_out(record))


def _apply(session: Session, m: Mutation, now: datetime, page: Page, numbers: Numbers) -> MutationResult:
    """Any other mutation, through the ORM (its changes flushed at commit)."""
    holder_id = page.holder_id
    record = page.record(m.id)
    unseen = record is not None and not gatekeeper.visible(record)
    refusal = gatekeeper.write_refusal(m.collection, new=False) if unseen else None
    if refusal and not gatekeeper.reserved(m.id):
        # A helper may know the id of an item masked since: it answers as any item they may not
        # change (one they see, a deleted one, or any id when they only read).
        return MutationResult(seq=m.seq, outcome=Outcome.REJECTED, error=refusal.value)
    if unseen:
        record = None  # what the member may not see does not exist for them
    if record is None and (unseen or gatekeeper.reserved(m.id)):
        # An id the server gives to others' writes: one the member cannot see answers as one that
        # does not exist, and neither can be created by a device.
        return MutationResult(seq=m.seq, outcome=Outcome.REJECTED, error=ErrorCode.SYNC_READ_ONLY.value)
    if refusal := gatekeeper.write_refusal(m.collection, new=record is None):
        return MutationResult(seq=m.seq, outcome=Outcome.REJECTED, error=refusal.value)
    if m.collection in MESSAGING and (
        refusal := messages.check_push(session=session, holder_id=holder_id, m=m, record=record, now=now)
    ):
        found = record_out(record) if record is not None else None
        return MutationResult(seq=m.seq, outcome=Outcome.REJECTED, error=refusal, record=found)
    if record is not None and record.author != "holder" and only_mask_changes(record, m):
        record.data = record.data | {k: bool(m.data.get(k)) for k in HOLDER_FLAGS[record.collection]}
        record.version += 1
        numbers.stamp(record)
        record.updated_at = now
        return MutationResult(seq=m.seq, outcome=Outcome.APPLIED, record=record_out(record))
    if record is not None and (record.author != "holder" or record.collection != m.collection):
        return MutationResult(
            seq=m.seq,
            outcome=Outcome.REJECTED,
            error=ErrorCode.SYNC_READ_ONLY.value,
            record=record_out(record),
        )
    outcome = Outcome.APPLIED
    if record is None and m.op == "delete":
        return MutationResult(seq=m.seq, outcome=outcome)  # nothing to delete: no tombstone either
    if record is None:
        record = page.records[m.id] = Record(
            holder_id=holder_id, id=m.id, collection=m.collection, version=0, seq=0
        )
        session.add(record)
    stale = record.version != m.base_version and record.version > 0
    if m.op == "delete":
        record.deleted, record.data = True, {}
    elif stale and not record.deleted:
        record.data = merge(m.collection, record.data, _own(m.data), now)
        outcome = Outcome.CONFLICT
    else:
        record.deleted, record.data = False, _own(m.data)
    if record.version == 0 and m.collection in MESSAGING:
        messages.accept(session=session, holder_id=holder_id, record=record, now=now)
    record.version += 1
    numbers.stamp(record)
    record.updated_at = now
    return MutationResult(seq=m.seq, outcome=outcome, record=record_out(record))


def push(*, session: Session, ctx: Context, holder: Holder, request: PushRequest) -> list[MutationResult]:
    """Apply a device's mutations in order, once each, in one transaction, with bulk statements:
    the page's records read in one SELECT, numbered in memory under the holder's lock, new ones
    inserted in one statement, the others flushed at commit (sealed either way); the holder's
    numbers written once."""
    numbers = Numbers.lock(session, holder.id)
    client = session.get(SyncClient, (holder.id, request.client_id)) or SyncClient(
        holder_id=holder.id, client_id=request.client_id
    )
    now = ctx.clock.now()
    mutations = sorted(request.mutations, key=lambda m: m.seq)
    page = Page.read(session, holder.id, {m.id for m in mutations})
    results = []
    with session.no_autoflush:  # the page decides when it writes (`Page.write`, flush before messaging)
        for mutation in mutations:
            if mutation.seq <= client.last_seq:
                current = page.record(mutation.id)
                results.append(
                    MutationResult(
                        seq=mutation.seq,
                        outcome=Outcome.DUPLICATE,
                        record=record_out(current) if current and gatekeeper.visible(current) else None,
                    )
                )
                continue
            client.last_seq = mutation.seq
            if refused := _refusal(mutation, now):
                results.append(refused)
            elif page.fresh(mutation):
                results.append(_create(mutation, now, page, numbers))
            else:
                if mutation.collection in MESSAGING:
                    page.write()
                    session.flush()  # its checks query what the page wrote before
                results.append(_apply(session, mutation, now, page, numbers))
    page.write()
    numbers.save(session)
    session.add(client)
    session.commit()
    return results


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"s{seq}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not text.startswith("s"):
            raise ValueError(text)
        return max(int(text[1:]), 0)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise DomainError(ErrorCode.REQUEST_INVALID, fields=["cursor"]) from exc


def pull(*, session: Session, holder: Holder, cursor: str, limit: int) -> PullResponse:
    """The member's changes after `cursor`, oldest first, at most `limit`, in their own numbering
    (what they may not see has no number in it, so it is never read)."""
    after = decode_cursor(cursor)
    limit = max(1, min(limit, MAX_PULL))
    feed = gatekeeper.feed()
    number = col(getattr(Record, feed))
    rows = session.exec(
        select(Record).where(Record.holder_id == holder.id, number > after).order_by(number).limit(limit + 1)
    ).all()
    page = rows[:limit]
    last = getattr(page[-1], feed) if page else after
    return PullResponse(
        changes=[record_out(r) for r in page if gatekeeper.visible(r)],
        cursor=encode_cursor(last or after),
        more=len(rows) > limit,
    )
