"""The measurements' state against the real server in-process: validation, "are you sure?", BMI,
chart points, read-only readings of professionals and apps, CSV import."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import Session, select

from backend_stub.models.record import Record
from backend_stub.services.sequence import lock_holder, stamp
from mobile.app import VaultAppState
from mobile.measurements.state import (
    PAGE,
    AddReadingForm,
    MeasureState,
    Outcome,
    Reading,
    chart_summary,
    describe_author,
)
from mobile.shell.measure_words import format_value
from mobile.shell.state import Screen
from mobile.shell.words import error_text, text
from sync.protocol.errors import ErrorCode
from tests.mobile.conftest import AppServer
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import signed_in

PARIS = timezone(timedelta(hours=1))


@pytest.fixture
def world(app_server: AppServer) -> World:
    found = World(app_server, n=11)
    yield found  # type: ignore[misc]
    found.close()


@pytest.fixture
def state(world: World, tmp_path: Path) -> VaultAppState:
    return signed_in(world, tmp_path)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def typed(m: MeasureState, kind: str, value: str, second: str = "", *, at: datetime, note: str = "") -> None:
    m.new_reading(kind)
    local = at.astimezone(PARIS)
    m.add.set("value", value)
    m.add.set("second", second)
    m.add.set("date", local.strftime("%d/%m/%Y"))
    m.add.set("time", local.strftime("%H:%M"))
    m.add.set("note", note)


def add(
    m: MeasureState, kind: str, value: str, second: str = "", *, at: datetime, confirmed: bool = False
) -> None:
    typed(m, kind, value, second, at=at)
    assert m.submit(confirmed=confirmed, tz=PARIS) == Outcome.SAVED, m.add.errors


def stored(state: VaultAppState) -> list[dict[str, object]]:
    """What the encrypted store holds, read without the state (the truth the screens must show)."""
    store = state.vault.space.store  # type: ignore[union-attr]
    return [item.data for item in store.items("measurement")]


@pytest.mark.parametrize(
    ("kind", "value", "second", "field", "code"),
    [
        ("weight", "", "", "value", "error.measurements.value_empty"),
        ("weight", "soixante", "", "value", "error.measurements.value_number"),
        ("weight", "1000", "", "value", ErrorCode.MEASURE_IMPOSSIBLE),
        ("weight", "-3", "", "value", ErrorCode.MEASURE_IMPOSSIBLE),
        ("height", "-170", "", "value", ErrorCode.MEASURE_IMPOSSIBLE),
        ("temperature", "50", "", "value", ErrorCode.MEASURE_IMPOSSIBLE),
        ("blood_pressure", "125", "", "second", "error.measurements.value_empty"),
        ("blood_pressure", "80", "125", "second", ErrorCode.MEASURE_PRESSURE_ORDER),
        ("blood_pressure", "400", "80", "value", ErrorCode.MEASURE_IMPOSSIBLE),
        ("blood_pressure", "125", "5", "second", ErrorCode.MEASURE_IMPOSSIBLE),
        ("heart_rate", "0", "", "value", ErrorCode.MEASURE_IMPOSSIBLE),
        ("blood_glucose", "12", "", "value", ErrorCode.MEASURE_IMPOSSIBLE),
        ("waist", "300", "", "value", ErrorCode.MEASURE_IMPOSSIBLE),
    ],
)
def test_a_refused_value_shows_its_error_and_loses_nothing(
    state: VaultAppState, kind: str, value: str, second: str, field: str, code: str
) -> None:
    m = state.measures
    typed(m, kind, value, second, at=now(), note="à jeun")
    before = dict(m.add.values)
    assert m.submit(tz=PARIS) == Outcome.INVALID
    assert m.add.errors[field].code == code
    assert m.add.values == before
    assert m.add.confirm is None
    assert stored(state) == []
    message = error_text(m.add.errors[field], "fr")
    assert message != text(ErrorCode.SERVER_ERROR, "fr") and "{" not in message
    assert error_text(m.add.errors[field], "en") != message


def test_impossible_weight_says_the_range(state: VaultAppState) -> None:
    m = state.measures
    typed(m, "weight", "1000", at=now())
    m.submit(tz=PARIS)
    assert error_text(m.add.errors["value"], "fr") == (
        "Cette valeur est impossible : elle doit être comprise entre 0,3 et 400 kg. Vérifiez la saisie."
    )


@pytest.mark.parametrize(
    ("date", "time", "field", "code"),
    [
        ("31/02/2026", "08:00", "date", "error.measurements.date"),
        ("demain", "08:00", "date", "error.measurements.date"),
        ("01/01/1850", "08:00", "date", "error.measurements.date"),
        ("24/11/2026", "25:00", "time", "error.measurements.time"),
        ("24/11/2026", "midi", "time", "error.measurements.time"),
    ],
)
def test_date_and_time_must_be_readable(
    state: VaultAppState, date: str, time: str, field: str, code: str
) -> None:
    m = state.measures
    typed(m, "weight", "70", at=now())
    m.add.set("date", date)
    m.add.set("time", time)
    assert m.submit(tz=PARIS) == Outcome.INVALID
    assert m.add.errors[field].code == code
    assert stored(state) == []


def test_a_reading_in_the_future_or_with_a_long_note_is_refused(state: VaultAppState) -> None:
    m = state.measures
    typed(m, "weight", "70", at=now() + timedelta(days=1))
    assert m.submit(tz=PARIS) == Outcome.INVALID
    assert m.add.errors["date"].code == "error.measurements.future"
    typed(m, "weight", "70", at=now(), note="x" * 501)
    assert m.submit(tz=PARIS) == Outcome.INVALID
    assert m.add.errors["note"].code == "error.measurements.note_long"
    assert stored(state) == []


def test_an_unusual_value_asks_first_then_saves(state: VaultAppState) -> None:
    m = state.measures
    typed(m, "weight", "260", at=now())
    assert m.submit(tz=PARIS) == Outcome.CONFIRM
    assert stored(state) == []  # nothing saved before the answer
    assert (
        m.confirm_question("fr") == "260 kg est une valeur inhabituelle. Confirmez-vous qu'elle est juste ?"
    )
    assert m.confirm_question("en").startswith("260 kg is an unusual value")
    m.add.set("value", "261")  # changed: judged again
    assert m.add.confirm is None
    assert m.submit(tz=PARIS) == Outcome.CONFIRM
    assert m.submit(confirmed=True, tz=PARIS) == Outcome.SAVED
    assert [d["value"] for d in stored(state)] == [261]
    assert m.notice == "ui.measurements.added"
    assert m.add.values["value"] == ""  # a fresh form for the next reading

    typed(m, "blood_pressure", "220", "110", at=now())
    assert m.submit(tz=PARIS) == Outcome.CONFIRM
    assert m.confirm_question("fr").startswith("220/110 mmHg")


def test_a_good_reading_is_saved_now_by_default_with_decimal_comma(state: VaultAppState) -> None:
    m = state.measures
    moment = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)
    m.new_reading("weight", now=moment)
    local = moment.astimezone()
    assert m.add.values["date"] == local.strftime("%d/%m/%Y")
    assert m.add.values["time"] == local.strftime("%H:%M")
    m.add.set("value", "72,56")
    m.add.set("note", "  après le petit déjeuner ")
    assert m.submit(now=moment) == Outcome.SAVED
    (data,) = stored(state)
    assert data == {
        "kind": "weight",
        "value": 72.6,  # rounded to the kind's decimals
        "unit": "kg",
        "at": "2026-11-24T07:30:00+00:00",
        "note": "après le petit déjeuner",
        "source": "manual",
    }
    reading = m.latest("weight")
    assert reading is not None and reading.own and reading.pending
    assert format_value("weight", reading.value, None, "fr") == "72,6 kg"
    assert format_value("weight", 72.0, None, "en") == "72 kg"
    assert format_value("blood_glucose", 1.05, None, "fr") == "1,05 g/L"


def test_readings_newest_first_and_bmi_shown_never_stored(state: VaultAppState) -> None:
    m = state.measures
    t = now()
    assert m.bmi() is None
    add(m, "height", "175", at=t - timedelta(days=30))
    add(m, "weight", "80", at=t - timedelta(days=10))
    add(m, "weight", "70", at=t - timedelta(days=1))
    add(m, "weight", "75", at=t - timedelta(days=20))  # typed last, taken earlier
    assert [r.value for r in m.readings("weight")] == [70, 80, 75]
    assert m.bmi() == 22.9  # 70 kg, 1.75 m
    assert all("bmi" not in d for d in stored(state))
    assert {d["kind"] for d in stored(state)} == {"weight", "height"}
    store = state.vault.space.store  # type: ignore[union-attr]
    assert store.pending_count() == 4  # four readings queued, nothing else


def test_chart_points_are_the_stored_readings_of_each_period(state: VaultAppState) -> None:
    m = state.measures
    t = now()
    ages = [
        timedelta(hours=2),
        timedelta(hours=20),
        timedelta(days=3),
        timedelta(days=40),
        timedelta(days=200),
    ]
    ages.append(timedelta(days=400))
    for n, age in enumerate(ages):
        add(m, "weight", f"{70 + n}", at=t - age)
    add(m, "height", "175", at=t - timedelta(hours=1))  # another kind never shows
    truth = sorted(
        (datetime.fromisoformat(str(d["at"])), float(d["value"]))  # type: ignore[arg-type]
        for d in stored(state)
        if d["kind"] == "weight"
    )
    windows = {"day": timedelta(days=1), "month": timedelta(days=31), "year": timedelta(days=366)}
    counts = {}
    for period, span in windows.items():
        chart = m.chart("weight", period, now=t)
        expected = [(at, v) for at, v in truth if t - span <= at <= t]
        assert len(chart.series) == 1
        assert chart.series[0].points == expected
        assert [(r.at, r.value) for r in chart.readings] == expected
        counts[period] = len(expected)
    assert counts == {"day": 2, "month": 3, "year": 5}
    chart = m.chart("weight", "day", now=t)
    assert chart_summary(chart, "fr").startswith("2 mesures sur les dernières 24 heures, de 71 kg le ")
    assert " à 70 kg le " in chart_summary(chart, "fr")
    assert chart_summary(chart, "en").startswith("2 readings over the last 24 hours, from 71 kg on ")
    assert chart_summary(m.chart("waist", "year", now=t), "fr") == "Aucune mesure sur la dernière année."


def test_blood_pressure_draws_two_lines(state: VaultAppState) -> None:
    m = state.measures
    t = now()
    add(m, "blood_pressure", "125", "80", at=t - timedelta(days=2))
    add(m, "blood_pressure", "131", "86", at=t - timedelta(days=1))
    chart = m.chart("blood_pressure", "month", now=t)
    systolic, diastolic = chart.series
    assert (systolic.name, diastolic.name) == ("ui.measurements.systolic", "ui.measurements.diastolic")
    assert [v for _, v in systolic.points] == [125, 131]
    assert [v for _, v in diastolic.points] == [80, 86]
    assert [a for a, _ in systolic.points] == [a for a, _ in diastolic.points]
    assert "de 125/80 mmHg le " in chart_summary(chart, "fr")


def server_reading(world: World, record_id: str, author: str, data: dict[str, object]) -> None:
    """A reading written on the server by a professional or a connected app (not by the holder)."""
    with Session(world.server.ctx.engine) as session:
        lock_holder(session, world.me.id)
        record = Record(
            holder_id=world.me.id,
            id=record_id,
            collection="measurement",
            version=1,
            seq=0,
            author=author,
            updated_at=world.server.clock.now(),
            data=data,
        )
        stamp(session, record)
        session.add(record)
        session.commit()


def test_readings_of_a_professional_or_an_app_are_read_only_and_charted(
    world: World, state: VaultAppState
) -> None:
    m = state.measures
    t = now()
    add(m, "weight", "71", at=t - timedelta(days=3))
    at = (t - timedelta(days=1)).isoformat()
    server_reading(world, "scale-1", "app:balance", {"kind": "weight", "value": 70.2, "unit": "kg", "at": at})
    server_reading(
        world,
        "pro-1",
        "professional:abc",
        {
            "kind": "weight",
            "value": 70.8,
            "unit": "kg",
            "measured_at": (t - timedelta(days=2)).isoformat(),
            "author_name": "Alex Durand",
            "author_profession": "doctor",
        },
    )
    server_reading(world, "odd-1", "app:other", {"kind": "weight", "value": "lourd"})  # ignored, no crash
    server_reading(
        world,
        "scale-2",
        "app:zen",  # what the connected apps' API writes: the app's name and id in the record
        {
            "kind": "height",
            "value": 175,
            "unit": "cm",
            "at": at,
            "author_name": "Balance Zen",
            "source": "zen",
        },
    )
    assert state.sync_bar.sync()
    (named,) = m.readings("height")
    key, params = describe_author(named, "fr")
    assert text(key, "fr", **params) == "Ajoutée par Balance Zen : lecture seule"
    assert m.bmi() == 22.9  # 70.2 kg from the scale, 1.75 m: readings of any author count
    readings = m.readings("weight")
    assert [(r.value, r.own) for r in readings] == [(70.2, False), (70.8, False), (71, True)]
    app, pro, mine = readings

    def words(reading: Reading) -> str:
        key, params = describe_author(reading, "fr")
        return text(key, "fr", **params)

    assert words(app) == "Ajoutée par une application connectée : lecture seule"
    assert words(pro) == "Ajoutée par Alex Durand, Médecin : lecture seule"
    assert words(mine) == "Ajoutée par vous"
    assert not m.delete(app.id)
    assert m.banner is not None and m.banner.code == ErrorCode.SYNC_READ_ONLY
    assert [r.value for r in m.chart("weight", "month", now=t).readings] == [71, 70.8, 70.2]
    assert m.delete(mine.id)
    assert m.notice == "ui.measurements.deleted"
    assert [r.id for r in m.readings("weight")] == ["scale-1", "pro-1"]
    assert state.sync_bar.sync()
    with Session(world.server.ctx.engine) as session:
        rows = session.exec(select(Record).where(Record.holder_id == world.me.id, Record.id == mine.id)).all()
        assert [r.deleted for r in rows] == [True]


def test_readings_reach_the_server(world: World, state: VaultAppState) -> None:
    m = state.measures
    add(m, "blood_pressure", "125", "80", at=now() - timedelta(hours=1))
    add(m, "weight", "260", at=now() - timedelta(hours=2), confirmed=True)  # unusual but possible
    assert state.sync_bar.sync()
    line = state.sync_bar.line()
    assert line is not None and line.kind == "up_to_date"
    with Session(world.server.ctx.engine) as session:
        rows = session.exec(select(Record).where(Record.holder_id == world.me.id)).all()
        kept = sorted((r.data["kind"], r.data["value"], r.data.get("second")) for r in rows)
    assert kept == [("blood_pressure", 125, 80), ("weight", 260, None)]


CSV = (
    "date;type;valeur;valeur2;remarque\n"
    "20/11/2026 08:30;Poids;72,5;;\n"
    "21/11/2026 08:30;Poids;1000;;\n"
    "22/11/2026 08:30;Tension artérielle;125;80;matin\n"
    "hier;Poids;70;;\n"
    "23/11/2026 08:30;Poids;260;;\n"
    "23/11/2026 09:00;Pouls;70;;\n"
)


def test_csv_import_good_and_bad_lines_then_again(world: World, state: VaultAppState) -> None:
    m = state.measures
    moment = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    report = m.import_csv("mesures.csv", CSV.encode("cp1252"), now=moment, tz=PARIS)
    assert report is not None and m.report is report
    assert report.imported == 3 and report.already == 0
    assert [(p.line, p.code) for p in report.problems] == [
        (3, ErrorCode.MEASURE_IMPOSSIBLE),
        (5, "error.measurements.csv.date"),
        (7, "error.measurements.csv.kind"),
    ]
    assert [u.line for u in report.unusual] == [6]
    assert text(report.problems[2].code, "en", **report.problems[2].params).startswith(
        'the kind of measurement "Pouls" is unknown'
    )
    assert sorted((d["kind"], d["value"], d.get("second"), d["source"]) for d in stored(state)) == [
        ("blood_pressure", 125, 80, "csv"),
        ("weight", 72.5, None, "csv"),
        ("weight", 260, None, "csv"),
    ]
    pressure = m.latest("blood_pressure")
    assert pressure is not None and pressure.note == "matin"
    assert pressure.at == datetime(2026, 11, 22, 7, 30, tzinfo=UTC)

    again = m.import_csv("mesures.csv", CSV.encode("cp1252"), now=moment, tz=PARIS)
    assert again is not None and (again.imported, again.already) == (0, 3)
    assert len(stored(state)) == 3
    assert state.sync_bar.sync()
    once_more = m.import_csv(
        "copie.csv", CSV.replace(";", ",").replace("72,5", '"72,5"').encode(), now=moment, tz=PARIS
    )
    assert once_more is not None and once_more.imported == 0 and once_more.already == 3
    with Session(world.server.ctx.engine) as session:
        assert len(session.exec(select(Record).where(Record.holder_id == world.me.id)).all()) == 3

    typed(m, "weight", "68", at=datetime(2026, 11, 24, 6, 0, tzinfo=UTC))
    assert m.submit(now=moment, tz=PARIS) == Outcome.SAVED
    again = m.import_csv(
        "plus.csv", b"24/11/2026 07:00;Poids;68\n24/11/2026 07:05;Poids;68\n", now=moment, tz=PARIS
    )
    assert again is not None and (again.imported, again.already) == (1, 1)  # the typed one is already there


def test_csv_import_refuses_other_files(state: VaultAppState) -> None:
    m = state.measures
    assert m.import_csv("photo.png", b"\x89PNG") is None
    assert m.banner is not None and m.banner.code == "error.measurements.csv.type"
    assert m.import_csv("big.csv", b"x" * (1024 * 1024 + 1)) is None
    assert m.banner is not None and m.banner.code == "error.measurements.csv.too_large"
    assert m.import_csv("vide.csv", b"") is not None
    assert m.report is not None and [p.code for p in m.report.problems] == ["error.measurements.csv.empty"]
    assert stored(state) == []


def test_way_back_and_locking(state: VaultAppState) -> None:
    state.go(Screen.MEASUREMENTS)
    state.measures.open_kind("blood_pressure")
    state.go(Screen.MEASURE_KIND)
    state.measures.new_reading()
    assert state.measures.add.kind == "blood_pressure"
    state.go(Screen.MEASURE_ADD)
    for expected in (Screen.MEASURE_KIND, Screen.MEASUREMENTS, Screen.PROFILE):
        state.back()
        assert state.screen == expected
    add(state.measures, "weight", "70", at=now())
    state.logout()
    assert state.measures.all_readings() == []  # locked: nothing readable
    assert isinstance(state.measures.add, AddReadingForm)


def test_the_list_shows_a_page_then_more(state: VaultAppState) -> None:
    m = state.measures
    lines = "".join(f"{day:02d}/10/2026 08:00;Poids;{70 + day / 10:.1f}\n" for day in range(1, 32))
    report = m.import_csv("octobre.csv", lines.encode(), now=datetime(2026, 11, 24, tzinfo=UTC), tz=PARIS)
    assert report is not None and report.imported == 31
    m.open_kind("weight")
    assert m.shown == PAGE == 30
    m.show_more()
    assert m.shown == 60
    m.open_kind("height")
    assert m.shown == PAGE
    chart = m.chart("weight", "year", now=datetime(2026, 11, 24, tzinfo=UTC), readings=m.readings("weight"))
    assert len(chart.readings) == 31 and chart.series[0].points[0][1] == 70.1
