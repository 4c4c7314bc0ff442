"""Turning errors and dates into words: every message the screens show comes through here.

`error_text` derives the values a message needs from what the server sent (a lock time in
UTC becomes local time, seconds become minutes) so the screens only ever hand over the error.
"""

import math
from datetime import datetime, tzinfo
from typing import Any

from sync.errors import SyncError
from sync.protocol.errors import ErrorCode
from sync.protocol.i18n import translate

__all__ = ["error_text", "format_date", "format_datetime", "text"]


class _Missing(dict[str, Any]):
    """Format map that leaves an unknown placeholder visible rather than failing."""

    def __missing__(self, key: str) -> str:
        return "…"


def text(key: str, lang: str, **params: Any) -> str:
    """The message for `key`, tolerant of a missing parameter (never raises on the screen)."""
    raw = translate(key, lang)
    try:
        return raw.format_map(_Missing(params))
    except (ValueError, IndexError, AttributeError):
        return raw


def _parse(moment: datetime | str) -> datetime | None:
    if isinstance(moment, datetime):
        return moment
    try:
        return datetime.fromisoformat(str(moment).replace("Z", "+00:00"))
    except ValueError:
        return None


def format_date(moment: datetime | str, lang: str, tz: tzinfo | None = None) -> str:
    """A day in local time, as people write it in France: 24/11/2036."""
    parsed = _parse(moment)
    if parsed is None:
        return str(moment)
    return parsed.astimezone(tz).strftime("%d/%m/%Y")


def format_datetime(moment: datetime | str, lang: str, tz: tzinfo | None = None) -> str:
    """A moment in local time: '24/11/2026 à 14:05' (fr) or '24/11/2026 at 14:05' (en)."""
    parsed = _parse(moment)
    if parsed is None:
        return str(moment)
    local = parsed.astimezone(tz)
    return text("ui.datetime", lang, date=local.strftime("%d/%m/%Y"), time=local.strftime("%H:%M"))


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
