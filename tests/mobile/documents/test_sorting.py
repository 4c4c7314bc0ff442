"""Sorting one's documents (issue #17): the national app's categories, the holder's own folders
(synced, a professional's document too), pinning (a holder's flag the server keeps, on a
professional's document too), and a search that finds a document by its type or its author."""

from pathlib import Path

import pytest

from sync.protocol.errors import ErrorCode
from tests.mobile.conftest import AppServer
from tests.mobile.documents.test_state import add_document
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import signed_in


@pytest.fixture
def world(app_server: AppServer) -> World:
    found = World(app_server, n=18)
    yield found  # type: ignore[misc]
    found.close()


def titles(rows: list) -> list[str]:  # type: ignore[type-arg]
    return [r.title for r in rows]


def test_categories_folders_pinning_and_search(world: World, tmp_path: Path) -> None:
    durand = world.pro("Alex", "Durand")
    assert world.read(durand, consent=True).status_code == 200
    assert world.add(durand, "Compte rendu du 20 novembre").status_code == 200
    state = signed_in(world, tmp_path)
    blood = add_document(state, "Prise de sang", day="01/02/2026", kind="lab_results")
    add_document(state, "Ordonnance lunettes", day="03/03/2026", kind="optical_prescription")
    assert state.sync_bar.sync()
    docs = state.docs
    pro = next(r for r in docs.rows() if not r.own)
    assert titles(docs.rows()) == ["Compte rendu du 20 novembre", "Ordonnance lunettes", "Prise de sang"]

    # Search by the author's name or profession, or by the type's words.
    docs.filters.set("query", "durand")
    assert titles(docs.rows()) == ["Compte rendu du 20 novembre"]
    docs.filters.set("query", "medecin")  # accents ignored; the profession's label
    assert titles(docs.rows()) == ["Compte rendu du 20 novembre"]
    docs.filters.set("query", "analyses")  # "Résultats d'analyses biologiques"
    assert titles(docs.rows()) == ["Prise de sang"]
    docs.filters.set("query", "")

    # Categories of the national app.
    assert ("prescriptions", "Ordonnances") in docs.categories("fr")
    docs.filters.set("category", "prescriptions")
    assert titles(docs.rows()) == ["Ordonnance lunettes"]
    docs.filters.set("type", "lab_results")  # a type outside the category: nothing
    assert docs.rows() == []
    docs.filters.set("type", "")
    docs.filters.set("category", "")

    # Pinning, a professional's document too; the server keeps the flag.
    assert docs.set_pinned(blood, True) and docs.notice == "ui.docs.pinned.done"
    assert docs.set_pinned(pro.id, True)
    assert titles(docs.rows()) == ["Compte rendu du 20 novembre", "Prise de sang", "Ordonnance lunettes"]
    assert state.sync_bar.sync()
    line = state.sync_bar.line()
    assert line is not None and line.kind == "up_to_date", line
    assert docs.get(pro.id).pinned  # type: ignore[union-attr]

    # Folders: named, checked, synced; a document is in one folder at most.
    docs.filters.set("folder_name", "  ")
    assert not docs.create_folder()
    assert docs.filters.errors["folder_name"].code == "ui.docs.folder.error.name"
    docs.filters.set("folder_name", "Ophtalmo")
    assert docs.create_folder() and docs.filters.values["folder_name"] == ""
    docs.filters.set("folder_name", "ophtalmo")
    assert not docs.create_folder()
    assert docs.filters.errors["folder_name"].code == "ui.docs.folder.error.exists"
    docs.filters.set("folder_name", "Cardiologie")
    assert docs.create_folder()
    assert list(docs.folders()) == ["Cardiologie", "Ophtalmo"]
    glasses = next(r.id for r in docs.rows() if r.title == "Ordonnance lunettes")
    assert docs.file_in(glasses, "Ophtalmo") and docs.file_in(pro.id, "Cardiologie")
    assert docs.file_in(glasses, "Cardiologie")  # moved, not copied
    assert docs.folder_of(glasses) == "Cardiologie" and docs.folders()["Ophtalmo"] == []
    assert not docs.file_in(glasses, "Nowhere") and docs.banner.code == ErrorCode.NOT_FOUND  # type: ignore[union-attr]
    docs.filters.set("folder", "Cardiologie")
    assert titles(docs.rows()) == ["Compte rendu du 20 novembre", "Ordonnance lunettes"]
    assert state.sync_bar.sync()

    other = signed_in(world, tmp_path / "other")  # another device of the same person
    assert other.sync_bar.sync()
    assert other.docs.folders() == {"Cardiologie": [pro.id, glasses], "Ophtalmo": []}
    assert other.docs.get(blood).pinned  # type: ignore[union-attr]
