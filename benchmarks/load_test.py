"""Load test: N simulated phones against the real server on PostgreSQL, then an integrity check.

Each phone logs in (password, then the one-time code read from the server's development outbox)
and, until the time is up, does what the app does in the background, one action at a time with
a think time between: push a few measurements and pull the change feed, upload a small document
(resumable upload in two chunks, then its record), read the access log, and now and then log in
again. A few professionals read the phones' documents through the professionals' API (list, then
one document's bytes), which the server must write to each holder's access log. Every phone also
calls GET /health in its mix: the **baseline** of the same run, same concurrency, same moment, so
each route's latency is also printed as a ratio to it.

After the run (server stopped), the integrity check reads the database: every upload a phone
completed is present once, complete, its bytes' SHA-256 right and its document record there;
every measurement acknowledged is there exactly once (version 1); every professional access
answered is in the holder's access log; and each holder's log hash chain verifies.

The server is `python -m backend_stub serve --workers W` on a PostgreSQL database the script
creates (and drops at the end unless --keep), rate limits off (ENS_RATE_LIMITS_ENABLED=false: one
address making thousands of logins is what they refuse), Argon2 at its defaults unless
--cheap-argon2 (then said in the output). Everything is on 127.0.0.1; every loop is bounded in
time; the server is killed at the end.

    .venv/bin/python benchmarks/load_test.py                       # 200 phones, 300 s
    .venv/bin/python benchmarks/load_test.py --phones 50 --duration 60
"""

import argparse
import asyncio
import hashlib
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from login_bench import OTP_CODE, PASSWORD, enrol_people, free_port, running_server, use_bench_environment
from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session, col, func, select
from stdnum import luhn

from backend_stub.context import build_context, sealed_store
from backend_stub.core.config import get_settings
from backend_stub.migrate import upgrade
from backend_stub.models.access_log import AccessEntry
from backend_stub.models.accounts import Holder
from backend_stub.models.record import Record, Upload
from backend_stub.services import audit, professionals
from sync.protocol.record_schemas import AccessLogPage, ProDocumentPage
from sync.protocol.schemas import (
    ActivationRequest,
    LoginChallenge,
    LoginRequest,
    Me,
    OtpVerifyRequest,
    TokenPair,
)
from sync.protocol.sync_schemas import (
    Mutation,
    Outcome,
    PullResponse,
    PushRequest,
    PushResponse,
    UploadCreate,
    UploadState,
)

API = "/api/v1"
CHEAP_ARGON2 = {"ENS_ARGON2_TIME_COST": "1", "ENS_ARGON2_MEMORY_KIB": "1024", "ENS_ARGON2_PARALLELISM": "1"}
# What a phone does next, and how often (relative weights).
ACTIONS = {"sync": 4.0, "upload": 1.0, "access_log": 2.0, "health": 2.0, "login": 0.2}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--phones", type=int, default=200, help="simulated phones (default 200)")
    parser.add_argument("--duration", type=int, default=300, help="seconds of load (default 300)")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (default 2)")
    parser.add_argument("--pros", type=int, default=5, help="professionals reading documents (default 5)")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a phone's actions")
    parser.add_argument(
        "--admin-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL URL allowed to CREATE DATABASE; the test's own database is made beside it",
    )
    parser.add_argument(
        "--cheap-argon2", action="store_true", help="Argon2id t=1, 1 MiB (said in the output)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the data dir and the database")
    parser.add_argument("--db-prefix", default="ens_load_", help="its database's name before a random part")
    return parser.parse_args()


# --- measurements ------------------------------------------------------------------------------


class Stats:
    """Latency and failures per route (path templates, so ids do not split a route)."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, Counter[str]] = defaultdict(Counter)

    def add(self, route: str, seconds: float, error: str = "") -> None:
        self.seconds[route].append(seconds)
        if error:
            self.errors[route][error] += 1

    def report(self, elapsed: float) -> int:
        """Print the table; return the number of failed requests."""
        base = self.seconds.get("GET /health") or [float("nan")]
        base_p50, base_p99 = percentile(base, 0.5), percentile(base, 0.99)
        total = sum(len(v) for v in self.seconds.values())
        failed = sum(sum(c.values()) for c in self.errors.values())
        print(f"\n{total} requests in {elapsed:.0f} s ({total / elapsed:.1f} req/s), {failed} failed")
        print(
            f"{'route':<38} {'count':>7} {'errors':>6} {'p50 ms':>9} {'p99 ms':>9}"
            f" {'p50/base':>9} {'p99/base':>9}"
        )
        for route in sorted(self.seconds, key=lambda r: (r != "GET /health", r)):
            values = self.seconds[route]
            p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
            errors = sum(self.errors[route].values())
            flag = (
                "   !! " + ", ".join(f"{k} x{n}" for k, n in self.errors[route].most_common())
                if errors
                else ""
            )
            print(
                f"{route:<38} {len(values):>7} {errors:>6} {p50 * 1000:>9.1f} {p99 * 1000:>9.1f}"
                f" {p50 / base_p50:>9.1f} {p99 / base_p99:>9.1f}{flag}"
            )
        return failed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- the development outbox, read as a phone's owner reads their SMS / e-mail ----------------


class Outbox:
    """Watches the server's outbox folder; the one-time codes sent to each address, in order."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.seen: set[str] = set()
        self.codes: dict[str, list[str]] = defaultdict(list)

    def scan(self) -> None:
        if not self.folder.exists():
            return
        new = sorted(
            e.name for e in os.scandir(self.folder) if e.name.endswith(".json") and e.name not in self.seen
        )
        for name in new:  # names start with a timestamp: oldest first
            message = json.loads((self.folder / name).read_text(encoding="utf-8"))
            self.seen.add(name)
            if found := OTP_CODE.search(message["body"]):
                self.codes[message["to"]].append(found.group())

    async def watch(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.to_thread(self.scan)
            await asyncio.sleep(0.1)

    async def code_after(self, to: str, known: int, timeout: float = 60) -> str | None:
        """The first code sent to `to` after the `known` ones already there."""
        ends = time.monotonic() + timeout
        while time.monotonic() < ends:
            if len(self.codes[to]) > known:
                return self.codes[to][known]
            await asyncio.sleep(0.05)
        return None


# --- phones and professionals ------------------------------------------------------------------


@dataclass
class Phone:
    """One simulated phone and what the server acknowledged to it (the integrity check's truth)."""

    n: int
    request: ActivationRequest
    http: httpx.AsyncClient
    stats: Stats
    outbox: Outbox
    tokens: TokenPair | None = None
    holder_id: str = ""
    client_id: str = field(default_factory=lambda: f"load-{uuid.uuid4().hex[:16]}")
    seq: int = 0
    cursor: str = ""
    measurements: set[str] = field(default_factory=set)  # record ids the server applied
    documents: dict[str, tuple[str, int]] = field(default_factory=dict)  # record id -> (sha256, size)
    think: float = 1.0  # mean seconds between two actions
    pro_accesses: int = 0  # professional accesses (list or read) the server answered with success

    async def call(self, route: str, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        """One request of the signed-in phone, timed under `route`; None when it failed (counted)."""
        headers = kwargs.pop("headers", {})
        if self.tokens is not None:
            headers = headers | {"Authorization": f"Bearer {self.tokens.access_token}"}
        return await timed(self.http, self.stats, route, method, path, headers=headers, **kwargs)

    async def activate(self) -> bool:
        return (
            await self.call(
                "POST /activation", "POST", "/activation", json=self.request.model_dump(mode="json")
            )
            is not None
        )

    async def login(self) -> bool:
        """Password, then the code the server wrote to the outbox; then who am I."""
        self.tokens = None
        known = len(self.outbox.codes[self.request.email])
        body = LoginRequest(email=self.request.email, password=PASSWORD).model_dump(mode="json")
        if (answer := await self.call("POST /auth/login", "POST", "/auth/login", json=body)) is None:
            return False
        challenge = LoginChallenge.model_validate(answer.json())
        if (code := await self.outbox.code_after(self.request.email, known)) is None:
            self.stats.add("(code not in the outbox)", 0.0, "timeout")
            return False
        body = OtpVerifyRequest(challenge_id=challenge.challenge_id, code=code).model_dump(mode="json")
        if (
            answer := await self.call("POST /auth/otp/verify", "POST", "/auth/otp/verify", json=body)
        ) is None:
            return False
        self.tokens = TokenPair.model_validate(answer.json())
        if (answer := await self.call("GET /me", "GET", "/me")) is None:
            return False
        self.holder_id = Me.model_validate(answer.json()).id
        return True

    async def push(self, mutations: list[Mutation]) -> list[str]:
        """Push a batch; the ids the server applied (anything else counts as an error)."""
        answer = await self.call(
            "POST /sync/push",
            "POST",
            "/sync/push",
            json=PushRequest(client_id=self.client_id, mutations=mutations).model_dump(mode="json"),
        )
        if answer is None:
            return []
        results = PushResponse.model_validate(answer.json()).results
        by_seq = {m.seq: m.id for m in mutations}
        refused = [r for r in results if r.outcome != Outcome.APPLIED]
        for result in refused:
            self.stats.add("(push outcome)", 0.0, f"{result.outcome}:{result.error}")
        return [by_seq[r.seq] for r in results if r.outcome == Outcome.APPLIED]

    def mutation(self, collection: str, record_id: str, data: dict[str, Any]) -> Mutation:
        self.seq += 1
        return Mutation(
            seq=self.seq, op="upsert", collection=collection, id=record_id, base_version=0, data=data
        )

    async def sync(self, rng: random.Random) -> None:
        """A few new weights, then the change feed until up to date."""
        weights = [
            self.mutation(
                "measurement",
                uuid.uuid4().hex,
                {"kind": "weight", "value": round(rng.uniform(50, 90), 1), "unit": "kg"},
            )
            for _ in range(5)
        ]
        self.measurements.update(await self.push(weights))
        for _ in range(20):  # bounded: the feed of one phone is short
            answer = await self.call(
                "GET /sync/pull", "GET", "/sync/pull", params={"cursor": self.cursor, "limit": 500}
            )
            if answer is None:
                return
            page = PullResponse.model_validate(answer.json())
            self.cursor = page.cursor
            if not page.more:
                return

    async def upload(self, rng: random.Random) -> None:
        """A small document in two chunks (resumable upload), then its record."""
        content = b"%PDF-1.4\n" + rng.randbytes(rng.randint(16, 48) * 1024)
        sha, size = hashlib.sha256(content).hexdigest(), len(content)
        created = await self.call(
            "POST /uploads", "POST", "/uploads", json=UploadCreate(size=size, sha256=sha).model_dump()
        )
        if created is None:
            return
        state = UploadState.model_validate(created.json())
        half = size // 2
        for offset, piece in ((0, content[:half]), (half, content[half:])):
            headers = {"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}
            answer = await self.call(
                "PATCH /uploads/{id}", "PATCH", f"/uploads/{state.id}", content=piece, headers=headers
            )
            if answer is None:
                return
            state = UploadState.model_validate(answer.json())
        if not state.complete:
            self.stats.add("(upload not complete)", 0.0, "incomplete")
            return
        record_id = f"doc{uuid.uuid4().hex[:20]}"
        data = {
            "title": f"Compte rendu {self.seq}",
            "type": "hospital_report",
            "date": "2026-11-01",
            "mime": "application/pdf",
            "size": size,
            "sha256": sha,
        }
        if record_id in await self.push([self.mutation("document", record_id, data)]):
            self.documents[record_id] = (sha, size)

    async def access_log(self) -> None:
        if (answer := await self.call("GET /access-log", "GET", "/access-log")) is not None:
            AccessLogPage.model_validate(answer.json())

    async def run(self, deadline: float, rng: random.Random) -> None:
        """Log in (again until it works), then act until the deadline; an action in flight finishes."""
        await asyncio.sleep(rng.uniform(0, 2 * self.think))
        while time.monotonic() < deadline and not await self.login():
            await asyncio.sleep(1)
        while time.monotonic() < deadline:
            action = rng.choices(list(ACTIONS), weights=list(ACTIONS.values()))[0]
            if action == "sync":
                await self.sync(rng)
            elif action == "upload":
                await self.upload(rng)
            elif action == "access_log":
                await self.access_log()
            elif action == "health":
                await self.call("GET /health", "GET", "/health")
            else:
                await self.login()
            await asyncio.sleep(rng.uniform(0, 2 * self.think))


@dataclass
class Professional:
    """A doctor's practice software reading the documents of phones that have some."""

    key: str
    http: httpx.AsyncClient
    stats: Stats
    think: float

    async def read_one(self, phone: Phone, rng: random.Random) -> None:
        """List the patient's documents (first access: consent declared), then read one's bytes."""
        headers = {"X-Api-Key": self.key, "X-Patient-Nir": phone.request.nir, "X-Consent": "declared"}
        route = "GET /pro/documents"
        if (
            listed := await timed(self.http, self.stats, route, "GET", "/pro/documents", headers=headers)
        ) is None:
            return
        phone.pro_accesses += 1
        page = ProDocumentPage.model_validate(listed.json())
        if not (known := [d.id for d in page.documents if d.id in phone.documents]):
            self.stats.add("(pro: own documents not listed)", 0.0, "missing")
            return
        record_id = rng.choice(known)
        route, path = "GET /pro/documents/{id}/content", f"/pro/documents/{record_id}/content"
        if (content := await timed(self.http, self.stats, route, "GET", path, headers=headers)) is None:
            return
        phone.pro_accesses += 1
        if hashlib.sha256(content.content).hexdigest() != phone.documents[record_id][0]:
            self.stats.add("(pro: bytes read)", 0.0, "wrong SHA-256")

    async def run(self, phones: list[Phone], deadline: float, rng: random.Random) -> None:
        while time.monotonic() < deadline:
            await asyncio.sleep(rng.uniform(0, 2 * self.think))
            readable = [p for p in phones if p.documents]
            if readable:
                await self.read_one(rng.choice(readable), rng)


async def timed(
    http: httpx.AsyncClient, stats: Stats, route: str, method: str, path: str, **kwargs: Any
) -> httpx.Response | None:
    """One request timed under `route`; None when it failed (status >= 400 or no answer: counted)."""
    started = time.perf_counter()
    try:
        response = await http.request(method, API + path, **kwargs)
    except httpx.HTTPError as exc:
        stats.add(route, time.perf_counter() - started, type(exc).__name__)
        return None
    failed = response.status_code >= 400
    stats.add(route, time.perf_counter() - started, str(response.status_code) if failed else "")
    return None if failed else response


# --- setup -------------------------------------------------------------------------------------


def create_database(admin_url: str, prefix: str = "ens_load_") -> str:
    """A database of the test's own beside the admin URL's; its URL."""
    url = make_url(admin_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{prefix}{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, database_url: str) -> None:
    admin = create_engine(
        make_url(admin_url.replace("postgresql://", "postgresql+psycopg://", 1)), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(database_url).database}" WITH (FORCE)'))
    admin.dispose()


def register_professionals(count: int) -> tuple[list[str], set[str]]:
    """`count` doctors in the directory: their API keys and ids."""
    ctx = build_context(get_settings())
    keys, ids = [], set()
    with Session(ctx.engine, expire_on_commit=False) as session:
        for i in range(count):
            body = f"{1000000000 + i}"
            pro, key = professionals.register(
                session=session,
                ctx=ctx,
                rpps=body + luhn.calc_check_digit(body),
                first_name="Alex",
                last_name=f"Charge{i}",
                profession="doctor",
            )
            keys.append(key)
            ids.add(pro.id)
    ctx.engine.dispose()
    return keys, ids


# --- the run -----------------------------------------------------------------------------------


async def activate_all(phones: list[Phone], at_once: int = 8) -> None:
    """Every phone activates its space through the API (setup, timed apart)."""
    limit = asyncio.Semaphore(at_once)

    async def one(phone: Phone) -> None:
        async with limit:
            if not await phone.activate():
                raise RuntimeError(f"activation {phone.n} failed: {dict(phone.stats.errors)}")

    await asyncio.gather(*(one(p) for p in phones))


async def load(
    args: argparse.Namespace, base_url: str, requests: list[ActivationRequest], pro_keys: list[str]
) -> tuple[list[Phone], Stats, float]:
    stats, setup_stats = Stats(), Stats()
    outbox = Outbox(get_settings().outbox_dir)
    stop = asyncio.Event()
    watcher = asyncio.create_task(outbox.watch(stop))
    clients = [
        httpx.AsyncClient(base_url=base_url, timeout=120) for _ in range(len(requests) + len(pro_keys))
    ]
    try:
        phones = [
            Phone(n=n, request=r, http=clients[n], stats=setup_stats, outbox=outbox, think=args.think)
            for n, r in enumerate(requests)
        ]
        started = time.perf_counter()
        await activate_all(phones)
        activation = setup_stats.seconds["POST /activation"]
        print(
            f"Activated {len(phones)} spaces through the API in {time.perf_counter() - started:.1f} s "
            f"(8 at a time; p50 {percentile(activation, 0.5) * 1000:.0f} ms, "
            f"p99 {percentile(activation, 0.99) * 1000:.0f} ms)."
        )
        for phone in phones:
            phone.stats = stats
        pros = [
            Professional(key, clients[len(phones) + i], stats, args.think) for i, key in enumerate(pro_keys)
        ]
        print(
            f"Load: {len(phones)} phones + {len(pros)} professionals for {args.duration} s, "
            f"think time {args.think} s on average ...",
            flush=True,
        )
        rng = random.Random(20261124)
        deadline = time.monotonic() + args.duration
        started = time.perf_counter()
        runs = [p.run(deadline, random.Random(rng.random())) for p in phones]
        runs += [p.run(phones, deadline, random.Random(rng.random())) for p in pros]
        await asyncio.wait_for(asyncio.gather(*runs), timeout=args.duration + 300)  # bounded even if stuck
        return phones, stats, time.perf_counter() - started
    finally:
        stop.set()
        await watcher
        await asyncio.gather(*(c.aclose() for c in clients))


# --- integrity ---------------------------------------------------------------------------------


def integrity(phones: list[Phone], pro_ids: set[str]) -> list[str]:
    """Compare what the server acknowledged to each phone with what its database holds."""
    problems: list[str] = []
    counts: Counter[str] = Counter()
    ctx = build_context(get_settings())
    blobs = sealed_store(get_settings())
    with Session(ctx.engine) as s:
        for phone in phones:
            holder = phone.holder_id
            if not holder:
                problems.append(f"phone {phone.n} never logged in")
                continue
            uploads = {u.sha256: u for u in s.exec(select(Upload).where(Upload.holder_id == holder)).all()}
            for record_id, (sha, size) in phone.documents.items():
                upload, record = uploads.get(sha), s.get(Record, (holder, record_id))
                if upload is None or not upload.complete or upload.offset != size:
                    problems.append(f"phone {phone.n}: upload of {record_id} missing or incomplete")
                elif blobs.sha256(upload.id) != sha:
                    problems.append(f"phone {phone.n}: the bytes of {record_id} do not match their SHA-256")
                elif record is None or record.data.get("sha256") != sha:
                    problems.append(f"phone {phone.n}: the record of {record_id} is missing")
                else:
                    counts["documents present, complete, SHA-256 right"] += 1
            rows = s.exec(
                select(Record.id, Record.version).where(
                    Record.holder_id == holder, Record.collection == "measurement"
                )
            ).all()
            held = {record_id for record_id, _ in rows}
            if missing := phone.measurements - held:
                problems.append(f"phone {phone.n}: {len(missing)} acknowledged measurements missing")
            if any(version != 1 for _, version in rows):
                problems.append(f"phone {phone.n}: a measurement was applied twice (version > 1)")
            counts["measurements present once"] += len(phone.measurements & held)
            counts["(applied, answer lost: extra on the server)"] += len(held - phone.measurements)
            logged = s.exec(
                select(func.count())
                .select_from(AccessEntry)
                .where(
                    AccessEntry.holder_id == holder,
                    col(AccessEntry.actor_id).in_(pro_ids),
                    AccessEntry.outcome == "allowed",
                )
            ).one()
            if logged < phone.pro_accesses:
                problems.append(
                    f"phone {phone.n}: {phone.pro_accesses - logged} professional accesses not logged"
                )
            counts["professional accesses answered"] += phone.pro_accesses
            counts["professional accesses in the access logs"] += logged
            if (broken := audit.verify(session=s, holder_id=holder)) is not None:
                problems.append(f"phone {phone.n}: access log chain broken at entry {broken}")
            else:
                counts["access-log chains valid"] += 1
        counts["holders in the database"] = s.exec(select(func.count()).select_from(Holder)).one()
    ctx.engine.dispose()
    print("\nIntegrity check (database after the run, server stopped):")
    for name, value in counts.items():
        print(f"  {name:<48} {value}")
    return problems


# --- main --------------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ens-load-"))
    database_url = ""
    try:
        use_bench_environment(tmp)
        database_url = create_database(args.admin_url, args.db_prefix)
        os.environ["ENS_DATABASE_URL"] = database_url
        if args.cheap_argon2:
            os.environ.update(CHEAP_ARGON2)
        get_settings.cache_clear()
        settings = get_settings()
        upgrade(settings.database_url)
        cost = settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
        argon2 = "t={}, {} KiB, p={}".format(*cost)
        print(
            f"Data dir {tmp}; PostgreSQL database {make_url(database_url).database}; rate limits OFF "
            f"(they would refuse this); Argon2id {'CHEAP ' if args.cheap_argon2 else 'defaults '}({argon2})."
        )
        started = time.perf_counter()
        requests = [request for _, request in enrol_people(args.phones)]
        pro_keys, pro_ids = register_professionals(args.pros)
        print(
            f"Enrolled {len(requests)} people, registered {len(pro_keys)} doctors "
            f"({time.perf_counter() - started:.1f} s). Server: {args.workers} workers."
        )
        with running_server(port=free_port(), workers=args.workers, log=tmp / "server.log") as base_url:
            phones, stats, elapsed = asyncio.run(load(args, base_url, requests, pro_keys))
        failed = stats.report(elapsed)
        print("(base = GET /health in the same run: no authentication, no database)")
        problems = integrity(phones, pro_ids)
        for problem in problems:
            print(f"  !! {problem}")
        print(
            f"\n{'OK' if not problems and not failed else 'PROBLEMS'}: {failed} failed requests (target 0), "
            f"{len(problems)} integrity problems (target 0)."
        )
        return 1 if problems or failed else 0
    finally:
        if args.keep:
            print(f"Kept {tmp} and database {database_url}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            if database_url:
                drop_database(args.admin_url, database_url)


if __name__ == "__main__":
    sys.exit(main())
