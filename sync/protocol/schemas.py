"""Wire schemas of the account API: what the app sends and what the server answers.

Identifier fields are plain bounded strings here; their rules live in `identifiers` so the
server can answer a precise, translated error instead of a generic validation failure.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

Text = Field(max_length=256)


class SpaceStatus(StrEnum):
    """Life of a space: letter sent, objected, created after 6 weeks, active, closed."""

    PENDING = "pending"
    OBJECTED = "objected"
    CREATED = "created"
    ACTIVE = "active"
    CLOSED = "closed"


class OtpChannel(StrEnum):
    """Where the one-time login codes go."""

    EMAIL = "email"
    SMS = "sms"


class Identifiers(BaseModel):
    """The three identifiers that prove who is activating or objecting."""

    provisional_code: str = Field(max_length=64)
    nir: str = Field(max_length=64)
    vitale_serial: str = Field(max_length=64)


class IdentityCheck(BaseModel):
    """What the server says once the three identifiers match: whom they belong to."""

    first_name: str
    status: SpaceStatus
    code_expires_at: datetime


class ActivationRequest(Identifiers):
    """Activation: the identifiers again (nothing is kept between steps) plus the new login."""

    email: str = Field(max_length=320)
    password: str = Field(max_length=256)
    otp_channel: OtpChannel = OtpChannel.EMAIL
    phone: str | None = Field(default=None, max_length=32)


class NewLetterRequest(BaseModel):
    """Ask for a new provisional code when the first one expired or was lost."""

    nir: str = Field(max_length=64)
    vitale_serial: str = Field(max_length=64)


class LoginRequest(BaseModel):
    """First login step: identifier and password, and which device asks (see `account_schemas`):
    its name and platform for "Appareils connectés", and the key a past login gave it, if any."""

    email: str = Field(max_length=320)
    password: str = Field(max_length=256)
    device_name: str = Field(default="", max_length=200)
    platform: str = Field(default="", max_length=32)
    device_key: str = Field(default="", max_length=128)


class LoginChallenge(BaseModel):
    """A one-time code was sent; this says where (masked) and until when it is valid."""

    challenge_id: str
    channel: OtpChannel
    destination_hint: str
    expires_at: datetime
    resend_available_at: datetime


class OtpVerifyRequest(BaseModel):
    """Second login step: the six-digit code."""

    challenge_id: str = Field(max_length=64)
    code: str = Field(max_length=16)


class ChallengeRef(BaseModel):
    """Refers to a login challenge, e.g. to resend its code."""

    challenge_id: str = Field(max_length=64)


class TokenPair(BaseModel):
    """A short-lived access token and the refresh token that renews it."""

    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime
    token_type: Literal["bearer"] = "bearer"
    # Given once, at the first login of a device: sent with its next logins, it proves the device
    # is already known (per-account locks then spare its owner). None on refreshes.
    device_key: str | None = None


class RefreshRequest(BaseModel):
    """Trade a refresh token for a new pair (the old one stops working)."""

    refresh_token: str = Field(max_length=256)


class Me(BaseModel):
    """The holder's own account, as shown on the home screen."""

    id: str  # opaque; names the holder's vault folder on a device
    first_name: str
    last_name: str
    email: str
    status: SpaceStatus
    otp_channel: OtpChannel
    phone: str = ""  # where SMS codes go ("" = none yet)
    closed_at: datetime | None = None
    purge_after: datetime | None = None
    # For the prevention reminders (optional: older servers and sealed copies lack them).
    birth_date: date | None = None
    sex: Literal["female", "male", ""] = ""  # from the social security number's first digit


class CloseRequest(BaseModel):
    """Closing needs the password again: a stolen unlocked phone must not close a space."""

    password: str = Field(max_length=256)


class ErrorBody(BaseModel):
    """Every error the API returns: a code the app translates and its parameters."""

    code: str
    params: dict[str, Any] = {}


class Message(BaseModel):
    """Acknowledgement with a translatable message key (objection, new letter, logout)."""

    message: str
