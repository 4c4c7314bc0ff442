"""Restore an export (a FHIR Bundle made by `sync.export.fhir_export`, or the patient summary of
`sync.export.ips`) into an EMPTY space.

Only an empty space takes an import: merging two spaces' records would need choices a person
cannot make blind, so a space with records refuses it with a clear message.

What comes back, with the same record ids, written through the store's outbox (and documents
through the normal document import, encrypted here then uploaded) so the next sync sends
everything to the server: documents, measurements, the medical profile, notes, appointments,
check-ups done or dismissed. What does not come back:
- messages: a conversation belongs to the professional who started it, on the server;
- the access log and the authorisations: they are the server's history and decisions
  (the Bundle keeps them to be read, not replayed);
- authorship: the holder cannot sign in the name of a professional, so a professional's entry
  comes back as the holder's own copy, marked `imported_from` (name and profession) with one
  line saying so in its free text.
"""

import base64
import binascii
import hashlib
import io
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError
from sqlmodel import col, select

from sync.documents import Documents
from sync.errors import SyncError
from sync.export.fhir_export import RECORD_EXTENSION, RECORD_SYSTEM
from sync.protocol.i18n import DEFAULT_LANGUAGE, translate
from sync.protocol.reference import professions
from sync.store import HOLDER, LocalRecord, Store

__all__ = ["NOT_EMPTY", "RESTORED", "ImportReport", "INVALID", "is_empty", "restore"]

RESTORED: tuple[str, ...] = (
    "document",
    "measurement",
    "profile_entry",
    "note",
    "appointment",
    "checkup",
    "questionnaire",
)
FREE_TEXT = {"profile_entry": "notes", "measurement": "note", "document": "description", "note": "body"}
DEVICE_FIELDS = ("file_id", "size", "sha256")  # a document's file on the exporting device
NOT_EMPTY, INVALID = "error.export.not_empty", "error.export.invalid"


@dataclass
class ImportReport:
    """What an import did: records restored per collection, and what it left out."""

    restored: Counter[str] = field(default_factory=Counter)
    as_holder: int = 0  # professionals' entries restored as the holder's own copy
    left_out: Counter[str] = field(default_factory=Counter)  # by resource type


@dataclass
class _Record:
    id: str
    collection: str
    data: dict[str, Any]
    content: bytes | None = None  # a document's bytes


def is_empty(store: Store) -> bool:
    """True when the space holds no record at all (what an import needs); reads only the clear
    columns, so a screen may ask at every redraw."""
    with store.session() as s:
        found = s.exec(select(LocalRecord.id).where(col(LocalRecord.deleted).is_(False)).limit(1))
        return found.first() is None


def _record_of(resource: dict[str, Any]) -> dict[str, Any] | None:
    for extension in resource.get("extension") or []:
        if extension.get("url") == RECORD_EXTENSION and isinstance(extension.get("valueString"), str):
            kept = json.loads(extension["valueString"])
            return kept if isinstance(kept, dict) else None
    return None


def _record_id(resource: dict[str, Any]) -> str:
    found = resource.get("identifier") or []
    for identifier in [found] if isinstance(found, dict) else found:  # one, or a list
        if isinstance(identifier, dict) and identifier.get("system") == RECORD_SYSTEM:
            return str(identifier.get("value") or "")
    return str(resource.get("id") or "")


def _document_bytes(resource: dict[str, Any], data: dict[str, Any]) -> bytes | None:
    """The attachment's bytes, checked against the SHA-256 the record knew (None when absent)."""
    for content in resource.get("content") or []:
        raw = (content.get("attachment") or {}).get("data")
        if not raw:
            continue
        try:
            found = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise SyncError(INVALID) from None
        expected = data.get("sha256")
        if isinstance(expected, str) and expected and hashlib.sha256(found).hexdigest() != expected:
            raise SyncError(INVALID)
        return found
    return None


def _as_holder(collection: str, kept: dict[str, Any], data: dict[str, Any], lang: str) -> dict[str, Any]:
    """A professional's entry as the holder's own copy, saying who first wrote it."""
    name = str(data.get("author_name") or kept.get("author") or "")
    profession = str(data.get("author_profession") or "")
    label = str(professions().get(profession, {}).get(lang) or profession)
    who = f"{name} ({label})" if name and label else name or label or "?"
    line = translate("ui.export.imported_from", lang, name=who)
    text_field = FREE_TEXT.get(collection)
    copy = dict(data) | {"imported_from": who}
    if text_field:
        before = str(copy.get(text_field) or "").strip()
        copy[text_field] = f"{before}\n{line}" if before else line
    return copy


def _records(bundle: dict[str, Any], report: ImportReport, lang: str) -> list[_Record]:
    """Every record the Bundle can give back, read and checked before anything is written."""
    found: list[_Record] = []
    for entry in bundle.get("entry") or []:
        resource = entry.get("resource") or {}
        kind = str(resource.get("resourceType") or "")
        kept = _record_of(resource)
        collection = str(kept.get("collection") or "") if kept else ""
        if kept is None or collection not in RESTORED or not isinstance(kept.get("data"), dict):
            if kind not in ("Patient", "Composition"):
                report.left_out[kind] += 1
            continue
        record_id = _record_id(resource)
        data = {k: v for k, v in kept["data"].items() if k not in DEVICE_FIELDS and k != "_conflicts"}
        if kept.get("author", HOLDER) != HOLDER:
            data = _as_holder(collection, kept, data, lang)
            report.as_holder += 1
            # The holder's copy is a record of their own: a device never writes under the id the
            # server gave to a professional's record (that namespace is the server's).
            record_id = uuid.uuid5(uuid.NAMESPACE_URL, f"copy/{record_id}").hex if record_id else ""
        content = _document_bytes(resource, kept["data"]) if collection == "document" else None
        if not record_id or (collection == "document" and content is None):
            report.left_out[kind] += 1
            continue
        found.append(_Record(record_id, collection, data, content))
    return found


def restore(content: bytes, store: Store, documents: Documents, lang: str = DEFAULT_LANGUAGE) -> ImportReport:
    """Write the Bundle's records into this empty space; they reach the server on the next sync."""
    if not is_empty(store):
        raise SyncError(NOT_EMPTY)
    try:
        bundle = json.loads(content)
        Bundle.model_validate(bundle)
    except (ValueError, ValidationError, TypeError):
        raise SyncError(INVALID) from None
    # What the exports write: the whole space, or its patient summary (fhir.resources lets any code by).
    if bundle.get("type") not in ("collection", "document"):
        raise SyncError(INVALID)
    report = ImportReport()
    try:
        records = _records(bundle, report, lang)
    except (ValueError, TypeError, AttributeError):
        raise SyncError(INVALID) from None
    for record in records:
        if record.content is not None:
            documents.add(io.BytesIO(record.content), record.data, record_id=record.id)
        else:
            store.put(record.collection, record.data, record_id=record.id)
        report.restored[record.collection] += 1
    return report
