"""Authenticated reads against the bare endpoint at 50 connections (issue #21): `GET /me`, the sync
pull and the access-log page, each as requests/s and as a ratio to `GET /health` measured in the
same run (no authentication, no database). Target: each >= 0.7 of `/health`.

The server runs as `scripts/run` starts it (`python -m backend_stub serve`: one uvicorn worker,
SQLite in its data folder, here a temporary one) with rate limits off (one client address would be
refused after its first requests otherwise). One person is enrolled and activated, signs in once
(the bearer token every request carries: each one is still authenticated, its session looked up
and the gate asked), pushes `--records` measurements, and a registered doctor lists their
documents `--accesses` times (so the access log has lines). Then, for `--seconds` each, 50
keep-alive connections (asyncio streams and `h11`, the HTTP/1.1 library under httpx, in one process,
127.0.0.1 only) loop on:

* `GET /health`;
* `GET /me`;
* `GET /sync/pull?cursor=<latest>`: a device asking for changes when it is up to date (what every
  sync does; the first sync's pages are `sync_bench.py`'s);
* `GET /access-log`: its newest page of 50.

Rounds interleave the routes, `/health` first each round (the machine's load drifts over minutes);
the ratio of a round is its route's rate over that round's `/health` rate; the range over rounds
is printed. Why not `httpx.AsyncClient`: its connection pool is the bottleneck at 50 connections
(83 `/health` requests/s here where the same server answers 565/s to this loop). The load
generator shares the machine's cores with the server: both saturate, so read the ratios, not the
rates.

    .venv/bin/python benchmarks/reads_bench.py                     # 3 rounds of 4 x 10 s, ~2.5 min
    .venv/bin/python benchmarks/reads_bench.py --rounds 1 --seconds 5
"""

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h11
import httpx
from stdnum import luhn

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the repository's tests and benchmarks are not installed
    sys.path.insert(0, str(ROOT))

from backend_stub.demo import nir_for  # noqa: E402
from benchmarks.sync_bench import enrol_and_activate, logged_in_client, new_device  # noqa: E402
from tests.live_server import live_server, server_env  # noqa: E402

CONNECTIONS = 50
TARGET = 0.7
RPPS = "1000000000" + luhn.calc_check_digit("1000000000")  # a valid number (Luhn key)


def register_doctor(data_dir: Path) -> str:
    """A doctor in the directory, with the server's CLI; their API key."""
    done = subprocess.run(
        [sys.executable, "-m", "backend_stub", "register-pro", "--rpps", RPPS, "--first-name",
         "Anne", "--last-name", "Morel", "--profession", "doctor"],
        cwd=ROOT, env=server_env(data_dir), check=True, capture_output=True, text=True,
    )
    found = re.search(r"\b(pro_\S+)", done.stdout)
    assert found, done.stdout
    return found.group(1)


async def requests_until(
    port: int, target: str, headers: list[tuple[str, str]], deadline: float
) -> tuple[int, int]:
    """One keep-alive connection sending GET `target` until `deadline`: (answered 200, failed)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    connection, ok, failed = h11.Connection(h11.CLIENT), 0, 0
    request = h11.Request(method="GET", target=target, headers=[("host", "127.0.0.1"), *headers])
    try:
        while time.perf_counter() < deadline:
            writer.write(connection.send(request) + connection.send(h11.EndOfMessage()))
            status = 0
            while not isinstance(event := connection.next_event(), h11.EndOfMessage):
                if event is h11.NEED_DATA:
                    connection.receive_data(await reader.read(1 << 16))
                elif isinstance(event, h11.Response):
                    status = event.status_code
            ok, failed = (ok + 1, failed) if status == 200 else (ok, failed + 1)
            connection.start_next_cycle()
    finally:
        writer.close()
    return ok, failed


async def rate(port: int, target: str, headers: list[tuple[str, str]], seconds: float) -> tuple[float, int]:
    """Requests/s answered 200 over `seconds` by CONNECTIONS connections, and the failures."""
    await requests_until(port, target, headers, time.perf_counter() + 0.5)  # warm the route
    started = time.perf_counter()
    counts = await asyncio.gather(
        *(requests_until(port, target, headers, started + seconds) for _ in range(CONNECTIONS))
    )
    elapsed = time.perf_counter() - started
    return sum(ok for ok, _ in counts) / elapsed, sum(failed for _, failed in counts)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--accesses", type=int, default=60)
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="ens-reads-bench-") as name:
        data = Path(name) / "server"
        with live_server(data, env={"ENS_RATE_LIMITS_ENABLED": "false"}) as url:
            port = int(url.rsplit(":", 1)[1])
            enrol_and_activate(url, data)
            client = logged_in_client(url, data)
            device = new_device(Path(name) / "device", client)
            for n in range(args.records):
                device.store.put("measurement", {"kind": "weight", "value": 60 + n / 100, "unit": "kg"})
            if device.engine.sync().state != "up_to_date":
                raise SystemExit("the records were not pushed")
            cursor = device.store.cursor()
            device.store.close()
            doctor = {"X-Api-Key": register_doctor(data), "X-Patient-Nir": nir_for(4343)}
            doctor["X-Consent"] = "declared"
            with httpx.Client(base_url=f"{url}/api/v1", headers=doctor) as pro:
                for _ in range(args.accesses):
                    pro.get("/pro/documents").raise_for_status()
            assert client.tokens is not None
            auth = {"Authorization": f"Bearer {client.tokens.access_token}"}
            log = httpx.get(f"{url}/api/v1/access-log", headers=auth).json()["entries"]
            bearer = list(auth.items())
            assert len(log) == min(50, args.accesses), "the access log is not what was seeded"
            routes = {
                "GET /health": ("/api/v1/health", []),
                "GET /me": ("/api/v1/me", bearer),
                "GET /sync/pull (up to date)": (f"/api/v1/sync/pull?cursor={cursor}", bearer),
                "GET /access-log (newest 50)": ("/api/v1/access-log", bearer),
            }
            rates: dict[str, list[float]] = {route: [] for route in routes}
            failures = 0
            for round_no in range(args.rounds):
                for route, (path, headers) in routes.items():
                    per_second, failed = asyncio.run(rate(port, path, headers, args.seconds))
                    rates[route].append(per_second)
                    failures += failed
                print(f"round {round_no + 1}: " + ", ".join(f"{r} {v[-1]:.0f}/s" for r, v in rates.items()),
                      flush=True)
    print(f"\n{CONNECTIONS} connections, {args.seconds:.0f} s a route, {args.rounds} rounds; load average at "
          f"the end: {' '.join(f'{v:.1f}' for v in os.getloadavg())}; failed requests: {failures}\n")
    base = rates["GET /health"]
    for route, values in rates.items():
        ratios = [value / health for value, health in zip(values, base, strict=True)]
        verdict = "" if route == "GET /health" else (
            f"ratio {min(ratios):.2f}-{max(ratios):.2f}  {'met' if min(ratios) >= TARGET else 'MISSED'} "
            f"(target >= {TARGET})"
        )
        print(f"{route:<28} {min(values):7.0f}-{max(values):7.0f} req/s  {verdict}")
    if failures:
        raise SystemExit(f"{failures} requests failed")


if __name__ == "__main__":
    main()
