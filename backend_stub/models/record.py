"""Database tables of the server (SQLModel). Times are stored in UTC.

Health content is sealed at rest with its holder's key (`core/sealed_columns.py`): the records'
`data`, notifications' `params`, the care, professional and label of reimbursements, the title and
detail of access-log entries. What the rules, the feed and the indexes need stays clear: ids,
collection, versions, sequences, flags of the row, dates, amounts, authors.

Every query of a request names a holder or an indexed digest; the scheduled jobs walk
`(status, objection_deadline)` and `purge_after` through their indexes, in batches.
"""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index
from sqlmodel import Field, SQLModel

from backend_stub.core.sealed_columns import SealedJSON, SealedText, seal_fields
from sync.protocol.schemas import OtpChannel, SpaceStatus


def _uuid() -> str:
    return uuid.uuid4().hex


def _utc(**kw: object) -> object:
    """A timezone-aware column (PostgreSQL keeps the offset; SQLite stores UTC text)."""
    return Field(sa_column=Column(DateTime(timezone=True), **kw))  # type: ignore[arg-type]


# The holder of a digital health space, from the insurer's enrolment to closure.
class Holder(SQLModel, table=True):
    __table_args__ = (
        Index("ix_holder_status_deadline", "status", "objection_deadline"),
        Index("ix_holder_purge_after", "purge_after"),
    )

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=32)
    nir_digest: str = Field(unique=True, index=True, max_length=64)
    vitale_digest: str = Field(max_length=64)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    birth_date: date
    sex: str = Field(default="", max_length=6)  # "female"/"male" from the NIR's first digit, for prevention
    postal_address: str = Field(default="", max_length=300)
    insurer: str | None = Field(default=None, max_length=100)  # the insurance fund, None: not filled in
    letter_email: str | None = Field(default=None, max_length=320)
    lang: str = Field(default="fr", max_length=5)

    status: SpaceStatus = Field(default=SpaceStatus.PENDING, max_length=16)
    code_digest: str = Field(max_length=64)
    code_expires_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    letter_sent_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    objection_deadline: datetime = _utc(nullable=False)  # type: ignore[assignment]
    objected_at: datetime | None = _utc(nullable=True)  # type: ignore[assignment]
    created_at: datetime | None = _utc(nullable=True)  # type: ignore[assignment]
    activated_at: datetime | None = _utc(nullable=True)  # type: ignore[assignment]
    closed_at: datetime | None = _utc(nullable=True)  # type: ignore[assignment]
    purge_after: datetime | None = _utc(nullable=True)  # type: ignore[assignment]

    email: str | None = Field(default=None, unique=True, index=True, max_length=320)
    password_hash: str | None = Field(default=None, max_length=256)
    otp_channel: OtpChannel = Field(default=OtpChannel.EMAIL, max_length=8)
    phone: str | None = Field(default=None, max_length=32)
    otp_failures: int = 0
    last_seq: int = 0  # the holder's change-feed sequence, bumped under a row lock
    last_vseq: int = 0  # the feed as the holder sees it: what is hidden from them takes no number
    last_gseq: int = 0  # the feed as a minor's parents see it: secret items take no number either
    log_seq: int = 0  # number of access-log entries; the chain's head is the last one's hash
    log_head: str = Field(default="", max_length=64)
    log_gseq: int = 0  # the access log's numbering as parents see it (secret items' lines skipped)
    attending_id: str | None = Field(default=None, max_length=32)
    emergency_access: bool = True  # break-glass by any professional when the holder cannot consent
    regulator_access: bool = True  # the SAMU-Centre 15 regulating physician during a call
    masked_in_emergency: bool = False  # masked documents readable in an emergency or regulator access
    # The holder's choices of profile sections professionals may read (section -> shared); a section
    # not chosen follows the access matrix's `shared_by_default` (sync/protocol/reference.py).
    profile_sharing: dict[str, bool] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # How accesses are told per channel (sync/protocol/alerts.py): "first", "every", "off"; "" = not
    # chosen (the product's former behaviour).
    alert_in_app: str = Field(default="", max_length=8)
    alert_email: str = Field(default="", max_length=8)
    alert_sms: str = Field(default="", max_length=8)
    locked_until: datetime | None = _utc(nullable=True)  # type: ignore[assignment]


# One login attempt between the password and the one-time code, and the device that asks.
class LoginChallenge(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    holder_id: str = Field(foreign_key="holder.id", index=True, max_length=32, ondelete="CASCADE")
    code_digest: str = Field(max_length=64)
    channel: OtpChannel = Field(max_length=8)
    expires_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    last_sent_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    resends: int = 0
    consumed: bool = False
    # A device already known (its key matched): the account's lock spares it, and its wrong codes
    # are counted here instead, five at most.
    known_device_id: str | None = Field(default=None, max_length=32)
    attempts: int = 0
    device_name: str = Field(default="", max_length=60)
    platform: str = Field(default="other", max_length=16)


# A signed-in device ("Appareils connectés"): one login (password and code) whose tokens rotate in
# place, so the row is the whole family of tokens descended from that login. Digests only.
class AuthSession(SQLModel, table=True):
    id: str = Field(default_factory=_uuid, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", index=True, max_length=32, ondelete="CASCADE")
    access_digest: str = Field(unique=True, index=True, max_length=64)
    access_expires_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    refresh_digest: str = Field(unique=True, index=True, max_length=64)
    refresh_expires_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    created_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    revoked: bool = False
    # Why it ended: logout, signed_out (from another device), password, closed, reuse (theft).
    revoked_reason: str = Field(default="", max_length=16)
    ends_at: datetime = _utc(nullable=False)  # type: ignore[assignment]  # absolute end: log in again
    last_used_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    # The refresh token rotated last: honoured once more, giving back the same pair (see sessions.py).
    prev_refresh_digest: str | None = Field(default=None, max_length=64)
    rotated_at: datetime | None = _utc(nullable=True)  # type: ignore[assignment]
    grace_used: bool = False
    pair_used: bool = True  # the pair of the last rotation was used (its access token or refresh)
    device_name: str = Field(default="", max_length=60)
    platform: str = Field(default="other", max_length=16)
    known_device_id: str | None = Field(default=None, max_length=32)


# A token bucket shared by every server process (rate limits on sensitive routes): `tat` is the
# generic cell rate algorithm's "theoretical arrival time", in milliseconds (services/ratelimit.py).
class RateCounter(SQLModel, table=True):
    key: str = Field(primary_key=True, max_length=96)
    tat: int = Field(sa_type=BigInteger)


# A record of a holder's space (measurement, note, document metadata...), as synced to devices.
class Record(SQLModel, table=True):
    __table_args__ = (
        Index("ix_record_holder_seq", "holder_id", "seq", unique=True),
        Index("ix_record_holder_collection_seq", "holder_id", "collection", "seq"),
        Index("ix_record_holder_vseq", "holder_id", "vseq"),
        Index("ix_record_holder_gseq", "holder_id", "gseq"),
    )

    holder_id: str = Field(foreign_key="holder.id", primary_key=True, max_length=32, ondelete="CASCADE")
    id: str = Field(primary_key=True, max_length=64)
    collection: str = Field(max_length=32)
    version: int
    seq: int = Field(sa_type=BigInteger)
    # The feed's numbers as the holder (`vseq`) and a minor's parents (`gseq`) see it; None: an item
    # hidden from them, which must leave no gap they could see. `seq` orders every record.
    vseq: int | None = Field(default=None, sa_type=BigInteger)
    gseq: int | None = Field(default=None, sa_type=BigInteger)
    deleted: bool = False
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(SealedJSON(), nullable=False))
    author: str = Field(default="holder", max_length=80)
    updated_at: datetime = _utc(nullable=False)  # type: ignore[assignment]


seal_fields(Record, "data")


# The last outbox sequence applied for each device of a holder (push is idempotent).
class SyncClient(SQLModel, table=True):
    holder_id: str = Field(foreign_key="holder.id", primary_key=True, max_length=32, ondelete="CASCADE")
    client_id: str = Field(primary_key=True, max_length=64)
    last_seq: int = Field(default=0, sa_type=BigInteger)


# A resumable upload of a document's bytes; identified per holder, audience and the bytes' SHA-256.
# The audience keeps de-duplication inside one secrecy boundary: bytes a professional hid from the
# patient ("patient") or from a minor's parents ("guardians") are never found by the holder's upload.
class Upload(SQLModel, table=True):
    __table_args__ = (Index("ix_upload_holder_sha", "holder_id", "sha256", "audience", unique=True),)

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", index=True, max_length=32, ondelete="CASCADE")
    sha256: str = Field(max_length=64)
    audience: str = Field(default="", max_length=10)  # "" everyone of the space, "guardians", "patient"
    size: int = Field(sa_type=BigInteger)
    offset: int = Field(default=0, sa_type=BigInteger)
    complete: bool = False
    created_at: datetime = _utc(nullable=False)  # type: ignore[assignment]


# A health professional of the directory; the API key stands in for the CPS card.
class Professional(SQLModel, table=True):
    id: str = Field(default_factory=_uuid, primary_key=True, max_length=32)
    rpps: str = Field(unique=True, index=True, max_length=11)
    first_name: str = Field(max_length=100)
    last_name: str = Field(index=True, max_length=100)
    profession: str = Field(max_length=40)
    specialty: str = Field(default="", max_length=40)
    city: str = Field(default="", max_length=100)
    api_key_digest: str = Field(unique=True, index=True, max_length=64)
    created_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    key_expires_at: datetime | None = _utc(nullable=True)  # type: ignore[assignment]
    revoked_at: datetime | None = _utc(nullable=True)  # type: ignore[assignment]  # struck off: no key works


# What a holder decided about one professional: authorised (for a time or for good), care team
# (declared with the holder's consent at a first access), revoked, blocked.
class Grant(SQLModel, table=True):
    __table_args__ = (Index("ix_grant_holder_pro", "holder_id", "professional_id", unique=True),)

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    professional_id: str = Field(foreign_key="professional.id", max_length=32)
    kind: str = Field(max_length=16)  # "holder" or "care_team"
    since: datetime = _utc(nullable=False)  # type: ignore[assignment]
    until: datetime | None = _utc(nullable=True)  # type: ignore[assignment]
    revoked_at: datetime | None = _utc(nullable=True)  # type: ignore[assignment]
    blocked: bool = False
    consent_at: datetime | None = _utc(nullable=True)  # type: ignore[assignment]
    first_access_at: datetime | None = _utc(nullable=True)  # type: ignore[assignment]
    secret_only: bool = False  # made only of a minor's secret acts: parents do not see it


# One access to a holder's record by someone else (allowed or refused), hash-chained per holder.
class AccessEntry(SQLModel, table=True):
    __table_args__ = (
        Index("ix_access_holder_pro", "holder_id", "actor_id", "seq"),
        Index("ix_access_holder_gseq", "holder_id", "gseq"),
    )

    holder_id: str = Field(foreign_key="holder.id", primary_key=True, max_length=32, ondelete="CASCADE")
    seq: int = Field(primary_key=True, sa_type=BigInteger)
    at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    actor_id: str = Field(max_length=32)
    actor_name: str = Field(max_length=200)
    profession: str = Field(max_length=40)
    action: str = Field(max_length=16)  # list, read, write, profile
    target: str = Field(default="", max_length=64)
    target_title: str = Field(default="", sa_column=Column(SealedText(), nullable=False))  # a title
    mode: str = Field(max_length=16)  # attending, authorised, care_team, emergency, regulator
    outcome: str = Field(max_length=8)  # allowed, refused
    detail: str = Field(default="", sa_column=Column(SealedText(), nullable=False))  # or emergency reason
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)  # HMAC of the entry and prev_hash under the log key `kid`
    gseq: int | None = Field(default=None, sa_type=BigInteger)  # parents' numbering; None: a secret item
    kid: str = Field(default="", max_length=64)


seal_fields(AccessEntry, "target_title", "detail")


# A message for the holder inside the app (first access by a professional, emergency access...).
class Notification(SQLModel, table=True):
    __table_args__ = (Index("ix_notification_holder_at", "holder_id", "at"),)

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    kind: str = Field(max_length=32)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(SealedJSON(), nullable=False))
    read: bool = False


seal_fields(Notification, "params")


# One reimbursement of health expenses, as imported from the insurer's systems.
class Reimbursement(SQLModel, table=True):
    __table_args__ = (Index("ix_reimbursement_holder_date", "holder_id", "care_date"),)

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    care_date: date
    care: str = Field(sa_column=Column(SealedText(), nullable=False))
    professional: str = Field(default="", sa_column=Column(SealedText(), nullable=False))
    paid_cents: int
    reimbursed_cents: int
    kind: str = Field(default="act", max_length=16)  # consultation, act, medicine, hospital
    label: str = Field(default="", sa_column=Column(SealedText(), nullable=False))  # a medicine, a stay


seal_fields(Reimbursement, "care", "professional", "label")


from backend_stub import apps_models  # noqa: E402, F401  (the catalogue of apps and their consents)
from backend_stub.accounts_models import AccountChallenge, KnownDevice, QueuedMessage  # noqa: E402, F401
from backend_stub.admin_models import CorrectionRequest  # noqa: E402, F401  (administrative data)
from backend_stub.children_models import Guardianship  # noqa: E402, F401  (parents of minors)
from backend_stub.key_models import HolderKey  # noqa: E402, F401  (holders' keys of sealed columns)
from backend_stub.messages_models import Conversation, MessageDelivery  # noqa: E402, F401  (secure messaging)
from backend_stub.report_models import AccessReport  # noqa: E402, F401  (reports of suspicious accesses)
from backend_stub.security_models import SecurityEvent  # noqa: E402, F401  (the operators' security log)
from backend_stub.share_models import ShareLink  # noqa: E402, F401  (document share links)
