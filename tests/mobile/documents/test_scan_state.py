"""The scan in the app (issue #17): several page images picked at once become one PDF document,
added like any file; a file that is not a page image is refused under the field."""

from pathlib import Path

import pytest

from sync.protocol.errors import ErrorCode
from tests.mobile.conftest import AppServer
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import signed_in
from tests.sync.test_scan import photo


@pytest.fixture
def world(app_server: AppServer) -> World:
    found = World(app_server, n=19)
    yield found  # type: ignore[misc]
    found.close()


def test_pages_scanned_into_one_document(world: World, tmp_path: Path) -> None:
    state = signed_in(world, tmp_path)
    docs = state.docs
    docs.new_document()
    assert not docs.choose_scan([("page1.jpg", photo("red", "JPEG")), ("notes.txt", b"hello")])
    assert docs.add.errors["file"].code == ErrorCode.DOCUMENT_FORMAT and docs.add.file_bytes is None
    pages = [("ordonnance-p1.jpg", photo("red", "JPEG")), ("ordonnance-p2.png", photo("blue", "PNG"))]
    assert docs.choose_scan(pages)
    form = docs.add
    assert form.pages == 2 and form.mime == "application/pdf" and form.file_bytes is not None
    assert form.file_bytes.startswith(b"%PDF-") and form.values["title"] == "ordonnance-p1"
    form.set("type", "prescription")
    record_id = docs.submit()
    assert record_id and state.sync_bar.sync()
    assert docs.open(record_id) and docs.viewer is not None and docs.viewer.pages == 2
