"""The export screen's state on a real vault and server: both files, offline, import offered and
refused, and the way there from the settings."""

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from mobile.app import VaultAppState
from mobile.shell.state import Screen
from sync.protocol.errors import ErrorCode
from tests.mobile.conftest import AppServer
from tests.mobile.documents.test_state import add_document
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import offline_client, signed_in


@pytest.fixture
def world(app_server: AppServer) -> Iterator[World]:
    found = World(app_server, n=41)
    yield found
    found.close()


@pytest.fixture
def app(world: World, tmp_path: Path) -> VaultAppState:
    return signed_in(world, tmp_path)


def test_both_files_are_made_from_the_vault_and_named_by_the_day(app: VaultAppState) -> None:
    add_document(app, "Bilan sanguin")
    store = app.vault.space.store  # type: ignore[union-attr]
    store.put("profile_entry", {"section": "allergy", "substance": "Arachide"})
    app.go(Screen.SETTINGS)
    app.go(Screen.EXPORT)
    app.back()
    assert app.screen == Screen.SETTINGS  # a way back from the export screen
    made = app.export.make("fhir", "fr")
    assert made is not None and app.export.banner is None
    name, content = made
    assert name == f"mon-espace-sante-{date.today().isoformat()}.json"
    kinds = [e["resource"]["resourceType"] for e in json.loads(content)["entry"]]
    assert kinds.count("DocumentReference") == 1 and "AllergyIntolerance" in kinds
    app.export.saved(name)
    assert app.export.notice == "ui.export.saved" and app.export.notice_params == {"name": name}
    pdf = app.export.make("pdf", "fr")
    assert pdf is not None and pdf[0].endswith(".pdf")
    text = pdfium.PdfDocument(pdf[1])[0].get_textpage().get_text_range()
    assert "Arachide (saisi par vous)" in text and "Bilan sanguin" in text
    # The patient summary (IPS, issue #18): a FHIR document and its PDF, from one Bundle.
    summary = app.export.make("ips", "fr")
    assert summary is not None and summary[0] == f"resume-patient-{date.today().isoformat()}.json"
    document = json.loads(summary[1])
    first = document["entry"][0]["resource"]
    assert document["type"] == "document" and first["resourceType"] == "Composition"
    printed = app.export.make("ips_pdf", "fr")
    assert printed is not None and printed[0].endswith(".pdf")
    text = pdfium.PdfDocument(printed[1])[0].get_textpage().get_text_range()
    assert "Allergies et intolérances" in text and "Arachide (saisi par le patient)" in text
    # Shared as a SMART Health Link: the link and code from the server, the key only in the shlink.
    assert app.export.share_summary("fr") and app.export.link is not None
    assert app.export.shlink.startswith("shlink:/") and app.export.link.document_ids == []
    assert app.export.link_png().startswith(b"\x89PNG")
    assert not app.export.can_import()  # the space holds records: no import offered
    assert not app.export.import_file("export.json", content)
    assert app.export.banner is not None and app.export.banner.code == "error.export.not_empty"


def test_offline_the_export_says_to_connect(app: VaultAppState) -> None:
    space = app.vault.space
    assert space is not None
    offline = offline_client()
    offline.tokens = space.client.tokens  # signed in, but the network is gone
    space.client = offline
    assert app.export.make("fhir", "fr") is None
    assert app.export.banner is not None and app.export.banner.code == "error.export.offline"


def test_an_empty_space_takes_an_export_and_refuses_other_files(app: VaultAppState, tmp_path: Path) -> None:
    assert app.export.can_import()
    assert not app.export.import_file("photo.png", b"\x89PNG")
    assert app.export.banner is not None and app.export.banner.code == "error.export.invalid"
    assert not app.export.import_file("faux.json", b"{}")
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:7f1d2c2e-5f4e-4d36-9a43-2b1c0f4b7a11",
                "resource": {
                    "resourceType": "Observation",
                    "id": "m1",
                    "status": "final",
                    "code": {"text": "Poids"},
                    "extension": [
                        {
                            "url": "https://monespacesante.example/fhir/StructureDefinition/device-record",
                            "valueString": json.dumps(
                                {
                                    "collection": "measurement",
                                    "author": "holder",
                                    "data": {
                                        "kind": "weight",
                                        "value": 70,
                                        "unit": "kg",
                                        "at": "2026-01-01T08:00:00+00:00",
                                    },
                                }
                            ),
                        }
                    ],
                },
            }
        ],
    }
    assert app.export.import_file("export.json", json.dumps(bundle).encode()), app.export.banner
    assert app.export.notice == "ui.export.imported" and app.export.notice_params == {"count": 1}
    assert app.vault.space.store.get("m1").data["value"] == 70  # type: ignore[union-attr]
    assert not app.export.can_import()


def test_without_an_open_vault_nothing_is_made(world: World, tmp_path: Path) -> None:
    app = signed_in(world, tmp_path)
    app.logout()
    assert app.export.make("fhir", "fr") is None
    assert app.export.banner is not None and app.export.banner.code == ErrorCode.AUTH_REQUIRED
