"""The server killed (SIGKILL) in the middle of an upload or of a sync, then restarted on the same
data: the phone carries on where the server stands, and nothing is lost or doubled.

(tests/sync/test_kill.py kills the *phone*; here the phone survives and the server dies.)
"""

import hashlib
import io
import random
import sqlite3
import threading
from collections import Counter
from pathlib import Path

import httpx
import pytest

from backend_stub.sealed_blobs import MasterKeys, SealedBlobStore
from sync.client import AccountClient
from sync.crypto import CHUNK
from sync.device import DeviceVault
from sync.documents import Documents, Uploader
from sync.engine import Backoff, SyncEngine
from sync.errors import NetworkError
from sync.protocol.errors import ErrorCode
from sync.protocol.schemas import TokenPair
from sync.protocol.sync_schemas import PushRequest, PushResponse, UploadState
from sync.store import Store
from tests.faults.server import Server, signed_in
from tests.sync.conftest import FAST_KDF, no_sleep
from tests.sync.kill_worker import PIN

RECORDS = 1000  # five pushes of 200
DOCUMENT = b"%PDF-" + random.Random(7).randbytes(8 * CHUNK + 333_328)  # nine chunks, a type kept


class Phone:
    """A holder's phone: vault, encrypted store, documents, a client signed in to the server."""

    def __init__(self, folder: Path, url: str, tokens: dict[str, str]) -> None:
        vault = DeviceVault(folder, "holder", "phone", kdf=FAST_KDF)
        key = vault.create(PIN)
        self.store: Store = vault.open_store(key)
        self.documents = Documents(self.store, vault.files_dir, key)
        self.client = AccountClient(url)
        self.client.tokens = TokenPair.model_validate(tokens)
        self.backoff = Backoff(attempts=3, sleep=no_sleep)  # a dead server fails fast; the test restarts it

    def close(self) -> None:
        self.client.close()
        self.store.close()


class KillDuring:
    """A transport that, once armed, SIGKILLs the server `delay` seconds after a call of `method`
    sets off, `after` answered calls later; it notes every call (the offsets of chunks sent, the
    size of pushes) and every answer."""

    def __init__(self, client: AccountClient, server: Server, method: str) -> None:
        self.client, self.server, self.method = client, server, method
        self.calls: list[tuple[str, int]] = []
        self.answered: list[tuple[str, int]] = []  # the calls the server answered
        self.killer: threading.Timer | None = None
        self._armed: tuple[int, float] | None = None  # (answers to wait for, delay)

    def arm(self, delay: float, after: int = 1) -> "KillDuring":
        self._armed = (len(self.answered) + after, delay)
        return self

    def _maybe_kill(self, method: str) -> None:
        if method == self.method and self._armed is not None and len(self.answered) >= self._armed[0]:
            self.killer = threading.Timer(self._armed[1], self.server.kill)
            self.killer.start()
            self._armed = None

    def killed(self) -> bool:
        """Wait for the kill to be done; True once the server died of SIGKILL."""
        assert self.killer is not None, "the call that kills the server was never made"
        self.killer.join()
        return self.server.process is not None and self.server.process.returncode == -9

    def upload_create(self, size: int, sha256: str) -> UploadState:
        return self.client.upload_create(size, sha256)

    def upload_state(self, upload_id: str) -> UploadState:
        return self.client.upload_state(upload_id)

    def upload_chunk(self, upload_id: str, offset: int, data: bytes) -> UploadState:
        self.calls.append(("chunk", offset))
        self._maybe_kill("chunk")
        state = self.client.upload_chunk(upload_id, offset, data)
        self.answered.append(("chunk", offset))
        return state

    def push(self, request: PushRequest) -> PushResponse:
        self.calls.append(("push", len(request.mutations)))
        self._maybe_kill("push")
        response = self.client.push(request)
        self.answered.append(("push", len(request.mutations)))
        return response

    def pull(self, cursor: str, limit: int = 500):  # type: ignore[no-untyped-def]
        return self.client.pull(cursor, limit)


def _feed(client: AccountClient) -> list[dict[str, object]]:
    """Every record of the holder's change feed, as the server has it."""
    changes, cursor = [], ""
    while True:
        page = client.pull(cursor, 1000)
        changes += [c.model_dump() for c in page.changes]
        cursor = page.cursor
        if not page.more:
            return changes


@pytest.fixture
def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    running = Server(tmp_path / "server")
    running.start()
    yield running
    running.stop()


@pytest.fixture
def phone(server: Server, tmp_path: Path):  # type: ignore[no-untyped-def]
    device = Phone(tmp_path / "phone", server.url, signed_in(server).tokens)
    yield device
    device.close()


def test_upload_resumes_after_the_server_is_killed_mid_upload(server: Server, phone: Phone) -> None:
    phone.documents.add(io.BytesIO(DOCUMENT), {"title": "Radio thorax", "mime": "image/png"}, "doc00001")
    # Three kills while 1 MiB chunks are on their way: as they set off, and 10 or 20 ms later
    # (the server reading, sealing or committing them).
    transport = KillDuring(phone.client, server, "chunk")
    upload_id, before = "", 0
    for delay in (0.0, 0.01, 0.02):
        transport.arm(delay)
        with pytest.raises(NetworkError):
            Uploader(phone.documents, transport, phone.backoff).run()
        assert transport.killed()
        server.start()  # same port, same data folder: a supervisor restarting it
        upload_id = phone.documents.pending_uploads()[0].server_id
        stood = phone.client.upload_state(upload_id)
        assert before < stood.offset < len(DOCUMENT) and not stood.complete  # kept what it had taken
        before = stood.offset

    assert Uploader(phone.documents, transport, phone.backoff).run() == 1  # the app's uploader, started again
    assert phone.documents.pending_uploads() == []
    assert SyncEngine(phone.store, phone.client, backoff=phone.backoff).sync().pending == 0
    auth = {"Authorization": f"Bearer {phone.client.tokens.access_token}"}  # type: ignore[union-attr]
    content = httpx.get(f"{server.url}/api/v1/sync/records/doc00001/content", headers=auth, timeout=30)
    assert content.status_code == 200
    assert hashlib.sha256(content.content).hexdigest() == hashlib.sha256(DOCUMENT).hexdigest()

    server.stop()
    with sqlite3.connect(server.data_dir / "ens.db") as db:
        rows = db.execute('SELECT id, "offset", size, complete FROM upload').fetchall()
    assert rows == [(upload_id, len(DOCUMENT), len(DOCUMENT), 1)]  # one upload, complete
    keys = MasterKeys.parse((server.data_dir / "master.keys").read_text())
    blobs = SealedBlobStore(server.data_dir / "blobs", keys)
    assert blobs.size(upload_id) == len(DOCUMENT)  # no segment written twice
    assert blobs.sha256(upload_id) == hashlib.sha256(DOCUMENT).hexdigest()
    # Every chunk was taken exactly once; only the one in flight at the kill was tried again.
    assert [offset for _, offset in transport.answered] == list(range(0, len(DOCUMENT), CHUNK))
    assert sorted({offset for _, offset in transport.calls}) == list(range(0, len(DOCUMENT), CHUNK))


def test_sync_after_the_server_is_killed_mid_push(server: Server, phone: Phone) -> None:
    for n in range(RECORDS):
        phone.store.put("measurement", {"kind": "weight", "value": 60 + n / 100, "unit": "kg"}, f"rec{n:05d}")
    # The second push of 200 records is being applied when the server dies.
    transport = KillDuring(phone.client, server, "push").arm(0.02)
    engine = SyncEngine(phone.store, transport, backoff=phone.backoff)
    status = engine.sync()
    assert transport.killed()
    assert status.error == ErrorCode.NETWORK.value and 0 < status.pending <= RECORDS - 200
    server.start()

    status = engine.sync()
    assert status.error is None and status.pending == 0
    changes = _feed(phone.client)
    ids = Counter(str(c["id"]) for c in changes)
    assert sorted(ids) == [f"rec{n:05d}" for n in range(RECORDS)] and set(ids.values()) == {1}
    assert {c["version"] for c in changes} == {1}  # each write applied exactly once
    assert len({c["seq"] for c in changes}) == RECORDS  # the feed's sequence numbers unique too
    by_id = {str(c["id"]): c for c in changes}
    assert by_id["rec00321"]["data"] == {"kind": "weight", "value": 63.21, "unit": "kg"}
    local = {item.id: item for item in phone.store.items("measurement")}
    assert len(local) == RECORDS
    assert all(item.version == 1 and not item.pending for item in local.values())  # the phone agrees
