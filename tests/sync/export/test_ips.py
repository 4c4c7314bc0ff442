"""The patient summary as an IPS document Bundle (issue #18 part 1): valid for the R4B models, the
IPS profile's required sections and cardinalities, what the holder entered marked as theirs, one
source for the PDF, and a round trip through the import."""

import json
from datetime import UTC, date, datetime
from typing import Any

from sync.device import DeviceVault
from sync.documents import Documents
from sync.emergency_card import summarise
from sync.export import fhir_import, ips, ips_pdf
from sync.export.fhir_export import HOLDER_ENTERED, Snapshot
from sync.protocol.schemas import Me, OtpChannel, SpaceStatus
from sync.store import Item

ME = Me(
    id="holder1",
    first_name="Camille",
    last_name="Martin",
    email="camille@example.fr",
    status=SpaceStatus.ACTIVE,
    otp_channel=OtpChannel.EMAIL,
    birth_date=date(1985, 5, 1),
)
AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
# IPS sections and the resource types each may hold (Composition-uv-ips, section slices).
ALLOWED = {
    "48765-2": {"AllergyIntolerance"},
    "10160-0": {"MedicationStatement", "MedicationRequest"},
    "11450-4": {"Condition"},
    "11369-6": {"Immunization"},
    "30954-2": {"Observation", "DiagnosticReport"},
    "8716-3": {"Observation"},
    "11348-0": {"Condition"},
    "47420-5": {"Condition", "ClinicalImpression"},
    "29762-2": {"Observation"},
    "42348-3": {"Consent"},
}


def _item(n: int, data: dict[str, Any], author: str = "holder", collection: str = "profile_entry") -> Item:
    return Item(f"rec-{n}", collection, data, 1, False, author, "2026-11-01T08:00:00+00:00")


def _snapshot() -> Snapshot:
    pro = "professional:pro1"
    profile = [
        _item(1, {"section": "allergy", "substance": "Pénicilline", "severity": "severe"}, pro),
        _item(2, {"section": "treatment", "name": "Ventoline", "dose": "2 bouffées"}),
        _item(3, {"section": "illness", "name": "Asthme", "status": "current"}),
        _item(4, {"section": "illness", "name": "Appendicite", "status": "past"}),
        _item(5, {"section": "vaccination", "vaccine": "influenza", "date": "2025-10-15"}),
        _item(6, {"section": "blood_group", "abo": "O", "rh": "negative"}),
        _item(7, {"section": "wishes", "donation": "donor", "directives": "Pas d'acharnement"}),
        _item(8, {"section": "note", "title": "Lunettes"}),  # a note: not in a summary
    ]
    profile[0].data.update(author_name="Claire Dubois", author_profession="doctor")
    readings = [
        _item(
            10, {"kind": "weight", "value": 70.0, "at": "2026-10-01T08:00:00+00:00"}, collection="measurement"
        ),
        _item(
            11, {"kind": "weight", "value": 71.5, "at": "2026-11-01T08:00:00+00:00"}, collection="measurement"
        ),
    ]
    return Snapshot(me=ME, records={"profile_entry": profile, "measurement": readings}, at=AT)


def _by_url(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["fullUrl"]: e["resource"] for e in document["entry"]}


def test_the_bundle_follows_the_ips_profile() -> None:
    document = ips.bundle(_snapshot())
    assert document["type"] == "document" and document["identifier"]["value"] and document["timestamp"]
    resources = _by_url(document)
    assert all(url.startswith("urn:uuid:") for url in resources)
    composition = document["entry"][0]["resource"]
    assert composition["resourceType"] == "Composition"  # a document's first entry
    assert composition["type"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "60591-5",
        "display": "Patient summary Document",
    }
    patient = resources[composition["subject"]["reference"]]
    assert patient["resourceType"] == "Patient" and len(composition["author"]) >= 1
    assert composition["status"] == "final" and composition["title"] and composition["date"]
    codes = [s["code"]["coding"][0]["code"] for s in composition["section"]]
    assert {"48765-2", "10160-0", "11450-4"} <= set(codes)  # the three required sections
    assert codes == [c for c in ALLOWED if c in codes]  # in IPS order, each once
    for section in composition["section"]:
        code = section["code"]["coding"][0]["code"]
        assert section["title"] and section["text"]["div"].startswith("<div")
        assert bool(section.get("entry")) != bool(section.get("emptyReason")), code
        kinds = {resources[e["reference"]]["resourceType"] for e in section.get("entry", [])}
        assert kinds <= ALLOWED[code], (code, kinds)
    # Every resource but the Composition is referenced (by a section or as the subject).
    referenced = {e["reference"] for s in composition["section"] for e in s.get("entry", [])}
    assert set(resources) - referenced - {document["entry"][0]["fullUrl"]} == {
        composition["subject"]["reference"]
    }
    sections = {s["code"]["coding"][0]["code"]: s for s in composition["section"]}
    assert len(sections["8716-3"]["entry"]) == 1  # the latest weight only
    assert "71.5" in sections["8716-3"]["text"]["div"]
    assert len(sections["11348-0"]["entry"]) == 1 and len(sections["11450-4"]["entry"]) == 1


def test_required_sections_stay_when_empty() -> None:
    document = ips.bundle(Snapshot(me=ME, records={}, at=AT), lang="en")
    sections = document["entry"][0]["resource"]["section"]
    assert [s["code"]["coding"][0]["code"] for s in sections] == ["48765-2", "10160-0", "11450-4"]
    assert all(s["emptyReason"]["coding"][0]["code"] == "unavailable" for s in sections)
    assert all("No information" in s["text"]["div"] for s in sections)


def test_what_the_holder_entered_is_marked() -> None:
    document = ips.bundle(_snapshot())
    resources = [e["resource"] for e in document["entry"][1:]]
    allergy = next(r for r in resources if r["resourceType"] == "AllergyIntolerance")
    treatment = next(r for r in resources if r["resourceType"] == "MedicationStatement")
    assert HOLDER_ENTERED in treatment["meta"]["tag"] and "meta" not in allergy
    lines = dict(ips.summary_lines(document))
    assert lines["Allergies et intolérances"] == ["Pénicilline, severe (saisi par Claire Dubois)"]
    assert lines["Traitements"] == ["Ventoline, 2 bouffées (saisi par le patient)"]


def test_one_source_for_the_pdf() -> None:
    document = ips.bundle(_snapshot())
    pdf = ips_pdf.build(document)
    assert pdf.startswith(b"%PDF-")
    text = ips_pdf.text_of(document)
    assert "Résumé patient" in text and "Ventoline, 2 bouffées (saisi par le patient)" in text
    assert "Lunettes" not in text  # the holder's notes are not a summary's


def test_the_summary_round_trips_through_the_import(vault: DeviceVault) -> None:
    key = vault.create("Mimosa-482915")
    store = vault.open_store(key)
    document = ips.bundle(_snapshot())
    documents = Documents(store, vault.files_dir, key)
    report = fhir_import.restore(json.dumps(document).encode(), store, documents)
    assert report.restored == {"profile_entry": 7, "measurement": 1}
    assert report.as_holder == 1 and not report.left_out  # the doctor's allergy, as the holder's copy
    names = sorted(
        str(i.data.get("name") or i.data.get("substance") or "") for i in store.items("profile_entry")
    )
    assert names == ["", "", "", "Appendicite", "Asthme", "Pénicilline", "Ventoline"]


def test_the_emergency_card_is_drawn_from_the_summary() -> None:
    """One source, three views: the card from the IPS Bundle equals the card from the entries."""
    snapshot = _snapshot()
    contact = _item(
        9, {"section": "contact", "name": "Paul Martin", "relation": "frère", "phone": "0698765432"}
    )
    snapshot.records["profile_entry"].append(contact)
    document = ips.bundle(snapshot)
    patient = next(e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "Patient")
    assert patient["contact"][0]["name"]["text"] == "Paul Martin"
    today = date(2026, 12, 7)
    direct = summarise(
        [i.data for i in snapshot.of("profile_entry")], today=today, holder_name="Camille Martin"
    )
    drawn = summarise(ips.entries_of(document), today=today, holder_name="Camille Martin")
    assert drawn == direct
    assert (
        drawn["allergies"][0]["substance"] == "Pénicilline" and drawn["contacts"][0]["name"] == "Paul Martin"
    )
