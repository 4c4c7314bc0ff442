"""Administrative data as the insurer holds it, the holder's correction requests, and the
professionals' view of the medical profile: wire schemas and the rules both ends check.

`correction_problems` is run by the app before sending (errors under the field they concern)
and again by the server (never trust the client), so both say the same words.
"""

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from sync.protocol.errors import ErrorCode

# The fields a holder may ask to correct, and the longest value each takes (the holder table's).
CORRECTABLE: dict[str, int] = {
    "last_name": 100,
    "first_name": 100,
    "birth_date": 10,
    "postal_address": 300,
    "insurer": 100,
}
MAX_NOTE = 500
OLDEST_BIRTH = date(1900, 1, 1)
_DAY_FR = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")


class CorrectionStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class AdministrativeData(BaseModel):
    """What the insurer holds about the holder (`insurer` None: not filled in)."""

    last_name: str
    first_name: str
    birth_date: date
    postal_address: str
    insurer: str | None = None


class CorrectionCreate(BaseModel):
    """A correction the holder asks for (lengths are checked by `correction_problems`)."""

    field: str = Field(max_length=40)
    value: str = Field(max_length=1000)
    note: str = Field(default="", max_length=2000)


class CorrectionOut(BaseModel):
    id: str
    field: str
    value: str
    note: str
    status: CorrectionStatus
    created_at: datetime
    decided_at: datetime | None = None


class ProProfileEntry(BaseModel):
    """One profile entry or measurement a professional may read."""

    id: str
    collection: str  # profile_entry or measurement
    section: str  # the profile section; "measurement" for measurements
    data: dict[str, Any]
    author: str
    updated_at: datetime
    entered_by_patient: bool = False  # EHDS art. 5: what the holder entered is marked as theirs


class ProProfilePage(BaseModel):
    """The entries of the sections this professional reads, newest first, by pages."""

    sections: list[str]
    entries: list[ProProfileEntry]
    next_before: int | None = None


class ProProfileEntryCreate(BaseModel):
    """An entry a professional adds: its section and its fields (checked like the holder's)."""

    section: str = Field(max_length=40)
    data: dict[str, Any] = Field(default_factory=dict)


def parse_birth_date(value: str) -> date | None:
    """'1985-05-01' or '01/05/1985' (also with - or .); None when it is not a day."""
    text = value.strip()
    try:
        match = _DAY_FR.fullmatch(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def normalize_value(field: str, value: str) -> str:
    """The value as it will be stored: spaces tidied, a birth date in ISO form."""
    text = " ".join(value.split())
    if field == "birth_date":
        day = parse_birth_date(text)
        return day.isoformat() if day else text
    return text


def correction_problems(
    field: str, value: str, note: str, today: date
) -> dict[str, tuple[ErrorCode, dict[str, int]]]:
    """What is wrong with a request, by form field ('field', 'value', 'note'); empty when fine."""
    problems: dict[str, tuple[ErrorCode, dict[str, int]]] = {}
    if field not in CORRECTABLE:
        problems["field"] = (ErrorCode.ADMIN_FIELD, {})
    text = normalize_value(field, value)
    if not text:
        problems["value"] = (ErrorCode.ADMIN_VALUE_EMPTY, {})
    elif field == "birth_date":
        day = parse_birth_date(text)
        if day is None or day > today or day < OLDEST_BIRTH:
            problems["value"] = (ErrorCode.ADMIN_BIRTH_DATE, {})
    elif field in CORRECTABLE and len(text) > CORRECTABLE[field]:
        problems["value"] = (ErrorCode.ADMIN_VALUE_TOO_LONG, {"max": CORRECTABLE[field]})
    if len(note.strip()) > MAX_NOTE:
        problems["note"] = (ErrorCode.ADMIN_NOTE_TOO_LONG, {"max": MAX_NOTE})
    return problems
