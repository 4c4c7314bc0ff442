"""A phone process for the kill tests: writes a fixed set of records and a document, then syncs.

Run as `python -m tests.sync.kill_worker FOLDER URL TOKENS_FILE CHUNK_LOG`. Every run writes only
what is missing, so it can be killed at any instant and started again. Exit 0 once the server
has everything.
"""

import io
import json
import os
import random
import sys
import time
from pathlib import Path

from sync.client import AccountClient
from sync.crypto import KdfParams
from sync.device import DeviceVault
from sync.documents import Documents, Uploader
from sync.engine import SyncEngine
from sync.protocol.schemas import TokenPair
from sync.protocol.sync_schemas import UploadState

RECORDS = 200
DOCUMENT = b"%PDF-" + random.Random(7).randbytes(2 * 1024 * 1024 + 333_328)  # a type the server keeps
PIN = "Mimosa-482915"


class LoggingTransport:
    """Notes each chunk's offset (synced to disk) before sending it, to count resends."""

    def __init__(self, client: AccountClient, log: Path) -> None:
        self.client, self.log = client, log

    def upload_create(self, size: int, sha256: str) -> UploadState:
        return self.client.upload_create(size, sha256)

    def upload_state(self, upload_id: str) -> UploadState:
        return self.client.upload_state(upload_id)

    def upload_chunk(self, upload_id: str, offset: int, data: bytes) -> UploadState:
        with self.log.open("a") as handle:
            handle.write(f"{offset}\n")
            handle.flush()
            os.fsync(handle.fileno())
        return self.client.upload_chunk(upload_id, offset, data)


def main(folder: str, url: str, tokens_file: str, chunk_log: str) -> int:
    vault = DeviceVault(Path(folder), "holder", "phone", kdf=KdfParams(1, 1, 1024))
    key = vault.unlock(PIN) if vault.exists() else vault.create(PIN)
    store = vault.open_store(key)
    client = AccountClient(url)
    client.tokens = TokenPair.model_validate(json.loads(Path(tokens_file).read_text()))
    documents = Documents(store, vault.files_dir, key)
    for n in range(RECORDS):
        record_id = f"rec{n:05d}"
        if store.get(record_id) is None:
            store.put(
                "measurement", {"kind": "weight", "value": 60 + n / 10, "unit": "kg"}, record_id=record_id
            )
        if n == RECORDS // 2 and store.get("doc00001") is None:
            documents.add(io.BytesIO(DOCUMENT), {"title": "Radio thorax", "mime": "image/png"}, "doc00001")
    engine = SyncEngine(store, client)
    uploader = Uploader(documents, LoggingTransport(client, Path(chunk_log)))
    for _ in range(200):
        status = engine.sync()
        uploader.run()
        if status.state == "up_to_date" and not documents.pending_uploads():
            return 0
        time.sleep(0.05)
    return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
