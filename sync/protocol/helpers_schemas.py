"""Wire schemas and date rules of helpers (aidants): a holder lets someone help them for a time.

The rules both ends apply (the app checks them in its form, the server again):
- an end date is required, after the start, at most a year after it (renewable by a new one);
- an invitation not answered within 7 days expires; at most 3 helpers at once (active or invited).
Sources: the national app's "aidants / aidés" flow (assurance-maladie-mesdmp/ens-mobile,
lib/aidants_aides/) and the EHDS regulation art. 4 (proxy access limited in time and scope).
"""

from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from sync.protocol.errors import ErrorCode

PARIS = ZoneInfo("Europe/Paris")

INVITATION_DAYS = 7
MAX_HELPERS = 3
MAX_DAYS = 366  # "at most a year": from 31/05/2026 to 31/05/2027 inclusive


class DelegationStatus(StrEnum):
    """Where a delegation stands, as of now (expiry and end dates are read against the clock)."""

    PENDING = "pending"  # invited, not answered yet
    ACTIVE = "active"  # accepted; `starts_on` may still be ahead
    REFUSED = "refused"
    EXPIRED = "expired"  # not answered within INVITATION_DAYS
    ENDED = "ended"  # by either side, at its end date, or when a space closed


def french_today() -> date:
    """Today on the French calendar: a delegation's days are French calendar days on both ends
    (the server's rule), whatever the zone of the device or of the app's web server."""
    return datetime.now(PARIS).date()


def dates_problem(starts_on: date, ends_on: date, today: date) -> ErrorCode | None:
    """An end in the past, before the start, or more than a year after it; a start in the past."""
    if starts_on < today or ends_on < starts_on or ends_on < today:
        return ErrorCode.HELPER_DATES
    if (ends_on - starts_on) > timedelta(days=MAX_DAYS - 1):
        return ErrorCode.HELPER_DATES
    return None


def invitation_expires(created_at: datetime) -> datetime:
    return created_at + timedelta(days=INVITATION_DAYS)


class HelperIdentity(BaseModel):
    """Who the holder looks for: the helper's own identity and social security number (as the
    national app asks), so a match names one person with a space of their own."""

    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    birth_date: date
    nir: str = Field(min_length=13, max_length=21)


class DelegationIn(HelperIdentity):
    """ "Donner accès à mon profil": to whom, from when to when, and what they may do."""

    starts_on: date
    ends_on: date
    may_add: bool = False  # read and add (documents, measurements, appointments)
    messages: bool = False  # may read the holder's messages


class Person(BaseModel):
    """The other side of a delegation, as shown in a list."""

    id: str
    first_name: str
    last_name: str


class DelegationOut(BaseModel):
    """One delegation, seen from either side."""

    id: str
    helped: Person
    helper: Person
    status: DelegationStatus
    starts_on: date
    ends_on: date
    may_add: bool
    messages: bool
    created_at: datetime
    expires_at: datetime  # the invitation's, 7 days after it was made
    measure: str = ""  # a legal protection measure's kind ("" for a delegation)


class DelegationsOut(BaseModel):
    """The holder's helpers (`given`) and the people they help (`received`), invitations included."""

    given: list[DelegationOut]
    received: list[DelegationOut]


# The home sections a helper can use in the helped person's space: what the access gate's
# HELPER_READS reach (the feed: documents, profile, agenda; professionals; the catalogue), the
# messages with the messages right; a representative (tutelle, habilitation) also reads the
# messages and the log. The rest is the holder's own (settings, helpers, children): not shown.
HELPER_SECTIONS = ("documents", "profile", "agenda", "professionals", "catalogue")
REPRESENTING = frozenset({"tutelle", "habilitation"})  # the measures that represent (the gate reads it too)


def helper_sections(d: DelegationOut) -> frozenset[str]:
    """The sections of the helped person's home this helper (or representative) can use."""
    if d.measure in REPRESENTING:
        return frozenset(HELPER_SECTIONS) | {"messages", "access_log"}
    return frozenset(HELPER_SECTIONS) | ({"messages"} if d.messages else set())
