"""Document bytes in an S3-compatible bucket instead of the data folder, so several server hosts
can serve one PostgreSQL and one bucket (issue #21). Tested against moto's S3 server as a stand-in
for a certified host's object store.

The sealing is `sealed_blobs.SealedBlobStore`'s, unchanged: a blob is the same two objects as the
folder's two files (`<xx>/<key>.key`, the wrapped data key; `<xx>/<key>[.<gen>]`, the sealed
segments). Each operation fetches them into a scratch folder, lets `SealedBlobStore` work there,
and puts back what it changed; the bucket never sees a clear byte. An upload's chunks come one at a
time (the database row says which offset is next), so two hosts never write one blob at once.

A stand-in, not the production shape: a write fetches and puts the whole blob (a multipart upload
per segment would not), and `rotate-keys` (`rewrap`, `reencrypt`) still walks the data folder only.
"""

import io
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from backend_stub.sealed_blobs import MasterKeys, SealedBlobStore


class S3BlobStore:
    """The BlobStore of `blobs.py` on a bucket (`client`: a boto3 S3 client)."""

    def __init__(self, client: Any, bucket: str, master: MasterKeys) -> None:
        self.client, self.bucket, self.master = client, bucket, master

    def _get(self, name: str) -> bytes | None:
        try:
            return bytes(self.client.get_object(Bucket=self.bucket, Key=name)["Body"].read())
        except self.client.exceptions.NoSuchKey:
            return None

    @staticmethod
    def _names(key: str, entry: dict[str, Any] | None) -> tuple[str, str]:
        gen = int((entry or {}).get("gen", 0))
        return f"{key[:2]}/{key}.key", f"{key[:2]}/{key}.{gen}" if gen else f"{key[:2]}/{key}"

    @contextmanager
    def _local(self, key: str, *, write: bool) -> Iterator[SealedBlobStore]:
        """The blob's objects as files of a scratch folder; put back after a write."""
        with tempfile.TemporaryDirectory(prefix="ens-s3-blob-") as scratch:
            folder = Path(scratch)
            key_name, _ = self._names(key, None)
            entry_bytes = self._get(key_name)
            entry = json.loads(entry_bytes) if entry_bytes is not None else None
            if entry_bytes is not None:
                _, data_name = self._names(key, entry)
                (folder / key[:2]).mkdir()
                (folder / key_name).write_bytes(entry_bytes)
                if (data := self._get(data_name)) is not None:
                    (folder / data_name).write_bytes(data)
            yield SealedBlobStore(folder, self.master)
            if write:
                key_path = folder / key_name
                _, data_name = self._names(key, json.loads(key_path.read_bytes()))
                self.client.put_object(
                    Bucket=self.bucket, Key=data_name, Body=(folder / data_name).read_bytes()
                )
                if key_path.read_bytes() != entry_bytes:
                    self.client.put_object(Bucket=self.bucket, Key=key_name, Body=key_path.read_bytes())

    def size(self, key: str) -> int:
        with self._local(key, write=False) as blobs:
            return blobs.size(key)

    def write_at(self, key: str, offset: int, data: bytes) -> int:
        with self._local(key, write=True) as blobs:
            return blobs.write_at(key, offset, data)

    def put(self, key: str, content: bytes) -> None:
        with self._local(key, write=True) as blobs:
            blobs.put(key, content)

    def finish(self, key: str) -> str:
        with self._local(key, write=True) as blobs:
            return blobs.finish(key)

    def sha256(self, key: str) -> str:
        with self._local(key, write=False) as blobs:
            return blobs.sha256(key)

    def open(self, key: str) -> BinaryIO:
        """The document's bytes (checked whole by `SealedBlobStore.open`), held in memory."""
        with self._local(key, write=False) as blobs, blobs.open(key) as handle:
            return io.BytesIO(handle.read())

    def delete(self, key: str) -> None:
        key_name, data_name = self._names(key, json.loads(self._get(self._names(key, None)[0]) or b"{}"))
        self.client.delete_objects(
            Bucket=self.bucket, Delete={"Objects": [{"Key": data_name}, {"Key": key_name}]}
        )
