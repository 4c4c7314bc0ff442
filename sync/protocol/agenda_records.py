"""What an appointment or a check-up mark written by the holder's app looks like: checked by the
app before saving and again by the server on push, so no device can store garbage in the agenda."""

import re
from datetime import date
from typing import Any

from sync.protocol import prevention

# Reminder delays offered before an appointment (the app maps them to durations).
REMINDERS = ("none", "1h", "1d", "2d", "1w")
TEXT_LIMITS = {"professional": 120, "place": 200, "reason": 200, "notes": 2000}
TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def _is_day(value: object) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def appointment_problem(data: dict[str, Any]) -> bool:
    """True when a holder's appointment record is not one the app would save."""
    texts = {name: data.get(name, "") for name in TEXT_LIMITS}
    return (
        not _is_day(data.get("date"))
        or not TIME.fullmatch(str(data.get("time", "")))
        or not all(isinstance(v, str) and len(v) <= TEXT_LIMITS[k] for k, v in texts.items())
        or not (texts["professional"] or texts["reason"])
        or data.get("reminder", "none") not in REMINDERS
        or data.get("status", "planned") not in ("planned", "cancelled")
    )


def checkup_problem(data: dict[str, Any]) -> bool:
    """True when a check-up mark does not name a known item, a state and a day."""
    known = {entry["id"] for entry in prevention.items()}
    return (
        data.get("item") not in known
        or data.get("state") not in (prevention.DONE, prevention.DISMISSED)
        or not _is_day(data.get("date"))
    )
