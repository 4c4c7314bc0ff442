"""Tables of the account a person keeps: known devices, codes of account changes, queued messages."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from backend_stub.models import _utc, _uuid


class KnownDevice(SQLModel, table=True):
    """A browser or phone that completed a login (password and code). Its key (a digest here)
    lets its owner through the per-account locks an attacker can set off from elsewhere."""

    __tablename__ = "known_device"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE", index=True)
    key_digest: str = Field(max_length=64, unique=True)
    created_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    last_login_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    forgotten_at: datetime | None = _utc(nullable=True)  # type: ignore[assignment]  # signed out


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
    expires_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    attempts: int = 0
    consumed: bool = False


class QueuedMessage(SQLModel, table=True):
    """A letter or code to send after the answer was given, so the answer's timing says nothing of
    whom it concerned. Drained by the server's background sender and `send-queued`; the code is
    made when sending, so no code waits here in clear."""

    __tablename__ = "queued_message"
    __table_args__ = (Index("ix_queued_message_created", "created_at"),)

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=32)
    kind: str = Field(max_length=16)  # new_code (a provisional code's letter), reset_code
    holder_id: str | None = Field(default=None, foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    challenge_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    claimed_until: datetime | None = _utc(nullable=True)  # type: ignore[assignment]
    attempts: int = 0
