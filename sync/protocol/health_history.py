"""'Mon histoire de santé': the timeline of care built from the reimbursement data, and the way an
item of it becomes an entry of the medical profile.

Pure: rows of reimbursements go in (as the server sends them, `ReimbursementOut`), years of
items come out, newest first. Each row has a `kind` the insurer's import gives (consultation,
act, medicine dispensed, hospital stay) and a `label` (the medicine's name, the reason for a
stay); the timeline shows the label when there is one, else the care. The person may "add to my
profile" a medicine (a treatment) or a hospital stay: `to_profile_entry` drafts the entry,
which the app shows in the section's form so the person checks it (and `profile.check` applies)
before saving. The search ignores case and accents ("hopital" finds "Hôpital").
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

from sync.protocol.record_schemas import ReimbursementOut
from sync.protocol.text import fold

__all__ = [
    "CONVERTIBLE",
    "KINDS",
    "HistoryItem",
    "HistoryYear",
    "item_of",
    "search",
    "timeline",
    "to_profile_entry",
]

KINDS: tuple[str, ...] = ("consultation", "act", "medicine", "hospital")
DEFAULT_KIND = "act"  # a row imported without a kind
# What an item may become in the profile: a medicine a treatment, a hospital item a stay.
CONVERTIBLE: dict[str, str] = {"medicine": "treatment", "hospital": "hospital_stay"}


@dataclass(frozen=True)
class HistoryItem:
    """One line of the timeline: a consultation, an act, a medicine dispensed or a hospital stay."""

    id: str  # the reimbursement's id
    day: date
    kind: str
    title: str  # the label (medicine, reason) or else the care
    care: str
    professional: str  # who gave the care (a doctor, a pharmacy, a hospital)

    @property
    def convertible(self) -> bool:
        return self.kind in CONVERTIBLE

    @property
    def words(self) -> str:
        return fold(f"{self.title} {self.care} {self.professional}")


@dataclass(frozen=True)
class HistoryYear:
    year: int
    items: tuple[HistoryItem, ...]  # newest first


def item_of(row: ReimbursementOut) -> HistoryItem:
    kind = row.kind if row.kind in KINDS else DEFAULT_KIND
    return HistoryItem(
        id=row.id,
        day=row.care_date,
        kind=kind,
        title=row.label.strip() or row.care.strip(),
        care=row.care.strip(),
        professional=row.professional.strip(),
    )


def timeline(rows: Iterable[ReimbursementOut]) -> list[HistoryYear]:
    """The rows as years of items, newest year and newest item first (the same row once)."""
    items = {row.id: item_of(row) for row in rows}.values()
    ordered = sorted(items, key=lambda i: (i.day, i.id), reverse=True)
    return [HistoryYear(year, tuple(group)) for year, group in groupby(ordered, key=lambda i: i.day.year)]


def search(years: Iterable[HistoryYear], query: str, kinds: Iterable[str] = ()) -> list[HistoryYear]:
    """The items whose title, care or professional hold every word of `query` (and of one of
    `kinds` when given); years left empty are dropped."""
    words = fold(query).split()
    wanted = frozenset(kinds)
    found = []
    for year in years:
        kept = tuple(
            i for i in year.items if all(w in i.words for w in words) and (not wanted or i.kind in wanted)
        )
        if kept:
            found.append(HistoryYear(year.year, kept))
    return found


def to_profile_entry(item: HistoryItem) -> dict[str, Any] | None:
    """The profile entry an item drafts ("ajouter à mon profil"), None when it makes none.

    A medicine dispensed becomes a treatment taken since that day; a hospital item a stay at that
    place, from that day, for its reason (the discharge date is the person's to add)."""
    section = CONVERTIBLE.get(item.kind)
    if section == "treatment":
        return {"section": section, "name": item.title, "since": item.day.isoformat()}
    if section == "hospital_stay":
        return {
            "section": section,
            "place": item.professional,
            "reason": item.title,
            "since": item.day.isoformat(),
        }
    return None
