"""Encrypted device store against plain SQLite: inserts, point reads and a full scan.

The question is what sealing every record with AES-256-GCM costs, so the baseline runs the very
same code with the cipher taken out: `PlainStore` is `sync.store.Store` with `_sealed`/`_open`
replaced by plain JSON (same code paths, same schema, same pragmas, same transaction per record,
same outbox row). Its ratio to the encrypted store is the cost of the encryption. The script also
runs the bare `sqlite3` module on the same schema (what the Store's own code costs, the target of
issue #21), and SQLCipher (page-level encryption of the whole file; dev-only comparison, `pip
install sqlcipher3-binary` into the venv, skipped when missing).

Write patterns, identical for every backend:
  * "insert, 1 tx/record": what `Store.put` does, one commit per record plus its outbox row;
  * "insert, 1 tx/page": a page of `--page` records per commit, no outbox (what a pull does,
    `Store.apply_changes`), to show how much of the per-record cost is the commit itself.
Reads: `--gets` random point reads (`Store.get`), then `Store.items(collection)` over everything.

Every variant runs `--repeat` times, interleaved, each time in a fresh database of a temporary
directory; the median is kept. The machine is noisy: read the ratios, not the absolute rates.

    .venv/bin/python benchmarks/store_bench.py
    .venv/bin/python benchmarks/store_bench.py --records 10000 --gets 2000 --repeat 3
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

from sync.protocol.sync_schemas import RecordOut
from sync.store import SCHEMA_STEPS, Store

COLLECTION = "measurement"
PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "temp_store=MEMORY", "secure_delete=ON")
Record = tuple[str, dict[str, Any]]


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

    Everything else (session per call, `s.get` before a put, outbox row, ORM objects, Item
    building) is inherited, so the difference to `Store` is exactly the sealing."""

    def _sealed(self, record_id: str, rev: int, content: dict[str, Any]) -> bytes:
        return json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()

    def _open(self, record_id: str, rev: int, sealed: bytes) -> dict[str, Any]:
        value = json.loads(sealed)
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

    def _write(self, record_id: str, data: dict[str, Any]) -> None:
        content = json.dumps({"data": data, "author": "holder"}, separators=(",", ":")).encode()
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
        for record in page:
            self._write(record.id, record.data)
        self.db.execute("COMMIT")

    def get(self, record_id: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT sealed FROM local_record WHERE id = ? AND NOT deleted", (record_id,)
        ).fetchone()
        return json.loads(row[0])["data"] if row else None

    def scan(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT sealed FROM local_record WHERE collection = ? AND NOT deleted", (COLLECTION,)
        )
        return [json.loads(sealed)["data"] for (sealed,) in rows]

    def close(self) -> None:
        self.db.close()


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
    "sqlite3 module": lambda path: Sqlite3Backend(sqlite3.connect(path)),
    "SQLCipher (sqlcipher3)": lambda path: (
        Sqlite3Backend(conn) if (conn := sqlcipher_connect(path)) is not None else None
    ),
}
TARGET, BASELINE = "encrypted Store", "plain Store (no cipher)"


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


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


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
    print(f"\n{args.records} records, {args.gets} point reads, pages of {args.page}; best of "
          f"{args.repeat} runs (reads: of {args.repeat * args.read_rounds} rounds), backends alternated.")
    print("slowdown = time of the backend / time of the plain Store (same code, no cipher); "
          "< 1 means faster.\n")
    header = f"{'operation':<22}{'backend':<26}{'ops/s':>10}{'slowdown':>10}{'vs sqlite3':>12}"
    print(header)
    print("-" * len(header))
    for operation in results.ops:
        base = results.rate(operation, BASELINE)
        raw = results.rate(operation, "sqlite3 module")
        for name in names:
            rate = results.rate(operation, name)
            if rate is None or base is None or raw is None:
                continue
            print(f"{operation:<22}{name:<26}{rate:>10.0f}{base / rate:>9.2f}x{raw / rate:>11.2f}x")
        print()
    print("Targets (issue #21): the encrypted Store within 1.5x of bare sqlite3 and at least as fast as "
          "SQLCipher, each operation; within 1.5x of the plain Store (the cost of sealing).")
    for operation in results.ops:
        enc = results.rate(operation, TARGET)
        if not enc:
            continue
        verdicts = []
        for name, limit in (("sqlite3 module", 1.5), ("SQLCipher (sqlcipher3)", 1.0), (BASELINE, 1.5)):
            if other := results.rate(operation, name):
                ratio = other / enc
                verdict = "met" if ratio <= limit else "MISSED"
                verdicts.append(f"vs {name.split(' ')[0]} {ratio:.2f}x {verdict}")
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
    parser.add_argument("--only", nargs="*", choices=list(BACKENDS), help="run only these backends")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
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
