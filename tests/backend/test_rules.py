"""Pure date rules: the 6-week window, the 10-year archive, the lockout."""

from datetime import UTC, datetime, timedelta

from backend_stub.rules.lifecycle import (
    can_object,
    is_locked,
    objection_deadline,
    purge_date,
)
from sync.protocol.schemas import SpaceStatus

SENT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_window_is_six_weeks_to_the_second() -> None:
    deadline = objection_deadline(SENT, weeks=6)
    assert deadline == SENT + timedelta(days=42)
    assert can_object(SpaceStatus.PENDING, deadline, deadline - timedelta(seconds=1))
    assert not can_object(SpaceStatus.PENDING, deadline, deadline)


def test_only_pending_spaces_can_be_objected() -> None:
    deadline = objection_deadline(SENT, weeks=6)
    for status in (SpaceStatus.ACTIVE, SpaceStatus.OBJECTED, SpaceStatus.CLOSED, SpaceStatus.CREATED):
        assert not can_object(status, deadline, SENT)


def test_purge_date_is_ten_calendar_years_later_even_from_29_february() -> None:
    assert purge_date(datetime(2026, 6, 1, tzinfo=UTC), years=10) == datetime(2036, 6, 1, tzinfo=UTC)
    assert purge_date(datetime(2028, 2, 29, tzinfo=UTC), years=10) == datetime(2038, 2, 28, tzinfo=UTC)


def test_lock() -> None:
    assert not is_locked(None, SENT)
    assert is_locked(SENT + timedelta(minutes=1), SENT)
    assert not is_locked(SENT, SENT)
