"""What the shared record's screens (professionals, emergency, access log, notifications) share:
the holder's `RecordState`, and whether a screen is drawn for the first time since another one
was shown (so that it loads afresh)."""

from mobile.record_access.state import RecordState, record_of
from mobile.shell.widgets import Ui

__all__ = ["MY_SCREENS", "entering", "record"]

MY_SCREENS = frozenset(
    {"professionals", "emergency", "access-log", "notifications", "alerts", "profile-sharing"}
)


def record(ui: Ui) -> RecordState:
    return record_of(ui.state)


def entering(ui: Ui, screen: str) -> bool:
    """True on the first drawing of `screen` since another screen was shown (to load afresh)."""
    rec = record(ui)
    if rec.view_seen == screen:
        return False
    rec.view_seen = screen
    return True
