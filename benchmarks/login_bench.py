"""Login and authenticated-read throughput of the real server, each against a same-run baseline.

Logging in is dominated by Argon2id on purpose (a memory-hard password hash), so the useful
question is not "how many logins per second" but "how close does the server get to the bare
Argon2 verifications the machine can do": everything else in a login (routing, two SQL
statements, a challenge row, the one-time code written to the outbox) should be small beside it.
Likewise an authenticated read (GET /me: bearer digest lookup, holder lookup, JSON) is compared
with the cheapest route of the same server (GET /health), under the same load.

What runs:
  1. a temporary data dir, K holders enrolled and activated through the services (codes read from
     the letters), and a few of them signed in (password, then the one-time code) for bearer tokens;
  2. `python -m backend_stub serve --workers W` as a subprocess; then, in each round:
     - bare Argon2: argon2-cffi's PasswordHasher with the server's own Settings parameters, verifying
       in as many processes as the server has workers, for as long as the login test (server idle);
     - `wrk` with Lua scripts: POST /auth/login cycling through the K accounts, GET /health, and
       GET /me cycling through the tokens.
  Each ratio is taken within a round and the median over rounds is printed: other work on the
  machine drifts over minutes, so a baseline measured right before its test is the fair one.

Rate limits are switched off (ENS_RATE_LIMITS_ENABLED=false): with them on, a load test from one
address is refused after 30 attempts, which is the point of them. Argon2 keeps its defaults.
Everything is on 127.0.0.1, every loop is bounded in time; the server is killed at the end.

    .venv/bin/python benchmarks/login_bench.py            # ~3.5 min
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import httpx
from argon2 import PasswordHasher
from sqlmodel import Session

from backend_stub.context import Context, build_context
from backend_stub.core.config import Settings, get_settings
from backend_stub.demo import fake_people_csv
from backend_stub.migrate import upgrade
from backend_stub.notifier import Notifier, OutgoingMessage
from backend_stub.services import activation, auth, enrolment
from sync.protocol.schemas import ActivationRequest

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "Bench-mark 2024!"  # meets the password rules; the same for every account
PROVISIONAL_CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")
OTP_CODE = re.compile(r"\b\d{6}\b")


# --- settings and accounts ---------------------------------------------------------------------

def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=200, help="active accounts to log in (default 200)")
    parser.add_argument("--tokens", type=int, default=50, help="signed-in accounts for GET /me (default 50)")
    parser.add_argument("--workers", type=int, default=2, 
                        help="server workers = Argon2 processes (default 2)")
    parser.add_argument("--connections", type=int, default=50, help="wrk connections (default 50)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--duration", type=int, default=15, help="seconds of each read test (default 15)")
    parser.add_argument("--login-duration", type=int, default=30,
                        help="seconds of the login test and of bare Argon2 (default 30; see README)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="rounds of baseline-then-test, the median ratio is reported (default 2)")
    parser.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk", help="the wrk binary")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    return parser.parse_args()


def use_bench_environment(data_dir: Path) -> None:
    """Drop inherited ENS_* variables (Argon2 stays at its defaults), then point at `data_dir`.

    This process, its helper processes and the server subprocess all read the same Settings."""
    for name in [name for name in os.environ if name.startswith("ENS_")]:
        del os.environ[name]
    os.environ["ENS_DATA_DIR"] = str(data_dir)
    os.environ["ENS_RATE_LIMITS_ENABLED"] = "false"
    get_settings.cache_clear()


class Mailbox:
    """A sender that keeps messages in memory, so setup can read codes without the outbox."""

    def __init__(self) -> None:
        self.messages: list[OutgoingMessage] = []

    def deliver(self, message: OutgoingMessage) -> None:
        self.messages.append(message)

    def last_code(self, to: str, pattern: re.Pattern[str]) -> str:
        for message in reversed(self.messages):
            if message.to == to and (found := pattern.search(message.body)):
                return found.group()
        raise LookupError(f"no code sent to {to!r}")


def context_with_mailbox() -> tuple[Context, Mailbox]:
    ctx = build_context(get_settings())
    mailbox = Mailbox()
    ctx.notifier = Notifier({"email": mailbox, "sms": mailbox, "letter": mailbox})
    return ctx, mailbox


def email_of(n: int) -> str:
    return f"bench.user{n}@example.org"


def enrol_people(count: int) -> list[tuple[int, ActivationRequest]]:
    """Enrol `count` people from a demo CSV; return each one's activation request (code from the letter)."""
    ctx, mailbox = context_with_mailbox()
    csv_path = get_settings().data_dir / "people.csv"
    fake_people_csv(csv_path, count=count)
    report = enrolment.EnrolmentReport(errors=[])
    people = list(enrolment.read_csv(csv_path, report))
    with Session(ctx.engine) as session:
        enrolment.enrol_many(session=session, ctx=ctx, people=people)
    ctx.engine.dispose()
    requests = []
    for n, person in enumerate(people):
        letter_to = f"{person.first_name} {person.last_name}, {person.postal_address}"
        requests.append((n, ActivationRequest(
            provisional_code=mailbox.last_code(letter_to, PROVISIONAL_CODE), nir=person.nir,
            vitale_serial=person.vitale_serial, email=email_of(n), password=PASSWORD,
        )))
    return requests


def activate_and_sign_in(chunk: list[tuple[int, ActivationRequest]], tokens_below: int) -> list[str]:
    """Run in a helper process: activate each account; sign in those numbered below `tokens_below`."""
    ctx, mailbox = context_with_mailbox()
    tokens = []
    with Session(ctx.engine, expire_on_commit=False) as session:
        for n, request in chunk:
            activation.activate(session=session, ctx=ctx, request=request, client="bench")
            if n < tokens_below:
                challenge = auth.login(session=session, ctx=ctx, email=request.email, password=PASSWORD,
                                       client="bench")
                code = mailbox.last_code(request.email, OTP_CODE)
                pair = auth.verify_code(session=session, ctx=ctx, challenge_id=challenge.challenge_id,
                                        code=code, client="bench")
                tokens.append(pair.access_token)
    ctx.engine.dispose()
    return tokens


def prepare_accounts(*, accounts: int, tokens: int, processes: int) -> list[str]:
    """Enrol and activate the accounts (Argon2 hashing spread over processes); return bearer tokens."""
    requests = enrol_people(accounts)
    chunks = [requests[i::processes] for i in range(processes)]
    with ProcessPoolExecutor(processes, mp_context=get_context("spawn")) as pool:
        results = pool.map(activate_and_sign_in, chunks, [tokens] * processes)
        return [token for chunk_tokens in results for token in chunk_tokens]


# --- bare Argon2 -------------------------------------------------------------------------------

def argon2_parameters() -> dict[str, int]:
    settings: Settings = get_settings()
    return {"time_cost": settings.argon2_time_cost, "memory_cost": settings.argon2_memory_kib,
            "parallelism": settings.argon2_parallelism}


def verify_for(seconds: float, parameters: dict[str, int]) -> tuple[int, float]:
    """Run in a helper process: verify one password hash over and over for `seconds`."""
    hasher = PasswordHasher(**parameters)
    password_hash = hasher.hash(PASSWORD)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        hasher.verify(password_hash, PASSWORD)
        done += 1
    return done, time.perf_counter() - started


def bare_argon2_rate(*, processes: int, seconds: float) -> float:
    """Verifications per second of `processes` processes verifying in parallel (the login's floor)."""
    parameters = argon2_parameters()
    with ProcessPoolExecutor(processes, mp_context=get_context("spawn")) as pool:
        results = list(pool.map(verify_for, [seconds] * processes, [parameters] * processes))
    return sum(done for done, _ in results) / max(elapsed for _, elapsed in results)


# --- the server --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_server(*, port: int, workers: int, log: Path) -> Iterator[str]:
    """`python -m backend_stub serve` in its own process group, killed on the way out whatever happens."""
    command = [sys.executable, "-m", "backend_stub", "serve", "--port", str(port), "--workers", str(workers)]
    with log.open("w") as log_file:
        server = subprocess.Popen(command, cwd=REPO, env=os.environ.copy(), stdout=log_file,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(base_url, server, timeout=60)
            yield base_url
        finally:
            stop(server)


def wait_until_healthy(base_url: str, server: subprocess.Popen[bytes], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            if httpx.get(f"{base_url}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {timeout} s")


def stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's own process group (uvicorn and its workers), SIGKILL if it lingers."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=15)


# --- wrk ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Load:
    """What wrk measured for one endpoint."""

    requests: int
    seconds: float
    failed: int  # HTTP status >= 400, connection errors and timeouts
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


# Requests are formatted once per wrk thread; each thread starts at a different place in the list.
LUA_TEMPLATE = """
requests = {}
counter = 0
id = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local method, path = %(method)s, %(path)s
  for _, item in ipairs(%(items)s) do
    local headers = {}
    if item.token then headers["Authorization"] = "Bearer " .. item.token end
    if item.body then headers["Content-Type"] = "application/json" end
    requests[#requests + 1] = wrk.format(method, path, headers, item.body)
  end
  counter = id * 97
end

function request()
  counter = counter + 1
  return requests[(counter %% #requests) + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH {\\"requests\\": %%d, \\"seconds\\": %%f, \\"failed\\": %%d, " ..
    "\\"p50_us\\": %%d, \\"p99_us\\": %%d}\\n", summary.requests, summary.duration / 1e6,
    e.status + e.connect + e.read + e.write + e.timeout,
    math.floor(latency:percentile(50)), math.floor(latency:percentile(99))))
end
"""


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string of ASCII text is a valid Lua string literal


def lua_script(*, method: str, path: str, bodies: list[str] | None = None,
               tokens: list[str] | None = None) -> str:
    if bodies:
        items = [f"{{body = {lua_string(body)}}}" for body in bodies]
    elif tokens:
        items = [f"{{token = {lua_string(token)}}}" for token in tokens]
    else:
        items = ["{}"]
    return LUA_TEMPLATE % {"method": lua_string(method), "path": lua_string(path),
                           "items": "{" + ",\n".join(items) + "}"}


def run_wrk(*, wrk: str, base_url: str, script: Path, args: argparse.Namespace, duration: int) -> Load:
    command = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{duration}s", "--timeout", "60s",
               "-s", str(script), base_url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=duration + 90, check=True)
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{result.stdout}\n{result.stderr}")
    data = json.loads(line.removeprefix("BENCH "))
    return Load(requests=data["requests"], seconds=data["seconds"], failed=data["failed"],
                p50_ms=data["p50_us"] / 1000, p99_ms=data["p99_us"] / 1000)


def load_test(name: str, *, base_url: str, tmp: Path, args: argparse.Namespace, duration: int = 0,
              **request: object) -> Load:
    script = tmp / f"{name}.lua"
    script.write_text(lua_script(**request), encoding="utf-8")  # type: ignore[arg-type]
    load = run_wrk(wrk=args.wrk, base_url=base_url, script=script, args=args,
                   duration=duration or args.duration)
    warning = f"   !! {load.failed} failed requests" if load.failed else ""
    print(f"  {name:<7} {load.rate:9.1f} req/s  p50 {load.p50_ms:8.1f} ms  p99 {load.p99_ms:8.1f} ms"
          f"  ({load.requests} requests){warning}")
    return load


# --- main --------------------------------------------------------------------------------------

def ratio_line(label: str, ratios: list[float], target: float) -> str:
    ratio = statistics.median(ratios)
    verdict = "meets" if ratio >= target else "MISSES"
    rounds = ", ".join(f"{r:.2f}" for r in ratios)
    return f"  {label:<42} {ratio:5.2f}  ({verdict} target >= {target}; rounds: {rounds})"


def main() -> None:
    args = parse_args()
    if not Path(args.wrk).exists():
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    tmp = Path(tempfile.mkdtemp(prefix="ens-login-bench-"))
    try:
        use_bench_environment(tmp)
        upgrade(get_settings().database_url)
        print(f"Data dir {tmp}; rate limits OFF for this load test (they would refuse it); "
              f"Argon2id {argon2_parameters()}.")
        started = time.perf_counter()
        tokens = prepare_accounts(accounts=args.accounts, tokens=min(args.tokens, args.accounts),
                                  processes=args.workers)
        print(f"Enrolled and activated {args.accounts} accounts, {len(tokens)} signed in "
              f"({time.perf_counter() - started:.1f} s).")

        bodies = [json.dumps({"email": email_of(n), "password": PASSWORD}) for n in range(args.accounts)]
        print(f"Server: {args.workers} workers; wrk {args.threads} threads, {args.connections} connections; "
              f"logins {args.login_duration} s, reads {args.duration} s; {args.rounds} round(s)")
        login_ratios, read_ratios = [], []
        with running_server(port=free_port(), workers=args.workers, log=tmp / "server.log") as base_url:
            shared = {"base_url": base_url, "tmp": tmp, "args": args}
            for round_number in range(1, args.rounds + 1):
                print(f"\nRound {round_number}")
                # The server is up but idle while the baseline runs: the same machine state for both.
                argon2_rate = bare_argon2_rate(processes=args.workers, seconds=args.login_duration)
                print(f"  argon2  {argon2_rate:9.1f} verify/s (bare, {args.workers} processes)")
                login = load_test("login", method="POST", path="/api/v1/auth/login", bodies=bodies,
                                  duration=args.login_duration, **shared)
                health = load_test("health", method="GET", path="/api/v1/health", **shared)
                me = load_test("me", method="GET", path="/api/v1/me", tokens=tokens, **shared)
                login_ratios.append(login.rate / argon2_rate)
                read_ratios.append(me.rate / health.rate)

        print("\nRatios (each against its baseline of the same round; median of the rounds):")
        print(ratio_line("logins/s vs bare Argon2 verifications/s", login_ratios, 0.8))
        print(ratio_line("GET /me vs GET /health (req/s)", read_ratios, 0.5))
    finally:
        if args.keep:
            print(f"Kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
