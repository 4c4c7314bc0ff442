"""Pushes of a large space from a device, against the server of another commit and a replication peer.

A device seeded offline with years of data pushes it all at its first sync: `--measurements`
weights and `--documents` documents' metadata records (what `Store.put` and `Documents.add`
queue), in pages of `--page` mutations (`MAX_PUSH`, the engine's batch), one HTTP request per
page through `AccountClient.push` (the engine's transport), each page waiting for its answer.
Every round pushes new record ids from a new device (`client_id`) into the same space, and
checks that each mutation was applied.

Compared in the same run, rounds interleaved:
  * "this server": the checkout the script runs from (`tests.live_server`, SQLite, 127.0.0.1).
  * "before" (`--before DIR`): the same on another checkout's code, e.g. main before a change:
        git archive main | (mkdir -p /tmp/before && tar -x -C /tmp/before)
  * "PouchDB peer" (`--peer DIR`, a folder where `npm install pouchdb@9 pouchdb-adapter-memory
    express-pouchdb express@4 pouchdb-node` was run): `pouchdb_peer.js`, a CouchDB-protocol
    server in memory on 127.0.0.1 and a local PouchDB replicating the same records to it in
    batches of the same size. Skipped when the folder or `node` is missing.

    .venv/bin/python benchmarks/push_bench.py --before /tmp/before --peer /tmp/peer
    .venv/bin/python benchmarks/push_bench.py --measurements 1000 --documents 60 --rounds 2
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the repository's tests and benchmarks are not installed
    sys.path.insert(0, str(ROOT))

from benchmarks.sync_bench import enrol_and_activate, logged_in_client  # noqa: E402
from sync.client import AccountClient  # noqa: E402
from sync.protocol.sync_schemas import MAX_PUSH, Mutation, Outcome, PushRequest  # noqa: E402
from tests.live_server import live_server  # noqa: E402

PEER_SCRIPT = Path(__file__).with_name("pouchdb_peer.js")


def space_records(measurements: int, documents: int) -> list[dict[str, Any]]:
    """What a device queues for a space: weights, then documents' metadata records."""
    rng = random.Random(20261207)
    weights = [
        {
            "collection": "measurement",
            "data": {
                "kind": "weight",
                "value": round(60 + rng.random() * 30, 1),
                "unit": "kg",
                "note": f"mesure {n}",
            },
        }
        for n in range(measurements)
    ]
    files = [
        {
            "collection": "document",
            "data": {
                "title": f"Compte rendu {n}",
                "mime": "application/pdf",
                "file_id": uuid.uuid4().hex,
                "size": 204800,
                "sha256": rng.randbytes(32).hex(),
            },
        }
        for n in range(documents)
    ]
    return [r | {"id": f"r{n:07d}"} for n, r in enumerate(weights + files)]


def push_all(client: AccountClient, records: list[dict[str, Any]], page: int, round_no: int) -> float:
    """One device's first push of every record, page after page; seconds."""
    device = f"bench-{round_no}-{uuid.uuid4().hex[:8]}"
    pages = [
        PushRequest(
            client_id=device,
            mutations=[
                Mutation(
                    seq=i + 1,
                    op="upsert",
                    collection=r["collection"],
                    id=f"{r['id']}x{round_no}",
                    base_version=0,
                    data=r["data"],
                )
                for i, r in enumerate(records[start : start + page], start)
            ],
        )
        for start in range(0, len(records), page)
    ]
    started = time.perf_counter()
    answers = [client.push(request) for request in pages]
    elapsed = time.perf_counter() - started
    applied = sum(1 for answer in answers for result in answer.results if result.outcome == Outcome.APPLIED)
    if applied != len(records):
        raise SystemExit(f"{applied} of {len(records)} mutations applied")
    return elapsed


def peer_rounds(
    folder: Path, records: list[dict[str, Any]], page: int, rounds: int, tmp: Path
) -> list[float]:
    """The PouchDB peer's pushes of the same records (its first round warms its JIT, not counted)."""
    source = tmp / "records.json"
    source.write_text(json.dumps(records))
    env = os.environ | {"NODE_PATH": str(folder / "node_modules")}
    done = subprocess.run(
        ["node", str(PEER_SCRIPT), str(source), str(page), str(rounds + 1)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if any(line["docs"] != len(records) for line in lines):
        raise SystemExit(f"peer: {lines}")
    return [line["push"] for line in lines[1:]]


def load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--measurements", type=int, default=5000)
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--page", type=int, default=MAX_PUSH, help=f"mutations per push (default {MAX_PUSH})")
    parser.add_argument("--rounds", type=int, default=3, help="pushes of everything per variant (default 3)")
    parser.add_argument("--before", type=Path, help="another checkout whose server runs as 'before'")
    parser.add_argument("--peer", type=Path, help="folder with node_modules of the PouchDB peer")
    args = parser.parse_args()
    records = space_records(args.measurements, args.documents)
    variants = {"this server": ROOT} | ({"before": args.before.resolve()} if args.before else {})
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    print(f"load average at start: {load()}")
    with tempfile.TemporaryDirectory(prefix="ens-push-bench-") as name, ExitStack() as stack:
        tmp = Path(name)
        clients = {}
        for variant, root in variants.items():
            data_dir = tmp / variant.replace(" ", "-")
            url = stack.enter_context(live_server(data_dir, root=root))
            enrol_and_activate(url, data_dir)
            clients[variant] = logged_in_client(url, data_dir)
            push_all(clients[variant], records[: args.page], args.page, -1)  # warm-up, not counted
        for round_no in range(args.rounds):
            for variant in list(variants)[:: 1 if round_no % 2 == 0 else -1]:  # each side first in turn
                seconds[variant].append(push_all(clients[variant], records, args.page, round_no))
            print(
                f"round {round_no + 1}: " + ", ".join(f"{v} {s[-1]:.2f} s" for v, s in seconds.items()),
                flush=True,
            )
        if args.peer and (args.peer / "node_modules").is_dir() and shutil.which("node"):
            seconds["PouchDB peer"] = peer_rounds(args.peer, records, args.page, args.rounds, tmp)
        else:
            print("PouchDB peer skipped: no --peer folder with node_modules, or no node")
    print(
        f"\n{len(records)} records pushed in pages of {args.page}, {args.rounds} rounds; "
        f"load average at the end: {load()}\n"
    )
    print(f"{'variant':<16}{'best s':>8}{'median s':>10}{'records/s':>11}{'vs this':>9}")
    base = min(seconds["this server"])
    for variant, values in seconds.items():
        best = min(values)
        print(
            f"{variant:<16}{best:>8.2f}{statistics.median(values):>10.2f}{len(records) / best:>11.0f}"
            f"{best / base:>8.2f}x"
        )
    if "PouchDB peer" in seconds:
        ratio = min(seconds["PouchDB peer"]) / base
        print(
            f"\nTarget: pushes at least as fast as the peer: this server at {ratio:.2f} of the peer's "
            f"time  {'met' if ratio >= 1 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
