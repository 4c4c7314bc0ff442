"""The encrypted local store: SQLite, every health value sealed with the vault key.

Clear columns are only what sync needs (ids, collection, versions, sequences, flags); the
content, author and times of a record are one sealed blob whose associated data names the
table, the record id and the local revision, so rows cannot be swapped or replayed elsewhere.
Every local write appends its outbox entry in the same transaction.

SQLModel keeps the schema (and `session()` serves the rare paths: uploads, imports); the hot
paths (writes, reads, the sync's outbox and pages) run on one `sqlite3` connection of the store's
own, each transaction one lock-guarded BEGIN IMMEDIATE ... COMMIT: the ORM cost 9 to 23 times the
bare driver (issue #21, benchmarks/store_bench.py).
"""

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel, create_engine

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


@dataclass(slots=True)
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


# SQLite with WAL, temp tables in memory, and freed pages zeroed.
PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "temp_store=MEMORY", "secure_delete=ON")


def open_engine(path: Path) -> Engine:
    """The SQLAlchemy engine of the store (schema steps, `Store.session`)."""
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(conn: Any, _record: Any) -> None:
        cur = conn.cursor()
        for pragma in PRAGMAS:
            cur.execute(f"PRAGMA {pragma}")
        cur.close()

    return engine


def open_connection(path: Path) -> sqlite3.Connection:
    """The store's own `sqlite3` connection, same pragmas; transactions explicit (autocommit mode)."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in PRAGMAS:
        db.execute(f"PRAGMA {pragma}")
    return db


INSERT_RECORD = (
    "INSERT INTO local_record (id, collection, version, server_seq, rev, deleted, pending, sealed)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
UPDATE_RECORD = (
    "UPDATE local_record SET collection = ?, version = ?, server_seq = ?, rev = ?, deleted = ?, pending = ?,"
    " sealed = ? WHERE id = ?"
)
INSERT_UPLOAD = (
    'INSERT INTO local_upload (record_id, file_id, size, sha256, server_id, "offset", done)'
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


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
        self._db = open_connection(path)
        self._lock = threading.RLock()  # one connection, shared by the app's threads
        self._cipher = Cipher(vault_key)
        self.client_id = self.meta("client_id") or self._set_client_id()

    def close(self) -> None:
        with self._lock:
            self._db.close()
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (no deadlock upgrading a read), rolled back on error."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # --- meta --------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._writing() as db:
            self._put_meta(db, key, value)

    @staticmethod
    def _put_meta(db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

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
    def _sealed(self, record_id: str, rev: int, content: dict[str, Any]) -> bytes:
        return self._cipher.seal_json(content, f"local_record|{record_id}|{rev}".encode())

    def _open(self, record_id: str, rev: int, sealed: bytes) -> dict[str, Any]:
        value = self._cipher.open_json(sealed, f"local_record|{record_id}|{rev}".encode())
        assert isinstance(value, dict)
        return value

    def _item(
        self, record_id: str, collection: str, version: int, rev: int, pending: int, sealed: bytes
    ) -> Item:
        content = self._open(record_id, rev, sealed)  # a fresh dict: its data is ours to change
        data = content.get("data", {})
        conflicts = data.pop("_conflicts", [])
        # positional: half the cost of keywords, and `items` builds thousands (issue #21)
        return Item(
            record_id,
            collection,
            data,
            version,
            bool(pending),
            content.get("author", HOLDER),
            content.get("updated_at", ""),
            conflicts,
        )

    # --- the holder's writes -------------------------------------------------------------------
    def put(
        self,
        collection: str,
        data: dict[str, Any],
        record_id: str | None = None,
        also: Sequence[LocalUpload] = (),
    ) -> str:
        """Create or replace a record of the holder, and queue it for the server; the uploads in
        `also` (a document's or a message's files) are written in the same transaction."""
        if collection not in COLLECTIONS:
            raise ValueError(f"unknown collection {collection}")
        record_id = record_id or uuid.uuid4().hex
        with self._writing() as db:
            found = db.execute(
                "SELECT version, rev, sealed FROM local_record WHERE id = ?", (record_id,)
            ).fetchone()
            version, rev, author = 0, 0, HOLDER
            if found is not None:
                version, rev, sealed = found
                current = self._open(record_id, rev, sealed)
                author = current.get("author", HOLDER)
                if author != HOLDER and not only_flags_changed(collection, current.get("data", {}), data):
                    raise ReadOnlyRecord(record_id)
            now = datetime.now(UTC).isoformat()
            sealed = self._sealed(record_id, rev + 1, {"data": data, "author": author, "updated_at": now})
            if found is None:
                db.execute(INSERT_RECORD, (record_id, collection, 0, 0, 1, False, True, sealed))
            else:
                db.execute(
                    "UPDATE local_record SET rev = ?, deleted = 0, pending = 1, sealed = ? WHERE id = ?",
                    (rev + 1, sealed, record_id),
                )
            self._queue(db, record_id, collection, "upsert", version)
            db.executemany(
                INSERT_UPLOAD,
                [(u.record_id, u.file_id, u.size, u.sha256, u.server_id, u.offset, u.done) for u in also],
            )
        return record_id

    @staticmethod
    def _queue(db: sqlite3.Connection, record_id: str, collection: str, op: str, base_version: int) -> None:
        db.execute(
            "INSERT INTO outbox (record_id, collection, op, base_version) VALUES (?, ?, ?, ?)",
            (record_id, collection, op, base_version),
        )

    def delete(self, record_id: str) -> None:
        """Delete a record of the holder (a tombstone until the server confirms). Edits still queued
        for it are dropped: the server is told the delete only (an edit pushed after the delete
        would carry the tombstone's empty content)."""
        with self._writing() as db:
            found = db.execute(
                "SELECT collection, version, rev, deleted, sealed FROM local_record WHERE id = ?",
                (record_id,),
            ).fetchone()
            if found is None or found[3]:
                return
            collection, version, rev, _, sealed = found
            if self._open(record_id, rev, sealed).get("author", HOLDER) != HOLDER:
                raise ReadOnlyRecord(record_id)
            db.execute("DELETE FROM outbox WHERE record_id = ?", (record_id,))
            db.execute(
                "UPDATE local_record SET rev = ?, deleted = 1, pending = 1, sealed = ? WHERE id = ?",
                (rev + 1, self._sealed(record_id, rev + 1, {"data": {}, "author": HOLDER}), record_id),
            )
            self._queue(db, record_id, collection, "delete", version)

    # --- reads ----------------------------------------------------------------------------------
    def get(self, record_id: str) -> Item | None:
        with self._lock:
            found = self._db.execute(
                "SELECT collection, version, rev, pending, sealed FROM local_record"
                " WHERE id = ? AND deleted = 0",
                (record_id,),
            ).fetchone()
        return None if found is None else self._item(record_id, *found)

    def items(self, collection: str) -> list[Item]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, version, rev, pending, sealed FROM local_record"
                " WHERE collection = ? AND deleted = 0",
                (collection,),
            ).fetchall()
        return [
            self._item(rid, collection, version, rev, pending, sealed)
            for rid, version, rev, pending, sealed in rows
        ]

    def pending_count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM outbox").fetchone()[0])

    # --- document uploads (the uploader's progress, saved after every answer) ---------------
    def pending_uploads(self) -> list[LocalUpload]:
        with self._lock:
            rows = self._db.execute(
                'SELECT record_id, file_id, size, sha256, server_id, "offset" FROM local_upload'
                " WHERE NOT done"
            ).fetchall()
        return [
            LocalUpload(record_id=r[0], file_id=r[1], size=r[2], sha256=r[3], server_id=r[4], offset=r[5])
            for r in rows
        ]

    def save_upload(self, upload: LocalUpload) -> None:
        with self._writing() as db:
            db.execute(
                'UPDATE local_upload SET server_id = ?, "offset" = ?, done = ? WHERE record_id = ?',
                (upload.server_id, upload.offset, upload.done, upload.record_id),
            )

    # --- sync ------------------------------------------------------------------------------------
    def outbox_batch(self, limit: int) -> list[Mutation]:
        """The oldest queued changes, each carrying the record's current content.

        The batch stops before a record's second entry: that one must be rebased on the version
        the first one creates (see `acknowledge`), and sequences must reach the server in order.
        """
        db = self._db
        with self._lock:
            entries = db.execute(
                "SELECT seq, record_id, collection, op, base_version FROM outbox ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
            mutations: list[Mutation] = []
            seen: set[str] = set()
            for seq, record_id, collection, op, base_version in entries:
                if record_id in seen:
                    break
                seen.add(record_id)
                row = db.execute("SELECT rev, sealed FROM local_record WHERE id = ?", (record_id,)).fetchone()
                data = self._open(record_id, *row).get("data", {}) if row and op == "upsert" else {}
                data = {k: v for k, v in data.items() if k != "_conflicts"}
                mutations.append(
                    Mutation(
                        seq=seq,
                        op=op,
                        collection=collection,
                        id=record_id,
                        base_version=base_version,
                        data=data,
                    )
                )
            return mutations

    def acknowledge(self, results: list[MutationResult]) -> None:
        """Drop pushed entries and keep the server's copy of each record they changed."""
        with self._writing() as db:
            for result in results:
                entry = db.execute("SELECT record_id FROM outbox WHERE seq = ?", (result.seq,)).fetchone()
                if entry is None:
                    continue
                record_id = entry[0]
                db.execute("DELETE FROM outbox WHERE seq = ?", (result.seq,))
                queued = db.execute(
                    "SELECT 1 FROM outbox WHERE record_id = ? LIMIT 1", (record_id,)
                ).fetchone()
                here = db.execute("SELECT 1 FROM local_record WHERE id = ?", (record_id,)).fetchone()
                if result.record is not None:
                    self._store_server_copy(db, result.record, keep_pending=queued is not None)
                elif queued is None and here is not None and result.outcome == Outcome.REJECTED:
                    # refused and unknown to the server: the device keeps what the server has
                    db.execute("DELETE FROM local_record WHERE id = ?", (record_id,))
                elif queued is None and here is not None:
                    db.execute("UPDATE local_record SET pending = 0 WHERE id = ?", (record_id,))

    def _store_server_copy(self, db: sqlite3.Connection, record: RecordOut, *, keep_pending: bool) -> None:
        found = db.execute("SELECT rev FROM local_record WHERE id = ?", (record.id,)).fetchone()
        if keep_pending:
            # A later local change is still queued: keep its content, rebase it on this version.
            if found is None:
                db.execute(
                    INSERT_RECORD, (record.id, record.collection, record.version, 0, 0, False, False, b"")
                )
            else:
                db.execute("UPDATE local_record SET version = ? WHERE id = ?", (record.version, record.id))
            db.execute("UPDATE outbox SET base_version = ? WHERE record_id = ?", (record.version, record.id))
            return
        rev = (found[0] if found else 0) + 1
        content = {"data": record.data, "author": record.author, "updated_at": record.updated_at.isoformat()}
        row = (record.collection, record.version, record.seq, rev, record.deleted, False)
        sealed = self._sealed(record.id, rev, content)
        if found is None:
            db.execute(INSERT_RECORD, (record.id, *row, sealed))
        else:
            db.execute(UPDATE_RECORD, (*row, sealed, record.id))

    def apply_changes(self, changes: list[RecordOut], cursor: str) -> None:
        """Store a page of the server's feed and its cursor in one transaction (crash-safe): one
        SELECT of the rows already here, one bulk INSERT and one bulk UPDATE (a first sync pulls
        thousands of records)."""
        with self._writing() as db:
            ids = json.dumps([r.id for r in changes])
            known = {
                rid: (version, pending, rev)
                for rid, version, pending, rev in db.execute(
                    "SELECT id, version, pending, rev FROM local_record"
                    " WHERE id IN (SELECT value FROM json_each(?))",
                    (ids,),
                )
            }
            stored = set(known)
            rows: dict[str, tuple[Any, ...]] = {}
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
                sealed = self._sealed(record.id, rev, content)
                rows[record.id] = (
                    record.collection,
                    record.version,
                    record.seq,
                    rev,
                    record.deleted,
                    False,
                    sealed,
                )
                known[record.id] = (record.version, False, rev)  # the same id twice in a page: last wins
            db.executemany(INSERT_RECORD, [(rid, *row) for rid, row in rows.items() if rid not in stored])
            db.executemany(UPDATE_RECORD, [(*row, rid) for rid, row in rows.items() if rid in stored])
            self._put_meta(db, "cursor", cursor)

    def cursor(self) -> str:
        return self.meta("cursor") or ""
