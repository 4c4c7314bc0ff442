"""Where document bytes live: a small blob interface, a local folder by default.

An S3-compatible store would implement the same four methods (multipart parts for `write_at`).
"""

import hashlib
from pathlib import Path
from typing import BinaryIO, Protocol


class BlobStore(Protocol):
    def size(self, key: str) -> int: ...
    def write_at(self, key: str, offset: int, data: bytes) -> int: ...
    def sha256(self, key: str) -> str: ...
    def open(self, key: str) -> BinaryIO: ...
    def delete(self, key: str) -> None: ...


class LocalBlobStore:
    """Files under a folder, fanned out by the key's first characters."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def size(self, key: str) -> int:
        path = self._path(key)
        return path.stat().st_size if path.exists() else 0

    def write_at(self, key: str, offset: int, data: bytes) -> int:
        """Write `data` at `offset`, dropping anything after it (bytes of an unacknowledged try)."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("r+b" if path.exists() else "wb") as handle:
            handle.truncate(offset)
            handle.seek(offset)
            handle.write(data)
            handle.flush()
        return offset + len(data)

    def sha256(self, key: str) -> str:
        digest = hashlib.sha256()
        with self._path(key).open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
