"""The encrypted local store: SQLModel over SQLite, every health value sealed with the vault key.

Clear columns are only what sync needs (ids, collection, versions, sequences, flags); the
content, author and times of a record are one sealed blob whose associated data names the
table, the record id and the local revision, so rows cannot be swapped or replayed elsewhere.
Every local write appends its outbox entry in the same transaction.
"""

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel, col, create_engine, select

from sync.crypto import Cipher
from sync.protocol.collections import COLLECTIONS, only_flags_changed
from sync.protocol.sync_schemas import Mutation, MutationResult, Outcome, RecordOut

HOLDER = "holder"


class DeviceTable(SQLModel, registry=registry()):
    """Base of the device's tables: their own metadata, apart from the server's."""


class ReadOnlyRecord(Exception):
    """A professional's record: the holder may read it, not change it."""


# A record as this device knows it: clear sync fields plus the sealed content.
class LocalRecord(DeviceTable, table=True):
    __tablename__ = "local_record"
    id: str = Field(primary_key=True)
    collection: str = Field(index=True)
    version: int = 0  # the server version this content is based on
    server_seq: int = 0
    rev: int = 0  # local revision, bound into the sealed content's associated data
    deleted: bool = False
    pending: bool = False  # changed here, not yet acknowledged by the server
    sealed: bytes


# One local change waiting to be pushed, in the order it was made.
class OutboxEntry(DeviceTable, table=True):
    __tablename__ = "outbox"
    seq: int | None = Field(default=None, primary_key=True)
    record_id: str = Field(index=True)
    collection: str
    op: str
    base_version: int


# Clear settings of the store: client id, feed cursor, last sync time, schema version.
class Meta(DeviceTable, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


# A document's bytes waiting to reach the server (resumable).
class LocalUpload(DeviceTable, table=True):
    __tablename__ = "local_upload"
    record_id: str = Field(primary_key=True)
    file_id: str
    size: int
    sha256: str
    server_id: str = ""
    offset: int = 0
    done: bool = False


# The schema as a list of steps: a store at version N runs steps N+1.. on open.
SCHEMA_STEPS: list[list[str]] = [
    [
        "CREATE TABLE local_record (id VARCHAR PRIMARY KEY, collection VARCHAR NOT NULL,"
        " version INTEGER NOT NULL, server_seq INTEGER NOT NULL, rev INTEGER NOT NULL,"
        " deleted BOOLEAN NOT NULL, pending BOOLEAN NOT NULL, sealed BLOB NOT NULL)",
        "CREATE INDEX ix_local_record_collection ON local_record (collection)",
        "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, record_id VARCHAR NOT NULL,"
        " collection VARCHAR NOT NULL, op VARCHAR NOT NULL, base_version INTEGER NOT NULL)",
        "CREATE INDEX ix_outbox_record_id ON outbox (record_id)",
        "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    ],
    [
        "CREATE TABLE local_upload (record_id VARCHAR PRIMARY KEY, file_id VARCHAR NOT NULL,"
        " size INTEGER NOT NULL, sha256 VARCHAR NOT NULL, server_id VARCHAR NOT NULL,"
        ' "offset" INTEGER NOT NULL, done BOOLEAN NOT NULL)',
    ],
]
SCHEMA_VERSION = len(SCHEMA_STEPS)


@dataclass
class Item:
    """A decrypted record, as screens see it."""

    id: str
    collection: str
    data: dict[str, Any]
    version: int
    pending: bool
    author: str = HOLDER
    updated_at: str = ""
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def read_only(self) -> bool:
        return self.author != HOLDER


def open_engine(path: Path) -> Engine:
    """SQLite with WAL, temp tables in memory, and freed pages zeroed."""
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(conn: Any, _record: Any) -> None:
        cur = conn.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "temp_store=MEMORY", "secure_delete=ON"):
            cur.execute(f"PRAGMA {pragma}")
        cur.close()

    return engine


def upgrade_schema(engine: Engine) -> int:
    """Run the schema steps this store has not run yet; returns the version reached."""
    with engine.begin() as conn:
        has_meta = conn.execute(text("SELECT name FROM sqlite_master WHERE name='meta'")).first()
        current = 0
        if has_meta:
            row = conn.execute(text("SELECT value FROM meta WHERE key='schema_version'")).first()
            current = int(row[0]) if row else 1
        for step in SCHEMA_STEPS[current:]:
            for statement in step:
                conn.execute(text(statement))
        conn.execute(
            text(
                "INSERT INTO meta (key, value) VALUES ('schema_version', :v) "
                "ON CONFLICT(key) DO UPDATE SET value = :v"
            ),
            {"v": str(SCHEMA_VERSION)},
        )
    return SCHEMA_VERSION


class Store:
    """One holder's data on one device, readable only with the vault key."""

    def __init__(self, path: Path, vault_key: bytes) -> None:
        self.path = path
        self.engine = open_engine(path)
        upgrade_schema(self.engine)
        self._cipher = Cipher(vault_key)
        self.client_id = self.meta("client_id") or self._set_client_id()

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    # --- meta --------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        with self.session() as s:
            row = s.get(Meta, key)
            return row.value if row else None

    def set_meta(self, key: str, value: str, session: Session | None = None) -> None:
        if session is not None:
            session.merge(Meta(key=key, value=value))
            return
        with self.session() as s:
            s.merge(Meta(key=key, value=value))
            s.commit()

    def secret(self, key: str) -> object | None:
        """A sealed setting (refresh token, cached profile): only readable with the vault key."""
        sealed = self.meta(f"secret:{key}")
        return self._cipher.open_json(bytes.fromhex(sealed), f"meta|{key}".encode()) if sealed else None

    def set_secret(self, key: str, value: object) -> None:
        self.set_meta(f"secret:{key}", self._cipher.seal_json(value, f"meta|{key}".encode()).hex())

    def _set_client_id(self) -> str:
        client_id = uuid.uuid4().hex
        self.set_meta("client_id", client_id)
        return client_id

    # --- sealing -------------------------------------------------------------------------------
    @staticmethod
    def _aad(row: LocalRecord) -> bytes:
        return f"local_record|{row.id}|{row.rev}".encode()

    def _sealed(self, record_id: str, rev: int, content: dict[str, Any]) -> bytes:
        return self._cipher.seal_json(content, f"local_record|{record_id}|{rev}".encode())

    def _seal(self, row: LocalRecord, content: dict[str, Any]) -> None:
        row.rev += 1
        row.sealed = self._sealed(row.id, row.rev, content)

    def _content(self, row: LocalRecord) -> dict[str, Any]:
        value = self._cipher.open_json(row.sealed, self._aad(row))
        assert isinstance(value, dict)
        return value

    def _item(self, row: LocalRecord) -> Item:
        content = self._content(row)
        data = dict(content.get("data", {}))
        conflicts = list(data.pop("_conflicts", []))
        return Item(
            id=row.id,
            collection=row.collection,
            data=data,
            version=row.version,
            pending=row.pending,
            author=content.get("author", HOLDER),
            updated_at=content.get("updated_at", ""),
            conflicts=conflicts,
        )

    # --- the holder's writes -------------------------------------------------------------------
    def put(
        self,
        collection: str,
        data: dict[str, Any],
        record_id: str | None = None,
        also: Sequence[SQLModel] = (),
    ) -> str:
        """Create or replace a record of the holder, and queue it for the server; rows in `also`
        are written in the same transaction."""
        if collection not in COLLECTIONS:
            raise ValueError(f"unknown collection {collection}")
        record_id = record_id or uuid.uuid4().hex
        with self.session() as s:
            row = s.get(LocalRecord, record_id)
            author = HOLDER
            if row is not None:
                current = self._content(row)
                author = current.get("author", HOLDER)
                if author != HOLDER and not only_flags_changed(collection, current.get("data", {}), data):
                    raise ReadOnlyRecord(record_id)
            row = row or LocalRecord(id=record_id, collection=collection, sealed=b"")
            now = datetime.now(UTC).isoformat()
            self._seal(row, {"data": data, "author": author, "updated_at": now})
            row.deleted, row.pending = False, True
            s.add(row)
            s.add(
                OutboxEntry(record_id=record_id, collection=collection, op="upsert", base_version=row.version)
            )
            s.add_all(also)
            s.commit()
        return record_id

    def delete(self, record_id: str) -> None:
        """Delete a record of the holder (a tombstone until the server confirms). Edits still queued
        for it are dropped: the server is told the delete only (an edit pushed after the delete
        would carry the tombstone's empty content)."""
        with self.session() as s:
            row = s.get(LocalRecord, record_id)
            if row is None or row.deleted:
                return
            if self._content(row).get("author", HOLDER) != HOLDER:
                raise ReadOnlyRecord(record_id)
            for superseded in s.exec(select(OutboxEntry).where(OutboxEntry.record_id == record_id)):
                s.delete(superseded)
            self._seal(row, {"data": {}, "author": HOLDER})
            row.deleted, row.pending = True, True
            s.add(row)
            s.add(
                OutboxEntry(
                    record_id=record_id, collection=row.collection, op="delete", base_version=row.version
                )
            )
            s.commit()

    # --- reads ----------------------------------------------------------------------------------
    def get(self, record_id: str) -> Item | None:
        with self.session() as s:
            row = s.get(LocalRecord, record_id)
            return None if row is None or row.deleted else self._item(row)

    def items(self, collection: str) -> list[Item]:
        with self.session() as s:
            rows = s.exec(
                select(LocalRecord).where(
                    LocalRecord.collection == collection, col(LocalRecord.deleted).is_(False)
                )
            ).all()
            return [self._item(row) for row in rows]

    def pending_count(self) -> int:
        with self.session() as s:
            return int(s.exec(select(func.count()).select_from(OutboxEntry)).one())

    # --- sync ------------------------------------------------------------------------------------
    def outbox_batch(self, limit: int) -> list[Mutation]:
        """The oldest queued changes, each carrying the record's current content.

        The batch stops before a record's second entry: that one must be rebased on the version
        the first one creates (see `acknowledge`), and sequences must reach the server in order.
        """
        with self.session() as s:
            entries = s.exec(select(OutboxEntry).order_by(col(OutboxEntry.seq)).limit(limit)).all()
            mutations: list[Mutation] = []
            seen: set[str] = set()
            for entry in entries:
                if entry.record_id in seen:
                    break
                seen.add(entry.record_id)
                row = s.get(LocalRecord, entry.record_id)
                data = self._content(row).get("data", {}) if row and entry.op == "upsert" else {}
                data = {k: v for k, v in data.items() if k != "_conflicts"}
                mutations.append(
                    Mutation(
                        seq=entry.seq or 0,
                        op=entry.op,  # type: ignore[arg-type]
                        collection=entry.collection,
                        id=entry.record_id,
                        base_version=entry.base_version,
                        data=data,
                    )
                )
            return mutations

    def acknowledge(self, results: list[MutationResult]) -> None:
        """Drop pushed entries and keep the server's copy of each record they changed."""
        with self.session() as s:
            for result in results:
                entry = s.get(OutboxEntry, result.seq)
                if entry is None:
                    continue
                s.delete(entry)
                s.flush()
                queued = s.exec(select(OutboxEntry).where(OutboxEntry.record_id == entry.record_id)).first()
                row = s.get(LocalRecord, entry.record_id)
                if result.record is not None:
                    self._store_server_copy(s, result.record, keep_pending=queued is not None)
                elif queued is None and row is not None and result.outcome == Outcome.REJECTED:
                    s.delete(row)  # refused and unknown to the server: the device keeps what the server has
                elif queued is None and row is not None:
                    row.pending = False
                    s.add(row)
            s.commit()

    def _store_server_copy(self, s: Session, record: RecordOut, *, keep_pending: bool = False) -> None:
        row = s.get(LocalRecord, record.id) or LocalRecord(
            id=record.id, collection=record.collection, sealed=b""
        )
        if keep_pending:
            # A later local change is still queued: keep its content, rebase it on this version.
            row.version = record.version
            s.add(row)
            for entry in s.exec(select(OutboxEntry).where(OutboxEntry.record_id == record.id)):
                entry.base_version = record.version
                s.add(entry)
            return
        row.collection = record.collection
        row.version, row.server_seq = record.version, record.seq
        row.deleted, row.pending = record.deleted, False
        self._seal(
            row, {"data": record.data, "author": record.author, "updated_at": record.updated_at.isoformat()}
        )
        s.add(row)

    def apply_changes(self, changes: list[RecordOut], cursor: str) -> None:
        """Store a page of the server's feed and its cursor in one transaction (crash-safe): one
        SELECT of the rows already here, one bulk INSERT and one bulk UPDATE (a first sync pulls
        thousands of records)."""
        with self.session() as s:
            known = {
                rid: (version, pending, rev)
                for rid, version, pending, rev in s.exec(
                    select(LocalRecord.id, LocalRecord.version, LocalRecord.pending, LocalRecord.rev).where(
                        col(LocalRecord.id).in_([r.id for r in changes])
                    )
                )
            }
            stored = set(known)
            rows: dict[str, dict[str, Any]] = {}
            for record in changes:
                found = known.get(record.id)
                if found is not None and (found[1] or found[0] >= record.version):
                    continue  # a local change is queued (the push merges it), or we already have it
                rev = (found[2] if found else 0) + 1
                content = {
                    "data": record.data,
                    "author": record.author,
                    "updated_at": record.updated_at.isoformat(),
                }
                rows[record.id] = {
                    "id": record.id,
                    "collection": record.collection,
                    "version": record.version,
                    "server_seq": record.seq,
                    "rev": rev,
                    "deleted": record.deleted,
                    "pending": False,
                    "sealed": self._sealed(record.id, rev, content),
                }
                known[record.id] = (record.version, False, rev)  # the same id twice in a page: last wins
            if new := [row for rid, row in rows.items() if rid not in stored]:
                s.execute(insert(LocalRecord), new)
            if changed := [row for rid, row in rows.items() if rid in stored]:
                s.execute(update(LocalRecord), changed)  # ORM bulk UPDATE by primary key
            self.set_meta("cursor", cursor, session=s)
            s.commit()

    def cursor(self) -> str:
        return self.meta("cursor") or ""
