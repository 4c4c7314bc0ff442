"""Issue #15's costs, each as a ratio to the same work without it, measured in the same run on the
same database: sealing record content (push, pull, a doctor's listing) and the access log's
HMAC links, sealed fields and checkpoints (appends).

Two engines share one database: the server's (holders' keys, `holder_keys.py`) and a
baseline one whose keyring stores values as they are (`Clear`: what the columns held before
sealing; JSON encoded and decoded the same way). Each side has its own holders with the same
content. Appends: the baseline is the append of before issue #15 (plain SHA-256 link, nothing
sealed, no checkpoint), copied below; the server's is `audit.append` with a checkpoint every
`--checkpoint-every` entries written to a file in the temporary folder. Rounds alternate the two
sides so that the machine's drift hits both; the ratio of the medians and of the fastest rounds
(the least disturbed by other work on a shared machine) are printed.

    python benchmarks/evidence_bench.py                       # SQLite in a temporary folder
    python benchmarks/evidence_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

import argparse
import dataclasses
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text, update
from sqlmodel import Session, col
from stdnum import luhn

from backend_stub.context import Context, build_context
from backend_stub.core import sealed_columns
from backend_stub.core.config import Settings
from backend_stub.core.sealed_columns import Connect
from backend_stub.db import make_engine
from backend_stub.migrate import upgrade
from backend_stub.models.access_log import AccessEntry
from backend_stub.models.accounts import Holder
from backend_stub.models.professionals import Professional
from backend_stub.rules import gate
from backend_stub.services import audit, professionals, record_access, sync
from sync.protocol.sync_schemas import Mutation, PushRequest


class Clear:
    """A keyring that seals nothing: the baseline's columns hold their JSON or text as it is."""

    def seal(self, connect: Connect, holder_id: str, aad: bytes, plain: bytes) -> bytes:
        return plain

    def open(self, connect: Connect, holder_id: str, aad: bytes, envelope: bytes) -> bytes:
        return envelope


def append_before_15(*, session: Session, holder_id: str, actor: Professional, access: audit.Access) -> None:
    """`services/audit.append` as it was before issue #15: a plain SHA-256 link, no checkpoint."""
    seq, head = session.execute(
        update(Holder)
        .where(col(Holder.id) == holder_id)
        .values(log_seq=col(Holder.log_seq) + 1)
        .returning(col(Holder.log_seq), col(Holder.log_head))
        .execution_options(synchronize_session=False)
    ).one()
    entry = AccessEntry(
        holder_id=holder_id,
        seq=seq,
        at=datetime.now(UTC),
        actor_id=actor.id,
        actor_name=f"{actor.first_name} {actor.last_name}",
        profession=actor.profession,
        action=access.action,
        target=access.target,
        target_title=access.target_title,
        mode=access.mode,
        outcome=access.outcome,
        detail=access.detail,
        prev_hash=head or audit.GENESIS,
        hash="",
    )
    entry.hash = audit.legacy_digest(entry)
    session.execute(update(Holder).where(col(Holder.id) == holder_id).values(log_head=entry.hash))
    session.add(entry)


def _reset(url: str) -> None:
    if url.startswith("postgresql"):
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def _holder(ctx: Context, n: int) -> Holder:
    now = datetime.now(UTC)
    with Session(ctx.engine, expire_on_commit=False) as session:
        holder = Holder(
            nir_digest=f"{n:064d}",
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
    return holder


def _documents(n: int, start: int) -> list[Mutation]:
    return [
        Mutation(
            seq=start + i,
            op="upsert",
            collection="document",
            id=f"doc{start + i:07d}",
            base_version=0,
            data={
                "title": f"Compte rendu d'hospitalisation {i}",
                "type": "hospital_report",
                "date": "2026-01-02",
                "mime": "application/pdf",
                "size": 123456,
                "sha256": "a" * 64,
                "masked": False,
            },
        )
        for i in range(n)
    ]


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


@dataclasses.dataclass
class Side:
    """One side of the comparison: its context, holders, a doctor and the opened record."""

    name: str
    ctx: Context
    listed: Holder
    pushed: Holder
    logged: Holder
    pro: Professional
    pushes: int = 0


def _side(name: str, ctx: Context, records: int, offset: int) -> Side:
    listed, pushed, logged = (_holder(ctx, offset + i) for i in range(3))
    body = f"{1000000000 + offset}"
    rpps = body + luhn.calc_check_digit(body)
    with Session(ctx.engine, expire_on_commit=False) as session:
        pro, _ = professionals.register(
            session=session,
            ctx=ctx,
            rpps=rpps,
            first_name="Bench",
            last_name="Doctor",
            profession="doctor",
        )
        documents = _documents(records, 1)
        for start in range(0, records, 200):
            batch = PushRequest(client_id="seed-device", mutations=documents[start : start + 200])
            sync.push(session=session, ctx=ctx, holder=listed, request=batch)
    return Side(name, ctx, listed, pushed, logged, pro)


def _push(side: Side, batch: int) -> None:
    with Session(side.ctx.engine, expire_on_commit=False) as session:
        request = PushRequest(client_id="bench-device", mutations=_documents(batch, side.pushes + 1))
        side.pushes += batch
        sync.push(session=session, ctx=side.ctx, holder=side.pushed, request=request)


def _pull(side: Side) -> None:
    with Session(side.ctx.engine, expire_on_commit=False) as session:
        sync.pull(session=session, holder=side.listed, cursor="", limit=500)


def _listing(side: Side) -> None:
    actor = professionals.gate_actor(side.pro, gate.Relation(authorised=True, seen=True))
    opened = record_access.Opened(side.listed, actor, gate.Verdict(True, "authorised"), side.pro)
    with Session(side.ctx.engine, expire_on_commit=False) as session:
        record_access.list_documents(session=session, ctx=side.ctx, opened=opened)


def _appends(side: Side, count: int, before_15: bool) -> None:
    access = audit.Access("read", "authorised", "allowed", "doc0000001", "Compte rendu", "")
    with Session(side.ctx.engine, expire_on_commit=False) as session:
        for _ in range(count):
            if before_15:
                append_before_15(session=session, holder_id=side.logged.id, actor=side.pro, access=access)
            else:
                audit.append(
                    session=session,
                    holder_id=side.logged.id,
                    actor=side.pro,
                    access=access,
                    at=datetime.now(UTC),
                )
            session.commit()


def run(url: str, records: int, rounds: int, batch: int, appends: int, every: int) -> None:
    _reset(url)
    folder = Path(tempfile.mkdtemp(prefix="evidence-bench-"))
    try:
        settings = Settings(
            env="test",
            data_dir=folder,
            database_url=url or f"sqlite:///{folder / 'bench.db'}",
            secret_key="bench-" + "k" * 40,
            checkpoint_every=every,
        )
        upgrade(settings.database_url)
        sealed = build_context(settings)
        clear = build_context(settings)  # another engine on the same database, then unsealed
        sealed_columns.attach(clear.engine, Clear())
        start = time.perf_counter()
        sides = (_side("sealed", sealed, records, 0), _side("clear", clear, records, 10))
        kind, took = settings.database_url.split(":")[0], time.perf_counter() - start
        print(f"{kind}: seeded 2 x {records} documents in {took:.1f} s")
        for side in sides:  # warm both (caches, prepared statements)
            _pull(side), _listing(side), _push(side, batch), _appends(side, 10, side.name == "clear")
        samples: dict[tuple[str, str], list[float]] = {}
        for n in range(rounds):
            for side in sides if n % 2 == 0 else sides[::-1]:
                for operation, call in (
                    (f"push of {batch} documents", lambda s=side: _push(s, batch)),
                    ("pull of 500 records", lambda s=side: _pull(s)),
                    ("a doctor's listing (100, logged)", lambda s=side: _listing(s)),
                    (f"{appends} log appends", lambda s=side: _appends(s, appends, s.name == "clear")),
                ):
                    samples.setdefault((operation, side.name), []).append(_timed(call))
        title = f"operation ({rounds} rounds)"
        print(f"\n{title:36} {'sealed ms':>10} {'clear ms':>10} {'ratio':>7} {'best':>6}")
        for operation in dict.fromkeys(op for op, _ in samples):
            with_, without = (samples[(operation, s)] for s in ("sealed", "clear"))
            sealed_ms, clear_ms = statistics.median(with_) * 1000, statistics.median(without) * 1000
            best = min(with_) / min(without)
            print(
                f"{operation:36} {sealed_ms:10.1f} {clear_ms:10.1f} {sealed_ms / clear_ms:7.2f} {best:6.2f}"
            )
        rate = {
            s: appends / statistics.median(samples[(f"{appends} log appends", s)])
            for s in ("sealed", "clear")
        }
        print(
            f"\nappends: {rate['sealed']:,.0f}/s with HMAC links, sealed title and detail, a checkpoint "
            f"every {every} entries; {rate['clear']:,.0f}/s as before issue #15; "
            f"time ratio {rate['clear'] / rate['sealed']:.2f} (target 1.2 at most)"
        )
        print("ratio: of the medians; best: of the fastest rounds (the least disturbed by other work)")
        with Session(sealed.engine) as session:
            assert audit.verify(session=session, holder_id=sides[0].logged.id) is None
        files = len(list((folder / "checkpoints").glob("*.jsonl")))
        print(f"HMAC chain of the sealed side verified; {files} checkpoint file(s) written")
        for ctx in (sealed, clear):
            ctx.engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="empty: SQLite in a temporary folder")
    parser.add_argument(
        "--records", type=int, default=2_000, help="documents of the pulled and listed holder"
    )
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--batch", type=int, default=100, help="documents per push")
    parser.add_argument("--appends", type=int, default=300, help="log appends per round (a commit each)")
    parser.add_argument("--checkpoint-every", type=int, default=1000)
    args = parser.parse_args()
    run(args.database_url, args.records, args.rounds, args.batch, args.appends, args.checkpoint_every)


if __name__ == "__main__":
    main()
