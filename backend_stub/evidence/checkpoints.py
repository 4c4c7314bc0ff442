"""Signed checkpoints of the access logs' heads, kept outside the database (issue #15).

Whoever can write the database could cut a log and move its head back, or erase it: the links
alone cannot show what is missing. So each server process remembers the heads its committed
appends produced (`Checkpointer.committed`, called after commit by `services/audit.py`) and,
every `checkpoint_every` entries or `checkpoint_seconds`, writes one checkpoint of those heads
only (never a scan of all holders): `{n, at, prev, heads: {holder: [seq, head]}, kid, sig}`,
signed with Ed25519 (`ENS_LOG_SIGNING_KEYS`, not in the database) and chained to the one before
(`prev` is the SHA-256 of its line), so a checkpoint removed from the middle shows too.

The store is a small interface (`CheckpointStore`); the default writes one JSON line per
checkpoint in a file per day under `<data_dir>/checkpoints/` (appended, fsynced, under a lock
shared by the processes); production would point it at WORM storage or a file system where the
server may only append (`chattr +a`). `verify-log` reads them all back (`read_checkpoints`).
Heads committed since the last checkpoint of a process that dies are not in any checkpoint:
the window is `checkpoint_seconds` at most, and their next entry's checkpoint covers them.
"""

import base64
import fcntl
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from backend_stub.core.clock import Clock
from backend_stub.models.accounts import Holder
from backend_stub.sealed_blobs import MasterKeys
from sync.protocol.log_head import LogHead, head_message

CHECKPOINT_CONTEXT = b"ens-checkpoint-v1\n"
log = logging.getLogger(__name__)


def canonical(value: dict[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Signer:
    """The Ed25519 keys of checkpoints (`kid:base64 32-byte seed`, the current one first)."""

    def __init__(self, text: str) -> None:
        keys = MasterKeys.parse(text)  # the same `kid:key,...` format and checks
        self.current = keys.current
        self._private = {kid: Ed25519PrivateKey.from_private_bytes(seed) for kid, seed in keys.keys.items()}

    def public_key(self, kid: str) -> str:
        raw = self._private[kid].public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode()

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self._private[self.current].sign(message)).decode()

    def verify(self, kid: str, message: bytes, signature: str) -> bool:
        key = self._private.get(kid)
        if key is None:
            return False
        try:
            key.public_key().verify(base64.b64decode(signature), message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def head(self, *, holder_id: str, seq: int, head: str, at: datetime) -> LogHead:
        """The signed statement of one holder's head the device keeps (`sync/log_watch.py`)."""
        signature = self.sign(head_message(holder_id, seq, head, at))
        key = self.public_key(self.current)
        return LogHead(
            holder_id=holder_id, seq=seq, head=head, at=at, kid=self.current, key=key, signature=signature
        )


def head_of(signer: Signer, holder: Holder, at: datetime) -> LogHead:
    """The signed head of a holder's log as the holder row says it (`log_seq`, `log_head`)."""
    return signer.head(holder_id=holder.id, seq=holder.log_seq, head=holder.log_head, at=at)


class CheckpointStore(Protocol):
    """An append-only place for checkpoint lines, outside the database."""

    def append(self, make: Callable[[str | None], dict[str, Any]], day: date) -> None:
        """Write `make(previous line or None)` after the last line, under a lock."""
        ...

    def lines(self) -> Iterator[tuple[str, str]]:
        """(where, line) of every checkpoint, oldest first."""
        ...


class DailyFiles:
    """Checkpoints as JSON lines, one file per UTC day, in a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _files(self) -> list[Path]:
        return sorted(self.folder.glob("*.jsonl"))

    def append(self, make: Callable[[str | None], dict[str, Any]], day: date) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one writer at a time, across processes
            previous = next((line for path in reversed(self._files()) if (line := _last_line(path))), None)
            text = json.dumps(make(previous), separators=(",", ":"), ensure_ascii=False)
            with (self.folder / f"{day.isoformat()}.jsonl").open("a", encoding="utf-8") as out:
                out.write(text + "\n")
                out.flush()
                os.fsync(out.fileno())

    def lines(self) -> Iterator[tuple[str, str]]:
        for path in self._files():
            with path.open(encoding="utf-8") as handle:
                for number, line in enumerate(handle, start=1):
                    if line.strip():
                        yield f"{path.name}:{number}", line.rstrip("\n")


def _last_line(path: Path, block: int = 1 << 16) -> str | None:
    """The last line of a file, read from its end."""
    with path.open("rb") as handle:
        end = handle.seek(0, os.SEEK_END)
        tail, position = b"", end
        while position > 0:
            position = max(0, position - block)
            handle.seek(position)
            tail = handle.read(min(block, end - position)) + tail
            lines = tail.rstrip(b"\n").split(b"\n")
            if len(lines) > 1 or position == 0:
                return lines[-1].decode() if lines[-1] else None
    return None


def line_digest(line: str | None) -> str:
    return hashlib.sha256(line.encode()).hexdigest() if line else ""


@dataclass
class Checkpointer:
    """Collects the heads committed in this process and writes them out as checkpoints."""

    store: CheckpointStore
    signer: Signer
    clock: Clock
    every: int = 1000
    seconds: float = 300.0
    _pending: dict[str, tuple[int, str]] = field(default_factory=dict)
    _purged: set[str] = field(default_factory=set)
    _entries: int = 0
    _since: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _writing: threading.Lock = field(default_factory=threading.Lock)

    def committed(self, heads: dict[str, tuple[int, str]], entries: int) -> None:
        """Heads just committed (holder -> (seq, head)); writes a checkpoint when one is due."""
        if self._merge(heads, entries):
            self.flush()

    def purged(self, holder_ids: set[str]) -> None:
        """Spaces deleted for good (the 10-year purge): the next checkpoint says so."""
        with self._lock:
            self._purged |= holder_ids
            for holder in holder_ids:
                self._pending.pop(holder, None)
        self.flush()

    def _merge(
        self, heads: dict[str, tuple[int, str]], entries: int, gone: frozenset[str] | set[str] = frozenset()
    ) -> bool:
        with self._lock:
            for holder, (seq, head) in heads.items():
                if self._pending.get(holder, (0, ""))[0] < seq:
                    self._pending[holder] = (seq, head)
            self._purged |= gone
            self._entries += entries
            return self._entries >= self.every or time.monotonic() - self._since >= self.seconds

    def flush(self) -> int:
        """Write a checkpoint of the pending heads now; how many heads it holds. An I/O failure is
        an operator alert and the heads wait for the next try (the entries are committed)."""
        with self._writing:
            with self._lock:
                heads, gone = self._pending, self._purged
                self._pending, self._purged, self._entries = {}, set(), 0
                self._since = time.monotonic()
            if not heads and not gone:
                return 0
            at = self.clock.now()
            try:
                self.store.append(lambda previous: self._checkpoint(previous, heads, gone, at), at.date())
            except OSError as exc:
                log.error("access-log checkpoint not written: %s", type(exc).__name__)
                self._merge(heads, 0, gone)
                return 0
            return len(heads)

    def _checkpoint(
        self, previous: str | None, heads: dict[str, tuple[int, str]], gone: set[str], at: datetime
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "n": (json.loads(previous)["n"] + 1) if previous else 1,
            "at": at.isoformat(),
            "prev": line_digest(previous),
            "heads": {holder: [seq, head] for holder, (seq, head) in sorted(heads.items())},
            "kid": self.signer.current,
        }
        if gone:
            body["purged"] = sorted(gone)
        return body | {"sig": self.signer.sign(CHECKPOINT_CONTEXT + canonical(body))}


@dataclass
class Checkpointed:
    """What the checkpoints say of one holder: the furthest head signed, and where."""

    seq: int
    head: str
    where: str


def read_checkpoints(
    store: CheckpointStore, signer: Signer, only: str = ""
) -> tuple[dict[str, Checkpointed], list[str]]:
    """The furthest signed head of every holder (or of `only`), and the problems of the checkpoints
    themselves (a bad signature, a gap or a change in their chain)."""
    heads: dict[str, Checkpointed] = {}
    problems: list[str] = []
    previous: str | None = None
    for where, line in store.lines():
        try:
            checkpoint = json.loads(line)
            body = {k: v for k, v in checkpoint.items() if k != "sig"}
            signed = signer.verify(body["kid"], CHECKPOINT_CONTEXT + canonical(body), checkpoint["sig"])
            number, prev = int(body["n"]), body["prev"]
        except (ValueError, KeyError, TypeError):
            problems.append(f"{where}: not a checkpoint")
            continue
        if not signed:
            problems.append(f"{where}: signature invalid")
            continue
        expected = (json.loads(previous)["n"] + 1) if previous else 1
        if number != expected or prev != line_digest(previous):
            problems.append(f"{where}: checkpoint chain broken (checkpoints missing or changed before it)")
        for holder, (seq, head) in body["heads"].items():
            if only and holder != only:
                continue
            if holder not in heads or heads[holder].seq <= seq:  # a later word on the same entry wins
                heads[holder] = Checkpointed(int(seq), str(head), where)
        for holder in body.get("purged", []):
            heads.pop(holder, None)  # deleted for good with its space: nothing left to expect
        previous = line
    return heads, problems
