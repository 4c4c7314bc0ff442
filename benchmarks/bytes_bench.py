"""Document bytes up and down, against a raw HTTP transfer of the same bytes over the same stack.

The product's path: a device imports `--documents` documents of `--doc-kib` KiB (`Documents.add`,
untimed), then `Uploader.run` sends their bytes (the device decrypts its chunk files, one
`POST /uploads` and one `PATCH` per MiB chunk; the server seals every byte at rest and checks the
SHA-256) and, once the records are pushed (untimed), `AccountClient.document_content` reads each
document back (the server opens the sealed blob, checks it whole, logs nothing for the holder's
own document, streams it); each download's SHA-256 is checked.

The baseline, same run, same bytes, same chunks, same `httpx` client library, same server stack
(uvicorn + Starlette): `raw_bytes_server.py`, where a PATCH appends its body to a file (written
and fsynced, as the blob store does) and a GET sends the file: no authentication, no database, no
sealing. Rounds interleave the two and alternate which goes first; the best round is kept.
Target (issue #21): the product at >= 50 % of the raw rate, both ways.

    .venv/bin/python benchmarks/bytes_bench.py                      # 40 x 512 KiB, 3 rounds, ~1 min
    .venv/bin/python benchmarks/bytes_bench.py --documents 20 --doc-kib 1024 --rounds 2
"""

import argparse
import hashlib
import io
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the repository's tests and benchmarks are not installed
    sys.path.insert(0, str(ROOT))

from benchmarks.sync_bench import enrol_and_activate, logged_in_client, new_device  # noqa: E402
from sync.crypto import CHUNK  # noqa: E402
from sync.documents import Uploader  # noqa: E402
from tests.live_server import free_port, live_server, running  # noqa: E402

PDF = b"%PDF-1.7\n"


@contextmanager
def raw_server(folder: Path) -> Iterator[str]:
    """`raw_bytes_server.py` under uvicorn on 127.0.0.1, stopped on exit."""
    port = free_port()
    folder.mkdir(parents=True)
    command = [sys.executable, "-m", "uvicorn", "benchmarks.raw_bytes_server:app", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning"]
    url = f"http://127.0.0.1:{port}"
    env = os.environ | {"RAW_BYTES_DIR": str(folder)}
    with running(command, f"{url}/health", cwd=ROOT, env=env, log_path=folder.parent / "raw.log"):
        yield url


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--doc-kib", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(20261207)
    seconds: dict[str, list[float]] = {"upload": [], "raw upload": [], "download": [], "raw download": []}
    mib = args.documents * args.doc_kib / 1024
    print(f"load average at start: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="ens-bytes-bench-") as name:
        tmp = Path(name)
        with live_server(tmp / "server") as url, raw_server(tmp / "raw") as raw_url, httpx.Client() as raw:
            enrol_and_activate(url, tmp / "server")
            client = logged_in_client(url, tmp / "server")
            device = new_device(tmp / "device", client)
            for round_no in range(args.rounds):
                size = args.doc_kib * 1024 - len(
                    PDF
                )  # the server checks a document's kind by its first bytes
                contents = [PDF + rng.randbytes(size) for _ in range(args.documents)]
                ids = [
                    device.documents.add(io.BytesIO(c), {"title": f"CR {n}", "mime": "application/pdf"})
                    for n, c in enumerate(contents)
                ]

                def upload() -> None:
                    if Uploader(device.documents, client).run() != args.documents:
                        raise SystemExit("not every document was uploaded")

                def raw_upload(round_no: int = round_no, contents: list[bytes] = contents) -> None:
                    for n, content in enumerate(contents):
                        for start in range(0, len(content), CHUNK):
                            raw.patch(
                                f"{raw_url}/raw/{round_no}-{n}", content=content[start : start + CHUNK]
                            ).raise_for_status()

                def download(ids: list[str] = ids, contents: list[bytes] = contents) -> None:
                    for record_id, content in zip(ids, contents, strict=True):
                        got = client.document_content(record_id)
                        if hashlib.sha256(got).digest() != hashlib.sha256(content).digest():
                            raise SystemExit("a download is not the document")

                def raw_download(round_no: int = round_no, contents: list[bytes] = contents) -> None:
                    for n, content in enumerate(contents):
                        got = raw.get(f"{raw_url}/raw/{round_no}-{n}").content
                        if hashlib.sha256(got).digest() != hashlib.sha256(content).digest():
                            raise SystemExit("a raw download is not the document")

                pairs = [("upload", upload), ("raw upload", raw_upload)]
                for variant, action in pairs if round_no % 2 == 0 else pairs[::-1]:
                    seconds[variant].append(timed(action))
                device.engine.sync()  # the documents' records: what a download is checked against
                pairs = [("download", download), ("raw download", raw_download)]
                for variant, action in pairs if round_no % 2 == 0 else pairs[::-1]:
                    seconds[variant].append(timed(action))
                print(
                    f"round {round_no + 1}: " + ", ".join(f"{v} {s[-1]:.2f} s" for v, s in seconds.items()),
                    flush=True,
                )
            device.store.close()
    print(
        f"\n{args.documents} documents of {args.doc_kib} KiB ({mib:.0f} MiB) a round, {args.rounds} rounds, "
        f"best kept; load average at the end: {' '.join(f'{v:.1f}' for v in os.getloadavg())}\n"
    )
    for way in ("upload", "download"):
        ours, base = min(seconds[way]), min(seconds[f"raw {way}"])
        ratio = base / ours
        print(
            f"{way:<9} product {mib / ours:7.1f} MiB/s, raw HTTP {mib / base:7.1f} MiB/s: "
            f"{ratio:.0%} of raw  {'met' if ratio >= 0.5 else 'MISSED'} (target >= 50 %)"
        )


if __name__ == "__main__":
    main()
