"""Dates of a space's life: the 6-week objection window, closure archive, login lockout."""

from datetime import datetime, timedelta

from sync.protocol.schemas import SpaceStatus


def objection_deadline(letter_sent_at: datetime, *, weeks: int) -> datetime:
    """The person may object until this moment; after it the space is created."""
    return letter_sent_at + timedelta(weeks=weeks)


def can_object(status: SpaceStatus, deadline: datetime, now: datetime) -> bool:
    """Objection is possible only before any activation and within the window."""
    return status == SpaceStatus.PENDING and now < deadline


def purge_date(closed_at: datetime, *, years: int) -> datetime:
    """Archived data is deleted this long after closure (calendar years, 29 Feb -> 28 Feb)."""
    try:
        return closed_at.replace(year=closed_at.year + years)
    except ValueError:
        return closed_at.replace(year=closed_at.year + years, day=28)


# EHDS art. 9: the access log stays readable at least this long after the space closes, whatever
# the archive's length (`archive_years`); a space is purged only when both have passed.
LOG_KEPT_YEARS = 3


def log_kept_after(now: datetime) -> datetime:
    """A space closed after this moment still keeps its access log (3 calendar years back)."""
    return purge_date(now, years=-LOG_KEPT_YEARS)


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until
