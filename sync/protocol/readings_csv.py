"""Reading a CSV file of measurements the person picked: pure parsing, no I/O.

Columns: date, kind, value [, value2] [, note], with or without a header row. People export
these from spreadsheets and devices, so the parser accepts what a French spreadsheet writes:
`;` or `,` between columns, a decimal comma, French (24/11/2026 08:30) or ISO
(2026-11-24T08:30) dates, kinds by code or by their French or English name, and a blood
pressure as two columns or as "125/80". Every bad line is reported with its number and a
message key; good lines are judged by the same rules as a reading typed in the app.

A date without a time is taken at noon local time (it stays on its day in any time zone). A
date without a UTC offset is local wall time: the caller knows the device's time zone.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sync.protocol.measurements import Verdict, check, kinds

__all__ = [
    "MAX_CSV_BYTES",
    "MAX_NOTE",
    "CsvReading",
    "LineProblem",
    "ParsedCsv",
    "decode",
    "parse_number",
    "parse_readings",
    "reading_key",
]

MAX_CSV_BYTES = 1024 * 1024  # about 20,000 lines: far more than a person's history
MAX_NOTE = 500
_HEADER_NAMES: dict[str, str] = {
    "date": "date",
    "datetime": "date",
    "kind": "kind",
    "type": "kind",
    "mesure": "kind",
    "measure": "kind",
    "measurement": "kind",
    "value": "value",
    "valeur": "value",
    "value1": "value",
    "valeur1": "value",
    "systolic": "value",
    "systolique": "value",
    "value2": "value2",
    "valeur2": "value2",
    "diastolic": "value2",
    "diastolique": "value2",
    "note": "note",
    "notes": "note",
    "remarque": "note",
    "commentaire": "note",
    "comment": "note",
}
_POSITIONAL = ("date", "kind", "value", "value2", "note")
_FR_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T]+(\d{1,2})[:hH](\d{2})(?::(\d{2}))?)?")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class LineProblem:
    """A line of the file and what is wrong (or unusual) with it: a message key and its values."""

    line: int
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CsvReading:
    """A good line; `at` is in UTC."""

    line: int
    kind: str
    value: float
    second: float | None
    at: datetime
    note: str
    unusual: dict[str, Any] | None = None  # the value and unit when the value is unusual


@dataclass
class ParsedCsv:
    """The readings to import, the refused lines, and the unusual values imported anyway."""

    readings: list[CsvReading] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
    unusual: list[LineProblem] = field(default_factory=list)
    duplicates: int = 0  # lines repeating an earlier line of the same file


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), else Windows-1252 as French Excel writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _fold(value: str) -> str:
    """Lower case without accents or spaces: 'Tension artérielle' -> 'tensionarterielle'."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.casefold())


def _kind_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, spec in kinds().items():
        for name in (code, spec["fr"], spec["en"]):
            names[_fold(name)] = code
    return names


def parse_number(raw: str) -> float | None:
    """A number as people type it: '72,5', '72.5', ' 72 '; None when it is not one."""
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.fullmatch(text):
        return None
    return float(text.replace(",", "."))


def _moment(raw: str) -> datetime | None:
    text = raw.strip()
    match = _FR_DATE.fullmatch(text)
    try:
        if match:
            day, month, year, hour, minute, second = match.groups()
            return datetime(
                int(year), int(month), int(day), int(hour or 12), int(minute or 0), int(second or 0)
            )
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.fromisoformat(text).replace(hour=12)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}.*", text):
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return None


def _separator(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if first.count(";") >= max(1, first.count(",")) else ","


def _header(cells: list[str]) -> list[str] | None:
    """The column names when the first row is a header (its first cell names the date column)."""
    names = [_HEADER_NAMES.get(_fold(cell), "") for cell in cells]
    return names if names and names[0] == "date" else None


def reading_key(kind: str, at: datetime, value: float, second: float | None) -> str:
    """What makes two readings the same one (a file imported twice, a reading typed already)."""
    moment = at.replace(microsecond=0).isoformat()
    return f"{kind}|{moment}|{round(value, 3)}|{'' if second is None else round(second, 3)}"


def _aware(at: datetime, tz: tzinfo | None) -> datetime:
    """Local wall time (no offset in the file) in the device's time zone, then UTC."""
    if at.tzinfo is None:
        at = at.astimezone() if tz is None else at.replace(tzinfo=tz)
    return at.astimezone(UTC)


def _line(
    number: int, row: dict[str, str], names: dict[str, str], now: datetime, tz: tzinfo | None
) -> CsvReading | LineProblem:
    raw_date, raw_kind = row.get("date", ""), row.get("kind", "")
    raw_value, raw_second = row.get("value", ""), row.get("value2", "")
    if not raw_date.strip() or not raw_kind.strip() or not raw_value.strip():
        return LineProblem(number, "error.measurements.csv.columns")
    moment = _moment(raw_date)
    if moment is None or moment.year < 1900:
        return LineProblem(number, "error.measurements.csv.date", {"value": raw_date.strip()[:40]})
    at = _aware(moment, tz)
    if at > now + timedelta(minutes=5):
        return LineProblem(number, "error.measurements.csv.future", {"value": raw_date.strip()[:40]})
    kind = names.get(_fold(raw_kind))
    if kind is None:
        return LineProblem(number, "error.measurements.csv.kind", {"value": raw_kind.strip()[:40]})
    if "/" in raw_value and not raw_second.strip():  # "125/80"
        raw_value, raw_second = raw_value.split("/", 1)
    value = parse_number(raw_value)
    second = parse_number(raw_second) if raw_second.strip() else None
    if value is None or (raw_second.strip() and second is None):
        bad = raw_value if value is None else raw_second
        return LineProblem(number, "error.measurements.csv.number", {"value": bad.strip()[:40]})
    spec = kinds()[kind]
    if "second" not in spec and second is not None:
        return LineProblem(number, "error.measurements.csv.extra_value")
    verdict = check(kind, value, second)
    if verdict.verdict == Verdict.REFUSE:
        return LineProblem(number, verdict.message, dict(verdict.params or {}))
    note = row.get("note", "").strip()
    if len(note) > MAX_NOTE:
        return LineProblem(number, "error.measurements.note_long", {"max": MAX_NOTE})
    unusual = dict(verdict.params or {}) if verdict.verdict == Verdict.CONFIRM else None
    return CsvReading(number, kind, value, second, at, note, unusual)


def parse_readings(text: str, now: datetime, tz: tzinfo | None = None) -> ParsedCsv:
    """Every line of the file judged; `now` is aware (dates after it are refused), `tz` is the
    device's time zone (None: the system's).

    A file that is not a CSV of readings at all gives one problem on line 0."""
    result = ParsedCsv()
    if len(text.encode("utf-8", errors="replace")) > MAX_CSV_BYTES:
        result.problems.append(
            LineProblem(0, "error.measurements.csv.too_large", {"max_kb": MAX_CSV_BYTES // 1024})
        )
        return result
    names = _kind_names()
    seen: set[str] = set()
    columns: list[str] = list(_POSITIONAL)
    reader = csv.reader(io.StringIO(text), delimiter=_separator(text))
    first = True
    try:
        for cells in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if first:
                first = False
                header = _header(cells)
                if header is not None:
                    columns = header
                    continue
            row = {name: cell for name, cell in zip(columns, cells, strict=False) if name}
            found = _line(number, row, names, now, tz)
            if isinstance(found, LineProblem):
                result.problems.append(found)
                continue
            key = reading_key(found.kind, found.at, found.value, found.second)
            if key in seen:
                result.duplicates += 1
                continue
            seen.add(key)
            result.readings.append(found)
            if found.unusual is not None:
                result.unusual.append(LineProblem(number, "ui.measurements.csv.unusual", found.unusual))
    except csv.Error:
        result.problems.append(LineProblem(reader.line_num, "error.measurements.csv.format"))
    if first:
        result.problems.append(LineProblem(0, "error.measurements.csv.empty"))
    return result
