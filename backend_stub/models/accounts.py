"""Tables of the holder's account: the holder (enrolment to closure), logins, signed-in devices,
known devices, codes of account changes, queued messages."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from backend_stub.models.base import new_id, utc_column
from sync.protocol.schemas import OtpChannel, SpaceStatus


# The holder of a digital health space, from the insurer's enrolment to closure.
class Holder(SQLModel, table=True):
    __table_args__ = (
        Index("ix_holder_status_deadline", "status", "objection_deadline"),
        Index("ix_holder_purge_after", "purge_after"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
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
    code_expires_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    letter_sent_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    objection_deadline: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    objected_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]
    created_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]
    activated_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]
    closed_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]
    purge_after: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]

    email: str | None = Field(default=None, unique=True, index=True, max_length=320)
    password_hash: str | None = Field(default=None, max_length=256)
    otp_channel: OtpChannel = Field(default=OtpChannel.EMAIL, max_length=8)
    phone: str | None = Field(default=None, max_length=32)
    otp_failures: int = 0
    last_seq: int = 0  # the holder's change-feed sequence, bumped under a row lock
    last_vseq: int = 0  # the feed as the holder sees it: what is hidden from them takes no number
    last_gseq: int = 0  # the feed as a minor's parents see it: secret items take no number either
    last_hseq: int = 0  # the feed as a helper sees it: items masked from helpers, messages skipped
    last_hmseq: int = 0  # the same for a helper allowed the messages: masked items skipped
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
    locked_until: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]


# One login attempt between the password and the one-time code, and the device that asks.
class LoginChallenge(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    holder_id: str = Field(foreign_key="holder.id", index=True, max_length=32, ondelete="CASCADE")
    code_digest: str = Field(max_length=64)
    channel: OtpChannel = Field(max_length=8)
    expires_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    last_sent_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
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
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", index=True, max_length=32, ondelete="CASCADE")
    access_digest: str = Field(unique=True, index=True, max_length=64)
    access_expires_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    refresh_digest: str = Field(unique=True, index=True, max_length=64)
    refresh_expires_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    created_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    revoked: bool = False
    # Why it ended: logout, signed_out (from another device), password, closed, reuse (theft).
    revoked_reason: str = Field(default="", max_length=16)
    ends_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]  # absolute end: log in again
    last_used_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    # The refresh token rotated last: honoured once more, giving back the same pair (see sessions.py).
    prev_refresh_digest: str | None = Field(default=None, max_length=64)
    rotated_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]
    grace_used: bool = False
    pair_used: bool = True  # the pair of the last rotation was used (its access token or refresh)
    device_name: str = Field(default="", max_length=60)
    platform: str = Field(default="other", max_length=16)
    known_device_id: str | None = Field(default=None, max_length=32)


class KnownDevice(SQLModel, table=True):
    """A browser or phone that completed a login (password and code). Its key (a digest here)
    lets its owner through the per-account locks an attacker can set off from elsewhere."""

    __tablename__ = "known_device"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE", index=True)
    key_digest: str = Field(max_length=64, unique=True)
    created_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    last_login_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    forgotten_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]  # signed out


class AccountChallenge(SQLModel, table=True):
    """A one-time code proving a change of the account: a password reset, a new e-mail or phone, or
    a new code channel. A reset whose identifiers matched nobody gets one too, with no holder, so
    both cases do the same work (services/accounts.py)."""

    __tablename__ = "account_challenge"
    __table_args__ = (Index("ix_account_challenge_expires", "expires_at"),)

    id: str = Field(primary_key=True, max_length=64)
    holder_id: str | None = Field(default=None, foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    purpose: str = Field(max_length=8)  # reset, email, phone, channel
    value: str = Field(default="", max_length=320)  # the new e-mail, phone or channel
    channel: str = Field(default="email", max_length=8)  # where the code goes: email or sms
    code_digest: str = Field(default="", max_length=64)  # "" until the code is sent
    expires_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    attempts: int = 0
    consumed: bool = False


class QueuedMessage(SQLModel, table=True):
    """A letter or code to send after the answer was given, so the answer's timing says nothing of
    whom it concerned. Drained by the server's background sender and `send-queued`; the code is
    made when sending, so no code waits here in clear."""

    __tablename__ = "queued_message"
    __table_args__ = (Index("ix_queued_message_created", "created_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    kind: str = Field(max_length=16)  # new_code (a provisional code's letter), reset_code
    holder_id: str | None = Field(default=None, foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    challenge_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    claimed_until: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]
    attempts: int = 0
