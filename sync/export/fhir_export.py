"""The whole space as a FHIR R4 Bundle, built on the device from the encrypted store.

`fhir.resources` 8.x ships R5 by default; its `R4B` package is the R4-compatible one (R4B only
adds resources to R4), so every resource here is an R4B model and is validated as it is built.

What goes in (type "collection"):
    Patient                 the holder (the server's Me)
    DocumentReference       each document, its bytes base64 in content.attachment.data
    Observation             measurements (LOINC codes; blood pressure as a panel of two)
    Condition, MedicationStatement, AllergyIntolerance, Immunization, FamilyMemberHistory,
    RelatedPerson, Consent (wishes), Basic (notes)      the medical profile's sections
    Observation (blood group, lifestyle habits), Encounter (hospital stays), Condition
    (disabilities)          the sections of issue #17 (codes and their sources below)
    Appointment, Procedure (check-ups done or dismissed), Communication (messages)
    QuestionnaireResponse   the answers to a key-age questionnaire ("Mon bilan prévention")
    AuditEvent              the access log (every page, from the server)
    Consent                 the authorisations of professionals (from the server)

Every resource made from a device record carries the record id as an identifier and the
record itself (collection, author, data) in one extension, so an import restores the same
records exactly; other FHIR systems read the standard fields. Document bytes are the
biggest part: past `max_document_bytes` in all, a document is listed without its bytes.
"""

import base64
import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from html import escape
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from sync.client import AccountClient
from sync.documents import Documents
from sync.errors import ApiError
from sync.protocol import questionnaires
from sync.protocol.collections import COLLECTIONS
from sync.protocol.measurements import kinds
from sync.protocol.prevention import item as calendar_item
from sync.protocol.profile import audit_c_score, vaccines
from sync.protocol.record_schemas import AccessEntryOut, GrantOut
from sync.protocol.reference import document_types, professions
from sync.protocol.schemas import Me
from sync.store import HOLDER, Item, Store

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "RECORD_EXTENSION",
    "RECORD_SYSTEM",
    "Snapshot",
    "build",
    "bundle",
    "gather",
]

SITE = "https://monespacesante.example/fhir"
RECORD_EXTENSION = f"{SITE}/StructureDefinition/device-record"  # the record, for a lossless import
RECORD_SYSTEM = f"{SITE}/record-id"  # identifier system of the device record ids
HOLDER_SYSTEM = f"{SITE}/holder-id"
# The mark of what the holder entered themself (not a professional, an app or the insurer).
HOLDER_ENTERED = {"system": f"{SITE}/source", "code": "patient-entered", "display": "Saisi par le titulaire"}
RPPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"  # France's RPPS numbers of health professionals
LOINC, UCUM = "http://loinc.org", "http://unitsofmeasure.org"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem"
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024  # document bytes carried in one export (the file is made in memory)
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")

# LOINC code and UCUM unit of each measurement kind of assets/reference/measurements.json.
MEASURES: dict[str, tuple[str, str, str]] = {
    "weight": ("29463-7", "Body weight", "kg"),
    "height": ("8302-2", "Body height", "cm"),
    "blood_pressure": ("85354-9", "Blood pressure panel", "mm[Hg]"),
    "heart_rate": ("8867-4", "Heart rate", "/min"),
    "blood_glucose": ("2339-0", "Glucose [Mass/volume] in Blood", "g/L"),
    "temperature": ("8310-5", "Body temperature", "Cel"),
    "waist": ("8280-0", "Waist Circumference at umbilicus by Tape measure", "cm"),
}
SYSTOLIC, DIASTOLIC = ("8480-6", "Systolic blood pressure"), ("8462-4", "Diastolic blood pressure")
SNOMED = "http://snomed.info/sct"
# Blood group: LOINC 882-1 "ABO and Rh group [Type] in Blood", its answers from the LOINC answer list
# LL2972-9 (HL7 FHIR IG "MatchSync", ValueSet loinc-abo-rh-codes, expansion on LOINC 2.81).
BLOOD_GROUP = ("882-1", "ABO and Rh group [Type] in Blood")
BLOOD_ANSWERS = {
    ("O", "positive"): ("LA21321-7", "O Pos"),
    ("O", "negative"): ("LA21322-5", "O Neg"),
    ("A", "positive"): ("LA21325-8", "A Pos"),
    ("A", "negative"): ("LA21326-6", "A Neg"),
    ("B", "positive"): ("LA21327-4", "B Pos"),
    ("B", "negative"): ("LA21328-2", "B Neg"),
    ("AB", "positive"): ("LA21323-3", "AB Pos"),
    ("AB", "negative"): ("LA21324-1", "AB Neg"),
}
# Tobacco: LOINC 72166-2 "Tobacco smoking status", valued with the SNOMED CT findings of the HL7
# International Patient Summary value set current-smoking-status-uv-ips (IPS 2.0.1).
SMOKING = ("72166-2", "Tobacco smoking status")
SMOKING_ANSWERS = {
    "never": ("266919005", "Never smoked tobacco"),
    "former": ("8517006", "Ex-smoker"),
    "occasional": ("428041000124106", "Occasional tobacco smoker"),
    "daily": ("449868002", "Smokes tobacco daily"),
}
# Alcohol: the AUDIT-C total score, LOINC 75626-2, with its questions 2 and 3 as components
# (LOINC 68519-8 and 68520-6; HL7 US Core Questionnaire AUDIT-C). Question 1 goes as text.
AUDIT_C = ("75626-2", "Total score [AUDIT-C]")
AUDIT_DRINKS = ("68519-8", "How many standard drinks containing alcohol do you have on a typical day")
AUDIT_SIX = ("68520-6", "How often do you have 6 or more drinks on 1 occasion")
# Physical activity: LOINC 89555-7 (days a week of moderate to strenuous activity) and 68516-4
# (minutes on those days), the components of the HL7 Physical Activity IG's vital sign.
ACTIVITY_DAYS = (
    "89555-7",
    "How many days per week did you engage in moderate to strenuous physical activity",
)
ACTIVITY_MINUTES = ("68516-4", "On those days, how many minutes on average do you exercise")
# Sleep: LOINC 93832-4 "Sleep duration" (HL7 Personal Health Record IG, pcd-sleep-observation-code).
SLEEP = ("93832-4", "Sleep duration")
# Diet has no code in these value sets: its Observation carries the person's words only.
RELATIVES = {
    "mother": "MTH",
    "father": "FTH",
    "sibling": "SIB",
    "grandparent": "GRPRN",
    "child": "CHILD",
    "other": "FAMMEMB",
}


@dataclass
class Snapshot:
    """Everything the holder sees, read once: the store's records and the server's lists."""

    me: Me
    records: dict[str, list[Item]]  # collection -> records
    access_log: list[AccessEntryOut] = field(default_factory=list)
    grants: list[GrantOut] = field(default_factory=list)
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def of(self, collection: str) -> list[Item]:
        return self.records.get(collection, [])


def gather(store: Store, client: AccountClient | None, me: Me, now: datetime | None = None) -> Snapshot:
    """The store's records, and from the server (when a client is given) the whole access log and
    the authorisations; a server error propagates (the screen says to connect)."""
    records = {name: sorted(store.items(name), key=lambda i: i.id) for name in COLLECTIONS}
    snapshot = Snapshot(me=me, records=records, at=now or datetime.now(UTC))
    if client is not None:
        before: int | None = None
        while True:
            page = client.access_log(before=before)
            snapshot.access_log.extend(page.entries)
            if page.next_before is None or not page.entries:
                break
            before = page.next_before
        snapshot.grants = client.my_professionals()
    return snapshot


# --- helpers --------------------------------------------------------------------------------------


def _uuid(kind: str, key: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{SITE}/{kind}/{key}')}"


def _fhir_id(key: str) -> str:
    return key if FHIR_ID.fullmatch(key) else uuid.uuid5(uuid.NAMESPACE_URL, key).hex


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def _day(value: str) -> str | None:
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _instant(value: str, fallback: datetime) -> str:
    """An ISO moment with a time zone (FHIR instants need one); UTC when the value has none."""
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        found = fallback
    return (found if found.tzinfo else found.replace(tzinfo=UTC)).isoformat()


def _notes(*texts: str) -> list[dict[str, str]]:
    return [{"text": t} for t in texts if t]


def _label(entries: Iterable[dict[str, Any]], code: str, lang: str) -> str:
    for entry in entries:
        if entry.get("code") == code:
            return str(entry.get(lang) or entry.get("fr") or code)
    return code


def _author_name(data: dict[str, Any]) -> str:
    name, profession = _text(data, "author_name"), _text(data, "author_profession")
    label = str(professions().get(profession, {}).get("fr", profession))
    return f"{name} ({label})" if name and label else name or label


def _concept(text: str, system: str = "", code: str = "", display: str = "") -> dict[str, Any]:
    concept: dict[str, Any] = {"text": text or display or code}
    if system and code:
        concept["coding"] = [{"system": system, "code": code, **({"display": display} if display else {})}]
    return concept


class _Builder:
    """Turns a snapshot into validated resources, each with its bundle address."""

    def __init__(self, snapshot: Snapshot, documents: Documents | None, client: AccountClient | None) -> None:
        self.s, self.documents, self.client = snapshot, documents, client
        self.patient_url = _uuid("Patient", snapshot.me.id)
        self.patient = {"reference": self.patient_url, "display": self._holder_name()}
        self.budget = MAX_DOCUMENT_BYTES
        self.without_bytes: list[str] = []
        self.urls: dict[str, str] = {}  # record id -> fullUrl (messages point at documents)

    def _holder_name(self) -> str:
        return f"{self.s.me.first_name} {self.s.me.last_name}".strip()

    def entry(self, kind: str, resource: dict[str, Any], key: str) -> str:
        """One validated entry, as JSON text."""
        model = get_fhir_model_class(kind).model_validate({"resourceType": kind} | resource)
        url = self.urls.get(key) or _uuid(kind, key)
        return json.dumps({"fullUrl": url, "resource": json.loads(model.model_dump_json())})

    def record(self, item: Item) -> dict[str, Any]:
        """The fields every resource made from a device record has: id, identifier, extension."""
        data = {k: v for k, v in item.data.items() if k not in ("file_id",)}
        kept = {
            "collection": item.collection,
            "author": item.author,
            "updated_at": item.updated_at,
            "data": data,
        }
        made = {
            "id": _fhir_id(item.id),
            "extension": [{"url": RECORD_EXTENSION, "valueString": json.dumps(kept, ensure_ascii=False)}],
        }
        if item.author == HOLDER:  # EHDS art. 5: what the holder entered is marked as theirs
            made["meta"] = {"tag": [HOLDER_ENTERED]}
        return made

    def identified(self, item: Item) -> dict[str, Any]:
        return self.record(item) | {"identifier": [{"system": RECORD_SYSTEM, "value": item.id}]}

    def by_whom(self, item: Item) -> dict[str, str]:
        if item.author == HOLDER:
            return self.patient
        return {"display": _author_name(item.data) or item.author}

    # --- the holder -----------------------------------------------------------------------------
    def patient_resource(self) -> dict[str, Any]:
        me = self.s.me
        resource: dict[str, Any] = {
            "id": _fhir_id(me.id),
            "identifier": [{"system": HOLDER_SYSTEM, "value": me.id}],
            "name": [{"family": me.last_name, "given": [me.first_name], "text": self._holder_name()}],
            "telecom": [{"system": "email", "value": me.email}] if me.email else [],
        }
        if me.birth_date:
            resource["birthDate"] = me.birth_date.isoformat()
        if me.sex:
            resource["gender"] = me.sex
        return resource

    # --- documents ------------------------------------------------------------------------------
    def _document_bytes(self, item: Item) -> bytes | None:
        file_id = _text(item.data, "file_id")
        if self.documents is not None and file_id and self.documents.path(file_id).exists():
            return b"".join(self.documents.read(file_id))
        if self.client is None:
            return None
        try:
            return self.client.document_content(item.id)
        except ApiError:  # the server no longer gives it (deleted meanwhile): listed without bytes
            return None

    def document(self, item: Item) -> dict[str, Any]:
        d = item.data
        size = d.get("size") if isinstance(d.get("size"), int) else 0
        attachment: dict[str, Any] = {
            "contentType": _text(d, "mime") or "application/octet-stream",
            "title": _text(d, "title") or item.id,
        }
        if _day(_text(d, "date")):
            attachment["creation"] = _day(_text(d, "date"))
        content = self._document_bytes(item) if size <= self.budget else None
        if content is not None and len(content) <= self.budget:
            self.budget -= len(content)
            attachment["data"] = base64.b64encode(content).decode()
            attachment["size"] = len(content)
        else:
            self.without_bytes.append(attachment["title"])
        doc_type = _text(d, "type")
        resource = self.identified(item) | {
            "status": "current",
            "type": _concept(_label(document_types(), doc_type, "fr"), f"{SITE}/document-type", doc_type),
            "subject": self.patient,
            "date": _instant(_text(d, "date") or item.updated_at, self.s.at),
            "description": _text(d, "title"),
            "author": [self.by_whom(item)],
            "content": [{"attachment": attachment}],
        }
        if d.get("masked"):
            resource["securityLabel"] = [
                _concept("masqué aux professionnels", f"{TERMINOLOGY}/v3-Confidentiality", "R", "restricted")
            ]
        return resource

    # --- measurements ---------------------------------------------------------------------------
    def measurement(self, item: Item) -> dict[str, Any] | None:
        d = item.data
        kind = _text(d, "kind")
        if kind not in MEASURES or not isinstance(d.get("value"), int | float):
            return None
        code, display, unit = MEASURES[kind]
        moment = _text(d, "at") or _text(d, "measured_at") or _text(d, "date") or item.updated_at

        def quantity(value: float) -> dict[str, Any]:
            return {"value": value, "unit": kinds()[kind]["unit"], "system": UCUM, "code": unit}

        resource = self.identified(item) | {
            "status": "final",
            "category": [_concept("Vital signs", f"{TERMINOLOGY}/observation-category", "vital-signs")],
            "code": _concept(str(kinds()[kind]["fr"]), LOINC, code, display),
            "subject": self.patient,
            "effectiveDateTime": _instant(moment, self.s.at),
            "performer": [self.by_whom(item)],
            "note": _notes(_text(d, "note")),
        }
        if kind == "blood_pressure" and isinstance(d.get("second"), int | float):
            resource["component"] = [
                {"code": _concept("Systolique", LOINC, *SYSTOLIC), "valueQuantity": quantity(d["value"])},
                {"code": _concept("Diastolique", LOINC, *DIASTOLIC), "valueQuantity": quantity(d["second"])},
            ]
        else:
            resource["valueQuantity"] = quantity(d["value"])
        return resource

    # --- the medical profile --------------------------------------------------------------------
    def profile_entry(self, item: Item) -> tuple[str, dict[str, Any]] | None:
        d = item.data
        section = _text(d, "section")
        maker: dict[str, Callable[[Item, dict[str, Any]], tuple[str, dict[str, Any]]]] = {
            "illness": self._illness,
            "treatment": self._treatment,
            "allergy": self._allergy,
            "vaccination": self._vaccination,
            "family_history": self._family,
            "note": self.note,
            "wishes": self._wishes,
            "contact": self._contact,
            "blood_group": self._blood_group,
            "hospital_stay": self._hospital_stay,
            "disability": self._disability,
            "tobacco": self._tobacco,
            "alcohol": self._alcohol,
            "physical_activity": self._physical_activity,
            "diet": self._diet,
            "sleep": self._sleep,
        }
        return maker[section](item, d) if section in maker else None

    def _illness(self, item: Item, d: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        status = "resolved" if _text(d, "status") == "past" else "active"
        resource = self.identified(item) | {
            "clinicalStatus": _concept(status, f"{TERMINOLOGY}/condition-clinical", status),
            "category": [_concept("Problème", f"{TERMINOLOGY}/condition-category", "problem-list-item")],
            "code": {"text": _text(d, "name")},
            "subject": self.patient,
            "recorder": self.by_whom(item),
            "note": _notes(_text(d, "notes")),
        }
        if since := _day(_text(d, "since")):
            resource["onsetDateTime"] = since
        if until := _day(_text(d, "until")):
            resource["abatementDateTime"] = until
        return "Condition", resource

    def _treatment(self, item: Item, d: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        until = _day(_text(d, "until"))
        ended = until is not None and until < self.s.at.date().isoformat()
        period = {k: v for k, v in (("start", _day(_text(d, "since"))), ("end", until)) if v}
        resource = self.identified(item) | {
            "status": "completed" if ended else "active",
            "medicationCodeableConcept": {"text": _text(d, "name")},
            "subject": self.patient,
            "informationSource": self.by_whom(item),
            "dosage": [{"text": _text(d, "dose")}] if _text(d, "dose") else [],
            "note": _notes(_text(d, "notes")),
        }
        if period:
            resource["effectivePeriod"] = period
        return "MedicationStatement", resource

    def _allergy(self, item: Item, d: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        severity = _text(d, "severity")
        resource = self.identified(item) | {
            "clinicalStatus": _concept("active", f"{TERMINOLOGY}/allergyintolerance-clinical", "active"),
            "code": {"text": _text(d, "substance")},
            "patient": self.patient,
            "recorder": self.by_whom(item),
            "note": _notes(_text(d, "notes")),
        }
        if severity:
            resource["criticality"] = "high" if severity in ("severe", "life_threatening") else "low"
        if reaction := _text(d, "reaction"):
            found: dict[str, Any] = {"manifestation": [{"text": reaction}]}
            if severity:
                found["severity"] = "severe" if severity == "life_threatening" else severity
            resource["reaction"] = [found]
        return "AllergyIntolerance", resource

    def _vaccination(self, item: Item, d: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        code = _text(d, "vaccine")
        resource = self.identified(item) | {
            "status": "completed",
            "vaccineCode": _concept(_label(vaccines(), code, "fr"), f"{SITE}/vaccine", code),
            "patient": self.patient,
            "occurrenceDateTime": _day(_text(d, "date")) or self.s.at.date().isoformat(),
            "note": _notes(_text(d, "notes")),
        }
        if batch := _text(d, "batch"):
            resource["lotNumber"] = batch
        if by_whom := _text(d, "by_whom"):
            resource["performer"] = [{"actor": {"display": by_whom}}]
        return "Immunization", resource

    def _family(self, item: Item, d: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        relative = _text(d, "relative")
        code = RELATIVES.get(relative, "FAMMEMB")
        resource = self.identified(item) | {
            "status": "completed",
            "patient": self.patient,
            "relationship": _concept(relative, "http://terminology.hl7.org/CodeSystem/v3-RoleCode", code),
            "condition": [{"code": {"text": _text(d, "condition")}}],
            "note": _notes(_text(d, "notes")),
        }
        return "FamilyMemberHistory", resource

    def note(self, item: Item, d: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        title = _text(d, "title")
        body = _text(d, "notes") or _text(d, "body")
        resource = self.identified(item) | {
            "code": _concept(title or "Note", f"{SITE}/record-kind", "note"),
            "subject": self.patient,
            "author": self.by_whom(item),
            "text": _narrative(title, body),
        }
        return "Basic", resource

    def _wishes(self, item: Item, d: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        lines = [
            f"Don d'organes : {_text(d, 'donation') or 'unset'}",
            _text(d, "donation_details"),
            f"Directives anticipées : {_text(d, 'directives')}" if _text(d, "directives") else "",
            _text(d, "directives_document"),
            "Personne de confiance : "
            + " ".join(filter(None, (_text(d, "trusted_name"), _text(d, "trusted_phone"))))
            if _text(d, "trusted_name")
            else "",
            _text(d, "notes"),
        ]
        resource = self.identified(item) | {
            "status": "active",
            "scope": _concept("Directives anticipées", f"{TERMINOLOGY}/consentscope", "adr"),
            "category": [_concept("Advance directives", LOINC, "42348-3", "Advance directives")],
            "patient": self.patient,
            "performer": [self.patient],
            # The French rules behind them: trusted person, advance directives, organ donation.
            "policyRule": {"text": "Code de la santé publique, articles L1111-6, L1111-11 et L1232-1"},
            "text": _narrative("Souhaits", "\n".join(line for line in lines if line)),
        }
        return "Consent", resource

    def _contact(self, item: Item, d: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        resource = self.identified(item) | {
            "patient": self.patient,
            "relationship": [{"text": _text(d, "relation")}],
            "name": [{"text": _text(d, "name")}],
            "telecom": [{"system": "phone", "value": _text(d, "phone")}] if _text(d, "phone") else [],
        }
        return "RelatedPerson", resource

    # --- the sections of issue #17 ---------------------------------------------------------------
    def _observation(
        self, item: Item, d: dict[str, Any], category: str, code: dict[str, Any], day: str = ""
    ) -> dict[str, Any]:
        """An Observation the person (or a professional) declared, with its category and code."""
        return self.identified(item) | {
            "status": "final",
            "category": [_concept(category, f"{TERMINOLOGY}/observation-category", category)],
            "code": code,
            "subject": self.patient,
            "effectiveDateTime": _day(day) or _instant(item.updated_at, self.s.at),
            "performer": [self.by_whom(item)],
            "note": _notes(_text(d, "notes")),
        }

    def _blood_group(self, item: Item, d: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        abo, rh = _text(d, "abo"), _text(d, "rh")
        shown = f"{abo} {'+' if rh == 'positive' else '-' if rh == 'negative' else ''}".strip()
        answer = BLOOD_ANSWERS.get((abo, rh))
        value = _concept(shown, LOINC, *answer) if answer else {"text": shown}
        code = _concept("Groupe sanguin", LOINC, *BLOOD_GROUP)
        resource = self._observation(item, d, "laboratory", code, _text(d, "date"))
        return "Observation", resource | {"valueCodeableConcept": value}

    def _hospital_stay(self, item: Item, d: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        until = _day(_text(d, "until"))
        period = {k: v for k, v in (("start", _day(_text(d, "since"))), ("end", until)) if v}
        finished = until is not None and until <= self.s.at.date().isoformat()
        resource = self.identified(item) | {
            "status": "finished" if finished else "in-progress",
            "class": {"system": f"{TERMINOLOGY}/v3-ActCode", "code": "IMP", "display": "inpatient encounter"},
            "subject": self.patient,
            "reasonCode": [{"text": _text(d, "reason")}],
            "serviceProvider": {"display": _text(d, "place")},
            "period": period,
        }
        return "Encounter", resource

    def _disability(self, item: Item, d: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        resource = self.identified(item) | {
            "clinicalStatus": _concept("active", f"{TERMINOLOGY}/condition-clinical", "active"),
            "category": [_concept("Handicap", f"{SITE}/profile-section", "disability")],
            "code": {"text": _text(d, "name")},
            "subject": self.patient,
            "recorder": self.by_whom(item),
            "note": _notes(
                f"Aménagements : {_text(d, 'accommodations')}" if _text(d, "accommodations") else "",
                _text(d, "notes"),
            ),
        }
        if since := _day(_text(d, "since")):
            resource["onsetDateTime"] = since
        return "Condition", resource

    def _tobacco(self, item: Item, d: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        smoking = _text(d, "smoking")
        answer = SMOKING_ANSWERS.get(smoking)
        value = _concept(smoking, SNOMED, *answer) if answer else {"text": smoking}
        code = _concept("Tabac", LOINC, *SMOKING)
        resource = self._observation(item, d, "social-history", code) | {"valueCodeableConcept": value}
        if per_day := _text(d, "per_day"):
            resource["note"] = [*resource["note"], {"text": f"{per_day} cigarettes par jour"}]
        return "Observation", resource

    def _alcohol(self, item: Item, d: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        code = _concept("Alcool (AUDIT-C)", LOINC, *AUDIT_C)
        resource = self._observation(item, d, "survey", code)
        score = audit_c_score(d)
        if score is not None:
            resource["valueQuantity"] = {"value": score, "unit": "score", "system": UCUM, "code": "{score}"}
        components = [{"code": {"text": "Fréquence de consommation"}, "valueString": _text(d, "frequency")}]
        if drinks := _text(d, "drinks"):
            components.append(
                {"code": _concept("Verres un jour typique", LOINC, *AUDIT_DRINKS), "valueString": drinks}
            )
        if six := _text(d, "six_or_more"):
            components.append({"code": _concept("Six verres ou plus", LOINC, *AUDIT_SIX), "valueString": six})
        return "Observation", resource | {"component": components}

    def _physical_activity(self, item: Item, d: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        resource = self._observation(item, d, "social-history", {"text": "Activité physique"})
        components = []
        for (code, display), name, unit in (
            (ACTIVITY_DAYS, "days_per_week", "d/wk"),
            (ACTIVITY_MINUTES, "minutes_per_day", "min/d"),
        ):
            if value := _text(d, name):
                quantity = {"value": float(value), "unit": unit, "system": UCUM, "code": unit}
                components.append(
                    {"code": _concept(display, LOINC, code, display), "valueQuantity": quantity}
                )
        if activities := _text(d, "activities"):
            resource["note"] = [*resource["note"], {"text": activities}]
        return "Observation", resource | {"component": components}

    def _diet(self, item: Item, d: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        words = ": ".join(filter(None, (_text(d, "diet"), _text(d, "details"))))
        resource = self._observation(item, d, "social-history", {"text": "Alimentation"})
        return "Observation", resource | {"valueString": words}

    def _sleep(self, item: Item, d: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        resource = self._observation(item, d, "social-history", _concept("Sommeil", LOINC, *SLEEP))
        hours = float(_text(d, "hours") or 0)
        resource["valueQuantity"] = {"value": hours, "unit": "h", "system": UCUM, "code": "h"}
        if quality := _text(d, "quality"):
            resource["note"] = [*resource["note"], {"text": f"Qualité : {quality}"}]
        return "Observation", resource

    # --- agenda and messages ----------------------------------------------------------------------
    def appointment(self, item: Item) -> dict[str, Any] | None:
        d = item.data
        day = _day(_text(d, "date"))
        if day is None:
            return None
        try:
            at = time.fromisoformat(_text(d, "time") or "00:00")
        except ValueError:
            at = time(0, 0)
        # The app stores the moment in UTC, from the person's local time; else the device's wall clock.
        start = datetime.combine(date.fromisoformat(day), at).astimezone()
        if _text(d, "start"):
            start = datetime.fromisoformat(_instant(_text(d, "start"), start))
        participants = [{"actor": self.patient, "status": "accepted"}]
        if who := _text(d, "professional"):
            participants.append({"actor": {"display": who}, "status": "accepted"})
        if place := _text(d, "place"):
            participants.append({"actor": {"display": place, "type": "Location"}, "status": "accepted"})
        return self.identified(item) | {
            "status": "cancelled" if _text(d, "status") == "cancelled" else "booked",
            "description": _text(d, "reason") or who,
            "start": start.isoformat(),
            "comment": _text(d, "notes") or None,
            "participant": participants,
        }

    def checkup(self, item: Item) -> dict[str, Any] | None:
        d = item.data
        try:
            label = str(calendar_item(_text(d, "item"))["label"]["fr"])
        except KeyError:
            label = _text(d, "item")
        resource = self.identified(item) | {
            "status": "completed" if _text(d, "state") == "done" else "not-done",
            "code": _concept(label, f"{SITE}/prevention-item", _text(d, "item")),
            "subject": self.patient,
        }
        if day := _day(_text(d, "date")):
            resource["performedDateTime"] = day
        return resource

    def questionnaire(self, item: Item) -> dict[str, Any] | None:
        """The answers, each under its question's words (French), codes as `valueCoding`."""
        d = item.data
        try:
            questionnaire = questionnaires.load(_text(d, "questionnaire"))
        except KeyError:
            return None
        answers = d.get("answers") if isinstance(d.get("answers"), dict) else {}
        items = []
        for question in questionnaires.asked(questionnaire, answers):
            value = answers.get(question.id)
            values = value if isinstance(value, list) else [] if value in (None, "") else [value]
            if not values:
                continue
            codes = {o.code: o.text["fr"] for o in question.options}
            given = [
                {
                    "valueCoding": {
                        "system": f"{SITE}/answer/{question.id}",
                        "code": str(v),
                        "display": codes[v],
                    }
                }
                if v in codes
                else {"valueString": str(v)}
                for v in values
            ]
            items.append({"linkId": question.id, "text": question.words("fr"), "answer": given})
        return self.record(item) | {
            "identifier": {"system": RECORD_SYSTEM, "value": item.id},  # one only, in this resource
            "questionnaire": f"{SITE}/Questionnaire/{questionnaire.id}|{questionnaire.version}",
            "status": "completed" if _text(d, "status") == questionnaires.DONE else "in-progress",
            "subject": self.patient,
            "authored": _instant(item.updated_at, self.s.at),
            "item": items,
        }

    def message(self, item: Item, conversations: dict[str, Item]) -> dict[str, Any]:
        d = item.data
        conversation = conversations.get(_text(d, "conversation_id"))
        about = conversation.data if conversation else {}
        pro = {
            "display": " ".join(filter(None, (_text(about, "professional_name"), _text(about, "profession"))))
        }
        payload: list[dict[str, Any]] = [{"contentString": _text(d, "body")}] if _text(d, "body") else []
        for raw in d.get("attachments") or []:
            if not isinstance(raw, dict):
                continue
            title = str(raw.get("title") or raw.get("name") or "")
            url = self.urls.get(str(raw.get("document_id") or ""))
            if url:
                payload.append({"contentReference": {"reference": url, "display": title}})
            else:
                payload.append(
                    {"contentAttachment": {"contentType": str(raw.get("mime") or ""), "title": title}}
                )
        mine = item.author == HOLDER
        resource = self.identified(item) | {
            "status": "in-progress" if item.pending else "completed",
            "subject": self.patient,
            "topic": {"text": _text(about, "subject")} if _text(about, "subject") else None,
            "sent": _instant(_text(d, "sent_at") or item.updated_at, self.s.at),
            "sender": self.patient if mine else pro,
            "recipient": [pro if mine else self.patient],
            "payload": payload or None,
        }
        return {k: v for k, v in resource.items() if v is not None}

    # --- from the server ----------------------------------------------------------------------------
    def audit_event(self, entry: AccessEntryOut) -> dict[str, Any]:
        action = {"read": "R", "list": "R", "write": "C"}.get(entry.action, "E")
        agent: dict[str, Any] = {
            "who": {"display": entry.actor_name or entry.actor_id},
            "name": entry.actor_name or entry.actor_id,
            "requestor": True,
            "role": [{"text": entry.profession}] if entry.profession else [],
        }
        if entry.mode in ("emergency", "regulator"):
            agent["purposeOfUse"] = [
                _concept(entry.mode, "http://terminology.hl7.org/CodeSystem/v3-ActReason", "ETREAT")
            ]
        target = self.urls.get(entry.target)
        what: dict[str, Any] = {"display": entry.target_title or entry.target or entry.action}
        if target:
            what["reference"] = target
        return {
            "id": f"access-{entry.seq}",
            "type": {
                "system": "http://dicom.nema.org/resources/ontology/DCM",
                "code": "110110",
                "display": "Patient Record",
            },
            "subtype": [{"system": f"{SITE}/access-action", "code": entry.action}],
            "action": action,
            "recorded": entry.at.astimezone(UTC).isoformat(),
            "outcome": "0" if entry.outcome == "allowed" else "4",
            "outcomeDesc": " ".join(filter(None, (entry.mode, entry.detail))) or None,
            "agent": [agent],
            "source": {"observer": {"display": "Mon espace santé"}, "site": entry.mode},
            "entity": [
                {"what": what},
                {"what": self.patient, "role": {"system": f"{TERMINOLOGY}/object-role", "code": "1"}},
            ],
        }

    def grant(self, grant: GrantOut) -> dict[str, Any]:
        pro = grant.professional
        status = "rejected" if grant.blocked else ("active" if grant.active else "inactive")
        end = grant.revoked_at or grant.until
        period = {"start": grant.since.astimezone(UTC).isoformat()}
        if end:
            period["end"] = end.astimezone(UTC).isoformat()
        role = (
            "médecin traitant"
            if grant.attending
            else ("équipe de soins" if grant.kind == "care_team" else "autorisé")
        )
        label = str(professions().get(pro.profession, {}).get("fr", pro.profession))
        return {
            "id": _fhir_id(f"grant-{pro.id}"),
            "status": status,
            "scope": _concept("Accès au dossier", f"{TERMINOLOGY}/consentscope", "patient-privacy"),
            "category": [_concept("Patient Consent", LOINC, "59284-0", "Patient Consent")],
            "patient": self.patient,
            "dateTime": grant.since.astimezone(UTC).isoformat(),
            "performer": [self.patient],
            "policyRule": {"text": "Code de la santé publique, article L1111-15 (dossier médical partagé)"},
            "provision": {
                "type": "deny" if grant.blocked else "permit",
                "period": period,
                "actor": [
                    {
                        "role": _concept(role, f"{TERMINOLOGY}/v3-ParticipationType", "PRCP"),
                        "reference": {
                            "display": f"{pro.first_name} {pro.last_name} ({label})",
                            "identifier": {"system": RPPS_SYSTEM, "value": pro.rpps},
                        },
                    }
                ],
            },
        }


def _narrative(title: str, body: str) -> dict[str, str]:
    parts = [f"<p><b>{escape(title)}</b></p>"] if title else []
    parts += [f"<p>{escape(line)}</p>" for line in body.splitlines() if line.strip()]
    return {
        "status": "generated",
        "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{"".join(parts) or "-"}</div>',
    }


def bundle(
    snapshot: Snapshot,
    documents: Documents | None,
    client: AccountClient | None,
    without_bytes: list[str] | None = None,
    max_document_bytes: int = MAX_DOCUMENT_BYTES,
) -> bytes:
    """The Bundle as JSON bytes; titles of documents left without their bytes go to `without_bytes`."""
    b = _Builder(snapshot, documents, client)
    b.budget = max_document_bytes
    for item in snapshot.of("document"):
        b.urls[item.id] = _uuid("DocumentReference", item.id)
    entries = [b.entry("Patient", b.patient_resource(), snapshot.me.id)]
    entries += [b.entry("DocumentReference", b.document(i), i.id) for i in snapshot.of("document")]
    for item in snapshot.of("measurement"):
        if (observation := b.measurement(item)) is not None:
            entries.append(b.entry("Observation", observation, item.id))
    for item in snapshot.of("profile_entry") + snapshot.of("note"):
        if made := b.profile_entry(item) if item.collection == "profile_entry" else b.note(item, item.data):
            entries.append(b.entry(made[0], made[1], item.id))
    for item in snapshot.of("appointment"):
        if (appointment := b.appointment(item)) is not None:
            entries.append(b.entry("Appointment", appointment, item.id))
    for item in snapshot.of("checkup"):
        if (procedure := b.checkup(item)) is not None:
            entries.append(b.entry("Procedure", procedure, item.id))
    for item in snapshot.of("questionnaire"):
        if (response := b.questionnaire(item)) is not None:
            entries.append(b.entry("QuestionnaireResponse", response, item.id))
    conversations = {c.id: c for c in snapshot.of("conversation")}
    for item in snapshot.of("message"):
        entries.append(b.entry("Communication", b.message(item, conversations), item.id))
    entries += [b.entry("AuditEvent", b.audit_event(e), f"access-{e.seq}") for e in snapshot.access_log]
    entries += [b.entry("Consent", b.grant(g), f"grant-{g.professional.id}") for g in snapshot.grants]
    if without_bytes is not None:
        without_bytes.extend(b.without_bytes)
    head = {
        "resourceType": "Bundle",
        "id": uuid.uuid5(uuid.NAMESPACE_URL, f"{SITE}/export/{snapshot.me.id}/{snapshot.at.isoformat()}").hex,
        "identifier": {"system": f"{SITE}/export", "value": snapshot.at.astimezone(UTC).isoformat()},
        "type": "collection",
        "timestamp": snapshot.at.astimezone(UTC).isoformat(),
    }
    # Assembled as text: the entries were validated one by one, and a big export is not copied
    # into one model again.
    return (json.dumps(head)[:-1] + ', "entry": [' + ",\n".join(entries) + "]}").encode()


def build(
    store: Store,
    documents: Documents | None,
    client: AccountClient | None,
    me: Me,
    without_bytes: list[str] | None = None,
) -> bytes:
    """The whole space as a FHIR R4 (R4B models) Bundle of type "collection", as JSON bytes."""
    return bundle(gather(store, client, me), documents, client, without_bytes)
