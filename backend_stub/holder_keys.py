"""The keyring of sealed columns: one AES-256 key per holder, wrapped by the master key.

Keys live in `holderkey` rows (`models/keys.py`), unwrapped on first use and kept in a bounded
LRU cache, so sealing a row costs one AES-GCM call once the holder's key is warm. A holder's
first sealed value creates their key (inserted with ON CONFLICT DO NOTHING, so two requests
racing agree on one). Which generation is current is cached for `fresh_seconds` only: after a
re-encryption made a new one (`new_generation`), other processes switch within that time, and
the previous generation is kept until it has been superseded for longer than that (`retire`),
so nothing sealed by a late process is ever lost.
"""

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlmodel import col

from backend_stub.core.sealed_columns import MAGIC, Connect
from backend_stub.models.keys import HolderKey
from backend_stub.sealed_blobs import MasterKeys

HEAD = len(MAGIC) + 4 + 12  # magic, generation, nonce


class _Lru:
    """A small thread-safe LRU map."""

    def __init__(self, size: int) -> None:
        self.size, self.items, self.lock = size, OrderedDict[Hashable, Any](), threading.Lock()

    def get(self, key: Hashable) -> Any:
        try:  # no lock: each call is atomic, and an entry evicted meanwhile is only a miss
            self.items.move_to_end(key)
            return self.items[key]
        except KeyError:
            return None

    def put(self, key: Hashable, value: Any) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def drop(self, key: Hashable) -> None:
        with self.lock:
            self.items.pop(key, None)


class HolderKeys:
    """Seals and opens holders' values (the `Keyring` of `core/sealed_columns.py`)."""

    def __init__(self, master: MasterKeys, *, cache_size: int = 50_000, fresh_seconds: float = 60.0) -> None:
        self.master, self.fresh_seconds = master, fresh_seconds
        self._ciphers, self._current = _Lru(cache_size), _Lru(cache_size)

    def seal(self, connect: Connect, holder_id: str, aad: bytes, plain: bytes) -> bytes:
        gen, cipher = self._current_key(connect, holder_id)
        nonce = secrets.token_bytes(12)
        return MAGIC + gen.to_bytes(4, "big") + nonce + cipher.encrypt(nonce, plain, aad)

    def open(self, connect: Connect, holder_id: str, aad: bytes, envelope: bytes) -> bytes:
        cipher = self._cipher(connect, holder_id, self.generation(envelope))
        return cipher.decrypt(envelope[HEAD - 12 : HEAD], envelope[HEAD:], aad)

    @staticmethod
    def generation(envelope: bytes) -> int:
        return int.from_bytes(envelope[len(MAGIC) : len(MAGIC) + 4], "big")

    def _name(self, holder_id: str, gen: int) -> str:
        return f"holder:{holder_id}:{gen}"

    def _cipher(self, connect: Connect, holder_id: str, gen: int) -> AESGCM:
        cipher = self._ciphers.get((holder_id, gen))
        if cipher is None:
            row = (
                connect()
                .execute(
                    select(HolderKey.kid, HolderKey.wrapped).where(
                        col(HolderKey.holder_id) == holder_id, col(HolderKey.gen) == gen
                    )
                )
                .one()
            )
            entry = {"kid": row.kid, "wrapped": row.wrapped}
            cipher = AESGCM(self.master.unwrap(self._name(holder_id, gen), entry))
            self._ciphers.put((holder_id, gen), cipher)
        return cipher

    def _current_key(self, connect: Connect, holder_id: str) -> tuple[int, AESGCM]:
        cached = self._current.get(holder_id)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0], self._cipher(connect, holder_id, cached[0])
        conn = connect()
        gen = self._latest(conn, holder_id)
        if gen is None:
            self._insert(conn, holder_id, 1)
            gen = self._latest(conn, holder_id)
            assert gen is not None
        self._current.put(holder_id, (gen, time.monotonic() + self.fresh_seconds))
        return gen, self._cipher(connect, holder_id, gen)

    def _latest(self, conn: Connection, holder_id: str) -> int | None:
        query = select(HolderKey.gen).where(col(HolderKey.holder_id) == holder_id)
        return conn.execute(query.order_by(col(HolderKey.gen).desc()).limit(1)).scalar()

    def _insert(self, conn: Connection, holder_id: str, gen: int) -> None:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        wrapped = self.master.wrap(self._name(holder_id, gen), AESGCM.generate_key(bit_length=256))
        values = {"holder_id": holder_id, "gen": gen, "created_at": datetime.now(UTC)} | wrapped
        conn.execute(dialect.insert(HolderKey).values(**values).on_conflict_do_nothing())

    def new_generation(self, conn: Connection, holder_id: str) -> int:
        """A fresh key for the holder, current at once in this process (re-encryption)."""
        gen = (self._latest(conn, holder_id) or 0) + 1
        self._insert(conn, holder_id, gen)
        self._current.put(holder_id, (gen, time.monotonic() + self.fresh_seconds))
        return gen

    def retire(self, conn: Connection, holder_id: str, below: int, started: datetime) -> int:
        """Delete the generations under `below` that were superseded before `started` minus the
        freshness time (no process still seals with them); returns how many went."""
        rows = conn.execute(
            select(HolderKey.gen, HolderKey.created_at)
            .where(col(HolderKey.holder_id) == holder_id)
            .order_by(col(HolderKey.gen))
        ).all()
        limit = started - timedelta(seconds=self.fresh_seconds)
        gone = [
            old.gen
            for old, successor in zip(rows, rows[1:], strict=False)
            if old.gen < below and _aware(successor.created_at) < limit
        ]
        if gone:
            conn.execute(
                delete(HolderKey).where(col(HolderKey.holder_id) == holder_id, col(HolderKey.gen).in_(gone))
            )
            for gen in gone:
                self._ciphers.drop((holder_id, gen))
        return len(gone)

    def rewrap(self, conn: Connection, batch: int = 1000) -> int:
        """Wrap every holder key with the current master key (after a master key rotation)."""
        done = 0
        while rows := conn.execute(
            select(HolderKey).where(col(HolderKey.kid) != self.master.current).limit(batch)
        ).all():
            for row in rows:
                name = self._name(row.holder_id, row.gen)
                entry = self.master.wrap(
                    name, self.master.unwrap(name, {"kid": row.kid, "wrapped": row.wrapped})
                )
                conn.execute(
                    update(HolderKey)
                    .where(col(HolderKey.holder_id) == row.holder_id, col(HolderKey.gen) == row.gen)
                    .values(**entry)
                )
            done += len(rows)
        return done


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
