"""The holder's measurements on this device, without a single control: screens render it, tests call it.

    MeasureState        readings per kind (newest first), BMI, chart series, add, delete, CSV import
      AddReadingForm    value(s), date and time (now by default), optional note; "are you sure?"
      Reading           one stored reading as the screens show it
      Chart             the series of one kind over a day, a month or a year
      ImportReport      what a CSV import did, line by line

Readings live in the encrypted store (collection "measurement") and sync like every record;
the server checks them again on push. BMI is derived from the latest weight and height and never
stored. Readings written by a professional or a connected app show their author and are read-only.

A reading's record: {"kind", "value", "second" (blood pressure only), "unit", "at" (UTC, ISO),
"note", "source"}. Records written elsewhere may name their moment "measured_at" or "date"; the
last change time stands in when none is given.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from mobile.shell.measure_words import format_value, unit_of
from mobile.shell.state import Form, delete_own, local_error
from mobile.shell.sync_state import SyncBar
from mobile.shell.vault import VaultState
from mobile.shell.words import format_date, parse_day, parse_time, profession_label, text
from sync.errors import SyncError
from sync.protocol.errors import ErrorCode
from sync.protocol.measurements import Verdict, bmi, check, kinds
from sync.protocol.readings_csv import (
    MAX_CSV_BYTES,
    MAX_NOTE,
    LineProblem,
    decode,
    parse_number,
    parse_readings,
    reading_key,
)
from sync.store import Item, Store

__all__ = [
    "PERIODS",
    "AddReadingForm",
    "Chart",
    "ImportReport",
    "MeasureState",
    "Outcome",
    "Reading",
    "chart_summary",
    "describe_author",
]

COLLECTION = "measurement"
PRO_PREFIX = "professional:"
# The chart's window, ending now: a day, a month (31 days: always reaches the same date of the
# previous month) or a year (366 days).
PERIODS: dict[str, timedelta] = {
    "day": timedelta(days=1),
    "month": timedelta(days=31),
    "year": timedelta(days=366),
}
PAGE = 30  # readings listed at first under the chart; "show more" adds as many
FUTURE_SLACK = timedelta(minutes=5)  # a phone's clock a little ahead is not "the future"


class Outcome(StrEnum):
    """What happened to a reading the person asked to save."""

    SAVED = "saved"
    CONFIRM = "confirm"  # unusual value: the screen asks "are you sure?"
    INVALID = "invalid"  # an error is shown under its field


@dataclass(frozen=True)
class Reading:
    """One stored reading: `at` in UTC; `own` is False for a professional's or an app's."""

    id: str
    kind: str
    value: float
    second: float | None
    at: datetime
    note: str
    own: bool
    author: str
    author_name: str
    author_profession: str
    pending: bool


@dataclass(frozen=True)
class Series:
    """One line of the chart: `name` is a label key ('' for a kind with one value)."""

    name: str
    points: list[tuple[datetime, float]]


@dataclass(frozen=True)
class Chart:
    """A kind's readings inside [start, end], oldest first, and the chart's lines."""

    kind: str
    period: str
    start: datetime
    end: datetime
    readings: list[Reading]
    series: list[Series]


@dataclass
class ImportReport:
    """What an import did: counts, refused lines, unusual values imported (each with its line)."""

    file_name: str
    imported: int = 0
    already: int = 0  # already in the space (the same file imported again) or twice in the file
    problems: list[LineProblem] = field(default_factory=list)
    unusual: list[LineProblem] = field(default_factory=list)


class AddReadingForm(Form):
    """A reading being typed: value (and diastolic for blood pressure), date, time, note."""

    fields = ("value", "second", "date", "time", "note")

    def __init__(
        self, client: Any, kind: str = "weight", now: datetime | None = None, tz: tzinfo | None = None
    ) -> None:
        super().__init__(client)
        self.kind = kind
        local = (now or datetime.now(UTC)).astimezone(tz)  # now, in the person's zone
        self.values["date"] = local.strftime("%d/%m/%Y")
        self.values["time"] = local.strftime("%H:%M")
        self.confirm: tuple[str, dict[str, Any]] | None = None  # the question to ask, when unusual

    def set(self, name: str, value: str) -> None:
        super().set(name, value)
        self.confirm = None  # a changed value must be judged again


# --- words ------------------------------------------------------------------------------------------


def describe_author(reading: Reading, lang: str) -> tuple[str, dict[str, str]]:
    """The key and values of 'Added by you', 'Added by <name>, <profession>' or 'Added by <app>'."""
    if reading.own:
        return "ui.measurements.author.you", {}
    if reading.author.startswith(PRO_PREFIX):
        return "ui.measurements.author.pro", {
            "name": reading.author_name or "?",
            "profession": profession_label(reading.author_profession, lang),
        }
    if reading.author_name:
        return "ui.measurements.author.named", {"name": reading.author_name}
    return "ui.measurements.author.app", {}


def chart_summary(chart: Chart, lang: str, tz: tzinfo | None = None) -> str:
    """What a screen reader says of the chart: '3 readings, from 70.5 kg on ... to 72 kg on ...'."""
    period = text(f"ui.measurements.period.{chart.period}.long", lang)
    if not chart.readings:
        return text("ui.measurements.chart.none", lang, period=period)
    first, last = chart.readings[0], chart.readings[-1]
    if len(chart.readings) == 1:
        return text(
            "ui.measurements.chart.one",
            lang,
            period=period,
            value=format_value(first.kind, first.value, first.second, lang),
            date=format_date(first.at, lang, tz),
        )
    return text(
        "ui.measurements.chart.many",
        lang,
        period=period,
        count=len(chart.readings),
        first=format_value(first.kind, first.value, first.second, lang),
        first_date=format_date(first.at, lang, tz),
        last=format_value(last.kind, last.value, last.second, lang),
        last_date=format_date(last.at, lang, tz),
    )


# --- reading the store --------------------------------------------------------------------------


def _float(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _moment(item: Item) -> datetime | None:
    for raw in (item.data.get("at"), item.data.get("measured_at"), item.data.get("date"), item.updated_at):
        if not raw:
            continue
        try:
            found = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
        except ValueError:
            continue
        if found.tzinfo is None:
            found = found.replace(tzinfo=UTC)
        return found.astimezone(UTC)
    return None


def reading_of(item: Item) -> Reading | None:
    """A stored record as a reading; None when it cannot be one (another app's odd record)."""
    d = item.data
    kind, value = str(d.get("kind") or ""), _float(d.get("value"))
    at = _moment(item)
    if kind not in kinds() or value is None or at is None:
        return None
    return Reading(
        id=item.id,
        kind=kind,
        value=value,
        second=_float(d.get("second")),
        at=at,
        note=str(d.get("note") or ""),
        own=not item.read_only,
        author=item.author,
        author_name=str(d.get("author_name") or ""),
        author_profession=str(d.get("author_profession") or ""),
        pending=item.pending,
    )


def _newest_first(readings: Iterable[Reading]) -> list[Reading]:
    return sorted(readings, key=lambda r: (r.at, r.id), reverse=True)


def _local(day: date, moment: time, tz: tzinfo | None) -> datetime:
    naive = datetime.combine(day, moment)
    aware = naive.astimezone() if tz is None else naive.replace(tzinfo=tz)
    return aware.astimezone(UTC)


def _rounded(kind: str, value: float) -> float:
    return round(value, int(kinds()[kind]["decimals"]))


# --- the state ----------------------------------------------------------------------------------


class MeasureState:
    """The holder's readings on this device; writes go through the store and ask for a sync."""

    def __init__(self, vault: VaultState, bar: SyncBar) -> None:
        self.vault, self.bar = vault, bar
        self.kind = "weight"  # the kind whose page is open
        self.period = "month"
        self.shown = PAGE  # how many readings the list shows
        self.tz: tzinfo | None = None  # the person's zone (None: this device's)
        self.add = AddReadingForm(vault.client)
        self.banner: SyncError | None = None
        self.notice = ""  # a message key: what just went well
        self.report: ImportReport | None = None
        self.busy = False

    # --- reading ----------------------------------------------------------------------------------
    def _store(self) -> Store | None:
        space = self.vault.space
        return space.store if space is not None else None

    def all_readings(self) -> list[Reading]:
        """Every reading of the space, of any author, newest first."""
        store = self._store()
        if store is None:
            return []
        found = (reading_of(item) for item in store.items(COLLECTION))
        return _newest_first(r for r in found if r is not None)

    def by_kind(self) -> dict[str, list[Reading]]:
        """Readings per kind (every kind present, maybe empty), newest first."""
        grouped: dict[str, list[Reading]] = {kind: [] for kind in kinds()}
        for reading in self.all_readings():
            grouped[reading.kind].append(reading)
        return grouped

    def readings(self, kind: str) -> list[Reading]:
        return self.by_kind().get(kind, [])

    def latest(self, kind: str) -> Reading | None:
        found = self.readings(kind)
        return found[0] if found else None

    def bmi(self, grouped: dict[str, list[Reading]] | None = None) -> float | None:
        """BMI from the latest weight and the latest height: shown, never stored."""
        grouped = grouped if grouped is not None else self.by_kind()
        weights, heights = grouped.get("weight", []), grouped.get("height", [])
        if not weights or not heights:
            return None
        return bmi(weights[0].value, heights[0].value)

    # --- the chart -----------------------------------------------------------------------------------
    def open_kind(self, kind: str) -> None:
        if kind in kinds():
            if kind != self.kind:
                self.shown = PAGE
            self.kind = kind
            self.banner, self.notice = None, ""

    def show_more(self) -> None:
        self.shown += PAGE

    def set_period(self, period: str) -> None:
        if period in PERIODS:
            self.period = period

    def chart(
        self,
        kind: str | None = None,
        period: str | None = None,
        now: datetime | None = None,
        readings: list[Reading] | None = None,
    ) -> Chart:
        """The stored readings of `kind` (or the `readings` of it already read) in the window
        ending now, oldest first; blood pressure draws two lines (systolic, diastolic)."""
        kind, period = kind or self.kind, period or self.period
        end = now or datetime.now(UTC)
        start = end - PERIODS[period]
        found = self.readings(kind) if readings is None else readings
        inside = sorted((r for r in found if start <= r.at <= end), key=lambda r: (r.at, r.id))
        if "second" in kinds()[kind]:
            series = [
                Series("ui.measurements.systolic", [(r.at, r.value) for r in inside]),
                Series(
                    "ui.measurements.diastolic",
                    [(r.at, r.second) for r in inside if r.second is not None],
                ),
            ]
        else:
            series = [Series("", [(r.at, r.value) for r in inside])]
        return Chart(kind, period, start, end, inside, series)

    # --- adding -----------------------------------------------------------------------------------
    def new_reading(self, kind: str | None = None, now: datetime | None = None) -> None:
        """An empty form for `kind`, dated now."""
        self.open_kind(kind or self.kind)
        self.add = AddReadingForm(self.vault.client, self.kind, now, self.tz)

    def _number(self, name: str) -> float | None:
        form = self.add
        raw = form.values[name].strip()
        if not raw:
            form.errors[name] = local_error("error.measurements.value_empty")
            return None
        value = parse_number(raw)
        if value is None:
            form.errors[name] = local_error("error.measurements.value_number")
        return value

    def _moment(self, now: datetime, tz: tzinfo | None) -> datetime | None:
        form = self.add
        day = parse_day(form.values["date"])
        if day is None:
            form.errors["date"] = local_error("error.measurements.date")
        moment = parse_time(form.values["time"])
        if moment is None:
            form.errors["time"] = local_error("error.measurements.time")
        if day is None or moment is None:
            return None
        at = _local(day, moment, tz)
        if at > now + FUTURE_SLACK:
            form.errors["date"] = local_error("error.measurements.future")
            return None
        return at

    def _file_refusal(self, kind: str, value: float, err: str, params: dict[str, Any]) -> None:
        """Put a refusal under the value it concerns (blood pressure: the first or the second)."""
        spec = kinds()[kind]
        about_second = err in (ErrorCode.MEASURE_DIASTOLIC_MISSING, ErrorCode.MEASURE_PRESSURE_ORDER)
        first_ok = spec["refuse_below"] <= value <= spec["refuse_above"]
        name = "second" if about_second or ("second" in spec and first_ok) else "value"
        self.add.errors[name] = SyncError(err, params)

    def submit(
        self, *, confirmed: bool = False, now: datetime | None = None, tz: tzinfo | None = None
    ) -> Outcome:
        """Check and save the typed reading. An impossible value is refused with its reason; an
        unusual one asks first (call again with `confirmed=True`). Nothing typed is lost."""
        form, kind = self.add, self.add.kind
        form.clear_errors()
        now = now or datetime.now(UTC)
        two = "second" in kinds()[kind]
        value = self._number("value")
        second = self._number("second") if two else None
        at = self._moment(now, tz or self.tz)
        note = form.values["note"].strip()
        if len(note) > MAX_NOTE:
            form.errors["note"] = local_error("error.measurements.note_long")
        if form.errors or value is None or at is None or (two and second is None):
            form.confirm = None
            return Outcome.INVALID
        value = _rounded(kind, value)
        second = _rounded(kind, second) if second is not None else None
        verdict = check(kind, value, second)
        if verdict.verdict == Verdict.REFUSE:
            self._file_refusal(kind, value, verdict.message, dict(verdict.params or {}))
            form.confirm = None
            return Outcome.INVALID
        if verdict.verdict == Verdict.CONFIRM and not confirmed:
            form.confirm = (verdict.message, {"value": value, "second": second})
            return Outcome.CONFIRM
        if not self._save(kind, value, second, at, note):
            return Outcome.INVALID
        self.add = AddReadingForm(self.vault.client, kind, tz=self.tz)
        self.notice = "ui.measurements.added"
        self.bar.kick()
        return Outcome.SAVED

    def _save(self, kind: str, value: float, second: float | None, at: datetime, note: str) -> bool:
        store = self._store()
        if store is None:
            self.add.banner = local_error(ErrorCode.AUTH_REQUIRED)
            return False
        store.put(COLLECTION, _record(kind, value, second, at, note, "manual"))
        return True

    def confirm_question(self, lang: str) -> str:
        """The "are you sure?" question of an unusual value, in the person's language."""
        if self.add.confirm is None:
            return ""
        key, values = self.add.confirm
        shown = format_value(self.add.kind, values["value"], values["second"], lang, unit=False)
        return text(key, lang, value=shown, unit=unit_of(self.add.kind))

    # --- deleting ---------------------------------------------------------------------------------
    def delete(self, record_id: str) -> bool:
        """Delete one of the holder's own readings (a professional's or an app's is refused)."""
        self.notice = ""
        self.banner = delete_own(self._store(), record_id)
        if self.banner is not None:
            return False
        self.notice = "ui.measurements.deleted"
        self.bar.kick()
        return True

    # --- CSV import -----------------------------------------------------------------------------
    def import_csv(
        self, file_name: str, data: bytes | None, *, now: datetime | None = None, tz: tzinfo | None = None
    ) -> ImportReport | None:
        """Import the good lines of a CSV file; bad lines are reported by number with their
        reason. A line already in the space (the same file again) is not imported twice."""
        self.banner, self.notice, self.report = None, "", None
        store = self._store()
        if store is None:
            self.banner = local_error(ErrorCode.AUTH_REQUIRED)
            return None
        if data is None or not file_name.lower().endswith((".csv", ".txt")):
            self.banner = local_error("error.measurements.csv.type")
            return None
        if len(data) > MAX_CSV_BYTES:
            self.banner = SyncError("error.measurements.csv.too_large", {"max_kb": MAX_CSV_BYTES // 1024})
            return None
        parsed = parse_readings(decode(data), now or datetime.now(UTC), tz or self.tz)
        report = ImportReport(file_name, already=parsed.duplicates, problems=parsed.problems)
        known = {reading_key(r.kind, r.at, r.value, r.second) for r in self.all_readings()}
        imported: set[int] = set()
        for found in parsed.readings:
            value = _rounded(found.kind, found.value)
            second = _rounded(found.kind, found.second) if found.second is not None else None
            key = reading_key(found.kind, found.at, value, second)
            if key in known:
                report.already += 1
                continue
            known.add(key)
            # The same line gets the same id on every device: two imports of one file converge.
            record_id = "csv-" + hashlib.sha256(key.encode()).hexdigest()[:40]
            store.put(COLLECTION, _record(found.kind, value, second, found.at, found.note, "csv"), record_id)
            report.imported += 1
            imported.add(found.line)
        report.unusual = [u for u in parsed.unusual if u.line in imported]
        self.report = report
        if report.imported:
            self.bar.kick()
        return report


def _record(
    kind: str, value: float, second: float | None, at: datetime, note: str, source: str
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": kind,
        "value": value,
        "unit": unit_of(kind),
        "at": at.astimezone(UTC).isoformat(),
        "note": note,
        "source": source,
    }
    if second is not None:
        data["second"] = second
    return data
