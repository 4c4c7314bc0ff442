"""The encrypted device store against bare SQLite doing the same work: inserts, point reads, a scan.

Backends, each on a fresh file with the store's schema (`SCHEMA_STEPS`) and pragmas (WAL,
synchronous=NORMAL, temp_store=MEMORY, secure_delete=ON); every one encodes and decodes JSON with
the same stdlib calls as `sync.crypto` (an encoder and a decoder bound once), so the JSON codec is
not what is compared:
  * "encrypted Store": `sync.store.Store`, the product (returns `Item` objects);
  * "sqlite3 + AES-GCM", **the floor the issue #21 target is measured against**: the bare
    `sqlite3` module plus the store's very sealing done inline, no other layer. A write seals
    `{"data", "author", "updated_at"}` as `Cipher.seal_json` does (`v1:` + random 96-bit nonce +
    AES-256-GCM with associated data `v1:local_record|<id>|<rev>`) and runs `INSERT OR REPLACE`
    (plus the outbox row in the same transaction for "1 tx/record", one `executemany` per page
    for "1 tx/page"); a read SELECTs `rev, sealed`, decrypts with the same associated data, decodes
    the JSON and returns the `data` dict (no `Item`);
  * "sqlite3 module": the same bare code with clear JSON in `sealed` (no cipher at all): what the
    sealing itself costs, for reference;
  * "SQLCipher (sqlcipher3)": that clear-JSON code on a SQLCipher file keyed with a raw 256-bit
    key (page-level encryption of the whole file; dev-only, `pip install sqlcipher3-binary`,
    skipped when missing);
  * "plain Store (no cipher)": `Store` with `_sealed`/`_open` replaced by clear JSON (also used
    by `sync_bench.py`).

Write patterns, identical for every backend:
  * "insert, 1 tx/record": what `Store.put` does, one commit per record plus its outbox row;
  * "insert, 1 tx/page": a page of `--page` server records per commit, no outbox (what a pull
    does, `Store.apply_changes`).
Reads: `--gets` random point reads (`Store.get`), then `Store.items(collection)` over everything.

Every variant runs `--repeat` times, interleaved, each time in a fresh database of a temporary
directory; the best run is kept. The machine is noisy: read the ratios, not the absolute rates;
`--clock cpu` times the process's CPU instead of the wall clock, which others' load moves far less.

    .venv/bin/python benchmarks/store_bench.py
    .venv/bin/python benchmarks/store_bench.py --records 5000 --gets 2000 --repeat 3 --clock cpu
"""

import argparse
import json
import os
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sync.crypto import NONCE, VERSION
from sync.protocol.sync_schemas import RecordOut
from sync.store import SCHEMA_STEPS, Store

COLLECTION = "measurement"
PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "temp_store=MEMORY", "secure_delete=ON")
Record = tuple[str, dict[str, Any]]
# The JSON calls of `sync.crypto`, shared by every backend: the codec is not what is compared.
encode_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
decode_json = json.JSONDecoder().decode


def make_records(count: int, seed: int) -> list[Record]:
    """Measurements as the app writes them: a few short fields and a free-text note."""
    rng = random.Random(seed)
    kinds = [("weight", "kg"), ("glucose", "mmol/L"), ("heart_rate", "bpm"), ("systolic", "mmHg")]
    records = []
    for _ in range(count):
        kind, unit = rng.choice(kinds)
        note = rng.choice(["after breakfast", "morning, before coffee", "felt tired", ""])
        value = round(rng.uniform(40, 140), 1)
        records.append((uuid.uuid4().hex, {"kind": kind, "value": value, "unit": unit, "note": note}))
    return records


# --- backends ----------------------------------------------------------------------------------


class Backend(Protocol):
    """One way of keeping the records; each is built on a fresh file."""

    def put(self, record_id: str, data: dict[str, Any]) -> None: ...
    def put_page(self, page: list[RecordOut]) -> None: ...
    def get(self, record_id: str) -> dict[str, Any] | None: ...
    def scan(self) -> list[dict[str, Any]]: ...
    def close(self) -> None: ...


class PlainStore(Store):
    """The product's Store with the cipher taken out: content kept as clear JSON bytes.

    Everything else (the read before a put, outbox row, Item building) is inherited, so the
    difference to `Store` is exactly the sealing."""

    def _sealed(self, record_id: str, rev: int, content: dict[str, Any]) -> bytes:
        return encode_json(content).encode()

    def _open(self, record_id: str, rev: int, sealed: bytes) -> dict[str, Any]:
        value = decode_json(sealed.decode())
        assert isinstance(value, dict)
        return value


class StoreBackend:
    """`Store` or `PlainStore`: `put` is `Store.put`, `put_page` is `Store.apply_changes`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.pages = 0

    def put(self, record_id: str, data: dict[str, Any]) -> None:
        self.store.put(COLLECTION, data, record_id=record_id)

    def put_page(self, page: list[RecordOut]) -> None:
        self.pages += 1
        self.store.apply_changes(page, cursor=f"page{self.pages}")

    def get(self, record_id: str) -> dict[str, Any] | None:
        item = self.store.get(record_id)
        return item.data if item else None

    def scan(self) -> list[dict[str, Any]]:
        return [item.data for item in self.store.items(COLLECTION)]

    def close(self) -> None:
        self.store.close()


class Sqlite3Backend:
    """The bare `sqlite3` module on the store's own schema and pragmas, JSON content in `sealed`.

    One transaction per `put` with its outbox row, like `Store.put`; no ORM, no Item objects."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.db = connection
        self.db.isolation_level = None  # explicit BEGIN/COMMIT, as SQLAlchemy issues them
        for pragma in PRAGMAS:
            self.db.execute(f"PRAGMA {pragma}")
        for step in SCHEMA_STEPS:
            for statement in step:
                self.db.execute(statement)

    @staticmethod
    def _page_content(record: RecordOut) -> dict[str, Any]:
        return {"data": record.data, "author": record.author, "updated_at": record.updated_at.isoformat()}

    def _content(self, record_id: str, rev: int, content: dict[str, Any]) -> bytes:
        """The `sealed` column: clear JSON here (SQLCipher encrypts the pages instead)."""
        return encode_json(content).encode()

    def _data(self, record_id: str, rev: int, stored: bytes) -> dict[str, Any]:
        value: dict[str, Any] = decode_json(stored.decode())["data"]
        return value

    def _write(self, record_id: str, data: dict[str, Any]) -> None:
        content = self._content(record_id, 1, {"data": data, "author": "holder", "updated_at": _now()})
        self.db.execute(
            "INSERT OR REPLACE INTO local_record (id, collection, version, server_seq, rev, deleted, pending,"
            " sealed) VALUES (?, ?, 0, 0, 1, 0, 1, ?)",
            (record_id, COLLECTION, content),
        )

    def put(self, record_id: str, data: dict[str, Any]) -> None:
        self.db.execute("BEGIN")
        self._write(record_id, data)
        self.db.execute(
            "INSERT INTO outbox (record_id, collection, op, base_version) VALUES (?, ?, 'upsert', 0)",
            (record_id, COLLECTION),
        )
        self.db.execute("COMMIT")

    def put_page(self, page: list[RecordOut]) -> None:
        self.db.execute("BEGIN")
        self.db.executemany(
            "INSERT OR REPLACE INTO local_record (id, collection, version, server_seq, rev, deleted, pending,"
            " sealed) VALUES (?, ?, ?, ?, 1, ?, 0, ?)",
            [(r.id, r.collection, r.version, r.seq, r.deleted, self._content(r.id, 1, self._page_content(r)))
             for r in page],
        )
        self.db.execute("COMMIT")

    def get(self, record_id: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT rev, sealed FROM local_record WHERE id = ? AND NOT deleted", (record_id,)
        ).fetchone()
        return self._data(record_id, *row) if row else None

    def scan(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT id, rev, sealed FROM local_record WHERE collection = ? AND NOT deleted", (COLLECTION,)
        )
        return [self._data(*row) for row in rows]

    def close(self) -> None:
        self.db.close()


class SealedSqlite3Backend(Sqlite3Backend):
    """The floor for the Store: bare `sqlite3` plus the Store's very sealing, done inline.

    Each record's content is AES-256-GCM sealed exactly as `sync.crypto.Cipher` does it (`v1:`,
    random 96-bit nonce, associated data `v1:local_record|<id>|<rev>`, same JSON), with one
    `AESGCM` object and no other layer: what any code keeping this format must pay."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        super().__init__(connection)
        self.aead = AESGCM(os.urandom(32))

    def _content(self, record_id: str, rev: int, content: dict[str, Any]) -> bytes:
        nonce = os.urandom(NONCE)
        aad = b"v1:local_record|%s|%d" % (record_id.encode(), rev)
        return VERSION + nonce + self.aead.encrypt(nonce, encode_json(content).encode(), aad)

    def _data(self, record_id: str, rev: int, stored: bytes) -> dict[str, Any]:
        aad = b"v1:local_record|%s|%d" % (record_id.encode(), rev)
        plain = self.aead.decrypt(stored[3:15], stored[15:], aad)
        value: dict[str, Any] = decode_json(plain.decode())["data"]
        return value


def _now() -> str:
    return datetime.now(UTC).isoformat()


def sqlcipher_connect(path: Path) -> sqlite3.Connection | None:
    """A SQLCipher connection keyed with a raw random 256-bit key (no KDF), or None if not installed."""
    try:
        import sqlcipher3  # type: ignore[import-not-found]
    except ImportError:
        return None
    connection = sqlcipher3.connect(str(path))
    connection.execute(f"PRAGMA key = \"x'{os.urandom(32).hex()}'\"")
    return connection  # type: ignore[no-any-return]


BACKENDS: dict[str, Callable[[Path], Backend | None]] = {
    "encrypted Store": lambda path: StoreBackend(Store(path, os.urandom(32))),
    "plain Store (no cipher)": lambda path: StoreBackend(PlainStore(path, os.urandom(32))),
    "sqlite3 + AES-GCM": lambda path: SealedSqlite3Backend(sqlite3.connect(path)),
    "sqlite3 module": lambda path: Sqlite3Backend(sqlite3.connect(path)),
    "SQLCipher (sqlcipher3)": lambda path: (
        Sqlite3Backend(conn) if (conn := sqlcipher_connect(path)) is not None else None
    ),
}
TARGET, BASELINE, FLOOR = "encrypted Store", "plain Store (no cipher)", "sqlite3 + AES-GCM"


# --- measurements --------------------------------------------------------------------------------


@dataclass
class Results:
    """Seconds per (operation, backend), one entry per run; the best run is kept because on a
    shared machine noise only ever adds time."""

    ops: dict[str, int]
    seconds: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    def add(self, operation: str, backend: str, elapsed: float) -> None:
        self.seconds.setdefault((operation, backend), []).append(elapsed)

    def rate(self, operation: str, backend: str) -> float | None:
        runs = self.seconds.get((operation, backend))
        return self.ops[operation] / min(runs) if runs else None


def as_pages(records: list[Record], size: int) -> list[list[RecordOut]]:
    """The records as pages of the server's feed, built before the clock starts."""
    now = datetime.now(UTC)
    feed = [
        RecordOut(id=rid, collection=COLLECTION, version=1, seq=n, deleted=False, data=data,
                  author="holder", updated_at=now)
        for n, (rid, data) in enumerate(records, start=1)
    ]
    return [feed[i : i + size] for i in range(0, len(feed), size)]


# Wall time by default; `--clock cpu` counts the process's CPU time instead, which other work on
# a shared machine barely moves (it leaves out waits on the disk, the same for every backend here).
CLOCK = {"wall": time.perf_counter, "cpu": time.process_time}
clock = CLOCK["wall"]


def timed(action: Callable[[], object]) -> float:
    started = clock()
    action()
    return clock() - started


def measure_inserts(name: str, folder: Path, records: list[Record], pages: list[list[RecordOut]],
                    results: Results) -> Backend | None:
    """Both write patterns for one backend, each into a fresh file; the per-record database is
    returned open for the reads (None when the backend is not installed)."""
    paged = BACKENDS[name](folder / "per-page.db")
    if paged is None:
        return None
    try:
        results.add("insert, 1 tx/page", name, timed(lambda: [paged.put_page(p) for p in pages]))
    finally:
        paged.close()
    backend = BACKENDS[name](folder / "per-record.db")
    assert backend is not None
    results.add("insert, 1 tx/record", name, timed(lambda: [backend.put(rid, d) for rid, d in records]))
    return backend


def measure_reads(name: str, backend: Backend, sample: list[str], expected: int, results: Results) -> None:
    """The point reads, then the full scan; checks that everything was read back."""
    found = 0

    def gets() -> None:
        nonlocal found
        found = sum(backend.get(rid) is not None for rid in sample)

    results.add("point reads (get)", name, timed(gets))
    rows: list[dict[str, Any]] = []
    results.add("full scan (items)", name, timed(lambda: rows.extend(backend.scan())))
    if found != len(sample) or len(rows) != expected:
        raise SystemExit(f"{name}: read back {found}/{len(sample)} gets and {len(rows)}/{expected} rows")


def run(names: list[str], folder: Path, records: list[Record], args: argparse.Namespace,
        results: Results) -> list[str]:
    """One run: inserts backend after backend, then `--read-rounds` rounds of reads alternating
    between the open databases. Returns the backends that are installed."""
    rng = random.Random(args.seed)
    sample = [rng.choice(records)[0] for _ in range(args.gets)]
    pages = as_pages(records, args.page)
    opened: dict[str, Backend] = {}
    try:
        for index, name in enumerate(names):
            (folder / str(index)).mkdir()
            backend = measure_inserts(name, folder / str(index), records, pages, results)
            if backend is not None:
                opened[name] = backend
        for _ in range(args.read_rounds):
            for name, backend in opened.items():
                measure_reads(name, backend, sample, len(records), results)
    finally:
        for backend in opened.values():
            backend.close()
    return list(opened)


# --- report ----------------------------------------------------------------------------------------


def print_report(results: Results, names: list[str], args: argparse.Namespace) -> None:
    print(f"\n{args.records} records, {args.gets} point reads, pages of {args.page}, {args.clock} time; "
          f"best of {args.repeat} runs (reads: {args.repeat * args.read_rounds} rounds), alternated.")
    print(f"each column = time of the backend / time of the column's backend; < 1 means faster. "
          f"floor = {FLOOR}.\n")
    columns = (("vs floor", FLOOR), ("vs sqlite3", "sqlite3 module"), ("vs plain", BASELINE))
    header = f"{'operation':<22}{'backend':<26}{'ops/s':>10}" + "".join(f"{c:>12}" for c, _ in columns)
    print(header)
    print("-" * len(header))
    for operation in results.ops:
        for name in names:
            if (rate := results.rate(operation, name)) is None:
                continue
            ratios = [(o / rate if (o := results.rate(operation, ref)) else 0.0) for _, ref in columns]
            print(f"{operation:<22}{name:<26}{rate:>10.0f}" + "".join(f"{r:>11.2f}x" for r in ratios))
        print()
    print(f"Targets (issue #21), per operation: the encrypted Store within 1.5x of the floor ({FLOOR}: "
          "bare sqlite3 doing the same sealing) and at least as fast as SQLCipher.")
    for operation in results.ops:
        enc = results.rate(operation, TARGET)
        if not enc:
            continue
        verdicts = []
        for name, limit in ((FLOOR, 1.5), ("SQLCipher (sqlcipher3)", 1.0), ("sqlite3 module", None)):
            if other := results.rate(operation, name):
                verdict = "" if limit is None else (" met" if other / enc <= limit else " MISSED")
                verdicts.append(f"vs {name} {other / enc:.2f}x{verdict}")
        print(f"  {operation:<22} " + ", ".join(verdicts))
    print(f"load average: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=10_000, help="records inserted (default 10000)")
    parser.add_argument("--gets", type=int, default=2_000, help="random point reads (default 2000)")
    parser.add_argument("--page", type=int, default=500, help="records per paged commit (default 500)")
    parser.add_argument("--repeat", type=int, default=3, help="runs, the best is kept (default 3)")
    parser.add_argument("--read-rounds", type=int, default=3,
                        help="rounds of reads per run, alternating backends (default 3)")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--clock", choices=list(CLOCK), default="wall",
                        help="wall time, or the process's CPU time (steadier on a shared machine)")
    parser.add_argument("--only", nargs="*", choices=list(BACKENDS), help="run only these backends")
    return parser.parse_args()


def main() -> None:
    global clock
    args = parse_args()
    clock = CLOCK[args.clock]
    records = make_records(args.records, args.seed)
    results = Results(ops={"insert, 1 tx/record": args.records, "insert, 1 tx/page": args.records,
                           "point reads (get)": args.gets, "full scan (items)": args.records})
    with tempfile.TemporaryDirectory(prefix="ens-store-bench-") as tmp:
        # Warm-up, untimed: the first backend to run would otherwise pay the one-off costs
        # (SQLAlchemy mapper configuration, statement caches, imports) for everyone.
        warm = argparse.Namespace(**(vars(args) | {"gets": 50, "page": 100, "read_rounds": 1}))
        (Path(tmp) / "warm").mkdir()
        names = run(args.only or list(BACKENDS), Path(tmp) / "warm", records[:300], warm, Results(ops={}))
        for missing in set(args.only or BACKENDS) - set(names):
            print(f"{missing}: not installed (pip install sqlcipher3-binary), skipped")
        for repeat in range(args.repeat):
            # Alternate the order between runs so no backend always follows the same one.
            order = names if repeat % 2 == 0 else names[::-1]
            (Path(tmp) / str(repeat)).mkdir()
            run(order, Path(tmp) / str(repeat), records, args, results)
            print(f"run {repeat + 1}/{args.repeat} done", flush=True)
    print_report(results, names, args)


if __name__ == "__main__":
    main()
