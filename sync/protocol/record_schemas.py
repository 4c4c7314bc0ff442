"""Wire schemas of the shared record's rules: professionals, authorisations, emergency settings,
the access log and notifications (holder side), and the professionals' API."""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class ProfessionalOut(BaseModel):
    """A professional of the directory, as the holder sees them."""

    id: str
    rpps: str
    first_name: str
    last_name: str
    profession: str
    specialty: str
    city: str


class GrantOut(BaseModel):
    """One professional in the holder's list, and what the holder decided about them."""

    professional: ProfessionalOut
    kind: str  # "holder" (authorised by the holder) or "care_team"
    since: datetime
    until: datetime | None
    revoked_at: datetime | None
    blocked: bool
    attending: bool
    active: bool


class AuthoriseRequest(BaseModel):
    """Authorise until a date, or for good when `until` is empty."""

    until: datetime | None = None


class RevokeRequest(BaseModel):
    block: bool = False


class AttendingRequest(BaseModel):
    professional_id: str | None = Field(default=None, max_length=32)


class EmergencySettings(BaseModel):
    """The separate switches of rule 7, and the third of issue #17: whether masked documents are
    readable in an emergency or regulator access (off by default; a client that does not send it
    leaves it as it is)."""

    emergency_access: bool
    regulator_access: bool
    masked_in_emergency: bool = False


class SectionSharing(BaseModel):
    """One profile section: whether professionals may read it, and whether that is the default."""

    section: str
    shared: bool
    default: bool


class ProfileSharing(BaseModel):
    """What the holder lets professionals read of their medical profile (on top of the access
    matrix: a profession still reads only its sections). `choices` to change: section -> shared."""

    sections: list[SectionSharing] = Field(default_factory=list)
    choices: dict[str, bool] = Field(default_factory=dict, max_length=40)


class AccessEntryOut(BaseModel):
    """One line of the holder's access log."""

    seq: int
    at: datetime
    actor_id: str
    actor_name: str
    profession: str
    action: str
    target: str
    target_title: str
    mode: str
    outcome: str
    detail: str
    reported: bool = False  # the holder flagged it as suspicious


class AccessReportRequest(BaseModel):
    """'Signaler cet accès': what seemed wrong, and whether to block the professional at once."""

    note: str = Field(default="", max_length=1000)
    block: bool = False


class AccessReportOut(BaseModel):
    seq: int
    note: str
    blocked: bool
    at: datetime


class AccessLogPage(BaseModel):
    """Newest first; pass `next_before` back as `before` for the next page (None at the end)."""

    entries: list[AccessEntryOut]
    next_before: int | None


class NotificationOut(BaseModel):
    id: str
    at: datetime
    kind: str
    params: dict[str, Any]
    read: bool


class ProDocument(BaseModel):
    """A document as a professional sees it (metadata; bytes come from `/content`)."""

    id: str
    title: str
    type: str
    date: str
    mime: str
    size: int
    version: int = 1  # a document corrected on request: its earlier versions stay (`?version=`)
    author: str
    masked: bool
    hidden_from_patient: bool
    hidden_from_guardians: bool
    entered_by_patient: bool = False  # EHDS art. 5: what the holder added is marked as theirs


class ProDocumentPage(BaseModel):
    """A page of documents, newest first; pass `next_before` back as `before` (None at the end)."""

    documents: list[ProDocument]
    next_before: int | None


class ProDocumentCreate(BaseModel):
    """A document a professional adds; content as base64 (PDF, JPEG or PNG)."""

    title: str = Field(min_length=1, max_length=200)
    type: str = Field(max_length=40)
    date: date
    mime: Literal["application/pdf", "image/jpeg", "image/png"]
    content_b64: str = Field(max_length=28 * 1024 * 1024)
    hidden_from_patient: bool = False
    hidden_from_guardians: bool = False


class ReimbursementOut(BaseModel):
    """One reimbursement: amounts in euro cents (paid by the holder, reimbursed by the insurer)."""

    id: str
    care_date: date
    care: str
    professional: str
    paid_cents: int
    reimbursed_cents: int
    kind: str = "act"  # consultation, act, medicine, hospital (sync/protocol/health_history.py)
    label: str = ""  # the medicine's name, the reason for a stay ("" when the insurer gave none)


class ReimbursementMonth(BaseModel):
    month: str  # YYYY-MM
    paid_cents: int
    reimbursed_cents: int
    items: list[ReimbursementOut]


class ReimbursementYear(BaseModel):
    """A year of reimbursements by month (newest first) with the year's totals."""

    year: int
    paid_cents: int
    reimbursed_cents: int
    months: list[ReimbursementMonth]
    since_year: int | None = None  # the oldest year with reimbursements (None: none at all)


class ShareCreate(BaseModel):
    """Share some of one's documents (and/or the encrypted patient summary) through a link and a
    code, for 1 to 30 days."""

    document_ids: list[str] = Field(default_factory=list, max_length=50)
    days: int = Field(ge=1, le=30)
    label: str = Field(default="", max_length=100)
    # The patient summary encrypted on the device as a SMART Health Link file (compact JWE, issue #18).
    shl_file: str | None = Field(default=None, max_length=60_000)


class ShareOut(BaseModel):
    id: str
    label: str
    document_ids: list[str]
    created_at: datetime
    expires_at: datetime
    revoked: bool
    opens: int


class ShareCreated(ShareOut):
    """The only time the link and its code are shown: the server keeps digests of them only."""

    url: str
    code: str
