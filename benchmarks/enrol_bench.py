"""Enrolment throughput: `enrol_many` over `read_csv` (what `enrol-csv` runs) against a bare insert.

The insurer enrols whole populations at once, so the question is how much the enrolment's own
work (validation of the NIR and Vitale serial, three HMACs, a random code, the ORM, one letter
written to the outbox per person) costs on top of what the database needs anyway. The baseline,
measured in the same run on the same kind of database, is a plain Core bulk insert of the same
rows, of the same width, into a freshly migrated `holder` table, committed in the same batches,
with no hashing, validation or letters. We print both rates and their ratio, never absolute
targets: the machine is noisy, ratios are what can be compared between runs.

    .venv/bin/python benchmarks/enrol_bench.py --count 100000
    .venv/bin/python benchmarks/enrol_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

import argparse
import csv
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from backend_stub.context import build_context
from backend_stub.core.config import Settings
from backend_stub.db import make_engine
from backend_stub.demo import fake_people_csv
from backend_stub.migrate import upgrade
from backend_stub.models.accounts import Holder
from backend_stub.notifier import read_outbox
from backend_stub.services import enrolment
from sync.protocol.schemas import OtpChannel, SpaceStatus

# PostgreSQL schemas this script creates and drops: nothing else in the database is touched.
PG_SCHEMAS = {"enrol": "bench_enrol", "baseline": "bench_enrol_baseline", "parallel": "bench_enrol_parallel"}


@dataclass(frozen=True)
class Timing:
    """How many rows a run wrote and how long it took."""

    rows: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000, help="people in the CSV (default 100000)")
    parser.add_argument("--batch-size", type=int, default=1000, 
                        help="rows per commit, both runs (default 1000)")
    parser.add_argument("--database-url", default="",
                        help="PostgreSQL URL; the script works in its own schemas there and drops them. "
                             "Default: SQLite files in a temporary directory.")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (CSV, outbox, dbs)")
    parser.add_argument("--parallel", type=int, default=0,
                        help="also enrol the same CSV with this many processes (`enrol-csv --part`), "
                             "PostgreSQL only, into a third schema; prints the speed-up")
    return parser.parse_args()


# --- databases ---------------------------------------------------------------------------------

def with_search_path(url: str, schema: str) -> str:
    """The same PostgreSQL URL, its connections confined to `schema` (libpq `options`)."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def databases(tmp: Path, pg_url: str) -> Iterator[dict[str, str]]:
    """Two fresh, migrated databases of the same kind: one for enrolment, one for the baseline."""
    if not pg_url:
        urls = {name: f"sqlite:///{tmp / f'{name}.db'}" for name in PG_SCHEMAS}
        for url in urls.values():
            upgrade(url)
        yield urls
        return
    admin = make_engine(pg_url)
    try:
        _recreate_schemas(admin)
        urls = {name: with_search_path(pg_url, schema) for name, schema in PG_SCHEMAS.items()}
        for url in urls.values():
            upgrade(url)
        yield urls
    finally:
        _drop_schemas(admin)
        admin.dispose()


def _recreate_schemas(admin: Engine) -> None:
    _drop_schemas(admin)
    with admin.begin() as conn:
        for schema in PG_SCHEMAS.values():
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))


def _drop_schemas(admin: Engine) -> None:
    with admin.begin() as conn:
        for schema in PG_SCHEMAS.values():
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


# --- the two runs ------------------------------------------------------------------------------

def time_enrolment(
    *, url: str, csv_path: Path, data_dir: Path, batch_size: int, part: int = 0, parts: int = 1
) -> Timing:
    """Exactly what `enrol-csv` does (its `--part` of `--parts`), minus the progress bar: letters go
    to `data_dir/outbox`."""
    settings = Settings(data_dir=data_dir, database_url=url)
    ctx = build_context(settings)
    report = enrolment.EnrolmentReport(errors=[])
    try:
        with Session(ctx.engine) as session:
            started = time.perf_counter()
            people = enrolment.read_csv(csv_path, report, part, parts)
            result = enrolment.enrol_many(session=session, ctx=ctx, people=people, batch_size=batch_size)
            elapsed = time.perf_counter() - started
    finally:
        ctx.engine.dispose()
    if report.errors:
        raise SystemExit(f"the generated CSV has refused rows, e.g. {report.errors[:3]}")
    return Timing(rows=result.created, seconds=elapsed)


def baseline_rows(csv_path: Path) -> Iterator[dict[str, Any]]:
    """The CSV's rows as `holder` rows of the same width, with placeholders where digests go."""
    now = datetime.now(UTC)
    deadline = now + timedelta(weeks=6)
    with csv_path.open(newline="", encoding="utf-8-sig") as handle:
        for n, row in enumerate(csv.DictReader(handle)):
            filler = f"{n:064x}"  # as wide as a hex SHA-256, unique like the NIR digest
            yield {
                "id": uuid.uuid4().hex, "nir_digest": filler, "vitale_digest": filler,
                "first_name": row["first_name"], "last_name": row["last_name"],
                "birth_date": date.fromisoformat(row["birth_date"]), "postal_address": row["postal_address"],
                "letter_email": row["email"] or None, "lang": row["lang"], "status": SpaceStatus.PENDING,
                "code_digest": filler, "code_expires_at": deadline, "letter_sent_at": now,
                "objection_deadline": deadline, "otp_channel": OtpChannel.EMAIL, "otp_failures": 0,
            }


def time_bulk_insert(*, url: str, csv_path: Path, batch_size: int) -> Timing:
    """The floor: the same rows inserted with Core `executemany`, committed per batch."""
    engine = make_engine(url)
    statement = insert(Holder.__table__)  # type: ignore[arg-type]
    written = 0
    try:
        rows = baseline_rows(csv_path)
        started = time.perf_counter()
        with engine.connect() as conn:
            while batch := list(islice(rows, batch_size)):
                conn.execute(statement, batch)
                conn.commit()
                written += len(batch)
        elapsed = time.perf_counter() - started
    finally:
        engine.dispose()
    return Timing(rows=written, seconds=elapsed)


def _part(ready: Any, **kwargs: Any) -> tuple[int, float, float]:
    """One process's part, started when every process is ready (imports done): rows written, and
    when it started and ended (wall clock)."""
    ready.wait()
    timing = time_enrolment(**kwargs)
    ended = time.time()
    return timing.rows, ended - timing.seconds, ended


def time_parallel(*, url: str, csv_path: Path, data_dir: Path, batch_size: int, parts: int) -> Timing:
    """`parts` processes enrolling their parts of the CSV at once: from the first start to the last
    end of `enrol_many` (the processes' start-up, imports and contexts not counted)."""
    context = get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(parts, mp_context=context) as pool:
        ready = manager.Barrier(parts)
        runs = [pool.submit(_part, ready, url=url, csv_path=csv_path, data_dir=data_dir / f"part{n}",
                            batch_size=batch_size, part=n, parts=parts) for n in range(parts)]
        done = [run.result() for run in runs]
    return Timing(rows=sum(rows for rows, _, _ in done),
                  seconds=max(end for _, _, end in done) - min(start for _, start, _ in done))


# --- report ------------------------------------------------------------------------------------

def print_report(*, kind: str, enrol: Timing, baseline: Timing, letters: int) -> None:
    ratio = enrol.rate / baseline.rate if baseline.rate else 0.0
    print(f"\nDatabase: {kind}")
    print(f"  enrol_many(read_csv)  {enrol.rows:>8} people in {enrol.seconds:7.2f} s  "
          f"= {enrol.rate:9.0f} people/s  ({letters} letters in the outbox)")
    print(f"  bare bulk insert      {baseline.rows:>8} rows   in {baseline.seconds:7.2f} s  "
          f"= {baseline.rate:9.0f} rows/s")
    print(f"  ratio enrolment / bulk insert = {ratio:.3f}  "
          f"(enrolment costs {1 / ratio if ratio else float('inf'):.1f}x the bare insert)")


def main() -> None:
    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ens-enrol-bench-"))
    try:
        csv_path = tmp / "people.csv"
        started = time.perf_counter()
        fake_people_csv(csv_path, count=args.count)
        print(f"Generated {args.count} people in {time.perf_counter() - started:.1f} s ({csv_path}).")
        with databases(tmp, args.database_url) as urls:
            # The baseline first: it warms the disk cache with the CSV, to the enrolment's advantage
            # if anything, so the ratio is not flattered.
            baseline = time_bulk_insert(url=urls["baseline"], csv_path=csv_path, batch_size=args.batch_size)
            enrol = time_enrolment(url=urls["enrol"], csv_path=csv_path, data_dir=tmp,
                                   batch_size=args.batch_size)
            parallel = None
            if args.parallel and args.database_url:
                parallel = time_parallel(url=urls["parallel"], csv_path=csv_path, data_dir=tmp,
                                         batch_size=args.batch_size, parts=args.parallel)
        letters = len(read_outbox(tmp / "outbox", limit=args.count + 1))
        kind = "PostgreSQL (own schemas, dropped)" if args.database_url else "SQLite (WAL, temporary files)"
        print_report(kind=kind, enrol=enrol, baseline=baseline, letters=letters)
        if parallel is not None:
            print(f"  {args.parallel} processes (enrol-csv --part n --parts {args.parallel}): "
                  f"{parallel.rows} people in {parallel.seconds:.2f} s = {parallel.rate:.0f} people/s, "
                  f"speed-up {parallel.rate / enrol.rate:.2f}x over one process")
        print(f"  load average: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    finally:
        if args.keep:
            print(f"Kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
