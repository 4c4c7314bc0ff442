"""The prevention calendar as reminders: what is due for one person on one day, and why.

Pure: the person (birth date, sex), the day (`today`, the clock as a parameter), the recorded
vaccinations and the check-up marks go in; the reminders come out. The calendar itself is data
(`assets/reference/prevention.json`); each item has a schedule:

    series      numbered doses at ages (infant vaccines, HPV, shingles, pneumococcus from 65): a
                recorded dose moves the next one (never sooner than `gap` after the last); a
                `late` plan replaces the doses when the series starts from its age (HPV from 15:
                3 doses, each `gaps[i]` after the one before)
    once        one check-up in an age window (child examinations, M'T dents, bilans)
    every       every `interval` between two ages (breast and colorectal screening)
    boosters    at fixed ages then every N years (adult dTP): a dose moves the next booster
    seasonal    every autumn campaign from an age (flu, COVID-19)
    cervical    cytology at 25 and 26, 3 years later, then an HPV test every 5 years from 30

A reminder shows `lead` before its date (upcoming), is due in its window, overdue after it (for
`catch_up`, or until `show_until` for vaccines), and shows as done for `done_shown` after it was
done when nothing else is due. A dismissed reminder stays hidden until its next occurrence.

A reminder due or overdue for more than `stale` (one year), outside an open window, is shown as
due now, dated from the person's latest birthday (`since_long`): with nothing recorded, "due
since 15/06/2000" to a 52-year-old would be both useless and alarming; the birthday is their own
date and stays the same for a year (the bell does not announce it again every day). The data
file's `_about` says why.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sync.protocol.reference import load_reference

__all__ = [
    "CheckupMark",
    "Person",
    "Reminder",
    "Status",
    "Vaccination",
    "add_duration",
    "due_items",
    "item",
    "items",
    "last_birthday",
    "marks_from",
    "sex_from_nir",
    "vaccinations_from",
]

_DURATION = re.compile(r"^(\d+)([dwmy])$")
DONE, DISMISSED = "done", "dismissed"


class Status(StrEnum):
    """Where a reminder stands on the day asked."""

    OVERDUE = "overdue"  # its window has passed (still worth doing)
    DUE = "due"  # to do now
    UPCOMING = "upcoming"  # soon (within its lead time)
    DONE = "done"  # done recently, nothing else due


@dataclass(frozen=True)
class Person:
    birth: date
    sex: str = ""  # "female", "male" or "" (unknown: sex-specific items are left out)


@dataclass(frozen=True)
class Vaccination:
    vaccine: str  # a code of assets/reference/vaccines.json
    day: date


@dataclass(frozen=True)
class CheckupMark:
    item: str
    state: str  # "done" or "dismissed"
    day: date


@dataclass(frozen=True)
class Reminder:
    """One line of the check-up list: which item, where it stands, its dates and why it shows."""

    item: str
    category: str  # vaccination, child_exam, dental, screening, prevention_check
    status: Status
    due: date | None  # from when (None: nothing left, for a done item)
    until: date | None = None  # end of the window, when it has one
    dose: int = 0  # the dose to give (series), 0 otherwise
    doses: int = 0
    last_done: date | None = None
    vaccines: tuple[str, ...] = field(default_factory=tuple)
    since_long: bool = False  # due for more than `stale`: "à faire", dated from the last birthday

    def label(self, lang: str) -> str:
        return _words(item(self.item)["label"], lang)

    def reason(self, lang: str) -> str:
        return _words(item(self.item)["reason"], lang)


def _words(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts["fr"]


# --- the data ----------------------------------------------------------------------------------


def _calendar() -> dict[str, Any]:
    return load_reference("prevention.json")


def items() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = _calendar()["items"]
    return found


def item(item_id: str) -> dict[str, Any]:
    """One calendar item by id (KeyError for an unknown one)."""
    for entry in items():
        if entry["id"] == item_id:
            return entry
    raise KeyError(item_id)


def _default(name: str) -> str:
    value: str = _calendar()["_defaults"][name]
    return value


def add_duration(day: date, duration: str) -> date:
    """`day` plus '8d', '2w', '11m' or '25y' (the 31st + 1 month is the last day of that month)."""
    match = _DURATION.match(duration)
    if match is None:
        raise ValueError(f"bad duration {duration!r}")
    count, unit = int(match.group(1)), match.group(2)
    if unit == "d":
        return day + timedelta(days=count)
    if unit == "w":
        return day + timedelta(weeks=count)
    months = count * (12 if unit == "y" else 1)
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for dom in (day.day, 30, 29, 28):
        try:
            return date(year, month, dom)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def sex_from_nir(nir: str) -> str:
    """The sex the social security number's first digit records (1/3/7 man, 2/4/8 woman)."""
    first = nir.strip()[:1]
    return "male" if first in "137" and first else "female" if first in "248" and first else ""


# --- from the device store's records --------------------------------------------------------------


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def vaccinations_from(records: Iterable[dict[str, Any]]) -> list[Vaccination]:
    """Vaccinations out of `profile_entry` records' data (section 'vaccination', vaccine, date)."""
    found = []
    for data in records:
        day = _day(data.get("date"))
        if data.get("section") == "vaccination" and data.get("vaccine") and day is not None:
            found.append(Vaccination(str(data["vaccine"]), day))
    return found


def marks_from(records: Iterable[dict[str, Any]]) -> list[CheckupMark]:
    """Done and dismissed marks out of `checkup` records' data (item, state, date)."""
    found = []
    for data in records:
        day = _day(data.get("date"))
        if data.get("item") and data.get("state") in (DONE, DISMISSED) and day is not None:
            found.append(CheckupMark(str(data["item"]), str(data["state"]), day))
    return found


# --- the rules --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Next:
    """The next occurrence of an item: its window, and hidden when dismissed."""

    due: date
    until: date | None = None
    dose: int = 0
    doses: int = 0
    overdue_until: date | None = None  # after this, a missed occurrence is no longer shown
    dismissed: bool = False


@dataclass
class _Facts:
    person: Person
    today: date
    done: list[date]  # doses or done marks, oldest first
    dismissed: list[date]

    def at(self, age: str) -> date:
        return add_duration(self.person.birth, age)

    def dismissed_since(self, day: date) -> bool:
        return any(d >= day for d in self.dismissed)


def _series(entry: dict[str, Any], f: _Facts) -> _Next | None:
    counts_from = f.at(entry.get("counts_from", "0d"))
    doses = [d for d in f.done if d >= counts_from]
    if _late(entry, f, doses):
        return _late_series(entry, f, doses)
    plan = entry["doses"]
    if len(doses) >= len(plan):
        return None
    window = plan[len(doses)]
    due = f.at(window["from"])
    if doses:
        due = max(due, add_duration(doses[-1], entry.get("gap", "1m")))
    until = None
    if "until" in window:
        until = due + (f.at(window["until"]) - f.at(window["from"]))
    show_until = f.at(entry["show_until"]) if "show_until" in entry else None
    dismissed = f.dismissed_since(doses[-1] if doses else date.min)
    return _Next(due, until, len(doses) + 1, len(plan), show_until, dismissed)


def _late(entry: dict[str, Any], f: _Facts, doses: list[date]) -> bool:
    """The series starts from its `late` age: the first dose was given then, or none was before."""
    if "late" not in entry:
        return False
    late_from = f.at(entry["late"]["from"])
    return doses[0] >= late_from if doses else f.today >= late_from


def _late_series(entry: dict[str, Any], f: _Facts, doses: list[date]) -> _Next | None:
    """A catch-up plan: the first dose from the late age, each next one `gaps[i]` after the one
    before (HPV from 15: 3 doses at 0, 2 and 6 months)."""
    gaps = entry["late"]["gaps"]
    if len(doses) > len(gaps):
        return None
    due = add_duration(doses[-1], gaps[len(doses) - 1]) if doses else f.at(entry["late"]["from"])
    show_until = f.at(entry["show_until"]) if "show_until" in entry else None
    dismissed = f.dismissed_since(doses[-1] if doses else date.min)
    return _Next(due, None, len(doses) + 1, len(gaps) + 1, show_until, dismissed)


def _once(entry: dict[str, Any], f: _Facts) -> _Next | None:
    start, end = f.at(entry["at"]["from"]), f.at(entry["at"]["until"])
    if f.done:
        return None
    catch_up = add_duration(end, entry.get("catch_up", _default("catch_up")))
    return _Next(start, end - timedelta(days=1), overdue_until=catch_up, dismissed=bool(f.dismissed))


def _every(entry: dict[str, Any], f: _Facts) -> _Next | None:
    start, end = f.at(entry["start"]), f.at(entry["end"])
    last = max((d for d in f.done + f.dismissed if d >= start - timedelta(days=366)), default=None)
    due = max(add_duration(last, entry["interval"]), start) if last else start
    return _cycle(entry, f.today, due, end, known=last is not None)


def _boosters(entry: dict[str, Any], f: _Facts) -> _Next | None:
    """The first booster age more than `gap` after the last dose; with no dose recorded, the
    last booster age already reached (or the first one to come)."""
    step = int(entry["then_every"][:-1])
    ages = [int(a[:-1]) for a in entry["ages"]]
    while ages[-1] < 120:
        ages.append(ages[-1] + step)
    slots = [f.at(f"{a}y") for a in ages]
    last = max(f.done + f.dismissed, default=None)
    if last is None:
        reached = [s for s in slots if s <= f.today]
        return _cycle(entry, f.today, reached[-1] if reached else slots[0], None, known=False)
    for due in slots:
        if due > add_duration(last, entry["gap"]):
            return _cycle(entry, f.today, due, None, known=True)
    return None


def _seasonal(entry: dict[str, Any], f: _Facts) -> _Next | None:
    """This autumn's campaign, or the next one once a dose counts for this one."""
    season = entry["season"]
    start = f.at(entry["start"])

    def md(value: str, year: int) -> date:
        month, day = (int(p) for p in value.split("-"))
        return date(year, month, day)

    def campaign(year: int) -> tuple[date, date, date]:  # opens, closes (next year), doses count from
        opens = md(season["from"], year)
        return opens, md(season["until"], year + 1), md(season["counts_from"], year)

    year = f.today.year if f.today >= campaign(f.today.year)[2] else f.today.year - 1
    while True:
        opens, closes, counts = campaign(year)
        if closes >= f.today and closes >= start and not any(d >= counts for d in f.done + f.dismissed):
            return _Next(max(opens, start), closes, overdue_until=closes)
        year += 1


def _cervical(entry: dict[str, Any], f: _Facts) -> _Next | None:
    start, end = f.at(entry["start"]), f.at(entry["end"])
    hpv_from = f.at(entry["hpv_from"])
    done = sorted(d for d in f.done + f.dismissed if d >= start - timedelta(days=366))
    if not done:
        due = start
    elif done[-1] >= hpv_from:
        due = add_duration(done[-1], entry["hpv_interval"])
    elif len(done) <= len(entry["cytology_gaps"]):
        due = add_duration(done[-1], entry["cytology_gaps"][len(done) - 1])
    else:
        due = add_duration(done[-1], entry["hpv_gap_after_cytology"])
    return _cycle(entry, f.today, due, end, known=bool(done))


def _cycle(entry: dict[str, Any], today: date, due: date, end: date | None, *, known: bool) -> _Next | None:
    """A recurring occurrence: due, then overdue after `grace`; none past the programme's end.

    With nothing recorded it is only 'due' (the app cannot know it is late). A dismissal already
    moved `due`: like a done one, it starts the next cycle."""
    if end is not None and (due >= end or today >= end):
        return None
    grace = entry.get("grace")
    until = add_duration(due, grace) if grace and known else None
    return _Next(due, until, overdue_until=end - timedelta(days=1) if end else None)


def _over(entry: dict[str, Any], f: _Facts) -> date:
    """The day from which an item no longer concerns the person at all."""
    if "show_until" in entry:
        return f.at(entry["show_until"])
    if entry["schedule"] == "once":
        return add_duration(f.at(entry["at"]["until"]), entry.get("catch_up", _default("catch_up")))
    if "end" in entry:
        return f.at(entry["end"])
    return date.max


_RULES = {
    "series": _series,
    "once": _once,
    "every": _every,
    "boosters": _boosters,
    "seasonal": _seasonal,
    "cervical": _cervical,
}


def _status(nxt: _Next, today: date, lead: str) -> Status | None:
    if nxt.dismissed:
        return None
    if today < nxt.due:
        return Status.UPCOMING if add_duration(today, lead) >= nxt.due else None
    if nxt.until is not None and today > nxt.until:
        if nxt.overdue_until is not None and today > nxt.overdue_until:
            return None
        return Status.OVERDUE
    return Status.DUE


def last_birthday(birth: date, today: date) -> date:
    """The person's latest birthday on or before `today` (29 February: 28 February in common years)."""
    years = today.year - birth.year
    day = add_duration(birth, f"{years}y")
    return day if day <= today else add_duration(birth, f"{years - 1}y")


def _dated_for_now(nxt: _Next, status: Status, person: Person, today: date) -> tuple[_Next, Status, bool]:
    """A reminder due for more than `stale` outside an open window (none, or one long past) is due
    now, dated from the person's latest birthday; an open window keeps its own dates."""
    open_window = nxt.until is not None and nxt.until >= today
    if status not in (Status.DUE, Status.OVERDUE) or open_window:
        return nxt, status, False
    if add_duration(nxt.due, _default("stale")) >= today:
        return nxt, status, False
    return replace(nxt, due=last_birthday(person.birth, today), until=None), Status.DUE, True


def due_items(
    person: Person,
    today: date,
    vaccinations: Sequence[Vaccination] = (),
    marks: Sequence[CheckupMark] = (),
) -> list[Reminder]:
    """The reminders for `person` on `today`: overdue first, then due, upcoming, done; by date."""
    found: list[Reminder] = []
    for entry in items():
        if entry.get("sex") and entry["sex"] != person.sex:
            continue
        vaccines = tuple(entry.get("vaccines", ()))
        own = [m for m in marks if m.item == entry["id"]]
        done = [v.day for v in vaccinations if v.vaccine in vaccines]
        done += [m.day for m in own if m.state == DONE]
        facts = _Facts(
            person,
            today,
            sorted(d for d in done if person.birth <= d <= today),
            sorted(m.day for m in own if m.state == DISMISSED and m.day <= today),
        )
        if today >= _over(entry, facts):
            continue  # past the ages it concerns: not even as done
        nxt = _RULES[entry["schedule"]](entry, facts)
        status = _status(nxt, today, entry.get("lead", _default("lead"))) if nxt else None
        since_long = False
        if nxt is not None and status is not None:
            nxt, status, since_long = _dated_for_now(nxt, status, person, today)
        last = facts.done[-1] if facts.done else None
        if status is None:
            if last is None or add_duration(last, _default("done_shown")) < today:
                continue
            status = Status.DONE
        found.append(
            Reminder(
                item=entry["id"],
                category=entry["category"],
                status=status,
                due=nxt.due if nxt else None,
                until=nxt.until if nxt else None,
                dose=nxt.dose if nxt else 0,
                doses=nxt.doses if nxt else 0,
                last_done=last,
                vaccines=vaccines,
                since_long=since_long,
            )
        )
    order = {Status.OVERDUE: 0, Status.DUE: 1, Status.UPCOMING: 2, Status.DONE: 3}
    return sorted(found, key=lambda r: (order[r.status], r.due or date.max, r.item))
