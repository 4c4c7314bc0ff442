"""Documents kept on the device (issue #17): a new device's first sync fetches every document's
bytes in the background with its progress, sealed in the vault and checked against the record's
SHA-256, so they read with the network cut; a cut fetch resumes with the documents left; the
holder may keep some categories or folders only, and a document read once is kept anyway."""

from pathlib import Path

import pytest

from mobile.app import VaultAppState
from sync.downloads import Downloader, OfflineChoice, keep_fetched, local_file_id
from sync.errors import NetworkError, SyncError
from sync.protocol.errors import ErrorCode
from tests.mobile.conftest import AppServer
from tests.mobile.documents.test_state import REAL_PDF, add_document
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import signed_in


@pytest.fixture
def world(app_server: AppServer) -> World:
    found = World(app_server, n=15)
    yield found  # type: ignore[misc]
    found.close()


def first_device(world: World, root: Path) -> list[str]:
    a = signed_in(world, root)
    ids = [
        add_document(a, "Prise de sang", kind="lab_results"),
        add_document(a, "Radio du genou", kind="imaging_report"),
        add_document(a, "Ordonnance", kind="prescription"),
    ]
    assert a.sync_bar.sync() and a.sync_bar.pending() == 0  # bytes on the server
    return ids


def cut_network(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_record_id: str, _version: int | None = None) -> bytes:
        raise NetworkError()

    monkeypatch.setattr(world.client, "document_content", refuse)


def test_first_sync_of_a_new_device_keeps_every_document(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = first_device(world, tmp_path / "a")
    b = signed_in(world, tmp_path / "b")
    assert not any(b.docs.held(i) for i in ids)
    seen: list[tuple[int, int] | None] = []
    b.sync_bar.on_progress = lambda: seen.append(b.sync_bar.line().downloads)  # type: ignore[union-attr]
    assert b.sync_bar.sync()
    assert seen == [(1, 3), (2, 3), (3, 3)]  # the bar said how far it was
    assert all(b.docs.held(i) for i in ids)

    cut_network(world, monkeypatch)
    for record_id in ids:
        assert b.docs.open(record_id), b.docs.viewer.error if b.docs.viewer else None
        assert b.docs.viewer is not None and b.docs.viewer.data == REAL_PDF
    sealed = [p for p in (tmp_path / "b").rglob("*.enc")]
    assert len(sealed) >= 3 and not any(REAL_PDF in p.read_bytes() for p in sealed)  # sealed at rest


def test_a_cut_fetch_resumes_with_the_documents_left(world: World, tmp_path: Path) -> None:
    ids = first_device(world, tmp_path / "a")
    b = signed_in(world, tmp_path / "b")
    b.docs.keep_offline(everything=False)  # the background fetch is off: driven by hand here
    assert b.sync_bar.sync() and not any(b.docs.held(i) for i in ids)
    space = b.vault.space
    assert space is not None and space.documents is not None
    calls: list[str] = []

    class Flaky:
        def document_content(self, record_id: str) -> bytes:
            calls.append(record_id)
            if len(calls) == 2:
                raise NetworkError()
            return world.client.document_content(record_id)

    downloader = Downloader(space.documents, Flaky(), OfflineChoice())
    with pytest.raises(NetworkError):
        downloader.run()
    assert sum(b.docs.held(i) for i in ids) == 1  # the first stays kept
    assert downloader.run() == 2 and all(b.docs.held(i) for i in ids)
    assert len(calls) == 4 and len(set(calls)) == 3  # only the cut one was asked twice


def test_bytes_that_are_not_the_records_are_refused(world: World, tmp_path: Path) -> None:
    [record_id, *_] = first_device(world, tmp_path / "a")
    b = signed_in(world, tmp_path / "b")
    b.docs.keep_offline(everything=False)
    assert b.sync_bar.sync()
    space = b.vault.space
    assert space is not None and space.documents is not None and space.store is not None
    item = space.store.get(record_id)
    assert item is not None
    with pytest.raises(SyncError) as refused:
        keep_fetched(space.documents, item, REAL_PDF + b"swapped")
    assert refused.value.code == ErrorCode.DOCUMENT_FORMAT
    assert not space.documents.path(local_file_id(item)).exists()


def test_some_categories_only_and_what_was_read_is_kept(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blood, knee, prescription = first_device(world, tmp_path / "a")
    b: VaultAppState = signed_in(world, tmp_path / "b")
    b.docs.keep_offline(everything=False)
    b.docs.keep_offline(category="results", on=True)
    choice = b.docs.offline_choice()
    assert not choice.all and choice.categories == {"results"} and b.docs.notice == "ui.docs.offline.saved"
    assert b.sync_bar.sync()
    assert b.docs.held(blood) and not b.docs.held(knee) and not b.docs.held(prescription)
    assert b.docs.open(knee)  # read once, online
    assert b.docs.held(knee)
    cut_network(world, monkeypatch)
    assert b.docs.open(knee)
    assert not b.docs.open(prescription)  # never fetched: said plainly
    assert b.docs.viewer is not None and b.docs.viewer.error is not None
    assert b.docs.viewer.error.code == "ui.docs.error.offline"


def test_the_documents_of_a_folder_kept_offline(world: World, tmp_path: Path) -> None:
    blood, knee, prescription = first_device(world, tmp_path / "a")
    b = signed_in(world, tmp_path / "b")
    b.docs.keep_offline(everything=False)
    b.docs.filters.set("folder_name", "Genou")
    assert b.docs.create_folder() and b.docs.file_in(knee, "Genou")
    b.docs.keep_offline(folder="Genou", on=True)
    assert b.docs.offline_choice().folders == {"Genou"}
    assert b.sync_bar.sync()
    assert b.docs.held(knee) and not b.docs.held(blood) and not b.docs.held(prescription)
    b.docs.keep_offline(folder="Genou", on=False)
    assert b.docs.offline_choice() == OfflineChoice(all=False)


def test_a_document_the_server_refuses_is_not_asked_again(world: World, tmp_path: Path) -> None:
    ids = first_device(world, tmp_path / "a")
    b = signed_in(world, tmp_path / "b")
    b.docs.keep_offline(everything=False)
    assert b.sync_bar.sync()
    space = b.vault.space
    assert space is not None and space.documents is not None
    asked: list[str] = []

    class Refusing:
        def document_content(self, record_id: str) -> bytes:
            asked.append(record_id)
            if record_id == ids[0]:
                raise SyncError(ErrorCode.NOT_FOUND)  # e.g. a file the server found altered
            return world.client.document_content(record_id)

    refused: set[str] = set()
    assert Downloader(space.documents, Refusing(), OfflineChoice(), refused).run() == 2
    assert refused == {ids[0]}
    assert Downloader(space.documents, Refusing(), OfflineChoice(), refused).run() == 0
    assert asked.count(ids[0]) == 1 and len(asked) == 3
