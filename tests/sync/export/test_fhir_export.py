"""Export everything as a FHIR R4 Bundle (R4B models), and restore it into an empty space."""

import base64
import io
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlmodel import Session
from stdnum import luhn

from backend_stub.services import professionals
from sync.documents import Documents, Uploader
from sync.engine import Backoff
from sync.errors import ApiError, SyncError
from sync.export import fhir_export, fhir_import
from sync.protocol.schemas import Me, OtpChannel, SpaceStatus
from sync.protocol.sync_schemas import RecordOut
from sync.store import Store
from tests.conftest import Person, World
from tests.sync.conftest import Device, no_sleep

PDF = b"%PDF-1.4\n% compte rendu\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"
SECTIONS: dict[str, dict[str, Any]] = {
    "illness": {"name": "Asthme", "status": "current", "since": "2010-03-01"},
    "treatment": {"name": "Ventoline", "dose": "2 bouffées", "since": "2010-03-01"},
    "allergy": {"substance": "Pénicilline", "reaction": "Urticaire", "severity": "severe"},
    "vaccination": {"vaccine": "influenza", "date": "2025-10-15", "batch": "LOT42"},
    "family_history": {"relative": "mother", "condition": "Diabète"},
    "note": {"title": "Lunettes", "notes": "Renouveler en 2027"},
    "wishes": {"donation": "donor", "trusted_name": "Léa Martin", "trusted_phone": "0612345678"},
    "contact": {"name": "Paul Martin", "relation": "frère", "phone": "0698765432"},
}


class Space:
    """A holder's device with its documents, signed in to the test server."""

    def __init__(self, world: World, folder: Path) -> None:
        self.person, tokens = world.active_person()
        self.device = Device(world, tokens, folder, "phone")
        self.store, self.client = self.device.store, self.device.client
        self.documents = Documents(self.store, self.device.vault.files_dir, self.device.key)

    def sync(self) -> None:
        status = self.device.engine.sync()
        assert status.error is None, status.error
        Uploader(self.documents, self.client, Backoff(sleep=no_sleep)).run()
        assert not self.documents.pending_uploads()


def _pro(world: World) -> tuple[str, str]:
    body = "1000777000"
    with Session(world.ctx.engine) as session:
        pro, key = professionals.register(
            session=session,
            ctx=world.ctx,
            rpps=body + luhn.calc_check_digit(body),
            first_name="Claire",
            last_name="Dubois",
            profession="doctor",
        )
    return pro.id, key


def _pro_call(world: World, key: str, person: Person, method: str, path: str, **kw: Any) -> Any:
    headers = {"X-Api-Key": key, "X-Patient-Nir": person.nir, "X-Access-Mode": "normal"}
    response = world.api.request(method, f"/api/v1/pro{path}", headers=headers, **kw)
    assert response.status_code == 200, response.text
    return response.json()


def _fill(space: Space, world: World) -> dict[str, str]:
    """A space with a document, measurements, every profile section, an appointment, a
    check-up, a professional authorised who read the record and added an allergy."""
    ids = {
        "doc": space.documents.add(
            io.BytesIO(PDF),
            {
                "title": "Compte rendu",
                "type": "consultation_report",
                "date": "2026-01-02",
                "mime": "application/pdf",
                "masked": False,
                "description": "",
            },
        )
    }
    ids["weight"] = space.store.put(
        "measurement", {"kind": "weight", "value": 72.5, "unit": "kg", "at": "2026-01-03T08:00:00+00:00"}
    )
    ids["pressure"] = space.store.put(
        "measurement",
        {
            "kind": "blood_pressure",
            "value": 128,
            "second": 82,
            "unit": "mmHg",
            "at": "2026-01-03T08:05:00+00:00",
        },
    )
    for section, fields in SECTIONS.items():
        ids[section] = space.store.put("profile_entry", {"section": section} | fields)
    ids["appointment"] = space.store.put(
        "appointment",
        {
            "date": "2026-02-10",
            "time": "14:30",
            "professional": "Dr Dubois",
            "place": "Cabinet",
            "reason": "Contrôle",
            "notes": "",
            "reminder": "1d",
            "status": "planned",
        },
    )
    ids["checkup"] = space.store.put(
        "checkup", {"item": "colorectal_screening", "state": "done", "date": "2025-12-01"}
    )
    answers = {
        "diet_fruit_veg": "two_to_four",
        "tobacco": "daily",
        "tobacco_quit": "yes",
        "priorities": "Le sommeil",
    }
    ids["questionnaire"] = space.store.put(
        "questionnaire", {"questionnaire": "bilan_45_50", "version": 1, "answers": answers, "status": "draft"}
    )
    space.sync()
    pro_id, key = _pro(world)
    space.client.authorise(pro_id, None)
    _pro_call(world, key, space.person, "GET", "/documents")
    _pro_call(
        world,
        key,
        space.person,
        "POST",
        "/profile-entries",
        json={"section": "allergy", "data": {"substance": "Latex", "severity": "mild"}},
    )
    space.sync()
    return ids


def _types(bundle: dict[str, Any]) -> Counter[str]:
    return Counter(e["resource"]["resourceType"] for e in bundle["entry"])


def test_the_whole_space_exports_as_a_valid_bundle_and_restores_into_an_empty_space(
    world: World, tmp_path: Path
) -> None:
    first = Space(world, tmp_path / "first")
    ids = _fill(first, world)
    content = fhir_export.build(first.store, first.documents, first.client, first.client.me())

    Bundle.model_validate_json(content)  # the whole Bundle parses with fhir.resources (R4B)
    bundle = json.loads(content)
    assert bundle["type"] == "collection"
    types = _types(bundle)
    assert types["Patient"] == 1 and types["DocumentReference"] == 1 and types["Observation"] == 2
    assert types["Condition"] == 1 and types["MedicationStatement"] == 1 and types["Immunization"] == 1
    assert types["AllergyIntolerance"] == 2  # the holder's and the professional's
    assert types["FamilyMemberHistory"] == 1 and types["RelatedPerson"] == 1 and types["Basic"] == 1
    assert types["Appointment"] == 1 and types["Procedure"] == 1 and types["QuestionnaireResponse"] == 1
    assert types["AuditEvent"] >= 2  # the professional's read and write
    assert types["Consent"] == 2  # the wishes, and the authorisation
    resources = {
        e["resource"]["resourceType"] + "/" + e["resource"].get("id", ""): e["resource"]
        for e in bundle["entry"]
    }
    document = resources[f"DocumentReference/{ids['doc']}"]
    assert base64.b64decode(document["content"][0]["attachment"]["data"]) == PDF
    assert document["identifier"][0]["value"] == ids["doc"]
    pressure = resources[f"Observation/{ids['pressure']}"]
    assert pressure["code"]["coding"][0]["code"] == "85354-9"
    assert [c["valueQuantity"]["value"] for c in pressure["component"]] == [128, 82]
    assert [c["code"]["coding"][0]["code"] for c in pressure["component"]] == ["8480-6", "8462-4"]
    assert resources[f"Observation/{ids['weight']}"]["code"]["coding"][0]["code"] == "29463-7"
    response = resources[f"QuestionnaireResponse/{ids['questionnaire']}"]
    assert response["status"] == "in-progress" and response["questionnaire"].endswith("/bilan_45_50|1")
    assert [i["linkId"] for i in response["item"]] == [
        "diet_fruit_veg",
        "tobacco",
        "tobacco_quit",
        "priorities",
    ]
    assert response["item"][1]["answer"][0]["valueCoding"]["display"] == "Tous les jours"
    assert response["item"][3]["answer"][0]["valueString"] == "Le sommeil"
    audits = [r for r in resources.values() if r["resourceType"] == "AuditEvent"]
    assert any("Dubois" in a["agent"][0]["name"] and a["action"] == "R" for a in audits)
    grant = next(r for r in resources.values() if r["resourceType"] == "Consent" and "provision" in r)
    assert grant["status"] == "active" and grant["provision"]["actor"][0]["reference"]["identifier"]["value"]

    second = Space(world, tmp_path / "second")
    report = fhir_import.restore(content, second.store, second.documents)
    assert report.restored == {
        "document": 1,
        "measurement": 2,
        "profile_entry": 9,
        "appointment": 1,
        "checkup": 1,
        "questionnaire": 1,
    }
    assert report.as_holder == 1
    assert report.left_out["AuditEvent"] >= 2 and report.left_out["Consent"] == 1
    for collection in ("measurement", "profile_entry", "appointment", "checkup", "questionnaire"):
        before = {i.id: i.data for i in first.store.items(collection) if not i.read_only}
        after = {i.id: i.data for i in second.store.items(collection) if i.id in before}
        assert after == before, collection
    latex = next(i for i in second.store.items("profile_entry") if i.data.get("substance") == "Latex")
    assert (
        latex.author == "holder"
        and "Dubois" in latex.data["imported_from"]
        and "Dubois" in latex.data["notes"]
    )
    restored = second.store.get(ids["doc"])
    assert restored is not None and restored.data["title"] == "Compte rendu"
    assert b"".join(second.documents.read(restored.data["file_id"])) == PDF
    second.sync()  # the restored space reaches the server: records applied, the document uploaded
    assert second.store.pending_count() == 0
    assert second.client.document_content(ids["doc"]) == PDF

    with pytest.raises(SyncError) as refused:
        fhir_import.restore(content, first.store, first.documents)
    assert refused.value.code == fhir_import.NOT_EMPTY


def test_an_import_refuses_what_is_not_an_export(world: World, tmp_path: Path) -> None:
    space = Space(world, tmp_path / "space")
    for content in (
        b"not json",
        b'{"resourceType": "Patient"}',
        b'{"resourceType": "Bundle", "type": "nope"}',
    ):
        with pytest.raises(SyncError) as refused:
            fhir_import.restore(content, space.store, space.documents)
        assert refused.value.code == fhir_import.INVALID
    assert fhir_import.is_empty(space.store)


def test_documents_past_the_budget_are_listed_without_their_bytes(world: World, tmp_path: Path) -> None:
    space = Space(world, tmp_path / "space")
    space.documents.add(io.BytesIO(PDF), {"title": "Gros", "type": "other", "mime": "application/pdf"})
    snapshot = fhir_export.gather(space.store, None, space.client.me())
    left: list[str] = []
    content = fhir_export.bundle(snapshot, space.documents, None, left, max_document_bytes=100)
    document = next(
        e["resource"]
        for e in json.loads(content)["entry"]
        if e["resource"]["resourceType"] == "DocumentReference"
    )
    assert "data" not in document["content"][0]["attachment"] and left == ["Gros"]


def test_messages_become_communications_between_the_holder_and_the_professional(store: Store) -> None:
    at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    pro = "professional:p1"
    conversation = {
        "professional_id": "p1",
        "professional_name": "Dr Claire Dubois",
        "profession": "doctor",
        "subject": "Résultats",
        "started_by": "professional",
        "archived": False,
    }
    message = {
        "conversation_id": "c1",
        "body": "Vos résultats sont normaux.",
        "attachments": [],
        "sent_at": at.isoformat(),
        "read": True,
    }
    store.apply_changes(
        [
            RecordOut(
                id="c1",
                collection="conversation",
                version=1,
                seq=1,
                deleted=False,
                data=conversation,
                author=pro,
                updated_at=at,
            ),
            RecordOut(
                id="m1",
                collection="message",
                version=1,
                seq=2,
                deleted=False,
                data=message,
                author=pro,
                updated_at=at,
            ),
        ],
        "cursor",
    )
    store.put(
        "message", {"conversation_id": "c1", "body": "Merci !", "attachments": [], "sent_at": at.isoformat()}
    )
    me = Me(
        id="h1",
        first_name="Camille",
        last_name="Martin",
        email="c@exemple.fr",
        status=SpaceStatus.ACTIVE,
        otp_channel=OtpChannel.EMAIL,
    )
    content = fhir_export.bundle(fhir_export.gather(store, None, me, now=at), None, None)
    Bundle.model_validate_json(content)
    found = [
        e["resource"]
        for e in json.loads(content)["entry"]
        if e["resource"]["resourceType"] == "Communication"
    ]
    received = next(c for c in found if c["id"] == "m1")
    sent = next(c for c in found if c["id"] != "m1")
    assert (
        received["sender"]["display"].startswith("Dr Claire Dubois")
        and received["topic"]["text"] == "Résultats"
    )
    assert (
        sent["payload"][0]["contentString"] == "Merci !" and sent["status"] == "in-progress"
    )  # not synced yet
    assert sent["recipient"][0]["display"] == received["sender"]["display"]


class _Refusing:
    """A server that no longer gives a document's bytes."""

    def document_content(self, record_id: str) -> bytes:
        raise ApiError("error.not_found", {}, 404)


def test_a_document_the_server_no_longer_gives_is_listed_without_bytes(store: Store) -> None:
    store.put(
        "document",
        {"title": "Radio", "type": "imaging_report", "mime": "application/pdf", "date": "2026-01-01"},
    )
    me = Me(
        id="h1",
        first_name="Camille",
        last_name="Martin",
        email="",
        status=SpaceStatus.ACTIVE,
        otp_channel=OtpChannel.EMAIL,
    )
    left: list[str] = []
    content = fhir_export.bundle(fhir_export.gather(store, None, me), None, _Refusing(), left)  # type: ignore[arg-type]
    Bundle.model_validate_json(content)
    assert left == ["Radio"]


ISSUE_17: dict[str, dict[str, Any]] = {
    "blood_group": {"abo": "O", "rh": "negative", "date": "2001-06-01"},
    "hospital_stay": {
        "place": "CHU de Nantes",
        "reason": "Appendicite",
        "since": "2019-04-02",
        "until": "2019-04-05",
    },
    "disability": {"name": "Surdité", "nature": "hearing", "accommodations": "Parler face à moi"},
    "tobacco": {"smoking": "former", "per_day": "15", "until": "2015-01-01"},
    "alcohol": {
        "frequency": "two_to_three_a_week",
        "drinks": "one_or_two",
        "six_or_more": "less_than_monthly",
    },
    "physical_activity": {"days_per_week": "3", "minutes_per_day": "45", "activities": "Marche"},
    "diet": {"diet": "vegetarian", "details": "Sans lactose"},
    "sleep": {"hours": "7.5", "quality": "fair"},
}


def test_the_sections_of_issue_17_export_with_their_codes(store: Store) -> None:
    """Blood group (LOINC 882-1 and its answer), hospital stays (Encounter), disabilities
    (Condition) and lifestyle habits (social-history Observations with LOINC/SNOMED codes)."""
    me = Me(
        id="h1",
        first_name="Camille",
        last_name="Martin",
        email="camille@exemple.fr",
        status=SpaceStatus.ACTIVE,
        otp_channel=OtpChannel.EMAIL,
    )
    ids = {
        section: store.put("profile_entry", {"section": section} | data) for section, data in ISSUE_17.items()
    }
    snapshot = fhir_export.gather(store, None, me, now=datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    content = fhir_export.bundle(snapshot, None, None)
    Bundle.model_validate_json(content)
    found = {e["resource"]["id"]: e["resource"] for e in json.loads(content)["entry"]}

    def coding(concept: dict[str, Any]) -> tuple[str, str]:
        return concept["coding"][0]["system"], concept["coding"][0]["code"]

    blood = found[ids["blood_group"]]
    assert blood["resourceType"] == "Observation"
    assert coding(blood["code"]) == ("http://loinc.org", "882-1")
    assert coding(blood["valueCodeableConcept"]) == ("http://loinc.org", "LA21322-5")  # O Neg
    assert blood["effectiveDateTime"] == "2001-06-01"
    stay = found[ids["hospital_stay"]]
    assert (stay["resourceType"], stay["class"]["code"], stay["status"]) == ("Encounter", "IMP", "finished")
    assert stay["period"] == {"start": "2019-04-02", "end": "2019-04-05"}
    assert (
        stay["reasonCode"][0]["text"] == "Appendicite"
        and stay["serviceProvider"]["display"] == "CHU de Nantes"
    )
    disability = found[ids["disability"]]
    assert disability["resourceType"] == "Condition" and disability["code"]["text"] == "Surdité"
    assert "Parler face à moi" in disability["note"][0]["text"]
    tobacco = found[ids["tobacco"]]
    assert coding(tobacco["code"]) == ("http://loinc.org", "72166-2")
    assert coding(tobacco["valueCodeableConcept"]) == ("http://snomed.info/sct", "8517006")  # ex-smoker
    assert tobacco["category"][0]["coding"][0]["code"] == "social-history"
    alcohol = found[ids["alcohol"]]
    assert coding(alcohol["code"]) == ("http://loinc.org", "75626-2")
    assert alcohol["valueQuantity"]["value"] == 3 + 0 + 1  # AUDIT-C score
    assert [c["code"].get("coding", [{}])[0].get("code") for c in alcohol["component"]] == [
        None,
        "68519-8",
        "68520-6",
    ]
    activity = found[ids["physical_activity"]]
    assert [(coding(c["code"])[1], c["valueQuantity"]["value"]) for c in activity["component"]] == [
        ("89555-7", 3.0),
        ("68516-4", 45.0),
    ]
    sleep = found[ids["sleep"]]
    assert coding(sleep["code"]) == ("http://loinc.org", "93832-4")
    assert (sleep["valueQuantity"]["value"], sleep["valueQuantity"]["code"]) == (7.5, "h")
    assert found[ids["diet"]]["valueString"] == "vegetarian: Sans lactose"
