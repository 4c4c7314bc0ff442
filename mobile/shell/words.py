"""Turning errors, dates and names into words: every message the screens show comes through here,
and a day or a time the person typed comes back through `parse_day` or `parse_time`.

`error_text` derives the values a message needs from what the server sent (a lock time in
UTC becomes local time, seconds become minutes) so the screens only ever hand over the error.
"""

import math
from datetime import date, datetime, time, tzinfo
from typing import Any

from sync.errors import SyncError
from sync.protocol.errors import ErrorCode
from sync.protocol.i18n import day_text, translate
from sync.protocol.message_format import MessageError
from sync.protocol.reference import professions

__all__ = [
    "display_name",
    "error_text",
    "format_date",
    "format_datetime",
    "parse_day",
    "parse_time",
    "profession_label",
    "text",
]


def text(key: str, lang: str, **params: Any) -> str:
    """The message for `key`; a missing parameter shows as '…' (never raises on the screen)."""
    try:
        return translate(key, lang, missing="…", **params)
    except MessageError:  # a malformed translation (the catalogue tests catch it): its key
        return key


def _parse(moment: datetime | str) -> datetime | None:
    if isinstance(moment, datetime):
        return moment
    try:
        return datetime.fromisoformat(str(moment).replace("Z", "+00:00"))
    except ValueError:
        return None


def format_date(moment: datetime | str, lang: str, tz: tzinfo | None = None) -> str:
    """A day in local time: 24/11/2036 (fr), 24 Nov 2036 (en)."""
    parsed = _parse(moment)
    if parsed is None:
        return str(moment)
    return day_text(parsed.astimezone(tz).date(), lang)


def format_datetime(moment: datetime | str, lang: str, tz: tzinfo | None = None) -> str:
    """A moment in local time: '24/11/2026 à 14:05' (fr) or '24 Nov 2026 at 14:05' (en)."""
    parsed = _parse(moment)
    if parsed is None:
        return str(moment)
    local = parsed.astimezone(tz)
    return text("ui.datetime", lang, date=day_text(local.date(), lang), time=local.strftime("%H:%M"))


def _retry_minutes(seconds: Any) -> int:
    try:
        return max(1, math.ceil(float(seconds) / 60))
    except (TypeError, ValueError):
        return 1


def error_text(err: SyncError, lang: str, tz: tzinfo | None = None) -> str:
    """The translated message of any error from `sync`, with the values it needs filled in."""
    params: dict[str, Any] = dict(err.params)
    if err.code == ErrorCode.ACCOUNT_LOCKED:
        params["until_local"] = format_datetime(params.get("until", ""), lang, tz)
    elif err.code == ErrorCode.RATE_LIMITED:
        params["retry_minutes"] = _retry_minutes(params.get("retry_after"))
    elif err.code == ErrorCode.OTP_RESEND_TOO_SOON:
        params.setdefault("retry_after", 60)
    if lang == "fr":  # 0,3 kg, not 0.3 kg
        params = {k: f"{v:g}".replace(".", ",") if isinstance(v, float) else v for k, v in params.items()}
    message = text(err.code, lang, **params)
    if message == err.code:  # a code this version of the app does not know
        return text(ErrorCode.SERVER_ERROR, lang)
    return message


# Who acts on another person's space from their own (services/children.py, services/helpers.py).
ACTING_FOR = ("guardian", "helper", "tutelle", "curatelle", "habilitation")


def profession_label(code: str, lang: str) -> str:
    """'Médecin' / 'Doctor' from the access matrix; the code itself if the matrix does not know it."""
    if code == "app":  # a connected app of the catalogue (services/apps.py)
        return text("ui.catalogue.profession.app", lang)
    if code == "share":  # a share link the holder made (services/shares.py)
        return text("ui.share.profession", lang)
    if code in ACTING_FOR:  # a parent, a helper or a representative acting on someone's space
        return text(f"ui.family.profession.{code}", lang)
    if code == "insurer":  # the insurer's agent deciding a correction (services/administrative.py)
        return text("ui.log.profession.insurer", lang)
    entry = professions().get(code)
    if not entry:
        return code
    return str(entry.get(lang) or entry.get("fr") or code)


def display_name(name: str, profession: str) -> str:
    """A doctor is called 'Dr' in both languages."""
    return f"Dr {name}" if profession == "doctor" and name else name


def parse_day(value: str) -> date | None:
    """A day typed as JJ/MM/AAAA (also with '-', '.' or spaces, or as AAAA-MM-JJ); None if not a day."""
    text = value.strip().replace("-", "/").replace(".", "/").replace(" ", "/")
    parts = [p for p in text.split("/") if p]
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    if len(parts[0]) == 4:
        parts = [parts[2], parts[1], parts[0]]
    try:
        day, month, year = (int(p) for p in parts)
        if year < 1900:
            return None
        return date(year, month, day)
    except ValueError:
        return None


def parse_time(value: str) -> time | None:
    """A time typed as 14:30, 14h30, 14h or 9.05; None when it is not one."""
    raw = value.strip().lower().replace("h", ":").replace(".", ":").replace(" ", "")
    if raw.endswith(":"):
        raw += "00"
    parts = raw.split(":")
    if len(parts) != 2 or not all(p.isdigit() and 1 <= len(p) <= 2 for p in parts):
        return None
    hour, minute = int(parts[0]), int(parts[1])
    return time(hour, minute) if hour < 24 and minute < 60 else None
