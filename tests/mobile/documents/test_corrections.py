"""A professional's document corrected on the holder's request (issue #18 part 4), as the app's
state sees it against the real server in-process: "Demander une correction" from the document,
the author's corrected version synced as the document's next version, the earlier one still
readable (fetched once, then from the vault), the request's status in "Mes droits"."""

import base64
from pathlib import Path

from mobile.main import BUILDERS
from mobile.record_access.state import NotificationsState
from mobile.shell.state import Screen
from mobile.shell.widgets import Ui
from sync.downloads import Downloader, OfflineChoice
from sync.protocol.errors import ErrorCode
from tests.mobile.documents.test_state import REAL_PDF, world  # noqa: F401 (the fixture)
from tests.mobile.record_access.test_state import PDF, World
from tests.mobile.shell.test_core import signed_in
from tests.mobile.test_new_screens_render import StubPage, keys


def test_a_document_corrected_keeps_its_earlier_version(world: World, tmp_path: Path) -> None:  # noqa: F811
    durand = world.pro("Alex", "Durand")
    assert world.read(durand, consent=True).status_code == 200
    added = world.add(durand, "Compte rendu")
    assert added.status_code == 200, added.text
    doc = added.json()["id"]
    state = signed_in(world, tmp_path)
    assert state.sync_bar.sync()
    docs, rights = state.docs, state.rights
    assert docs.get(doc) is not None and docs.get(doc).earlier == ()  # type: ignore[union-attr]

    # "Demander une correction" on the document opens the form in "Mes droits".
    state.ask_correction(doc, "le document « Compte rendu »")
    assert state.screen == Screen.RIGHTS and rights.correction_form is not None
    rights.correction_form.set("note", "Ce n'est pas mon genou")
    assert rights.send_correction(), rights.correction_form.errors if rights.correction_form else None
    sent = rights.corrections[0]
    assert (sent.collection, sent.title, sent.status) == ("document", "Compte rendu", "open")

    headers = {"X-Api-Key": durand.key}
    waiting = world.http.get("/api/v1/pro/corrections", headers=headers).json()
    assert [w["id"] for w in waiting] == [sent.id]
    body = {
        "accept": True,
        "document": {"mime": "application/pdf", "content_b64": base64.b64encode(REAL_PDF).decode()},
    }
    answered = world.http.post(f"/api/v1/pro/corrections/{sent.id}/decision", headers=headers, json=body)
    assert answered.status_code == 200, answered.text

    assert state.sync_bar.sync()
    row = docs.get(doc)
    assert row is not None and row.version == 2
    assert [(e.version, e.title) for e in row.earlier] == [(1, "Compte rendu")]
    space = state.vault.space
    assert space is not None and space.documents is not None
    # The sync fetched the new version into its own file; the one before stays in the file it had.
    assert docs.held(row) and row.local_file == f"{doc}-v2" and space.documents.path(doc).exists()
    assert docs.open(doc) and docs.viewer is not None and docs.viewer.data == REAL_PDF
    assert docs.viewer.earlier is None
    docs.open(doc, 1)  # (that test PDF has no page to render: its bytes are what counts)
    assert docs.viewer.data == PDF and docs.viewer.earlier is not None and docs.viewer.earlier.version == 1
    space.documents.path(doc).unlink()  # a device that never held it: fetched, checked, kept
    docs.open(doc, 1)
    assert docs.viewer.data == PDF and space.documents.path(doc).exists()
    assert not docs.open(doc, 7) and docs.banner is not None and docs.banner.code == ErrorCode.NOT_FOUND
    downloader = Downloader(space.documents, world.client, OfflineChoice())
    assert downloader.missing() == []  # nothing left to fetch: both versions are on the device

    rights.entered()
    assert rights.load()
    shown = rights.corrections[0]
    assert shown.status == "accepted" and shown.previous and shown.previous["title"] == "Compte rendu"

    told = [NotificationsState.describe(n, "fr") for n in world.client.notifications()]
    assert "Dr Alex Durand a ajouté une version corrigée d'un document à votre demande." in told[0]

    # The screens draw it: the document with its versions and the way to ask; the request's status.
    ui = Ui(StubPage(), state, lambda: None)  # type: ignore[arg-type]
    state.open_document(doc)
    docs.open(doc, 1)
    drawn = keys(BUILDERS[Screen.DOCUMENT_VIEW](ui))
    assert {
        "doc-version",
        "doc-reading",
        "doc-version-current",
        "doc-version-1-about",
        "doc-correct",
    } <= drawn
    state.go(Screen.RIGHTS)
    assert {f"correction-{sent.id}-status", f"correction-{sent.id}-previous"} <= keys(
        BUILDERS[Screen.RIGHTS](ui)
    )
