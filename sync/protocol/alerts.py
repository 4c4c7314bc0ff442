"""How the holder is told about accesses to their record, per channel (issue #17).

The in-app notification is always on; e-mail and SMS may be off. On each channel the holder
chooses "first access only" (each professional's first access, as the law requires at least) or
"every access" (each later access by a professional too). Emergency and regulator accesses are
always told, on every channel that is not off, whatever the choice. Other notices (a document or
a message added, a share link opened, a correction decided) go on every channel that is not off.

Until the holder chooses, the product keeps what it did before: in the app, and on the channel of
their one-time codes (an SMS when they chose SMS and gave a phone, else an e-mail), first access
only. The server stores the choice (`Holder.alert_*`, "" = not chosen) and the notifier asks
`channels` for every notice.
"""

from typing import Literal

from pydantic import BaseModel

__all__ = ["ACCESS", "CHANNELS", "AlertSettings", "channels", "effective"]

FIRST, EVERY, OFF = "first", "every", "off"
CHANNELS = ("in_app", "email", "sms")
ACCESS = "access"  # a professional's later access (their first is "first_access")
Choice = Literal["first", "every"]
Switchable = Literal["off", "first", "every"]


class AlertSettings(BaseModel):
    """The holder's choice per channel (the in-app one cannot be off)."""

    in_app: Choice = "first"
    email: Switchable = "first"
    sms: Switchable = "off"


def effective(stored: dict[str, str], *, otp_channel: str, has_phone: bool) -> AlertSettings:
    """The settings in force: what the holder stored, the former behaviour for what they did not."""
    by_sms = otp_channel == "sms" and has_phone
    default = AlertSettings(
        in_app="first", email="off" if by_sms else "first", sms="first" if by_sms else "off"
    )
    chosen = {name: value for name, value in stored.items() if value}
    return AlertSettings.model_validate(default.model_dump() | chosen)


def channels(settings: AlertSettings, kind: str, *, has_phone: bool) -> frozenset[str]:
    """The channels a notice of this kind goes to (an SMS needs a phone): a later access only
    where the holder chose "every access"; anything else (first, emergency and regulator accesses
    included) wherever the channel is not off."""
    found = set()
    for channel in CHANNELS:
        choice = getattr(settings, channel)
        if choice == OFF or (channel == "sms" and not has_phone):
            continue
        if kind != ACCESS or choice == EVERY:
            found.add(channel)
    return frozenset(found)
