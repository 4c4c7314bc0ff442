"""Document bytes sealed at rest: one random key per document, wrapped by the server's master key.

A blob is a file of segments, one per write, closed by an end segment (format 2):
  header: 4-byte big-endian plaintext length whose top bit marks the end segment, 12-byte nonce;
  AES-256-GCM ciphertext whose associated data is `v2|<blob>|<index>|<0 or 1>`,
so segments cannot be moved between blobs, reordered, or dropped from the end: a file must finish
with an end segment at the right place. Once the last byte is in, `finish` (or `put`) writes the
content's size and SHA-256 into the end segment; `open` reads the whole file against all this
before it hands out a byte, and the reader checks again while the bytes stream: a truncated or
altered file raises `BlobDamaged`, never a short read taken for the whole document. Files of
format 1 (before issue #15: no end segment, no digest) are still read; `seal-existing` and
`rotate-keys --reencrypt` rewrite them in format 2.

The data key sits beside the file in `<key>.key`, wrapped by the master key named there (`kid`),
with the format `v` and the generation `gen` of the data file (`<key>`, then `<key>.<gen>` after
each re-encryption). Rotating the master key re-wraps those small files only. `reencrypt` writes
the document again under a fresh data key, then switches to it by replacing the key file: one
atomic rename, so a crash leaves either the old or the new copy in force. Resumable uploads
append segments and may restart at a segment boundary (the offset the server reported), which is
all `write_at` is asked for.
"""

import base64
import hashlib
import io
import json
import os
import secrets
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HEADER = struct.Struct(">I12s")
TAG = 16
LAST = 1 << 31  # the top bit of a segment's length: the end segment
DIGEST = struct.Struct(">Q32s")  # what `finish` writes into the end segment: size and SHA-256
PIECE = 4 * 1024 * 1024  # segment size of a re-encrypted copy
FORMAT = 2


class MasterKeyError(ValueError):
    """The master keys are missing, malformed, or do not include the one a blob needs."""


class BlobDamaged(InvalidTag):
    """A sealed file failed its integrity check: altered, truncated, or not the size and digest
    it was finished with. Its bytes must not be served; the file needs restoring from a backup."""


@dataclass(frozen=True)
class MasterKeys:
    """Named 32-byte keys; the first one wraps new data keys, the others only unwrap."""

    keys: dict[str, bytes]
    current: str

    @classmethod
    def parse(cls, text: str) -> "MasterKeys":
        """`kid:base64key,kid:base64key`, the current key first."""
        keys: dict[str, bytes] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            kid, _, encoded = item.partition(":")
            try:
                key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            except ValueError as exc:
                raise MasterKeyError(f"master key {kid!r} is not base64") from exc
            if not kid or len(key) != 32:
                raise MasterKeyError(f"master key {kid!r} must be named and 32 bytes long")
            keys[kid] = key
        if not keys:
            raise MasterKeyError("no master key configured")
        return cls(keys=keys, current=next(iter(keys)))

    @staticmethod
    def generate(kid: str) -> str:
        """A new `kid:base64key` entry for the configuration."""
        return f"{kid}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip('=')}"

    def wrap(self, blob: str, data_key: bytes) -> dict[str, str]:
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, data_key, f"blob-key|{blob}".encode())
        return {"kid": self.current, "wrapped": (nonce + sealed).hex()}

    def unwrap(self, blob: str, entry: dict[str, Any]) -> bytes:
        key = self.keys.get(entry["kid"])
        if key is None:
            raise MasterKeyError(f"master key {entry['kid']!r} is needed but not configured")
        raw = bytes.fromhex(entry["wrapped"])
        return AESGCM(key).decrypt(raw[:12], raw[12:], f"blob-key|{blob}".encode())


@dataclass(frozen=True)
class _Sealing:
    """How one blob's segments are sealed: its name, key and format."""

    blob: str
    cipher: AESGCM
    version: int

    def aad(self, index: int, last: bool) -> bytes:
        if self.version == 1:
            return f"{self.blob}|{index}".encode()
        return f"v2|{self.blob}|{index}|{int(last)}".encode()

    def segment(self, index: int, data: bytes, last: bool = False) -> bytes:
        nonce = secrets.token_bytes(12)
        length = len(data) | (LAST if last else 0)
        return HEADER.pack(length, nonce) + self.cipher.encrypt(nonce, data, self.aad(index, last))


class SealedBlobStore:
    """The BlobStore of `blobs.py`, with every byte on disk encrypted."""

    def __init__(self, folder: Path, master: MasterKeys) -> None:
        self.folder = folder
        self.master = master

    def _key_path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.key"

    def _entry(self, key: str) -> dict[str, Any] | None:
        path = self._key_path(key)
        return json.loads(path.read_text()) if path.exists() else None

    def _path(self, key: str, entry: dict[str, Any] | None = None) -> Path:
        gen = int((entry or self._entry(key) or {}).get("gen", 0))
        return self.folder / key[:2] / (f"{key}.{gen}" if gen else key)

    def _sealing(self, key: str, entry: dict[str, Any]) -> _Sealing:
        return _Sealing(key, AESGCM(self.master.unwrap(key, entry)), int(entry.get("v", 1)))

    def _new_entry(self, key: str, gen: int = 0) -> dict[str, Any]:
        return self.master.wrap(key, AESGCM.generate_key(bit_length=256)) | {"v": FORMAT, "gen": gen}

    def _opened(self, key: str) -> tuple[_Sealing, Path]:
        entry = self._entry(key)
        if entry is None:
            raise FileNotFoundError(key)
        return self._sealing(key, entry), self._path(key, entry)

    def format_of(self, key: str) -> int:
        """1 or 2 (see above); 0 if there is no such blob."""
        entry = self._entry(key)
        return int(entry.get("v", 1)) if entry is not None else 0

    def size(self, key: str) -> int:
        return sum(length for _, length, last in _segments(self._path(key)) if not last)

    def write_at(self, key: str, offset: int, data: bytes) -> int:
        """Append `data` as a segment at `offset`, dropping segments after it (an unacknowledged try)."""
        self._write(key, offset, data, b"")
        return offset + len(data)

    def put(self, key: str, content: bytes) -> None:
        """A whole document in one write, finished with its size and digest."""
        self._write(key, 0, content, DIGEST.pack(len(content), hashlib.sha256(content).digest()))

    def _write(self, key: str, offset: int, data: bytes, end: bytes) -> None:
        entry = self._entry(key)
        if entry is None:
            entry = self._new_entry(key)
            _write_atomically(self._key_path(key), json.dumps(entry))
        sealing, path = self._sealing(key, entry), self._path(key, entry)
        plain, cut, index = 0, 0, 0
        for position, length, last in _segments(path):
            if last or plain == offset:
                break
            plain, cut, index = plain + length, position + HEADER.size + length + TAG, index + 1
        if plain != offset:
            raise ValueError(f"offset {offset} is not a segment boundary")
        written = sealing.segment(index, data)
        if sealing.version == FORMAT:
            written += sealing.segment(index + 1, end, last=True)
        _write_at(path, cut, written)

    def finish(self, key: str) -> str:
        """The last byte is in: write the content's size and SHA-256 into the end segment (checked
        by every `open` from now on) and return the digest, for the caller to compare."""
        sealing, path = self._opened(key)
        digest, size, end = hashlib.sha256(), 0, 0
        with _SealedReader(path.open("rb"), sealing, check_end=False) as reader:
            while chunk := reader.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
            end, index = reader.position, reader.index
        if sealing.version == FORMAT:
            _write_at(path, end, sealing.segment(index, DIGEST.pack(size, digest.digest()), last=True))
        return digest.hexdigest()

    def sha256(self, key: str) -> str:
        digest = hashlib.sha256()
        with self.open(key) as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()

    def open(self, key: str) -> BinaryIO:
        """The document's bytes, once the whole file has passed its integrity check."""
        sealing, path = self._opened(key)  # first: a missing master key must not leave a file open
        with _SealedReader(path.open("rb"), sealing) as check:
            while check.read(1 << 20):
                pass
        return io.BufferedReader(_SealedReader(path.open("rb"), sealing))

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
        self._key_path(key).unlink(missing_ok=True)

    def rewrap(self) -> tuple[int, int]:
        """Wrap every data key with the current master key: (re-wrapped, already current)."""
        done = current = 0
        for path in sorted(self.folder.glob("*/*.key")):
            entry = json.loads(path.read_text())
            if entry["kid"] == self.master.current:
                current += 1
                continue
            blob = path.name.removesuffix(".key")
            rewrapped = self.master.wrap(blob, self.master.unwrap(blob, entry))
            _write_atomically(path, json.dumps(entry | rewrapped))
            done += 1
        return done, current

    def reencrypt(self, key: str, sha256: str) -> bool:
        """Write the document again under a fresh data key (format 2, finished), after checking it
        is the content `sha256` names; False if there is no such blob."""
        entry = self._entry(key)
        if entry is None:
            return False
        fresh = self._new_entry(key, gen=int(entry.get("gen", 0)) + 1)
        sealing, target = self._sealing(key, fresh), self._path(key, fresh)
        digest, size, index = hashlib.sha256(), 0, 0
        with self.open(key) as source, target.open("wb") as out:
            while piece := source.read(PIECE):
                out.write(sealing.segment(index, piece))
                digest.update(piece)
                size, index = size + len(piece), index + 1
            out.write(sealing.segment(index, DIGEST.pack(size, digest.digest()), last=True))
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != sha256:
            target.unlink()
            raise BlobDamaged(f"blob {key} is not the content its record names")
        old = self._path(key, entry)
        _write_atomically(self._key_path(key), json.dumps(fresh))  # the switch
        old.unlink(missing_ok=True)
        return True


def _segments(path: Path) -> Iterator[tuple[int, int, bool]]:
    """(file position, plaintext length, end segment?) of each segment."""
    if not path.exists():
        return
    with path.open("rb") as handle:
        position = 0
        while len(header := handle.read(HEADER.size)) == HEADER.size:
            length, _ = HEADER.unpack(header)
            yield position, length & ~LAST, bool(length & LAST)
            position += HEADER.size + (length & ~LAST) + TAG
            handle.seek(position)


def _write_at(path: Path, cut: int, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("r+b" if path.exists() else "wb") as handle:
        handle.truncate(cut)
        handle.seek(cut)
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


class _SealedReader(io.RawIOBase):
    """Decrypts segment after segment as they are read. In format 2 it ends only on an end
    segment at the right place, then compares the size and digest written there (when finished)
    with what it read; anything else raises `BlobDamaged`."""

    def __init__(self, handle: BinaryIO, sealing: _Sealing, *, check_end: bool = True) -> None:
        self._handle, self._sealing, self._check_end = handle, sealing, check_end
        self.index, self.position, self._buffer, self._done = 0, 0, b"", False
        self._digest, self._size = hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def readinto(self, target: "memoryview | bytearray") -> int:  # type: ignore[override]
        while not self._buffer and not self._done:
            self._next_segment()
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n

    def _next_segment(self) -> None:
        header = self._handle.read(HEADER.size)
        if not header and self._sealing.version == 1:
            self._done = True
            return
        if len(header) != HEADER.size:
            raise BlobDamaged(f"blob {self._sealing.blob} ends without its end segment")
        length, nonce = HEADER.unpack(header)
        last, length = bool(length & LAST), length & ~LAST
        if last and not self._check_end:
            self._done = True
            return
        sealed = self._handle.read(length + TAG)
        try:
            plain = self._sealing.cipher.decrypt(nonce, sealed, self._sealing.aad(self.index, last))
        except InvalidTag as exc:
            raise BlobDamaged(f"blob {self._sealing.blob}: segment {self.index} altered or moved") from exc
        self.index, self.position = self.index + 1, self.position + HEADER.size + length + TAG
        if last:
            self._end(plain)
            return
        self._digest.update(plain)
        self._size += len(plain)
        self._buffer = plain

    def _end(self, plain: bytes) -> None:
        if self._handle.read(1):
            raise BlobDamaged(f"blob {self._sealing.blob}: bytes after its end segment")
        if plain and DIGEST.unpack(plain) != (self._size, self._digest.digest()):
            raise BlobDamaged(f"blob {self._sealing.blob}: not the size and digest it was finished with")
        self._done = True

    def close(self) -> None:
        self._handle.close()
        super().close()


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text)
    temporary.chmod(0o600)
    os.replace(temporary, path)
