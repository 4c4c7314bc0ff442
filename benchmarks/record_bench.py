"""Shared-record benchmark: access-log and document listing latency, and the log's insert rate.

A holder with 100,000 access-log entries and 2,000 documents. Latencies (p50/p99) are printed
next to a baseline measured in the same run on the same database: a primary-key lookup of one
row of the same table (the cheapest indexed read). The insert rate of hash-chained log entries
(one transaction each, as in a request) is printed next to plain inserts of rows of the same
shape without the chain or the holder lock.

    python benchmarks/record_bench.py                       # SQLite in a temporary folder
    python benchmarks/record_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, text
from sqlmodel import Session

from backend_stub.context import build_context
from backend_stub.core.config import Settings
from backend_stub.migrate import upgrade
from backend_stub.models.access_log import AccessEntry
from backend_stub.models.accounts import Holder
from backend_stub.models.professionals import Professional
from backend_stub.models.record import Record
from backend_stub.rules import gate
from backend_stub.services import audit, professionals, record_access


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.99) - 1] * 1000


def _timed(call: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def _reset(url: str) -> None:
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine

        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def seed(session: Session, ctx: object, entries: int, documents: int) -> tuple[Holder, Professional]:
    now = datetime.now(UTC)
    holder = Holder(
        nir_digest="b" * 64,
        vitale_digest="v",
        first_name="Bench",
        last_name="Holder",
        birth_date=date(1980, 1, 1),
        code_digest="c",
        code_expires_at=now,
        letter_sent_at=now,
        objection_deadline=now,
        status="active",
    )
    session.add(holder)
    session.commit()
    pro, _ = professionals.register(
        session=session,
        ctx=ctx,
        rpps="10000000009",
        first_name="Bench",  # type: ignore[arg-type]
        last_name="Doctor",
        profession="doctor",
    )
    for n in range(documents):
        session.add(
            Record(
                holder_id=holder.id,
                id=f"doc{n:06d}",
                collection="document",
                version=1,
                seq=n + 1,
                data={"title": f"Document {n}", "type": "lab_results", "date": "2026-01-01"},
                updated_at=now,
            )
        )
    holder.last_seq = documents
    session.add(holder)
    session.commit()
    prev = audit.GENESIS
    batch: list[AccessEntry] = []
    for seq in range(1, entries + 1):
        entry = AccessEntry(
            holder_id=holder.id,
            seq=seq,
            at=now,
            actor_id=pro.id,
            actor_name="Bench Doctor",
            profession="doctor",
            action="read",
            target="doc000001",
            target_title="Document 1",
            mode="authorised",
            outcome="allowed",
            prev_hash=prev,
            hash="",
            kid=ctx.evidence.keys.current,  # type: ignore[attr-defined]
        )
        entry.hash = prev = audit.entry_link(entry, ctx.evidence.keys)  # type: ignore[attr-defined]
        batch.append(entry)
        if len(batch) == 5000 or seq == entries:
            session.add_all(batch)
            session.commit()
            batch = []
    holder.log_seq, holder.log_head = entries, prev
    session.add(holder)
    session.commit()
    return holder, pro


def run(url: str, entries: int, documents: int, samples: int, inserts: int) -> None:
    _reset(url)
    data_dir = Path(tempfile.mkdtemp(prefix="record-bench-"))
    settings = Settings(
        env="test",
        data_dir=data_dir,
        database_url=url or f"sqlite:///{data_dir / 'b.db'}",
        secret_key="bench-" + "k" * 40,
    )
    upgrade(settings.database_url)
    ctx = build_context(settings)
    with Session(ctx.engine, expire_on_commit=False) as session:  # as a request's session
        start = time.perf_counter()
        holder, pro = seed(session, ctx, entries, documents)
        print(
            f"seeded {entries} log entries and {documents} documents in {time.perf_counter() - start:.1f} s"
        )
        rng = random.Random(1)
        actor = professionals.gate_actor(pro, gate.Relation(authorised=True, seen=True))
        opened = record_access.Opened(holder, actor, gate.Verdict(True, "authorised"), pro)

        lookups = _timed(lambda: session.get(AccessEntry, (holder.id, rng.randint(1, entries))), samples)
        first_page = _timed(lambda: audit.page(session=session, holder_id=holder.id, limit=50), samples)
        deep_page = _timed(
            lambda: audit.page(
                session=session, holder_id=holder.id, before=rng.randint(2, entries), limit=50
            ),
            samples,
        )
        by_pro = _timed(
            lambda: audit.page(session=session, holder_id=holder.id, actor_id=pro.id, limit=50), samples
        )
        docs = _timed(
            lambda: record_access.list_documents(session=session, ctx=ctx, opened=opened),
            samples // 5,
        )
        base50, base99 = _percentiles(lookups)
        print(f"\n{'query':38} {'p50 ms':>8} {'p99 ms':>8} {'p50 / baseline':>15}")
        print(f"{'baseline: one entry by primary key':38} {base50:8.2f} {base99:8.2f} {1:15.1f}")
        for name, series in (
            ("access log, newest 50", first_page),
            ("access log, a deep page of 50", deep_page),
            ("access log, one professional", by_pro),
            ("documents for a doctor (100, logged)", docs),
        ):
            p50, p99 = _percentiles(series)
            print(f"{name:38} {p50:8.2f} {p99:8.2f} {p50 / base50:15.1f}")

        access = audit.Access("read", "authorised", "allowed", "doc000001", "Document 1")
        chained = time.perf_counter()
        for _ in range(inserts):
            audit.append(session=session, holder_id=holder.id, actor=pro, access=access, at=datetime.now(UTC))
            session.commit()
        chained = inserts / (time.perf_counter() - chained)
        plain_table = Table(
            "plain_log",
            MetaData(),
            Column("id", Integer, primary_key=True),
            Column("holder_id", String(32)),
            Column("payload", String(800)),
        )
        plain_table.create(ctx.engine)
        plain = time.perf_counter()
        for n in range(inserts):
            session.execute(plain_table.insert().values(id=n, holder_id=holder.id, payload="x" * 400))
            session.commit()
        plain = inserts / (time.perf_counter() - plain)
        print(
            f"\nlog inserts, one transaction each: chained {chained:,.0f}/s, plain rows {plain:,.0f}/s, "
            f"ratio {chained / plain:.2f}"
        )
        assert audit.verify(session=session, holder_id=holder.id) is None
        print("chain verified intact after the run")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="empty: SQLite in a temporary folder")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=2_000)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--inserts", type=int, default=2_000)
    args = parser.parse_args()
    run(args.database_url, args.entries, args.documents, args.samples, args.inserts)


if __name__ == "__main__":
    main()
