"""The CSV of readings a person picks: separators, dates, decimal comma, kinds, bad lines by number."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from sync.protocol.i18n import catalogue
from sync.protocol.readings_csv import (
    MAX_CSV_BYTES,
    decode,
    parse_number,
    parse_readings,
    reading_key,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
PARIS = timezone(timedelta(hours=1))  # November: UTC+1


def test_semicolon_decimal_comma_french_dates_and_a_header() -> None:
    text = (
        "date;type;valeur;valeur2;remarque\n"
        "20/11/2026 08:30;Poids;72,5;;après le sport\n"
        "21/11/2026;Tension artérielle;125;80;\n"
        "22/11/2026 7h05;glycemie;1,05\n"
    )
    parsed = parse_readings(text, NOW, PARIS)
    assert parsed.problems == []
    weight, pressure, glucose = parsed.readings
    assert (weight.line, weight.kind, weight.value, weight.second) == (2, "weight", 72.5, None)
    assert weight.at == datetime(2026, 11, 20, 7, 30, tzinfo=UTC)  # 08:30 in Paris
    assert weight.note == "après le sport"
    assert (pressure.kind, pressure.value, pressure.second) == ("blood_pressure", 125, 80)
    assert pressure.at == datetime(2026, 11, 21, 11, 0, tzinfo=UTC)  # a day alone: noon local
    assert (glucose.kind, glucose.value) == ("blood_glucose", 1.05)
    assert glucose.at == datetime(2026, 11, 22, 6, 5, tzinfo=UTC)


def test_comma_iso_dates_english_names_codes_and_no_header() -> None:
    text = (
        "2026-11-20T08:30:00Z,Weight,72.5\n"
        "2026-11-21T09:00+02:00,blood_pressure,130/85,,home\n"
        '2026-11-22,temperature,"37,8"\n'
        "2026-11-22 10:15,Heart rate,64\n"
    )
    parsed = parse_readings(text, NOW, PARIS)
    assert parsed.problems == []
    assert [(r.kind, r.value, r.second) for r in parsed.readings] == [
        ("weight", 72.5, None),
        ("blood_pressure", 130, 85),
        ("temperature", 37.8, None),
        ("heart_rate", 64, None),
    ]
    assert parsed.readings[0].at == datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    assert parsed.readings[1].at == datetime(2026, 11, 21, 7, 0, tzinfo=UTC)
    assert parsed.readings[1].note == "home"
    assert parsed.readings[3].at == datetime(2026, 11, 22, 9, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("24/11/2026;Poids;1000", "error.measure.impossible"),
        ("24/11/2026;Taille;-170", "error.measure.impossible"),
        ("24/11/2026;Tension;120", "error.measurements.csv.kind"),
        ("24/11/2026;Tension artérielle;120", "error.measure.diastolic_missing"),
        ("24/11/2026;Tension artérielle;80;120", "error.measure.pressure_order"),
        ("31/02/2026;Poids;70", "error.measurements.csv.date"),
        ("hier;Poids;70", "error.measurements.csv.date"),
        ("01/01/1850;Poids;70", "error.measurements.csv.date"),
        ("24/12/2026;Poids;70", "error.measurements.csv.future"),
        ("24/11/2026;Poids;soixante-dix", "error.measurements.csv.number"),
        ("24/11/2026;Tension artérielle;125;huit", "error.measurements.csv.number"),
        ("24/11/2026;Poids;70;71", "error.measurements.csv.extra_value"),
        ("24/11/2026;Poids", "error.measurements.csv.columns"),
        ("24/11/2026;Poids;70;;" + "x" * 501, "error.measurements.note_long"),
    ],
)
def test_each_bad_line_is_refused_with_its_reason(line: str, code: str) -> None:
    text = f"date;kind;value;value2;note\n20/11/2026;Poids;70\n{line}\n"
    parsed = parse_readings(text, NOW, PARIS)
    assert [r.value for r in parsed.readings] == [70]  # the good line still comes through
    assert [(p.line, p.code) for p in parsed.problems] == [(3, code)]


def test_every_reason_is_worded_in_french_and_english() -> None:
    codes = {
        "error.measurements.csv.columns",
        "error.measurements.csv.date",
        "error.measurements.csv.future",
        "error.measurements.csv.kind",
        "error.measurements.csv.number",
        "error.measurements.csv.extra_value",
        "error.measurements.csv.format",
        "error.measurements.csv.empty",
        "error.measurements.csv.too_large",
        "error.measurements.note_long",
        "error.measure.impossible",
        "error.measure.diastolic_missing",
        "error.measure.pressure_order",
        "ui.measurements.csv.unusual",
    }
    for lang in ("fr", "en"):
        assert codes <= set(catalogue(lang)), lang


def test_unusual_values_are_kept_and_listed_blank_lines_skipped_duplicates_counted() -> None:
    text = "\n20/11/2026;Poids;260\n\n20/11/2026;Poids;260\n21/11/2026;Poids;70\n"
    parsed = parse_readings(text, NOW, PARIS)
    assert [r.value for r in parsed.readings] == [260, 70]
    assert [(u.line, u.code) for u in parsed.unusual] == [(2, "ui.measurements.csv.unusual")]
    assert parsed.unusual[0].params == {"value": 260, "unit": "kg"}
    assert parsed.duplicates == 1
    assert parsed.problems == []


def test_empty_too_large_and_broken_files() -> None:
    assert [p.code for p in parse_readings("", NOW).problems] == ["error.measurements.csv.empty"]
    assert [p.code for p in parse_readings("date;kind;value\n", NOW).problems] == []
    huge = "20/11/2026;Poids;70\n" * (MAX_CSV_BYTES // 10)
    assert [p.code for p in parse_readings(huge, NOW).problems] == ["error.measurements.csv.too_large"]
    broken = parse_readings('20/11/2026;Poids;70\n"21/11/2026;Poids;71\x00', NOW, PARIS)
    assert [r.value for r in broken.readings] == [70]
    assert broken.problems and broken.problems[0].line == 2


def test_decode_number_and_key() -> None:
    assert decode("\ufeffdate;Poids".encode()) == "date;Poids"
    assert decode("Température".encode("cp1252")) == "Température"
    assert parse_number(" 72,5 ") == 72.5
    assert parse_number("72.5") == 72.5
    assert parse_number("1 000") == 1000
    assert parse_number("72,5,1") is None
    assert parse_number("") is None
    at = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
    assert reading_key("weight", at, 72.5, None) == reading_key("weight", at, 72.50000001, None)
    assert reading_key("weight", at, 72.5, None) != reading_key("weight", at, 72.6, None)
