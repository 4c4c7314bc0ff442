"""The patient summary as an International Patient Summary (HL7 FHIR IPS) document Bundle, built on
the device from the same snapshot as the full export (EHDS art. 3: the European exchange format).

    Bundle (type "document", identifier, timestamp)
      Composition           LOINC 60591-5 "Patient summary Document", its sections in IPS order
      Patient               the holder
      the sections' resources, made by the full export's builder (`fhir_export`), so each keeps
      its record extension and an import restores it

The sections (IPS Implementation Guide 1.1, Composition-uv-ips): the three required ones always
present (allergies 48765-2, medication 10160-0, problems 11450-4), with `emptyReason` when the
holder has nothing to put there; then immunizations 11369-6, results 30954-2 (blood group),
vital signs 8716-3 (the latest reading of each kind), past illnesses 11348-0, functional status
47420-5 (disabilities), social history 29762-2 (lifestyle habits), advance directives 42348-3,
each only when it has entries. Every section has a narrative (`text`): a viewer without FHIR
knowledge reads it, and `summary_lines` reads it back for the PDF (one source, several views).

Validated with `fhir.resources` R4B (R4-compatible); the IPS profile's own rules that the base
models do not check (required sections, codes, cardinalities) are checked by the tests.
"""

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC
from html import escape, unescape
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from sync.export.fhir_export import LOINC, RECORD_EXTENSION, SITE, Snapshot, _Builder
from sync.protocol.i18n import translate
from sync.store import HOLDER, Item

__all__ = ["IPS_SECTIONS", "REQUIRED", "bundle", "entries_of", "summary_lines"]

IPS_PROFILE = "http://hl7.org/fhir/uv/ips/StructureDefinition/Bundle-uv-ips"
EMPTY_REASON = "http://terminology.hl7.org/CodeSystem/list-empty-reason"


@dataclass(frozen=True)
class Section:
    """One IPS section: its LOINC code and its title in each language."""

    code: str
    display: str
    fr: str
    en: str


IPS_SECTIONS: dict[str, Section] = {
    "allergies": Section(
        "48765-2",
        "Allergies and adverse reactions Document",
        "Allergies et intolérances",
        "Allergies and intolerances",
    ),
    "medication": Section("10160-0", "History of Medication use Narrative", "Traitements", "Medication"),
    "problems": Section(
        "11450-4", "Problem list - Reported", "Problèmes de santé actuels", "Current problems"
    ),
    "immunizations": Section("11369-6", "History of Immunization Narrative", "Vaccinations", "Immunizations"),
    "results": Section(
        "30954-2", "Relevant diagnostic tests/laboratory data Narrative", "Résultats", "Results"
    ),
    "vital_signs": Section("8716-3", "Vital signs", "Mesures", "Vital signs"),
    "past_illness": Section("11348-0", "History of Past illness Narrative", "Antécédents", "Past illnesses"),
    "functional_status": Section(
        "47420-5", "Functional status assessment note", "Handicaps", "Functional status"
    ),
    "social_history": Section("29762-2", "Social history Narrative", "Mode de vie", "Social history"),
    "advance_directives": Section(
        "42348-3", "Advance directives", "Directives anticipées", "Advance directives"
    ),
}
REQUIRED = ("allergies", "medication", "problems")
# Which profile sections feed which IPS section (the illnesses split on their status).
FROM_PROFILE = {
    "allergy": "allergies",
    "treatment": "medication",
    "vaccination": "immunizations",
    "blood_group": "results",
    "disability": "functional_status",
    "tobacco": "social_history",
    "alcohol": "social_history",
    "physical_activity": "social_history",
    "diet": "social_history",
    "sleep": "social_history",
    "wishes": "advance_directives",
}
_TAG = re.compile(r"<[^>]+>")


def _section_of(item: Item) -> str:
    section = str(item.data.get("section", ""))
    if section == "illness":
        return "past_illness" if item.data.get("status") == "past" else "problems"
    return FROM_PROFILE.get(section, "")


def _marked(item: Item, lang: str) -> str:
    """One line a person reads for an entry: its values, then who entered it (EHDS art. 5: what
    the holder entered is marked as theirs)."""
    hidden = {"section", "author_name", "author_profession", "hidden_from_guardians", "hidden_from_patient"}
    values = ", ".join(str(v) for k, v in item.data.items() if k not in hidden and v not in ("", None, []))
    if item.author == HOLDER:
        return f"{values} ({translate('ui.rights.mark.holder', lang)})"
    name = str(item.data.get("author_name", "")) or item.author
    return f"{values} ({translate('ui.rights.mark.professional', lang, name=name)})"


def _contact(item: Item) -> dict[str, Any]:
    d = item.data
    contact: dict[str, Any] = {
        "relationship": [{"text": str(d.get("relation", ""))}],
        "name": {"text": str(d.get("name", ""))},
        "extension": [{"url": RECORD_EXTENSION, "valueString": json.dumps({"data": d}, ensure_ascii=False)}],
    }
    if d.get("phone"):
        contact["telecom"] = [{"system": "phone", "value": str(d["phone"])}]
    return contact


def _latest_readings(items: list[Item]) -> list[Item]:
    latest: dict[str, Item] = {}
    for item in items:
        kind = str(item.data.get("kind", ""))
        moment = str(item.data.get("at") or item.updated_at)
        if kind not in latest or moment > str(latest[kind].data.get("at") or latest[kind].updated_at):
            latest[kind] = item
    return [latest[k] for k in sorted(latest)]


def _div(lines: list[str]) -> dict[str, str]:
    body = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><ul>{body}</ul></div>'}


def bundle(snapshot: Snapshot, lang: str = "fr") -> dict[str, Any]:
    """The IPS document Bundle as a dict, validated as a whole by the R4B models."""
    b = _Builder(snapshot, None, None)
    me = snapshot.me
    at = snapshot.at.astimezone(UTC)
    key = f"{SITE}/ips/{me.id}/{at.isoformat()}"
    composition_url = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key + '/composition')}"
    patient = b.patient_resource()
    contacts = [i for i in snapshot.of("profile_entry") if i.data.get("section") == "contact"]
    if contacts:  # relatives to call: the Patient's contacts (the IPS has no section for them)
        patient["contact"] = [_contact(item) for item in contacts]
    entries: list[dict[str, Any]] = [json.loads(b.entry("Patient", patient, me.id))]
    found: dict[str, list[tuple[str, str]]] = {name: [] for name in IPS_SECTIONS}  # (fullUrl, words)
    for item in snapshot.of("profile_entry"):
        name = _section_of(item)
        made = b.profile_entry(item) if name else None
        if made is not None:
            entry = json.loads(b.entry(made[0], made[1], item.id))
            entries.append(entry)
            found[name].append((entry["fullUrl"], _marked(item, lang)))
    for item in _latest_readings(snapshot.of("measurement")):
        if (observation := b.measurement(item)) is not None:
            entry = json.loads(b.entry("Observation", observation, item.id))
            entries.append(entry)
            found["vital_signs"].append((entry["fullUrl"], _marked(item, lang)))
    sections = []
    for name, spec in IPS_SECTIONS.items():
        title = spec.fr if lang == "fr" else spec.en
        section: dict[str, Any] = {
            "title": title,
            "code": {"coding": [{"system": LOINC, "code": spec.code, "display": spec.display}]},
        }
        if found[name]:
            section["text"] = _div([words for _, words in found[name]])
            section["entry"] = [{"reference": url} for url, _ in found[name]]
        elif name in REQUIRED:
            nothing = "Aucune information" if lang == "fr" else "No information"
            section["text"] = _div([nothing])
            section["emptyReason"] = {
                "coding": [{"system": EMPTY_REASON, "code": "unavailable", "display": "Unavailable"}]
            }
        else:
            continue
        sections.append(section)
    composition = {
        "fullUrl": composition_url,
        "resource": {
            "resourceType": "Composition",
            "id": uuid.uuid5(uuid.NAMESPACE_URL, key).hex,
            "status": "final",
            "type": {"coding": [{"system": LOINC, "code": "60591-5", "display": "Patient summary Document"}]},
            "subject": b.patient,
            "date": at.isoformat(),
            "author": [b.patient],  # made by the holder's own device, from their space
            "title": "Résumé patient" if lang == "fr" else "Patient summary",
            "confidentiality": "N",
            "section": sections,
        },
    }
    document = {
        "resourceType": "Bundle",
        "id": uuid.uuid5(uuid.NAMESPACE_URL, key + "/bundle").hex,
        "meta": {"profile": [IPS_PROFILE]},
        "identifier": {"system": f"{SITE}/ips", "value": uuid.uuid5(uuid.NAMESPACE_URL, key).hex},
        "type": "document",
        "timestamp": at.isoformat(),
        "entry": [composition, *entries],
    }
    Bundle.model_validate(document)
    return document


def summary_lines(document: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The sections of an IPS Bundle as (title, lines), read from their narratives: what the PDF
    and any plain view print, whoever made the Bundle."""
    composition = document["entry"][0]["resource"]
    out = []
    for section in composition.get("section", []):
        div = str(section.get("text", {}).get("div", ""))
        lines = [unescape(_TAG.sub("", part)).strip() for part in div.split("</li>")]
        out.append((str(section.get("title", "")), [line for line in lines if line]))
    return out


def _kept(holder: dict[str, Any]) -> dict[str, Any] | None:
    for extension in holder.get("extension", []):
        if extension.get("url") == RECORD_EXTENSION:
            kept: dict[str, Any] = json.loads(extension["valueString"])
            return kept
    return None


def entries_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The profile entries an IPS Bundle made here carries (with the Patient's contacts): what the
    emergency card is drawn from, so the card, the PDF and the JSON share one source."""
    found: list[dict[str, Any]] = []
    for entry in document.get("entry", [])[1:]:
        resource = entry["resource"]
        if resource["resourceType"] == "Patient":
            found += [kept["data"] for c in resource.get("contact", []) if (kept := _kept(c))]
        elif (kept := _kept(resource)) is not None and kept.get("collection") == "profile_entry":
            found.append(kept["data"])
    return found
