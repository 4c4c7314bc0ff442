"""The catalogue of referenced apps, shared by the server and the app: scopes in plain words,
categories, consent durations (data in `assets/reference/app_scopes.json`) and wire schemas of
the catalogue, the consent screen, the connected apps and the connected apps' API."""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from sync.protocol.reference import load_reference

APP_AUTHOR_PREFIX = "app:"  # Record.author of what a connected app wrote


def scopes() -> dict[str, dict[str, Any]]:
    """Scope name -> collection, write flag and FR/EN words."""
    found: dict[str, dict[str, Any]] = load_reference("app_scopes.json")["scopes"]
    return found


def categories() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = load_reference("app_scopes.json")["categories"]
    return found


def durations() -> dict[str, dict[str, Any]]:
    """Duration code ('1m', '3m', '1y') -> days and FR/EN words."""
    found: dict[str, dict[str, Any]] = load_reference("app_scopes.json")["durations"]
    return found


def words(entry: dict[str, Any], lang: str) -> str:
    """The entry's text in `lang`, French when that language is missing."""
    return str(entry.get(lang) or entry.get("fr") or "")


def scope_for(collection: str, write: bool) -> str | None:
    """The scope that lets an app read (or write) a collection, if any."""
    for name, spec in scopes().items():
        if spec["collection"] == collection and bool(spec["write"]) == write:
            return name
    return None


class AppOut(BaseModel):
    """A referenced app as the catalogue shows it."""

    id: str
    name: str
    publisher: str
    category: str
    description_fr: str
    description_en: str
    scopes: list[str]
    status: str  # active | suspended


class ConsentRequestOut(BaseModel):
    """What the consent screen shows: the app and each scope it asks for."""

    id: str
    app: AppOut
    scopes: list[str]
    expires_at: datetime
    # Whose space the app may reach: the holder, later a child the holder is the parent of.
    subjects: list[str]


class ApproveRequest(BaseModel):
    duration: Literal["1m", "3m", "1y"] = "3m"
    subject_id: str | None = Field(default=None, max_length=32)  # None: the holder's own space


class RedirectOut(BaseModel):
    """Where the app sends the person back to the connecting app (code and state, or the error)."""

    redirect_url: str


class ConnectionOut(BaseModel):
    """An app connected to the holder's space, what it may do and when it last used the data."""

    id: str
    app: AppOut
    scopes: list[str]
    subject_id: str
    since: datetime
    until: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    active: bool


# --- the connected apps' API --------------------------------------------------------------------


class AppMeasurementIn(BaseModel):
    """A reading an app adds (checked with the same rules as the holder's)."""

    kind: str = Field(max_length=32)
    value: float
    second: float | None = None
    at: datetime
    note: str = Field(default="", max_length=500)


class AppMeasurementOut(BaseModel):
    id: str
    kind: str
    value: float
    second: float | None
    at: str
    note: str
    author: str


class AppDocumentOut(BaseModel):
    id: str
    title: str
    type: str
    date: str
    mime: str
    size: int
    author: str


class AppDocumentIn(BaseModel):
    """A document an app adds (a report, a lab result): PDF, JPEG or PNG as base64, 20 MB at most."""

    title: str = Field(min_length=1, max_length=200)
    type: str = Field(max_length=40)
    date: date
    mime: Literal["application/pdf", "image/jpeg", "image/png"]
    content_b64: str = Field(max_length=28 * 1024 * 1024)


class AppAppointmentIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    start: datetime
    place: str = Field(default="", max_length=200)


class AppAppointmentOut(BaseModel):
    id: str
    title: str
    start: str
    place: str
    author: str
