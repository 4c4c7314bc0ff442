"""Document encryption throughput: `encrypt_stream` / `decrypt_chunks` against bare AES-256-GCM.

Documents (scans, PDFs, images) are encrypted on import and decrypted to be shown or uploaded,
chunk by chunk so a large file never sits whole in memory. The question is what the chunk format
(file key derived with HKDF, nonce from a counter, associated data per chunk, look-ahead read to
flag the last chunk) costs on top of the cipher itself. The baseline, measured in the same run on
the same bytes and with the same I/O, is AESGCM over the same 1 MiB chunks with a random nonce
each (kept in memory, so the file holds exactly chunk + tag like ours) and no associated data:
the cipher's own speed plus reading and writing the files.

Both sides read their input from a file and write their output to a file in a temporary directory
(`--io memory` reads from BytesIO and keeps the written chunks in a list instead, to see the
cipher alone). Every variant runs `--repeat`
times, interleaved, and the best run is kept: on a shared machine noise only ever adds time.
For context the script also times `Documents.add` (SHA-256 + encryption + fsync + the record
and its pending upload in the store) and `Documents.read`; they are not part of the target.

    .venv/bin/python benchmarks/document_crypto_bench.py
    .venv/bin/python benchmarks/document_crypto_bench.py --mib 64 --repeat 5 --io memory
"""

import argparse
import ctypes
import ctypes.util
import io
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sync.crypto import CHUNK, NONCE, decrypt_chunks, encrypt_stream
from sync.documents import Documents
from sync.store import Store

MiB = 1 << 20
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc mallopt parameters


def steady_allocator() -> bool:
    """Keep 1 MiB buffers on glibc's heap and freed memory mapped.

    At ~1 GB/s, page faults on freshly mapped 1 MiB buffers are a third of the time, and glibc's
    dynamic mmap/trim thresholds make them depend on the order of allocations: a harmless change
    (reading ahead one chunk) moved either side by 30-150%. Fixed thresholds remove that noise from
    both sides alike. Returns False where this is not glibc (figures are then noisier)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, 64 * MiB) and libc.mallopt(M_TRIM_THRESHOLD, 1 << 30))
    except (OSError, AttributeError):
        return False


class ChunkSink:
    """An in-memory target keeping each written chunk as it is."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(data)
        return len(data)


@dataclass
class Bench:
    """Where the bytes are and how long each variant took, per run."""

    folder: Path
    in_memory: bool
    plaintext: bytes
    key: bytes = field(default_factory=lambda: os.urandom(32))
    seconds: dict[str, list[float]] = field(default_factory=dict)
    buffers: dict[str, bytes] = field(default_factory=dict)
    pending: dict[str, list[bytes]] = field(default_factory=dict)

    @contextmanager
    def reader(self, name: str) -> Iterator[BinaryIO]:
        """The bytes called `name` (a file, or a BytesIO over the same bytes)."""
        if self.in_memory:
            yield io.BytesIO(self.buffers[name])
        else:
            with (self.folder / name).open("rb") as handle:
                yield handle

    @contextmanager
    def writer(self, name: str) -> Iterator[BinaryIO]:
        """Where to write `name`: a file, or a list of the written chunks (a BytesIO would grow and
        copy its buffer, which costs more than the cipher and depends on the total size); they are
        joined for the next reader after the clock stops (`time`)."""
        if self.in_memory:
            self.buffers.pop(name, None)  # free the previous run's copy first, for every variant alike
            sink = ChunkSink()
            yield sink  # type: ignore[misc]
            self.pending[name] = sink.chunks
        else:
            with (self.folder / name).open("wb") as handle:
                yield handle

    def discard(self, *names: str) -> None:
        for name in names:
            self.buffers.pop(name, None)
            (self.folder / name).unlink(missing_ok=True)

    def time(self, variant: str, action: Callable[[], object]) -> None:
        started = time.perf_counter()
        action()
        self.seconds.setdefault(variant, []).append(time.perf_counter() - started)
        self.settle()

    def settle(self) -> None:
        """Join what in-memory writers kept, for the readers that follow (never on the clock)."""
        while self.pending:
            name, chunks = self.pending.popitem()
            self.buffers[name] = b"".join(chunks)

    def rate(self, variant: str) -> float:
        """MiB/s of plaintext in the best run."""
        return len(self.plaintext) / MiB / min(self.seconds[variant])


# --- the baseline: AES-256-GCM alone over 1 MiB chunks ------------------------------------------


def raw_encrypt(source: BinaryIO, target: BinaryIO, key: bytes) -> list[bytes]:
    """Ciphertext only, nonces kept aside (returned), so the file reads back exactly like ours."""
    aead, nonces = AESGCM(key), []
    while chunk := source.read(CHUNK):
        nonces.append(os.urandom(NONCE))
        target.write(aead.encrypt(nonces[-1], chunk, None))
    return nonces


def raw_decrypt(source: BinaryIO, target: BinaryIO, key: bytes, nonces: list[bytes]) -> None:
    aead = AESGCM(key)
    for nonce in nonces:
        target.write(aead.decrypt(nonce, source.read(CHUNK + 16), None))


# --- one run -------------------------------------------------------------------------------------


def run_once(bench: Bench, store: Store, documents: Documents, *, baseline_first: bool) -> None:
    """Each variant once, output checked against the input."""
    file_id = os.urandom(16).hex()

    def product_encrypt() -> None:
        with bench.reader("plain") as source, bench.writer("product.enc") as target:
            encrypt_stream(source, target, bench.key, file_id)

    def product_decrypt() -> None:
        with bench.reader("product.enc") as source, bench.writer("product.out") as target:
            for chunk in decrypt_chunks(source, bench.key, file_id):
                target.write(chunk)

    nonces: list[bytes] = []

    def baseline_encrypt() -> None:
        with bench.reader("plain") as source, bench.writer("raw.enc") as target:
            nonces[:] = raw_encrypt(source, target, bench.key)

    def baseline_decrypt() -> None:
        with bench.reader("raw.enc") as source, bench.writer("raw.out") as target:
            raw_decrypt(source, target, bench.key, nonces)

    # Which side goes first alternates between runs: a variant that follows a large write can
    # find the disk still flushing it, and that must not always be the same variant.
    pairs = [("raw encrypt", baseline_encrypt, "encrypt_stream", product_encrypt),
             ("raw decrypt", baseline_decrypt, "decrypt_chunks", product_decrypt)]
    for raw_name, raw, product_name, product in pairs:
        steps = [(raw_name, raw), (product_name, product)]
        for name, action in steps if baseline_first else steps[::-1]:
            bench.time(name, action)
    for name in ("raw.out", "product.out"):
        with bench.reader(name) as out:
            if out.read() != bench.plaintext:
                raise SystemExit(f"{name}: the decrypted bytes differ from the input")
    bench.discard("raw.out", "product.out")  # a later run writes new files rather than truncating

    record_ids: list[str] = []

    def add() -> None:
        with bench.reader("plain") as source:
            record_ids.append(documents.add(source, {"title": "Scan", "mime": "application/pdf"}))

    def read() -> None:
        item = store.get(record_ids[-1])
        assert item is not None
        for _ in documents.read(str(item.data["file_id"])):
            pass

    bench.time("Documents.add", add)
    bench.time("Documents.read", read)
    item = store.get(record_ids[-1])
    assert item is not None
    documents.path(str(item.data["file_id"])).unlink()  # keep the temp dir from growing


# --- report ---------------------------------------------------------------------------------------


def share(bench: Bench, variant: str, baseline: str) -> float:
    """Throughput of `variant` as a fraction of the baseline's, both from this run."""
    return bench.rate(variant) / bench.rate(baseline)


def print_report(bench: Bench, args: argparse.Namespace) -> None:
    where = "in memory" if bench.in_memory else "files in a temp dir"
    print(f"\n{args.mib} MiB of random bytes, {CHUNK // MiB} MiB chunks, {where}; "
          f"best of {args.repeat} interleaved runs.\n")
    print(f"{'variant':<18}{'MiB/s':>10}{'% of raw':>10}")
    print("-" * 38)
    pairs = [("raw encrypt", "encrypt_stream"), ("raw decrypt", "decrypt_chunks")]
    for raw, product in pairs:
        print(f"{raw:<18}{bench.rate(raw):>10.0f}{100:>9.0f}%")
        print(f"{product:<18}{bench.rate(product):>10.0f}{100 * share(bench, product, raw):>9.0f}%")
    print("\nFor context (not in the target), % of raw encrypt / raw decrypt:")
    for name, raw in (("Documents.add", "raw encrypt"), ("Documents.read", "raw decrypt")):
        print(f"{name:<18}{bench.rate(name):>10.0f}{100 * share(bench, name, raw):>9.0f}%")
    print("\nTarget: encrypt_stream and decrypt_chunks at >= 50% of the raw AES-GCM throughput.")
    for raw, product in pairs:
        ratio = share(bench, product, raw)
        print(f"  {product:<16} {100 * ratio:.0f}%  {'met' if ratio >= 0.5 else 'MISSED'}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mib", type=int, default=64, help="MiB of random data (default 64)")
    parser.add_argument("--repeat", type=int, default=10, help="interleaved runs, best kept (default 10)")
    parser.add_argument("--io", choices=["file", "memory"], default="file",
                        help="stream from/to files in a temp dir (default) or BytesIO")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if not steady_allocator():
        print("glibc mallopt unavailable: allocator noise not removed")
    with tempfile.TemporaryDirectory(prefix="ens-doc-bench-") as tmp:
        folder = Path(tmp)
        bench = Bench(folder=folder, in_memory=args.io == "memory", plaintext=os.urandom(args.mib * MiB))
        with bench.writer("plain") as target:
            target.write(bench.plaintext)
        bench.settle()
        store = Store(folder / "store.db", bench.key)
        try:
            documents = Documents(store, folder / "files", bench.key)
            for repeat in range(args.repeat):
                run_once(bench, store, documents, baseline_first=repeat % 2 == 0)
                print(f"run {repeat + 1}/{args.repeat} done", flush=True)
        finally:
            store.close()
        print_report(bench, args)


if __name__ == "__main__":
    main()
