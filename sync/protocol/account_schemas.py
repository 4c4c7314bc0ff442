"""Wire schemas of the account a person keeps: password change and reset, e-mail, phone and code
channel, and the devices signed in to the space ("Appareils connectés").

The device name comes from the client: it is cleaned here (no control characters, one space between
words, at most `DEVICE_NAME_MAX` characters) by both ends, and shown only inside the app; e-mails
and SMS name the platform only, from a fixed list, so no one can slip their own words into them.
"""

import unicodedata
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

DEVICE_NAME_MAX = 60
PLATFORMS = ("android", "ios", "web", "windows", "macos", "linux", "other")


def clean_device_name(name: str) -> str:
    """Printable characters only, whitespace collapsed, cut to `DEVICE_NAME_MAX`."""
    kept = "".join(
        " " if ch.isspace() else ch for ch in name if unicodedata.category(ch)[0] != "C" or ch.isspace()
    )
    return " ".join(kept.split())[:DEVICE_NAME_MAX].strip()


def clean_platform(platform: str) -> str:
    """One of `PLATFORMS` ("other" for anything else)."""
    value = platform.strip().lower()
    return value if value in PLATFORMS else "other"


class PasswordChangeRequest(BaseModel):
    """ "Changer mon mot de passe" in the settings: the current one, then the new one."""

    current_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)


class ResetRequest(BaseModel):
    """ "Mot de passe oublié ?": the social security number and the Vitale card serial."""

    nir: str = Field(max_length=64)
    vitale_serial: str = Field(max_length=64)


class ResetChallenge(BaseModel):
    """The same answer whether or not the identifiers matched: if they did, a code is on its way to
    the e-mail or phone where login codes go."""

    challenge_id: str
    expires_at: datetime


class ResetConfirm(BaseModel):
    """The code received and the new password (the same rules as at activation)."""

    challenge_id: str = Field(max_length=64)
    code: str = Field(max_length=16)
    new_password: str = Field(max_length=256)


ContactKind = Literal["email", "phone", "channel"]


class ContactChangeRequest(BaseModel):
    """A new e-mail, a new phone, or where login codes go ("email" or "sms"); the password again."""

    kind: ContactKind
    value: str = Field(max_length=320)
    password: str = Field(max_length=256)


class ContactChallenge(BaseModel):
    """A code was sent to the new contact (or to the chosen channel); where, masked."""

    challenge_id: str
    destination_hint: str
    expires_at: datetime


class ContactConfirm(BaseModel):
    """The code the new contact received."""

    challenge_id: str = Field(max_length=64)
    code: str = Field(max_length=16)


class DeviceOut(BaseModel):
    """One signed-in device or browser: what "Appareils connectés" lists."""

    id: str
    name: str
    platform: str
    first_used_at: datetime
    last_used_at: datetime
    current: bool  # the device asking
