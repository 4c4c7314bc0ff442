"""First sync of a large space on a new device, and the round trip of one change, over loopback.

A holder with years of data installs the app on a new phone: how long until it shows everything?
The script starts the real server (`tests.live_server`: a subprocess, SQLite, port on 127.0.0.1),
enrols, activates and logs in one person the way the kill test does, then seeds the space from a
first device: `--measurements` records (`Store.put` + `SyncEngine.sync`) and `--documents`
documents of `--doc-kib` KiB (`Documents.add`, which writes the metadata record in the
"document" collection, then `Uploader.run` for the bytes).

First sync: a fresh device (empty store) runs `SyncEngine.sync()`. The engine pulls the change
feed into the encrypted store: the documents' metadata records, not their bytes, so that is what
the first table times.

First sync with document bytes (issue #17): a fresh device runs `SyncEngine.sync()` then
`sync.downloads.Downloader.run()`, which fetches every document's bytes (GET
/sync/records/{id}/content, one after the other), checks them against the record's SHA-256 and
seals them into the vault, as `Space.sync` does on a new device. Printed next to the
metadata-only sync of the same run and to the bytes' raw download: the same GETs over the same
`AccountClient`, each body written in clear to a file.
Baselines, in the same run, against the same server, over the same `AccountClient` (same HTTP
connection, same pydantic parsing, same page size):
  * "raw pull -> sqlite3": `AccountClient.pull` page after page, each page written unencrypted
    with the bare `sqlite3` module into a table of the store's shape, one transaction per page
    with its cursor. The least any device must do: the target ratio is against this one.
  * "engine, plain Store": the real `SyncEngine` over `Store` with the cipher taken out
    (`benchmarks.store_bench.PlainStore`): what the encryption alone costs.
Each variant runs `--repeat` times, interleaved, in fresh databases; best and median are shown.

Incremental sync: device A puts one record and syncs (push + pull of its own change), then
device B syncs (pull of that change); `--changes` times, median milliseconds of each side.

    .venv/bin/python benchmarks/sync_bench.py
    .venv/bin/python benchmarks/sync_bench.py --measurements 5000 --documents 300 --repeat 3 --changes 20
"""

import argparse
import io
import json
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the repository's tests and benchmarks are not installed
    sys.path.insert(0, str(ROOT))

from backend_stub.demo import nir_for  # noqa: E402
from benchmarks.store_bench import PRAGMAS, PlainStore  # noqa: E402
from sync.client import AccountClient  # noqa: E402
from sync.crypto import KdfParams  # noqa: E402
from sync.device import DeviceVault  # noqa: E402
from sync.documents import Documents, Uploader  # noqa: E402
from sync.downloads import Downloader, OfflineChoice  # noqa: E402
from sync.engine import SyncEngine  # noqa: E402
from sync.store import SCHEMA_STEPS, Store  # noqa: E402
from tests.live_server import live_server, server_env  # noqa: E402

PIN = "Banc-d-essai-2026"  # the unlock rules of today (8+ characters, not only digits)
FAST_KDF = KdfParams(iterations=1, lanes=1, memory_kib=1024)  # the PIN's KDF is not what is measured
PDF_SIGNATURE = b"%PDF-1.7\n"
EMAIL, PASSWORD = "bench@exemple.fr", "Soleil-d'hiver-2026"


# --- the person and their devices ------------------------------------------------------------------


def latest_outbox_message(data_dir: Path) -> dict[str, str]:
    return json.loads(sorted((data_dir / "outbox").glob("*.json"))[-1].read_text())  # type: ignore[no-any-return]


def enrol_and_activate(url: str, data_dir: Path) -> None:
    """Enrol one person with the server's CLI, then activate with the code of their letter."""
    nir = nir_for(4343)
    subprocess.run(
        [sys.executable, "-m", "backend_stub", "enrol", "--nir", nir, "--vitale", "12345678",
         "--first-name", "Lina", "--last-name", "Haddad", "--birth-date", "1990-02-03"],
        cwd=ROOT, env=server_env(data_dir), check=True, capture_output=True,
    )
    found = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", latest_outbox_message(data_dir)["body"])
    assert found, "no provisional code in the letter"
    ids = {"provisional_code": found.group(0), "nir": nir, "vitale_serial": "12345678"}
    with httpx.Client(base_url=f"{url}/api/v1") as api:
        api.post("/activation", json=ids | {"email": EMAIL, "password": PASSWORD}).raise_for_status()


def logged_in_client(url: str, data_dir: Path) -> AccountClient:
    """A device's own session: password, then the SMS code from the development outbox."""
    client = AccountClient(url)
    challenge = client.login(EMAIL, PASSWORD)
    found = re.search(r"\b\d{6}\b", latest_outbox_message(data_dir)["body"])
    assert found, "no code in the SMS"
    client.verify_code(challenge.challenge_id, found.group(0))
    return client


@dataclass
class Device:
    """One phone: its vault's store and the engine syncing it through a client."""

    store: Store
    engine: SyncEngine
    documents: Documents


def new_device(folder: Path, client: AccountClient, *, encrypted: bool = True, page: int = 500) -> Device:
    vault = DeviceVault(folder, "holder", "device", kdf=FAST_KDF)
    key = vault.create(PIN)
    store = Store(vault.folder / "store.db", key) if encrypted else PlainStore(vault.folder / "store.db", key)
    engine = SyncEngine(store, client, page_size=page)
    return Device(store, engine, Documents(store, vault.files_dir, key))


# --- seeding ---------------------------------------------------------------------------------------


def seed(device: Device, client: AccountClient, args: argparse.Namespace) -> None:
    """Fill the space from the first device and push it all; prints how long each step took."""
    rng = random.Random(20261124)
    started = time.perf_counter()
    for n in range(args.measurements):
        device.store.put("measurement", {"kind": "weight", "value": round(60 + rng.random() * 30, 1),
                                         "unit": "kg", "note": f"mesure {n}"})
    for n in range(args.documents):
        # distinct bytes (uploads dedupe by hash) behind a PDF's signature (the server keeps only
        # PDF, JPEG and PNG files, recognised by their first bytes)
        source = io.BytesIO(PDF_SIGNATURE + rng.randbytes(args.doc_kib * 1024 - len(PDF_SIGNATURE)))
        device.documents.add(source, {"title": f"Compte rendu {n}", "mime": "application/pdf"})
    local = time.perf_counter() - started
    started = time.perf_counter()
    status = device.engine.sync()
    pushed = time.perf_counter() - started
    started = time.perf_counter()
    uploaded = Uploader(device.documents, client).run()
    upload = time.perf_counter() - started
    if status.state != "up_to_date" or uploaded != args.documents:
        raise SystemExit(f"seeding failed: {status}, {uploaded} documents uploaded")
    records = args.measurements + args.documents
    mib = args.documents * args.doc_kib / 1024
    print(f"Seeded from device A: {records} local writes in {local:.1f} s, pushed + pulled back in "
          f"{pushed:.1f} s ({records / pushed:.0f} records/s), {args.documents} documents "
          f"({mib:.0f} MiB) uploaded in {upload:.1f} s ({mib / upload:.1f} MiB/s).")


# --- first sync: the product and its baselines --------------------------------------------------------


def raw_pull_to_sqlite(client: AccountClient, path: Path, page_size: int) -> int:
    """The baseline: the same pages over the same client, written in clear with `sqlite3`."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in PRAGMAS:
            db.execute(f"PRAGMA {pragma}")
        for step in SCHEMA_STEPS:
            for statement in step:
                db.execute(statement)
        cursor, written = "", 0
        while True:
            page = client.pull(cursor, page_size)
            db.execute("BEGIN")
            db.executemany(
                "INSERT OR REPLACE INTO local_record (id, collection, version, server_seq, rev, deleted,"
                " pending, sealed) VALUES (?, ?, ?, ?, 1, ?, 0, ?)",
                [
                    (r.id, r.collection, r.version, r.seq, r.deleted,
                     json.dumps({"data": r.data, "author": r.author,
                                 "updated_at": r.updated_at.isoformat()}).encode())
                    for r in page.changes
                ],
            )
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('cursor', ?)", (page.cursor,))
            db.execute("COMMIT")
            written += len(page.changes)
            cursor = page.cursor
            if not page.more:
                return written
    finally:
        db.close()


def engine_first_sync(
    client: AccountClient, folder: Path, *, encrypted: bool, page: int
) -> tuple[int, Device, float]:
    """`SyncEngine.sync()` of a brand-new device: records it holds after, the device, seconds.
    Only the sync is timed, not the vault's creation."""
    device = new_device(folder, client, encrypted=encrypted, page=page)
    started = time.perf_counter()
    status = device.engine.sync()
    elapsed = time.perf_counter() - started
    if status.state != "up_to_date":
        raise SystemExit(f"first sync failed: {status}")
    count = len(device.store.items("measurement")) + len(device.store.items("document"))
    return count, device, elapsed


@dataclass
class Runs:
    """Seconds of each run of each variant, and how many records the variant ended with."""

    seconds: dict[str, list[float]]
    records: int = 0

    def add(self, name: str, records: int, elapsed: float) -> None:
        self.seconds.setdefault(name, []).append(elapsed)
        self.records = records

    def best(self, name: str) -> float:
        return min(self.seconds[name])

    def median(self, name: str) -> float:
        return statistics.median(self.seconds[name])


RAW, PLAIN, ENCRYPTED = "raw pull -> sqlite3", "engine, plain Store", "engine, encrypted Store"


def first_syncs(client: AccountClient, tmp: Path, args: argparse.Namespace) -> tuple[Runs, Device]:
    """All variants, `--repeat` times, interleaved; the last encrypted device is kept for later."""
    expected = args.measurements + args.documents
    raw_pull_to_sqlite(client, tmp / "warm.db", args.page)  # untimed: warms the server and the client
    runs = Runs(seconds={})
    device: Device | None = None
    for repeat in range(args.repeat):
        started = time.perf_counter()
        written = raw_pull_to_sqlite(client, tmp / f"raw-{repeat}.db", args.page)
        runs.add(RAW, written, time.perf_counter() - started)
        for name, encrypted in ((PLAIN, False), (ENCRYPTED, True)):
            if device is not None:
                device.store.close()
            folder = tmp / f"{'encrypted' if encrypted else 'plain'}-{repeat}"
            count, device, elapsed = engine_first_sync(client, folder, encrypted=encrypted, page=args.page)
            runs.add(name, count, elapsed)
            if count != expected:
                raise SystemExit(f"{name}: {count} records after the first sync, {expected} expected")
        if written != expected:
            raise SystemExit(f"{RAW}: {written} records, {expected} expected")
        print(f"first sync run {repeat + 1}/{args.repeat}: "
              + ", ".join(f"{name} {runs.seconds[name][-1]:.2f} s" for name in (RAW, PLAIN, ENCRYPTED)),
              flush=True)
    assert device is not None
    return runs, device


# --- first sync with the documents' bytes ---------------------------------------------------------------


RAW_BYTES, METADATA, WITH_BYTES = "raw GET -> plain files", "engine, metadata only", "engine + document bytes"


def raw_bytes(client: AccountClient, record_ids: list[str], folder: Path) -> int:
    """The baseline: every document's bytes over the same client, written in clear, in turn."""
    folder.mkdir(parents=True)
    total = 0
    for record_id in record_ids:
        content = client.document_content(record_id)
        (folder / record_id).write_bytes(content)
        total += len(content)
    return total


def with_bytes(client: AccountClient, folder: Path, page: int) -> tuple[int, Device, float]:
    """A new device's first sync as `Space.sync` runs it: the feed, then every document's bytes."""
    device = new_device(folder, client, page=page)
    started = time.perf_counter()
    status = device.engine.sync()
    kept = Downloader(device.documents, client, OfflineChoice()).run()
    elapsed = time.perf_counter() - started
    if status.state != "up_to_date":
        raise SystemExit(f"first sync failed: {status}")
    return kept, device, elapsed


def bytes_first_syncs(client: AccountClient, tmp: Path, args: argparse.Namespace, ids: list[str]) -> Runs:
    """The three variants, `--repeat` times, interleaved, in fresh folders."""
    runs = Runs(seconds={})
    for repeat in range(args.repeat):
        started = time.perf_counter()
        size = raw_bytes(client, ids, tmp / f"raw-bytes-{repeat}")
        runs.add(RAW_BYTES, len(ids), time.perf_counter() - started)
        if size != len(ids) * args.doc_kib * 1024:
            raise SystemExit(f"{RAW_BYTES}: {size} bytes")
        count, device, elapsed = engine_first_sync(
            client, tmp / f"meta-{repeat}", encrypted=True, page=args.page
        )
        device.store.close()
        runs.add(METADATA, count, elapsed)
        kept, device, elapsed = with_bytes(client, tmp / f"bytes-{repeat}", args.page)
        device.store.close()
        if kept != len(ids):
            raise SystemExit(f"{WITH_BYTES}: {kept} documents kept, {len(ids)} expected")
        runs.add(WITH_BYTES, kept, elapsed)
        print(
            f"bytes run {repeat + 1}/{args.repeat}: "
            + ", ".join(
                f"{name} {runs.seconds[name][-1]:.2f} s" for name in (RAW_BYTES, METADATA, WITH_BYTES)
            ),
            flush=True,
        )
    return runs


def print_bytes_report(runs: Runs, args: argparse.Namespace) -> None:
    mib = args.documents * args.doc_kib / 1024
    print(
        f"\nFirst sync of a new device with the documents' bytes: {args.documents} documents of "
        f"{args.doc_kib} KiB ({mib:.0f} MiB) beside {args.measurements} measurements, "
        f"{args.repeat} interleaved runs.\n"
    )
    print(f"{'variant':<26}{'best s':>8}{'median s':>10}{'MiB/s':>8}")
    print("-" * 52)
    for name in (RAW_BYTES, METADATA, WITH_BYTES):
        best = runs.best(name)
        rate = f"{mib / best:>8.1f}" if name != METADATA else f"{'':>8}"
        print(f"{name:<26}{best:>8.2f}{runs.median(name):>10.2f}{rate}")
    extra = runs.best(WITH_BYTES) - runs.best(METADATA)
    print(
        f"\nThe bytes add {extra:.2f} s to the metadata-only sync: "
        f"{extra / runs.best(RAW_BYTES):.2f}x their raw download."
    )


# --- incremental sync ------------------------------------------------------------------------------


def incremental(a: Device, b: Device, changes: int) -> dict[str, list[float]]:
    """Device A writes one record and syncs, then device B syncs; milliseconds of each step."""
    timings: dict[str, list[float]] = {"A: Store.put": [], "A: sync (push + pull)": [], "B: sync (pull)": []}

    def timed(name: str, action: Callable[[], object]) -> object:
        started = time.perf_counter()
        result = action()
        timings[name].append((time.perf_counter() - started) * 1000)
        return result

    for n in range(changes):
        data = {"kind": "weight", "value": 70 + n / 10, "unit": "kg", "note": "incremental"}
        record_id = str(timed("A: Store.put", partial(a.store.put, "measurement", data)))
        timed("A: sync (push + pull)", a.engine.sync)
        timed("B: sync (pull)", b.engine.sync)
        if b.store.get(record_id) is None:
            raise SystemExit(f"device B did not receive change {n}")
    return timings


# --- report -----------------------------------------------------------------------------------------


def print_report(runs: Runs, timings: dict[str, list[float]], args: argparse.Namespace) -> None:
    print(f"\nFirst sync of a new device: {args.measurements} measurements + {args.documents} document "
          f"records ({runs.records} records; their bytes in the table after), pages of "
          f"{args.page}, {args.repeat} interleaved runs.\n")
    print(f"{'variant':<26}{'best s':>8}{'median s':>10}{'records/s':>11}{'vs raw':>8}{'vs plain':>10}")
    print("-" * 73)
    for name in (RAW, PLAIN, ENCRYPTED):
        best = runs.best(name)
        print(f"{name:<26}{best:>8.2f}{runs.median(name):>10.2f}{runs.records / best:>11.0f}"
              f"{best / runs.best(RAW):>7.2f}x{best / runs.best(PLAIN):>9.2f}x")
    print(f"\nIncremental sync, one change, {args.changes} runs (milliseconds):\n")
    print(f"{'step':<26}{'median':>8}{'min':>8}{'max':>8}")
    print("-" * 50)
    for name, values in timings.items():
        print(f"{name:<26}{statistics.median(values):>8.1f}{min(values):>8.1f}{max(values):>8.1f}")
    ratio = runs.best(ENCRYPTED) / runs.best(RAW)
    first = runs.best(ENCRYPTED)
    pull_side = statistics.median(timings["B: sync (pull)"])
    push_side = statistics.median(timings["A: sync (push + pull)"])
    print("\nTargets:")
    print(f"  first sync within 1.5x of the raw pull: {ratio:.2f}x  {'met' if ratio <= 1.5 else 'MISSED'}")
    print(f"  first sync about 2 s:                   {first:.2f} s  {'met' if first <= 2.5 else 'MISSED'}")
    print(f"  incremental under 100 ms, A / B:        {push_side:.0f} / {pull_side:.0f} ms  "
          f"{'met' if max(push_side, pull_side) < 100 else 'MISSED'}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--measurements", type=int, default=5000, help="measurement records (default 5000)")
    parser.add_argument("--documents", type=int, default=300, help="documents (default 300)")
    parser.add_argument("--doc-kib", type=int, default=200, help="size of each document in KiB (default 200)")
    parser.add_argument("--page", type=int, default=500,
                        help="records per pull page, all variants (default 500, the engine's)")
    parser.add_argument("--repeat", type=int, default=3, help="first-sync runs per variant (default 3)")
    parser.add_argument("--changes", type=int, default=20, help="incremental round trips (default 20)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="ens-sync-bench-") as name:
        tmp = Path(name)
        with live_server(tmp / "server") as url:
            enrol_and_activate(url, tmp / "server")
            client_a = logged_in_client(url, tmp / "server")
            device_a = new_device(tmp / "device-a", client_a, page=args.page)
            seed(device_a, client_a, args)
            client_b = logged_in_client(url, tmp / "server")
            runs, device_b = first_syncs(client_b, tmp, args)
            timings = incremental(device_a, device_b, args.changes)
            ids = [item.id for item in device_a.store.items("document")]
            byte_runs = bytes_first_syncs(client_b, tmp, args, ids)
            device_a.store.close()
            device_b.store.close()
    print_report(runs, timings, args)
    print_bytes_report(byte_runs, args)


if __name__ == "__main__":
    main()
