"""Documents: encrypted on import, uploaded in chunks, resumed after a drop with one chunk at most resent."""

import hashlib
import io
import os

import pytest

from sync.client import AccountClient
from sync.crypto import CHUNK
from sync.documents import Documents, Uploader
from sync.engine import Backoff
from sync.errors import ApiError, NetworkError
from sync.protocol.schemas import TokenPair
from sync.protocol.sync_schemas import UploadState
from tests.conftest import World
from tests.sync.conftest import Device, no_sleep


class _Flaky:
    """Passes calls to the real client, dropping the network after `fail_after` chunks."""

    def __init__(self, real: object, fail_after: int) -> None:
        self.real, self.fail_after, self.sent_offsets = real, fail_after, []  # type: ignore[var-annotated]

    def upload_create(self, size: int, sha256: str) -> UploadState:
        return self.real.upload_create(size, sha256)  # type: ignore[attr-defined, no-any-return]

    def upload_state(self, upload_id: str) -> UploadState:
        return self.real.upload_state(upload_id)  # type: ignore[attr-defined, no-any-return]

    def upload_chunk(self, upload_id: str, offset: int, data: bytes) -> UploadState:
        self.sent_offsets.append(offset)
        if len(self.sent_offsets) > self.fail_after:
            raise NetworkError()
        return self.real.upload_chunk(upload_id, offset, data)  # type: ignore[attr-defined, no-any-return]


def test_large_document_upload_resumes(world: World, two_devices: tuple[Device, Device]) -> None:
    phone, _ = two_devices
    content = b"%PDF-" + os.urandom(3 * CHUNK + 12340)  # a type the server keeps
    docs = Documents(phone.store, phone.vault.files_dir, phone.key)
    rid = docs.add(io.BytesIO(content), {"title": "IRM genou", "type": "imaging", "mime": "application/pdf"})
    item = phone.store.get(rid)
    assert item is not None and item.data["sha256"] == hashlib.sha256(content).hexdigest()
    assert content[:4096] not in (phone.vault.files_dir / f"{item.data['file_id']}.enc").read_bytes()
    flaky = _Flaky(phone.client, fail_after=2)
    with pytest.raises(NetworkError):
        Uploader(docs, flaky, Backoff(attempts=1, sleep=no_sleep)).run()
    assert [u.offset for u in docs.pending_uploads()] == [2 * CHUNK]
    progress: list[int] = []
    resumed = _Flaky(phone.client, fail_after=100)
    uploader = Uploader(docs, resumed, Backoff(sleep=no_sleep))
    assert uploader.run(lambda _r, sent, _t: progress.append(sent)) == 1
    assert resumed.sent_offsets == [2 * CHUNK, 3 * CHUNK]  # nothing before the drop is sent again
    assert progress[-1] == len(content)
    assert docs.pending_uploads() == []
    with world.ctx.blobs.open(phone.client.upload_create(len(content), item.data["sha256"]).id) as blob:
        assert blob.read() == content


def test_same_bytes_are_one_upload(two_devices: tuple[Device, Device]) -> None:
    phone, _ = two_devices
    sha = hashlib.sha256(b"abc").hexdigest()
    first = phone.client.upload_create(3, sha)
    assert phone.client.upload_create(3, sha).id == first.id


def test_wrong_offset_and_bad_checksum(two_devices: tuple[Device, Device]) -> None:
    phone, _ = two_devices
    state = phone.client.upload_create(10, hashlib.sha256(b"%PDF-12345").hexdigest())
    with pytest.raises(ApiError) as err:
        phone.client.upload_chunk(state.id, 5, b"12345")
    assert err.value.status == 409 and err.value.params["offset"] == 0
    phone.client.upload_chunk(state.id, 0, b"%PDF-")
    with pytest.raises(ApiError) as bad:
        phone.client.upload_chunk(state.id, 5, b"xyzxy")
    assert bad.value.code == "error.upload.checksum"
    assert phone.client.upload_state(state.id).offset == 0


def test_another_holder_cannot_reach_an_upload(world: World, two_devices: tuple[Device, Device]) -> None:
    phone, _ = two_devices
    state = phone.client.upload_create(3, hashlib.sha256(b"abc").hexdigest())
    _, tokens = world.active_person()
    stranger = AccountClient(http=world.api)
    stranger.tokens = TokenPair.model_validate(tokens)
    for call in (lambda: stranger.upload_state(state.id), lambda: stranger.upload_chunk(state.id, 0, b"abc")):
        with pytest.raises(ApiError) as err:
            call()
        assert err.value.status == 404


class _Counting:
    """Passes calls to the real client, noting which were made."""

    def __init__(self, real: AccountClient) -> None:
        self.real, self.calls = real, []  # type: ignore[var-annotated]

    def __getattr__(self, name: str) -> object:
        self.calls.append(name)
        return getattr(self.real, name)


def test_a_document_of_one_chunk_goes_whole_in_one_request(
    world: World, two_devices: tuple[Device, Device]
) -> None:
    phone, _ = two_devices
    content = b"%PDF-" + os.urandom(CHUNK - 5)
    docs = Documents(phone.store, phone.vault.files_dir, phone.key)
    docs.add(io.BytesIO(content), {"title": "Ordonnance", "type": "prescription", "mime": "application/pdf"})
    counting = _Counting(phone.client)
    progress: list[tuple[int, int]] = []
    assert Uploader(docs, counting).run(lambda _r, sent, total: progress.append((sent, total))) == 1  # type: ignore[arg-type]
    assert counting.calls == ["upload_whole"] and progress == [(len(content), len(content))]
    assert docs.pending_uploads() == []
    sha = hashlib.sha256(content).hexdigest()
    again = phone.client.upload_whole(sha, content)
    assert again.complete and again.id == phone.client.upload_create(len(content), sha).id  # one upload
    with world.ctx.blobs.open(again.id) as blob:
        assert blob.read() == content


def test_sent_whole_finishes_a_partial_upload_and_checks_the_bytes(
    two_devices: tuple[Device, Device],
) -> None:
    phone, _ = two_devices
    content = b"%PDF-12345"
    sha = hashlib.sha256(content).hexdigest()
    started = phone.client.upload_create(len(content), sha)
    phone.client.upload_chunk(started.id, 0, content[:5])
    with pytest.raises(ApiError) as bad:
        phone.client.upload_whole(sha, b"%PDF-xyzxy")
    assert bad.value.code == "error.upload.checksum" and phone.client.upload_state(started.id).offset == 5
    finished = phone.client.upload_whole(sha, content)
    assert (finished.id, finished.offset, finished.complete) == (started.id, len(content), True)
