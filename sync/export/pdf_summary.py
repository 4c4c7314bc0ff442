"""A readable PDF summary of the space, in French or English, from the same snapshot as the
FHIR export: identity, allergies, treatments, illnesses, vaccinations, latest measurements,
documents, appointments and a summary of the access log (who, how many times, when last)."""

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

from sync.export.fhir_export import Snapshot
from sync.export.pdf_text import TextPdf
from sync.protocol.i18n import day_text, translate
from sync.protocol.measurements import kinds
from sync.protocol.profile import vaccines
from sync.protocol.reference import document_types, professions
from sync.store import HOLDER, Item

MINE = "_entered_by_holder"  # added to an entry's data for the summary only

__all__ = ["build"]


def _day(value: object, lang: str, tz: tzinfo | None = None) -> str:
    """A day (or moment) the reader's way: 05/01/2026 in French, 5 Jan 2026 in English."""
    try:
        found = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value or "")
    if found.tzinfo is not None:
        found = found.astimezone(tz)  # a moment: its day in the reader's zone
    return day_text(found.date(), lang)


def _number(value: float, decimals: int, lang: str) -> str:
    shown = f"{value:.{decimals}f}"
    return shown.replace(".", ",") if lang == "fr" else shown


def _label(entries: list[dict[str, Any]], code: str, lang: str) -> str:
    found = next((e for e in entries if e.get("code") == code), None)
    return str(found.get(lang) or found["fr"]) if found else code


def _profession(code: str, lang: str) -> str:
    entry = professions().get(code)
    return str(entry.get(lang) or entry["fr"]) if entry else code


def _s(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


class _Summary:
    def __init__(self, snapshot: Snapshot, lang: str, tz: tzinfo | None) -> None:
        self.s, self.lang, self.tz = snapshot, lang, tz
        self.pdf = TextPdf(title=self.t("ui.export.pdf.title"))

    def day(self, value: object) -> str:
        return _day(value, self.lang, self.tz)

    @property
    def colon(self) -> str:
        return " : " if self.lang == "fr" else ": "

    def t(self, key: str, **params: Any) -> str:
        return translate(key, self.lang, **params)

    def section(self, key: str, lines: list[str]) -> None:
        self.pdf.text(self.t(key), size=14, bold=True, gap=10)
        for line in lines or [self.t("ui.export.pdf.none")]:
            self.pdf.text(line, indent=12, gap=2)

    def entries(self, section: str) -> list[dict[str, Any]]:
        """The section's entries, each knowing whether the holder entered it (`MINE`)."""
        return [
            i.data | {MINE: i.author == HOLDER}
            for i in self.s.of("profile_entry")
            if i.data.get("section") == section
        ]

    def with_notes(self, main: str, data: dict[str, Any]) -> str:
        """The line, its notes, and the mark of what the holder entered (EHDS art. 5)."""
        notes = _s(data, "notes")
        line = f"{main} — {notes}" if notes else main
        return f"{line} ({self.t('ui.export.pdf.entered_by_you')})" if data.get(MINE) else line

    # --- the sections ---------------------------------------------------------------------------
    def identity(self) -> None:
        me = self.s.me
        self.pdf.text(self.t("ui.export.pdf.title"), size=20, bold=True)
        self.pdf.text(self.t("ui.export.pdf.made", day=self.day(self.s.at.isoformat())), gap=4)
        lines = [f"{me.first_name} {me.last_name}"]
        if me.birth_date:
            born = self.day(me.birth_date.isoformat())
            lines.append(self.t("ui.export.pdf.born", day=born, sex=me.sex or ""))
        if me.email:
            lines.append(me.email)
        self.section("ui.export.pdf.identity", lines)

    def allergies(self) -> None:
        lines = []
        for d in self.entries("allergy"):
            # The app's words for the severity (one vocabulary), lower-cased in the middle of a line.
            severity = self.t(f"ui.profile.choice.severity.{d['severity']}") if _s(d, "severity") else ""
            severity = severity[:1].lower() + severity[1:]
            main = ", ".join(filter(None, (_s(d, "substance"), _s(d, "reaction"), severity)))
            lines.append(self.with_notes(main, d))
        self.section("ui.export.pdf.allergies", lines)

    def treatments(self) -> None:
        lines = []
        for d in self.entries("treatment"):
            since = self.t("ui.export.pdf.since", day=self.day(d["since"])) if _s(d, "since") else ""
            until = self.t("ui.export.pdf.until", day=self.day(d["until"])) if _s(d, "until") else ""
            lines.append(
                self.with_notes(", ".join(filter(None, (_s(d, "name"), _s(d, "dose"), since, until))), d)
            )
        self.section("ui.export.pdf.treatments", lines)

    def illnesses(self) -> None:
        lines = []
        for d in self.entries("illness"):
            status = (
                self.t("ui.export.pdf.past") if _s(d, "status") == "past" else self.t("ui.export.pdf.current")
            )
            since = self.t("ui.export.pdf.since", day=self.day(d["since"])) if _s(d, "since") else ""
            lines.append(self.with_notes(", ".join(filter(None, (_s(d, "name"), status, since))), d))
        self.section("ui.export.pdf.illnesses", lines)

    def vaccinations(self) -> None:
        rows = sorted(self.entries("vaccination"), key=lambda d: _s(d, "date"), reverse=True)
        lines = [
            f"{self.day(d.get('date'))}{self.colon}{_label(vaccines(), _s(d, 'vaccine'), self.lang)}"
            + (f" ({_s(d, 'batch')})" if _s(d, "batch") else "")
            + (f" ({self.t('ui.export.pdf.entered_by_you')})" if d.get(MINE) else "")
            for d in rows
        ]
        self.section("ui.export.pdf.vaccinations", lines)

    def measurements(self) -> None:
        latest: dict[str, Item] = {}
        for item in self.s.of("measurement"):
            kind = _s(item.data, "kind")
            moment = _s(item.data, "at") or item.updated_at
            if kind in kinds() and (
                kind not in latest or moment > (_s(latest[kind].data, "at") or latest[kind].updated_at)
            ):
                latest[kind] = item
        lines = []
        for kind, spec in kinds().items():
            if kind not in latest:
                continue
            d = latest[kind].data
            try:
                value = _number(float(d["value"]), int(spec["decimals"]), self.lang)
                if d.get("second") is not None:
                    value += "/" + _number(float(d["second"]), int(spec["decimals"]), self.lang)
            except (KeyError, TypeError, ValueError):
                continue
            when = self.day(_s(d, "at") or latest[kind].updated_at)
            lines.append(f"{spec.get(self.lang) or spec['fr']}{self.colon}{value} {spec['unit']} ({when})")
        self.section("ui.export.pdf.measurements", lines)

    def documents(self) -> None:
        rows = sorted(self.s.of("document"), key=lambda i: _s(i.data, "date"), reverse=True)
        lines = []
        for item in rows:
            d = item.data
            kind = _label(document_types(), _s(d, "type"), self.lang)
            lines.append(f"{self.day(d.get('date') or item.updated_at)}{self.colon}{_s(d, 'title')} ({kind})")
        self.section("ui.export.pdf.documents", lines)

    def appointments(self) -> None:
        rows = sorted(self.s.of("appointment"), key=lambda i: (_s(i.data, "date"), _s(i.data, "time")))
        lines = []
        for item in rows:
            d = item.data
            who = ", ".join(filter(None, (_s(d, "professional"), _s(d, "reason"), _s(d, "place"))))
            line = f"{self.day(d.get('date'))} {_s(d, 'time')}{self.colon}{who}"
            if _s(d, "status") == "cancelled":
                line += f" ({self.t('ui.export.pdf.cancelled')})"
            lines.append(line)
        self.section("ui.export.pdf.appointments", lines)

    def access_log(self) -> None:
        by_actor: dict[str, list[Any]] = defaultdict(list)
        for entry in self.s.access_log:
            by_actor[entry.actor_name or entry.actor_id].append(entry)
        lines = (
            [self.t("ui.export.pdf.access.total", count=len(self.s.access_log))] if self.s.access_log else []
        )
        for name, entries in sorted(by_actor.items(), key=lambda kv: max(e.at for e in kv[1]), reverse=True):
            refused = sum(e.outcome != "allowed" for e in entries)
            last = max(e.at for e in entries).astimezone(UTC).isoformat()
            who = (
                f"{name} ({_profession(entries[0].profession, self.lang)})" if entries[0].profession else name
            )
            line = self.t("ui.export.pdf.access.actor", who=who, count=len(entries), day=self.day(last))
            if refused:
                line += " " + self.t("ui.export.pdf.access.refused", count=refused)
            lines.append(line)
        self.section("ui.export.pdf.access", lines)


def build(snapshot: Snapshot, lang: str = "fr", tz: tzinfo | None = None) -> bytes:
    """The summary as PDF bytes (text, so it can be searched and read aloud); its days are in the
    reader's zone `tz` (None: this device's)."""
    summary = _Summary(snapshot, lang, tz)
    parts: list[Callable[[], None]] = [
        summary.identity,
        summary.allergies,
        summary.treatments,
        summary.illnesses,
        summary.vaccinations,
        summary.measurements,
        summary.documents,
        summary.appointments,
        summary.access_log,
    ]
    for part in parts:
        part()
    return summary.pdf.to_bytes()
