"""A person's rights over their health data (EHDS, issue #18): wire schemas and the checks both ends run.

    corrections   "Demander une correction" of an entry or a document a professional wrote (art. 6):
                  the holder asks, its author accepts (a new version, the old one kept) or refuses
                  with a reason
    research      "Utilisation de mes données pour la recherche" (art. 71): opt out without a reason,
                  reversibly, every change kept
    complaints    a complaint to the digital health authority (art. 21), with its context

The app checks with `note_problem` / `reason_problem` / `complaint_problem` before sending and the
server checks again, so both say the same words.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

from sync.protocol.errors import ErrorCode

MIN_TEXT = 3  # letters: "Non" passes, "x" does not
MAX_NOTE = 1000
MAX_COMPLAINT = 4000
Day = date  # a field named `date` hides the type in its class
CORRECTABLE = ("profile_entry", "document")  # what a holder may ask a professional to correct


class HealthCorrectionStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REFUSED = "refused"


def _text_problem(text: str, longest: int) -> ErrorCode | None:
    if sum(ch.isalpha() for ch in text) < MIN_TEXT:
        return ErrorCode.RIGHTS_TEXT_EMPTY
    if len(text.strip()) > longest:
        return ErrorCode.RIGHTS_TEXT_TOO_LONG
    return None


def note_problem(note: str) -> ErrorCode | None:
    """What the holder writes to the author: what is wrong, in a few words at least."""
    return _text_problem(note, MAX_NOTE)


def reason_problem(reason: str) -> ErrorCode | None:
    """A refusal always says why."""
    return _text_problem(reason, MAX_NOTE)


def complaint_problem(text: str) -> ErrorCode | None:
    return _text_problem(text, MAX_COMPLAINT)


class HealthCorrectionCreate(BaseModel):
    """The holder asks the author of one entry to correct it."""

    record_id: str = Field(max_length=64)
    note: str = Field(max_length=MAX_NOTE * 2)


class HealthCorrectionOut(BaseModel):
    """One request as the holder sees it: where it stands, the author's reason, the version before."""

    id: str
    record_id: str
    collection: str = "profile_entry"  # or "document"
    section: str  # a profile entry's section ("" for a document)
    title: str = ""  # a document's title
    author_name: str
    note: str
    status: HealthCorrectionStatus
    reason: str = ""
    previous: dict[str, Any] | None = None  # the entry or document as it was, once corrected
    created_at: datetime
    decided_at: datetime | None = None


class ProHealthCorrection(BaseModel):
    """One request as its author sees it, with the entry (or the document's details) as it stands;
    in the list across patients, whose record it is."""

    id: str
    record_id: str
    collection: str = "profile_entry"
    section: str
    entry: dict[str, Any]
    patient: str = ""  # first and last name, in the list across patients
    patient_birth_date: date | None = None
    note: str
    status: HealthCorrectionStatus
    reason: str = ""
    created_at: datetime
    decided_at: datetime | None = None


class CorrectedDocument(BaseModel):
    """A document's corrected version: its bytes (PDF, JPEG or PNG, as base64), and its title or
    date when they change too (empty: kept)."""

    mime: Literal["application/pdf", "image/jpeg", "image/png"]
    content_b64: str = Field(max_length=28 * 1024 * 1024)
    title: str = Field(default="", max_length=200)
    date: Day | None = None


class HealthCorrectionDecision(BaseModel):
    """The author's answer: accept with the corrected fields of an entry (checked like a new entry)
    or a document's corrected version, or refuse with a reason."""

    accept: bool
    fields: dict[str, Any] = Field(default_factory=dict)
    document: CorrectedDocument | None = None
    reason: str = Field(default="", max_length=MAX_NOTE * 2)


class ResearchChoice(BaseModel):
    """The holder's choice about research; `opted_out` False is the law's default (EHDS art. 71)."""

    opted_out: bool


class ResearchChange(BaseModel):
    opted_out: bool
    at: datetime


class ResearchOut(BaseModel):
    """The choice as it stands, and every change (newest first)."""

    opted_out: bool
    history: list[ResearchChange]


class ComplaintCreate(BaseModel):
    """A complaint to the authority; `access_seq` names the access-log line it is about, if any."""

    text: str = Field(max_length=MAX_COMPLAINT * 2)
    access_seq: int | None = Field(default=None, ge=1)
    zone: str = Field(default="", max_length=64)  # the person's time zone (IANA name), for the line's time


class ComplaintOut(BaseModel):
    id: str
    text: str
    access_seq: int | None = None
    authority: str  # where it was sent
    created_at: datetime


class HealthCardOut(BaseModel):
    """The holder's vaccinations signed as a SMART Health Card: the JWS, and the QR code's text."""

    jws: str
    qr: str  # "shc:/" and digits
    vaccinations: int
    issued_at: datetime
