"""Documents on the device: imported into encrypted chunked files, uploaded in the background.

Import streams the source through SHA-256 and the chunk cipher into `<file_id>.enc` (never the
whole file in memory), then records the document and its pending upload in one transaction.
The uploader resumes from the offset the server reports, so a kill or a network drop costs at
most the chunk that was in flight.
"""

import hashlib
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from sync.crypto import CHUNK, decrypt_chunks, encrypt_stream
from sync.engine import Backoff
from sync.protocol.sync_schemas import UploadState
from sync.store import LocalUpload, Store

Progress = Callable[[str, int, int], None]  # record id, bytes sent, total


class UploadTransport(Protocol):
    def upload_create(self, size: int, sha256: str) -> UploadState: ...
    def upload_whole(self, sha256: str, data: bytes) -> UploadState: ...
    def upload_state(self, upload_id: str) -> UploadState: ...
    def upload_chunk(self, upload_id: str, offset: int, data: bytes) -> UploadState: ...


class _Hashing:
    """Wraps a source: counts and hashes what is read through it."""

    def __init__(self, source: BinaryIO) -> None:
        self.source, self.size, self.digest = source, 0, hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self.source.read(n)
        self.size += len(data)
        self.digest.update(data)
        return data


class Documents:
    """The holder's document files on this device."""

    def __init__(self, store: Store, files_dir: Path, vault_key: bytes) -> None:
        self.store, self.files_dir, self._key = store, files_dir, vault_key
        files_dir.mkdir(parents=True, exist_ok=True)

    def path(self, file_id: str) -> Path:
        return self.files_dir / f"{file_id}.enc"

    def seal(self, source: BinaryIO, file_id: str | None = None) -> tuple[str, int, str]:
        """Encrypt a file into the store's folder; its id, size and SHA-256 (nothing recorded yet).
        A file fetched from the server keeps the id its record names (`file_id`)."""
        file_id = file_id or uuid.uuid4().hex
        partial = self.files_dir / f"{file_id}.part"
        hashing = _Hashing(source)
        with partial.open("wb") as target:
            encrypt_stream(hashing, target, self._key, file_id)  # type: ignore[arg-type]
            target.flush()
            os.fsync(target.fileno())
        partial.replace(self.path(file_id))
        return file_id, hashing.size, hashing.digest.hexdigest()

    def add(self, source: BinaryIO, metadata: dict[str, Any], record_id: str | None = None) -> str:
        """Encrypt a document into the store's folder, then record it and its pending upload in one
        transaction (a kill leaves either nothing or a document that will be uploaded)."""
        file_id, size, sha256 = self.seal(source)
        record_id = record_id or uuid.uuid4().hex
        upload = LocalUpload(record_id=record_id, file_id=file_id, size=size, sha256=sha256)
        data = metadata | {"file_id": file_id, "size": size, "sha256": sha256}
        return self.store.put("document", data, record_id=record_id, also=[upload])

    def read(self, file_id: str, start_chunk: int = 0) -> Iterator[bytes]:
        """The plaintext of a document, chunk by chunk."""
        with self.path(file_id).open("rb") as handle:
            yield from decrypt_chunks(handle, self._key, file_id, start_chunk)

    def pending_uploads(self) -> list[LocalUpload]:
        return self.store.pending_uploads()


class Uploader:
    """Sends pending document bytes, resuming where the server stands."""

    def __init__(
        self, documents: Documents, transport: UploadTransport, backoff: Backoff | None = None
    ) -> None:
        self.documents, self.transport = documents, transport
        self.backoff = backoff or Backoff()

    def run(self, on_progress: Progress | None = None) -> int:
        """Upload everything pending; returns how many documents completed."""
        completed = 0
        for upload in self.documents.pending_uploads():
            if self._upload_one(upload, on_progress):
                completed += 1
        return completed

    def _upload_one(self, upload: LocalUpload, on_progress: Progress | None) -> bool:
        save = self.documents.store.save_upload
        if not upload.server_id and upload.size <= CHUNK:
            # Most documents fit in one chunk: started, sent and finished in one request.
            whole = b"".join(self.documents.read(upload.file_id))
            state = self.backoff.run(lambda: self.transport.upload_whole(upload.sha256, whole))
            upload.server_id = state.id
            if on_progress:
                on_progress(upload.record_id, state.offset, upload.size)
        elif not upload.server_id:
            state = self.backoff.run(lambda: self.transport.upload_create(upload.size, upload.sha256))
            upload.server_id = state.id
            save(upload)
        else:
            state = self.backoff.run(lambda: self.transport.upload_state(upload.server_id))
        offset = state.offset
        chunks = self.documents.read(upload.file_id, start_chunk=offset // CHUNK)
        skip = offset % CHUNK
        while not state.complete:
            chunk = next(chunks)[skip:]
            skip = 0
            sent_from = offset
            state = self.backoff.run(
                lambda: self.transport.upload_chunk(upload.server_id, sent_from, chunk)  # noqa: B023
            )
            offset = upload.offset = state.offset
            if not state.complete:
                save(upload)
            if on_progress:
                on_progress(upload.record_id, offset, upload.size)
        upload.offset, upload.done = state.offset, True
        save(upload)
        return True
