"""The agenda's state on a real vault: appointments, reminders with a movable clock, the
iCalendar export, check-ups marked done or dismissed, and notices without health content."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from mobile.agenda.state import DELAYS, AgendaState, parse_time
from mobile.app import VaultAppState
from mobile.shell.state import SECTIONS, Screen
from mobile.shell.words import text
from sync.protocol.calendar_export import from_ics
from sync.protocol.prevention import Status
from sync.protocol.sync_schemas import RecordOut
from tests.mobile.conftest import AppServer
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import signed_in

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
HEALTH_WORDS = ("cardio", "Dr", "Martin", "dépistage", "vaccin", "grippe", "rendez-vous", "appointment")


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def world(app_server: AppServer) -> World:
    found = World(app_server, n=23)
    yield found  # type: ignore[misc]
    found.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def app(world: World, tmp_path: Path, clock: Clock) -> VaultAppState:
    state = signed_in(world, tmp_path)
    state.agenda = AgendaState(state.vault, state.sync_bar, clock=clock, tz=UTC)
    return state


def fill(agenda: AgendaState, reminder: str = "1d", **values: str) -> None:
    assert agenda.form is not None
    for name, value in values.items():
        agenda.form.set(name, value)
    agenda.set_reminder(reminder)


def add(agenda: AgendaState, reminder: str = "1d", **values: str) -> str:
    agenda.start_add()
    fill(agenda, reminder, **values)
    found = agenda.save()
    assert found, agenda.form.errors if agenda.form else None
    return found


def test_the_agenda_section_opens_and_its_screens_go_back(app: VaultAppState) -> None:
    assert SECTIONS["agenda"] == Screen.AGENDA
    app.open_section("agenda")
    assert app.screen == Screen.AGENDA
    for screen in (Screen.APPOINTMENT, Screen.CHECKUPS):
        app.go(screen)
        app.back()
        assert app.screen == Screen.AGENDA
    app.back()
    assert app.screen == Screen.HOME


def test_add_change_cancel_and_the_two_views(app: VaultAppState, clock: Clock) -> None:
    agenda = app.agenda
    first = add(
        agenda, date="01/12/2026", time="14h30", professional="Dr Martin", place="Lyon", reason="Cardio"
    )
    add(agenda, date="30/11/2026", time="9:05", professional="", reason="Prise de sang", notes="À jeun")
    assert agenda.notice == "ui.agenda.added"
    assert [(a.day, a.at.strftime("%H:%M")) for a in agenda.upcoming()] == [
        (date(2026, 11, 30), "09:05"),
        (date(2026, 12, 1), "14:30"),
    ]
    assert agenda.past() == []

    assert agenda.start_edit(first)
    assert agenda.form is not None and agenda.form.values["time"] == "14:30"
    assert agenda.form.reminder == "1d"
    fill(agenda, "1w", place="Hôpital Édouard-Herriot", notes="Apporter l'ECG")
    assert agenda.save() == first
    changed = agenda.get(first)
    assert changed is not None
    assert (changed.place, changed.notes, changed.reminder) == (
        "Hôpital Édouard-Herriot",
        "Apporter l'ECG",
        "1w",
    )
    assert len(agenda.appointments()) == 2  # changed, not doubled

    assert agenda.cancel(first)
    cancelled = agenda.get(first)
    assert cancelled is not None and cancelled.cancelled and cancelled.reminder_at(UTC) is None
    assert agenda.cancel("nope") is False and agenda.banner is not None

    clock.move(days=10)  # 4 December: both are past now, the latest first
    assert agenda.upcoming() == []
    assert [a.day for a in agenda.past()] == [date(2026, 12, 1), date(2026, 11, 30)]
    assert app.vault.space is not None and app.vault.space.store is not None
    assert app.vault.space.store.pending_count() >= 2  # queued for the server


def test_a_bad_form_says_what_is_wrong_and_keeps_what_was_typed(app: VaultAppState) -> None:
    agenda = app.agenda
    agenda.start_add()
    fill(agenda, date="31/02/2026", time="25:00", notes="Garder ce texte")
    assert agenda.save() is None
    form = agenda.form
    assert form is not None
    assert set(form.errors) == {"date", "time", "professional"}
    assert form.errors["date"].code == "ui.agenda.error.date"
    assert form.errors["time"].code == "ui.agenda.error.time"
    assert form.values["notes"] == "Garder ce texte"

    fill(agenda, date="", time="", professional="Dr Martin")
    agenda.save()
    assert form.errors["date"].code == "ui.agenda.error.date_empty"
    assert form.errors["time"].code == "ui.agenda.error.time_empty"

    fill(agenda, date="20/11/2026", time="10:00")  # before the clock's now
    agenda.save()
    assert form.errors["date"].code == "ui.agenda.error.past"

    fill(agenda, date="20/12/2026", reason="x" * 201)
    agenda.save()
    assert form.errors["reason"].code == "ui.agenda.error.too_long"
    assert agenda.appointments() == []
    for key in ("date", "time", "who_or_why", "too_long", "past", "date_empty", "time_empty"):
        assert text(f"ui.agenda.error.{key}", "fr") != text(f"ui.agenda.error.{key}", "en")


def test_typed_times() -> None:
    assert [parse_time(v) for v in ("14:30", "14h30", "14h", "9.05", " 08 : 00 ")] == [
        datetime(2000, 1, 1, 14, 30).time(),
        datetime(2000, 1, 1, 14, 30).time(),
        datetime(2000, 1, 1, 14, 0).time(),
        datetime(2000, 1, 1, 9, 5).time(),
        datetime(2000, 1, 1, 8, 0).time(),
    ]
    assert [parse_time(v) for v in ("24:00", "12:60", "midi", "", "1:2:3")] == [None] * 5


@pytest.mark.parametrize(
    ("delay", "before"),
    [
        ("1h", timedelta(hours=1)),
        ("1d", timedelta(days=1)),
        ("2d", timedelta(days=2)),
        ("1w", timedelta(weeks=1)),
    ],
)
def test_reminders_fire_at_the_chosen_time(
    app: VaultAppState, clock: Clock, delay: str, before: timedelta
) -> None:
    agenda = app.agenda
    record = add(agenda, delay, date="10/12/2026", time="15:00", professional="Dr Martin")
    start = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)

    def fired() -> list[str]:
        return [n.target for n in agenda.notices() if n.kind == "appointment"]

    clock.now = start - before - timedelta(minutes=1)
    assert fired() == []
    clock.now = start - before
    assert fired() == [record]
    notice = next(n for n in agenda.notices() if n.kind == "appointment")
    assert notice.at == start - before and not notice.read
    assert notice.describe("fr") == "Rappel : rendez-vous avec Dr Martin le 10/12/2026 à 15:00"
    clock.now = start  # it has started: the reminder is over
    assert fired() == []


def test_no_reminder_chosen_or_cancelled_means_no_notice(app: VaultAppState, clock: Clock) -> None:
    agenda = app.agenda
    add(agenda, "none", date="10/12/2026", time="15:00", reason="Kiné")
    cancelled = add(agenda, "1h", date="10/12/2026", time="16:00", reason="Dentiste")
    agenda.cancel(cancelled)
    clock.now = datetime(2026, 12, 10, 15, 30, tzinfo=UTC)
    assert [n for n in agenda.notices() if n.kind == "appointment"] == []
    assert set(DELAYS) == {"none", "1h", "1d", "2d", "1w"}


def test_read_notices_stay_read_and_the_unread_count_drops(app: VaultAppState, clock: Clock) -> None:
    agenda = app.agenda
    add(agenda, "1h", date="24/11/2026", time="09:30", professional="Dr Martin")
    before = agenda.unread()
    notice = next(n for n in agenda.notices() if n.kind == "appointment")
    agenda.mark_read(notice.id)
    assert agenda.unread() == before - 1
    again = AgendaState(app.vault, app.sync_bar, clock=clock, tz=UTC)  # kept sealed in the store
    assert next(n for n in again.notices() if n.id == notice.id).read


def test_local_notifications_are_sent_once_without_health_content(app: VaultAppState, clock: Clock) -> None:
    agenda = app.agenda
    sent: list[tuple[str, str]] = []

    def platform(title: str, message: str) -> bool:
        sent.append((title, message))
        return True

    add(agenda, "1h", date="24/11/2026", time="09:30", professional="Dr Martin", reason="Cardiologie")
    assert agenda.push_local("fr") == 0  # no notification centre (web mode): nothing is sent
    agenda.local_notify = platform
    assert agenda.push_local("fr") >= 1
    assert sent == [("Mon espace santé", "Vous avez un rappel dans votre espace santé")]
    assert agenda.push_local("fr") == 0  # each notice once
    agenda.push_local("en")
    for lang in ("fr", "en"):
        for key in ("ui.agenda.local.title", "ui.agenda.local.text"):
            words = text(key, lang)
            assert not any(w.lower() in words.lower() for w in HEALTH_WORDS), words
    assert len(sent) == 1

    agenda.local_notify = lambda _t, _m: False  # a platform without a notification centre
    add(agenda, "1h", date="24/11/2026", time="09:45", reason="Radio")
    assert agenda.push_local("fr") == 0 and agenda.local_notify is None


def test_the_icalendar_export_parses_back_with_the_same_events(app: VaultAppState) -> None:
    agenda = app.agenda
    first = add(
        agenda, "1d", date="01/12/2026", time="14:30", professional="Dr Martin", place="Lyon", reason="Cardio"
    )
    second = add(agenda, "none", date="15/12/2026", time="08:00", reason="Prise de sang", notes="À jeun")
    agenda.cancel(second)

    name, data = agenda.export("fr")
    assert name == "agenda-sante.ics"
    events = {e.uid: e for e in from_ics(data)}
    assert set(events) == {first, second}
    one = events[first]
    assert one.start == datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
    assert (one.summary, one.location, one.cancelled) == ("Cardio – Dr Martin", "Lyon", False)
    assert one.alarm_before == timedelta(days=1)
    assert one.alarm_text == "Vous avez un rappel dans votre espace santé"
    two = events[second]
    assert (two.summary, two.description, two.cancelled, two.alarm_before) == (
        "Prise de sang",
        "À jeun",
        True,
        None,
    )

    parsed = Calendar.from_ical(data)  # a plain iCalendar reader sees the same
    assert parsed.get("version") == "2.0" and len(parsed.walk("VEVENT")) == 2

    name, data = agenda.export("fr", first)
    assert name == "rendez-vous-2026-12-01.ics"
    assert [e.uid for e in from_ics(data)] == [first]


def test_checkups_follow_the_holders_age_and_move_when_done(app: VaultAppState, clock: Clock) -> None:
    agenda = app.agenda
    me = app.vault.space.me if app.vault.space else None
    assert me is not None and me.birth_date == date(1985, 5, 1) and me.sex == "male"
    found = {r.item: r for r in agenda.reminders()}
    assert set(found) == {"vac_dtp_adult"}  # 41: the booster at 25 (nothing recorded yet)
    assert found["vac_dtp_adult"].status == Status.DUE

    agenda.start_done("vac_dtp_adult")
    assert agenda.done_form is not None and agenda.done_form.values["date"] == "24/11/2026"
    agenda.done_form.set("date", "01/01/2030")
    assert not agenda.mark_done() and agenda.done_form.errors["date"].code == "ui.agenda.error.future"
    agenda.done_form.set("date", "02/09/2026")
    assert agenda.mark_done()
    booster = next(r for r in agenda.reminders() if r.item == "vac_dtp_adult")
    assert (booster.status, booster.due) == (Status.DONE, date(2050, 5, 1))  # 45 is too close: at 65
    store = app.vault.space.store if app.vault.space else None
    assert store is not None
    vaccination = [i.data for i in store.items("profile_entry")]
    assert vaccination == [
        {
            "section": "vaccination",
            "vaccine": "dtp",
            "date": "2026-09-02",
            "batch": "",
            "by_whom": "",
            "notes": "",
        }
    ]

    clock.now = datetime(2035, 6, 1, 9, 0, tzinfo=UTC)  # at 50: the colorectal screening
    assert "colorectal_screening" in {r.item for r in agenda.reminders()}
    assert agenda.dismiss("colorectal_screening")
    assert "colorectal_screening" not in {r.item for r in agenda.reminders()}
    assert [i.data["state"] for i in store.items("checkup")] == ["dismissed"]


def test_due_checkups_become_notices(app: VaultAppState) -> None:
    agenda = app.agenda
    notices = [n for n in agenda.notices() if n.kind == "checkup"]
    assert [n.target for n in notices] == ["vac_dtp_adult"]
    assert notices[0].describe("fr") == "À faire : Rappel diphtérie-tétanos-poliomyélite (dTP)"
    assert notices[0].describe("en") == "To do: Diphtheria-tetanus-polio booster (Td-IPV)"


def test_a_locked_vault_shows_nothing(world: World, tmp_path: Path) -> None:
    state = VaultAppState(world.client, tmp_path)
    assert state.agenda.notices() == [] and state.agenda.unread() == 0 and state.agenda.reminders() == []
    state.agenda.start_add()
    fill(state.agenda, date="01/12/2030", time="10:00", reason="x")
    assert state.agenda.save() is None and state.agenda.form is not None and state.agenda.form.banner


def test_a_connected_apps_appointment_is_shown_read_only(app: VaultAppState) -> None:
    store = app.vault.space.store if app.vault.space else None
    assert store is not None
    from_app = RecordOut(
        id="a" * 32,
        collection="appointment",
        version=1,
        seq=1,
        deleted=False,
        data={"title": "Dentiste", "start": "2026-12-02T08:00:00+00:00", "place": "Lyon", "notes": ""},
        author="app:dentalapp",
        updated_at=START,
    )
    store.apply_changes([from_app], store.cursor())
    agenda = app.agenda
    shown = agenda.get("a" * 32)
    assert shown is not None and not shown.own
    assert (shown.day, shown.at.strftime("%H:%M"), shown.reason, shown.place) == (
        date(2026, 12, 2),
        "08:00",
        "Dentiste",
        "Lyon",
    )
    assert not agenda.cancel(shown.id) and agenda.banner is not None
    assert agenda.banner.code == "error.sync.read_only"

    mine = add(agenda, date="03/12/2026", time="10:00", reason="Kiné")  # what a connected app reads back
    assert store.get(mine).data["title"] == "Kiné"
    assert store.get(mine).data["start"] == "2026-12-03T10:00:00+00:00"


def test_times_are_the_persons_zone_not_the_app_servers(app: VaultAppState, clock: Clock) -> None:
    """A person in New York types 14:30: the appointment starts at 19:30 UTC, and the calendar
    file says so in UTC (not 14:30 UTC, which a calendar would show at 09:30 in New York)."""
    app.set_zone(ZoneInfo("America/New_York"))
    agenda = app.agenda
    assert agenda.tz == ZoneInfo("America/New_York")
    rid = add(agenda, "1h", date="01/12/2026", time="14:30", reason="Cardio")
    [one] = [a for a in agenda.appointments() if a.id == rid]
    assert one.start(agenda.tz) == datetime(2026, 12, 1, 19, 30, tzinfo=UTC)
    _, data = agenda.export("fr", rid)
    assert b"DTSTART:20261201T193000Z" in data
    assert [e.start for e in from_ics(data)] == [datetime(2026, 12, 1, 19, 30, tzinfo=UTC)]
    clock.now = datetime(2026, 12, 1, 18, 45, tzinfo=UTC)  # 13:45 in New York: the reminder is due
    assert [n for n in agenda.notices() if rid in n.id]
    clock.now = datetime(2026, 12, 1, 13, 45, tzinfo=UTC)  # 13:45 UTC is too early in New York
    assert not [n for n in agenda.notices() if rid in n.id]
