"""Document bytes sealed at rest: one random key per document, wrapped by the server's master key.

A blob is a file of segments, one per write: 4-byte plaintext length, 12-byte nonce, AES-256-GCM
ciphertext whose associated data names the blob and the segment's place, so segments cannot be
moved between blobs or reordered. Its data key sits beside it in `<key>.key`, wrapped by the
master key named there (`kid`). Rotating the master key re-wraps those small files only; the
documents themselves are never re-encrypted. Resumable uploads append segments and may restart
at a segment boundary (the offset the server reported), which is all `write_at` is asked for.
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
from typing import BinaryIO

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HEADER = struct.Struct(">I12s")
TAG = 16


class MasterKeyError(ValueError):
    """The master keys are missing, malformed, or do not include the one a blob needs."""


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

    def unwrap(self, blob: str, entry: dict[str, str]) -> bytes:
        key = self.keys.get(entry["kid"])
        if key is None:
            raise MasterKeyError(f"master key {entry['kid']!r} is needed but not configured")
        raw = bytes.fromhex(entry["wrapped"])
        return AESGCM(key).decrypt(raw[:12], raw[12:], f"blob-key|{blob}".encode())


class SealedBlobStore:
    """The BlobStore of `blobs.py`, with every byte on disk encrypted."""

    def __init__(self, folder: Path, master: MasterKeys) -> None:
        self.folder = folder
        self.master = master

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def _key_path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.key"

    def _data_key(self, key: str, *, create: bool = False) -> AESGCM:
        path = self._key_path(key)
        if not path.exists():
            if not create:
                raise FileNotFoundError(key)
            data_key = AESGCM.generate_key(bit_length=256)
            _write_atomically(path, json.dumps(self.master.wrap(key, data_key)))
            return AESGCM(data_key)
        return AESGCM(self.master.unwrap(key, json.loads(path.read_text())))

    def _segments(self, key: str) -> Iterator[tuple[int, int]]:
        """(file position, plaintext length) of each segment."""
        path = self._path(key)
        if not path.exists():
            return
        with path.open("rb") as handle:
            position = 0
            while header := handle.read(HEADER.size):
                length, _ = HEADER.unpack(header)
                yield position, length
                position += HEADER.size + length + TAG
                handle.seek(position)

    def size(self, key: str) -> int:
        return sum(length for _, length in self._segments(key))

    def write_at(self, key: str, offset: int, data: bytes) -> int:
        """Append `data` as a segment at `offset`, dropping segments after it (an unacknowledged try)."""
        cipher = self._data_key(key, create=True)
        plain, cut, index = 0, 0, 0
        for position, length in self._segments(key):
            if plain == offset:
                break
            plain, cut, index = plain + length, position + HEADER.size + length + TAG, index + 1
        if plain != offset:
            raise ValueError(f"offset {offset} is not a segment boundary")
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        nonce = secrets.token_bytes(12)
        sealed = cipher.encrypt(nonce, data, f"{key}|{index}".encode())
        with path.open("r+b" if path.exists() else "wb") as handle:
            handle.truncate(cut)
            handle.seek(cut)
            handle.write(HEADER.pack(len(data), nonce) + sealed)
            handle.flush()
            os.fsync(handle.fileno())
        return offset + len(data)

    def sha256(self, key: str) -> str:
        digest = hashlib.sha256()
        with self.open(key) as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()

    def open(self, key: str) -> BinaryIO:
        cipher = self._data_key(key)  # first: a missing master key must not leave a file open
        return io.BufferedReader(_SealedReader(self._path(key).open("rb"), cipher, key))

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
            _write_atomically(path, json.dumps(self.master.wrap(blob, self.master.unwrap(blob, entry))))
            done += 1
        return done, current


class _SealedReader(io.RawIOBase):
    """Decrypts segment after segment as they are read; a tampered segment fails loudly."""

    def __init__(self, handle: BinaryIO, cipher: AESGCM, key: str) -> None:
        self._handle, self._cipher, self._key = handle, cipher, key
        self._index, self._buffer = 0, b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: "memoryview | bytearray") -> int:  # type: ignore[override]
        while not self._buffer:
            header = self._handle.read(HEADER.size)
            if not header:
                return 0
            length, nonce = HEADER.unpack(header)
            sealed = self._handle.read(length + TAG)
            aad = f"{self._key}|{self._index}".encode()
            self._buffer, self._index = self._cipher.decrypt(nonce, sealed, aad), self._index + 1
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n

    def close(self) -> None:
        self._handle.close()
        super().close()


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text)
    temporary.chmod(0o600)
    os.replace(temporary, path)
