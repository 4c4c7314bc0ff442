"""The documents' state against the real server in-process: adding, filters, masking, deleting, and
the documents kept on the device through an offline unlock and an expired session."""

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mobile.app import VaultAppState
from mobile.documents.state import DocumentRow, describe_author
from mobile.shell.files import MAX_DOCUMENT_BYTES, sniff_mime
from mobile.shell.state import Screen
from mobile.shell.words import error_text, parse_day, text
from sync.protocol.errors import ErrorCode
from sync.store import ReadOnlyRecord
from tests.mobile.conftest import AppServer
from tests.mobile.record_access.test_state import PDF, World
from tests.mobile.shell.test_core import PIN, offline_client, signed_in, vault_state


def one_page_pdf() -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(200, 100)
    out = io.BytesIO()
    pdf.save(out)
    pdf.close()
    return out.getvalue()


REAL_PDF = one_page_pdf()
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def world(app_server: AppServer) -> World:
    found = World(app_server, n=7)
    yield found  # type: ignore[misc]
    found.close()


def author_text(row: DocumentRow) -> str:
    key, params = describe_author(row, "fr")
    return text(key, "fr", **params)


def add_document(state: VaultAppState, title: str, day: str = "05/03/2026", kind: str = "lab_results") -> str:
    docs = state.docs
    docs.new_document()
    assert docs.choose_file(f"{title}.pdf", REAL_PDF)
    docs.add.set("title", title)
    docs.add.set("type", kind)
    docs.add.set("date", day)
    record_id = docs.submit()
    assert record_id, docs.add.errors
    return record_id


def test_adding_checks_size_format_type_title_and_date(world: World, tmp_path: Path) -> None:
    state = signed_in(world, tmp_path)
    docs = state.docs
    docs.new_document()
    assert not docs.choose_file("gros.pdf", b"%PDF-" + b"0" * MAX_DOCUMENT_BYTES)
    assert docs.add.errors["file"].code == ErrorCode.DOCUMENT_TOO_LARGE
    assert "20 Mo" in error_text(docs.add.errors["file"], "fr")
    assert "20 MB" in error_text(docs.add.errors["file"], "en")
    assert not docs.choose_file("faux.pdf", b"MZ\x90\x00 not a pdf")
    assert docs.add.errors["file"].code == ErrorCode.DOCUMENT_FORMAT
    assert not docs.choose_file("notes.txt", b"%PDF-1.4")
    assert docs.add.errors["file"].code == ErrorCode.DOCUMENT_FORMAT
    assert docs.choose_file("scan.png", PNG) and docs.add.mime == "image/png"
    assert docs.add.values["title"] == "scan"  # proposed from the file name
    docs.add.set("title", "  ")
    docs.add.set("date", "31/02/2026")
    assert docs.submit() is None
    assert {k: e.code for k, e in docs.add.errors.items()} == {
        "title": "ui.docs.error.title",
        "type": "ui.docs.error.type",
        "date": "ui.docs.error.date",
    }
    assert docs.add.file_bytes == PNG  # the file stays chosen
    docs.add.set("type", "dispensation")  # a type only pharmacists may use
    assert docs.submit() is None and docs.add.errors["type"].code == "ui.docs.error.type"
    docs.add.set("title", "Ordonnance lunettes")
    docs.add.set("type", "optical_prescription")
    docs.add.set("date", datetime.now(UTC).strftime("%d/%m/%Y"))
    record_id = docs.submit()
    assert record_id and docs.notice == "ui.docs.added"
    item = state.vault.space.store.get(record_id)  # type: ignore[union-attr]
    assert item and item.data["mime"] == "image/png" and item.data["masked"] is False
    assert item.data["description"] == ""


def test_filters_search_and_newest_first(world: World, tmp_path: Path) -> None:
    state = signed_in(world, tmp_path)
    add_document(state, "Prise de sang janvier", "10/01/2026", "lab_results")
    add_document(state, "Ordonnance antibiotique", "15/02/2026", "prescription")
    add_document(state, "Prise de sang mars", "05/03/2026", "lab_results")
    docs = state.docs
    assert [r.title for r in docs.rows()] == [
        "Prise de sang mars",
        "Ordonnance antibiotique",
        "Prise de sang janvier",
    ]
    docs.filters.set("type", "lab_results")
    assert [r.title for r in docs.rows()] == ["Prise de sang mars", "Prise de sang janvier"]
    docs.filters.set("from", "01/02/2026")
    assert [r.title for r in docs.rows()] == ["Prise de sang mars"]
    docs.filters.set("type", "")
    docs.filters.set("to", "28/02/2026")
    assert [r.title for r in docs.rows()] == ["Ordonnance antibiotique"]
    docs.filters.set("to", "2026-13-45")
    docs.rows()
    assert docs.filters.errors["to"].code == "ui.docs.error.date"
    docs.filters.set("to", "")
    docs.filters.set("from", "")
    docs.filters.set("query", "SANG mars")
    assert [r.title for r in docs.rows()] == ["Prise de sang mars"]
    assert parse_day("5/3/2026") and parse_day("29/02/2025") is None
    assert sniff_mime(b"\xff\xd8\xff\xe0") == "image/jpeg"


def test_mask_own_and_professional_documents_delete_refused(world: World, tmp_path: Path) -> None:
    durand = world.pro("Alex", "Durand")
    assert world.read(durand, consent=True).status_code == 200
    assert world.add(durand, "Compte rendu de consultation").status_code == 200
    state = signed_in(world, tmp_path)
    own = add_document(state, "Mon scanner")
    assert state.sync_bar.sync()
    docs = state.docs
    rows = {r.title: r for r in docs.rows()}
    pro = rows["Compte rendu de consultation"]
    assert not pro.own and rows["Mon scanner"].own
    assert author_text(pro) == "Ajouté par Alex Durand (Médecin)"
    assert author_text(rows["Mon scanner"]) == "Ajouté par vous"

    assert docs.set_masked(pro.id, True) and docs.set_masked(own, True)
    assert docs.get(pro.id).masked and docs.get(own).masked  # type: ignore[union-attr]
    assert state.sync_bar.sync()
    line = state.sync_bar.line()
    assert line is not None and line.kind == "up_to_date", line
    assert docs.get(pro.id).masked  # type: ignore[union-attr]  # the server kept the flag

    assert not docs.delete(pro.id)
    assert docs.banner is not None and docs.banner.code == ErrorCode.SYNC_READ_ONLY
    with pytest.raises(ReadOnlyRecord):
        state.vault.space.store.put("document", {**docs._store_items()[0].data, "title": "x"}, pro.id)  # type: ignore[union-attr]
    assert docs.delete(own) and docs.get(own) is None
    # A professional's document is read from the server (the device never had its file).
    state.open_document(pro.id)
    assert docs.viewer and docs.viewer.data == PDF  # (that test PDF has no page to render)


def test_offline_unlock_shows_local_data_and_pending(world: World, tmp_path: Path) -> None:
    state = signed_in(world, tmp_path)
    add_document(state, "Prise de sang")
    assert state.sync_bar.sync()
    device = state.vault.device_id
    state.tab_closed()

    offline = vault_state(offline_client(), tmp_path)
    offline.launched(device, world.me.id)
    offline.vault.unlock_form.set("pin", PIN)
    assert offline.unlock()
    assert offline.screen == Screen.HOME
    assert [r.title for r in offline.docs.rows()] == ["Prise de sang"]
    add_document(offline, "Radio du genou")
    assert offline.sync_bar.sync()
    line = offline.sync_bar.line()
    assert line is not None and line.kind == "offline" and line.pending >= 2  # the record and its file
    assert text(line.key, "fr") == "Hors connexion — vos données restent disponibles"
    assert "en attente d'envoi" in text("ui.sync.pending", "fr", count=line.pending)
    # The offline document opens from the vault; nothing else is needed.
    rid = next(r.id for r in offline.docs.rows() if r.title == "Radio du genou")
    offline.open_document(rid)
    assert offline.docs.viewer and offline.docs.viewer.error is None
    assert offline.docs.viewer.pages == 1 and offline.docs.viewer.png.startswith(b"\x89PNG")


def test_session_expired_keeps_local_work_and_reconnect_uses_the_same_vault(
    world: World, app_server: AppServer, tmp_path: Path
) -> None:
    state = signed_in(world, tmp_path)
    add_document(state, "Prise de sang")
    state.sync_bar.sync()
    device = state.vault.device_id
    state.client.logout()  # the session ends on the server (as when it expires)
    state.lock()  # the vault stays on the device
    assert state.screen == Screen.UNLOCK

    state.vault.unlock_form.set("pin", PIN)
    assert state.unlock()
    assert state.vault.session_expired
    state.sync_bar.sync()
    line = state.sync_bar.line()
    assert line is not None and line.kind == "reconnect"
    assert text(line.key, "fr") == "Reconnectez-vous pour synchroniser"
    state.reconnect()
    assert state.screen == Screen.LOGIN and state.login.values["email"] == world.me.email
    state.login.set("password", "Tournesol-bleu-2026!")
    assert state.submit_login()
    state.login.set("otp", app_server.last_otp(world.me.email))
    assert state.verify_code()
    assert state.screen == Screen.HOME and not state.vault.session_expired
    assert state.vault.device_id == device
    assert state.sync_bar.sync()
    line = state.sync_bar.line()
    assert line is not None and line.kind == "up_to_date"
