"""Appointments and check-up marks: what the app saves passes, what it would never save is refused."""

import pytest

from sync.protocol.agenda_records import appointment_problem, checkup_problem

GOOD = {
    "date": "2026-12-01",
    "time": "09:30",
    "professional": "Dr Morel",
    "place": "Cabinet",
    "reason": "",
    "notes": "",
    "reminder": "1d",
    "status": "planned",
}


def test_an_appointment_the_app_saves_is_accepted() -> None:
    assert not appointment_problem(GOOD)
    assert not appointment_problem(GOOD | {"professional": "", "reason": "Vaccin", "status": "cancelled"})


@pytest.mark.parametrize(
    "change",
    [
        {"date": "01/12/2026"},
        {"date": None},
        {"time": "9h30"},
        {"time": "24:00"},
        {"professional": "", "reason": ""},
        {"notes": "x" * 2001},
        {"place": 12},
        {"reminder": "3y"},
        {"status": "maybe"},
    ],
)
def test_an_appointment_the_app_would_not_save_is_refused(change: dict[str, object]) -> None:
    assert appointment_problem(GOOD | change)


def test_checkup_marks() -> None:
    assert not checkup_problem({"item": "breast_screening", "state": "done", "date": "2026-10-01"})
    assert not checkup_problem({"item": "vac_influenza", "state": "dismissed", "date": "2026-10-01"})
    assert checkup_problem({"item": "astrology", "state": "done", "date": "2026-10-01"})
    assert checkup_problem({"item": "breast_screening", "state": "maybe", "date": "2026-10-01"})
    assert checkup_problem({"item": "breast_screening", "state": "done", "date": "hier"})
