"""The insurer's enrolment: create pending spaces with a provisional code and send the letters."""

import csv
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.models.accounts import Holder
from backend_stub.rules.lifecycle import objection_deadline
from backend_stub.services.ages import MAJORITY, age_on, local_day
from backend_stub.services.children import by_nir, link
from backend_stub.services.letters import fresh_code, letter, send_child_letter
from sync.protocol.identifiers import (
    normalize_email,
    normalize_nir,
    normalize_vitale_serial,
)
from sync.protocol.prevention import sex_from_nir

CSV_COLUMNS = (
    "nir",
    "vitale_serial",
    "first_name",
    "last_name",
    "birth_date",
    "postal_address",
    "email",
    "lang",
    "insurer",  # optional: the insurance fund, as the insurer names it
    "parent_nir",  # required for a minor: an enrolled parent (an earlier row of the same file will do)
    "second_parent_nir",  # optional: a second holder of parental authority
)


@dataclass(frozen=True)
class Enrollee:
    """One insured person as the insurer knows them (already validated)."""

    nir: str
    vitale_serial: str
    first_name: str
    last_name: str
    birth_date: date
    postal_address: str = ""
    email: str | None = None
    lang: str = "fr"
    insurer: str | None = None
    parent_nir: str | None = None
    second_parent_nir: str | None = None

    @classmethod
    def parse(cls, row: dict[str, str]) -> "Enrollee":
        """Validate one CSV row or flag set; raises ValueError with what is wrong."""
        first, last = row.get("first_name", "").strip(), row.get("last_name", "").strip()
        if not first or not last:
            raise ValueError("first_name and last_name are required")
        email = (row.get("email") or "").strip()
        lang = (row.get("lang") or "fr").strip() or "fr"
        return cls(
            nir=normalize_nir(row.get("nir", "")),
            vitale_serial=normalize_vitale_serial(row.get("vitale_serial", "")),
            first_name=first[:100],
            last_name=last[:100],
            birth_date=date.fromisoformat(row.get("birth_date", "").strip()),
            postal_address=(row.get("postal_address") or "").strip()[:300],
            email=normalize_email(email) if email else None,
            lang=lang if lang in ("fr", "en") else "fr",
            insurer=(row.get("insurer") or "").strip()[:100] or None,
            parent_nir=normalize_nir(parent) if (parent := (row.get("parent_nir") or "").strip()) else None,
            second_parent_nir=(
                normalize_nir(second) if (second := (row.get("second_parent_nir") or "").strip()) else None
            ),
        )


@dataclass
class EnrolmentReport:
    """Counts of one enrolment run; `errors` holds (line, reason), never identifiers."""

    created: int = 0
    already_enrolled: int = 0
    errors: list[tuple[int, str]] | None = None


def new_holder(ctx: Context, person: Enrollee, now: datetime) -> tuple[Holder, str]:
    row, code = holder_row(ctx, person, now)
    return Holder(**row), code


# Columns a new holder takes from the model's defaults (the factories are called for each row).
_DEFAULTS = {
    n: f.default for n, f in Holder.model_fields.items() if not f.is_required() and not f.default_factory
}
_FACTORIES = {n: f.default_factory for n, f in Holder.model_fields.items() if f.default_factory}


def holder_row(ctx: Context, person: Enrollee, now: datetime) -> tuple[dict[str, Any], str]:
    """A new holder's row (every column, as `Holder(...)` would fill it) and its provisional code."""
    code, code_columns = fresh_code(ctx, now)
    factories = {name: factory() for name, factory in _FACTORIES.items()}  # type: ignore[call-arg]
    return _DEFAULTS | factories | {
        "nir_digest": ctx.hasher.digest("nir", person.nir),
        "vitale_digest": ctx.hasher.digest("vitale", person.vitale_serial),
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": person.birth_date,
        "sex": sex_from_nir(person.nir),
        "postal_address": person.postal_address,
        "letter_email": person.email,
        "lang": person.lang,
        "insurer": person.insurer,
        "letter_sent_at": now,
        "objection_deadline": objection_deadline(now, weeks=ctx.settings.objection_weeks),
    } | code_columns, code


def enrol_many(
    *,
    session: Session,
    ctx: Context,
    people: Iterable[Enrollee],
    batch_size: int = 1000,
    on_batch: Callable[[int], None] | None = None,
) -> EnrolmentReport:
    """Enrol people in batches; someone already enrolled is skipped, so a rerun is harmless.

    Each batch: one SELECT of the NIR digests already known, one bulk INSERT of the new holders'
    rows, a commit, then their letters handed to the notifier together (the print queue takes
    them as one file). No ORM object is built, so nothing is reloaded to write a letter."""
    report = EnrolmentReport(errors=[])
    minors: list[Enrollee] = []
    iterator = iter(people)
    while batch := list(islice(iterator, batch_size)):
        now = ctx.clock.now()
        batch = _adults_only(ctx, batch, minors, report)
        made = [holder_row(ctx, person, now) for person in batch]
        digests = [row["nir_digest"] for row, _ in made]
        known = set(session.exec(select(Holder.nir_digest).where(col(Holder.nir_digest).in_(digests))))
        fresh: dict[str, tuple[dict[str, Any], str]] = {}
        for row, code in made:
            if row["nir_digest"] in known or row["nir_digest"] in fresh:
                report.already_enrolled += 1
            else:
                fresh[row["nir_digest"]] = (row, code)
        if fresh:
            session.execute(insert(Holder.__table__), [row for row, _ in fresh.values()])  # type: ignore[attr-defined]
        session.commit()
        ctx.notifier.send_many([letter(ctx=ctx, to=row, code=code) for row, code in fresh.values()])
        report.created += len(fresh)
        if on_batch:
            on_batch(len(batch))
    if minors:
        enrol_minors(session=session, ctx=ctx, minors=minors, report=report)
    return report


def enrol_minors(*, session: Session, ctx: Context, minors: list[Enrollee], report: EnrolmentReport) -> None:
    """Enrol minors once the adults are in: each is attached to their enrolled parent(s), and
    their letter goes to the first parent. Someone already enrolled is skipped; an unknown parent
    is reported (no identifier in the report)."""
    assert report.errors is not None
    now = ctx.clock.now()
    for n, person in enumerate(minors, start=1):
        if by_nir(session, ctx, person.nir) is not None:
            report.already_enrolled += 1
            continue
        parents = [by_nir(session, ctx, nir) for nir in (person.parent_nir, person.second_parent_nir) if nir]
        if not parents or any(p is None for p in parents):
            report.errors.append((n, "minor: parent not enrolled"))
            continue
        child, code = new_holder(ctx, person, now)
        session.add(child)
        for parent in parents:
            assert parent is not None
            link(session, child=child, guardian=parent, now=now)
        session.commit()
        assert parents[0] is not None
        send_child_letter(ctx=ctx, child=child, parent=parents[0], code=code)
        report.created += 1


def _adults_only(
    ctx: Context, batch: list[Enrollee], minors: list[Enrollee], report: EnrolmentReport
) -> list[Enrollee]:
    """Keep the minors aside (enrolled after every adult, so their parents exist by then)."""
    today = local_day(ctx.clock.now())
    adults = []
    for person in batch:
        if age_on(person.birth_date, today) >= MAJORITY:
            adults.append(person)
        elif person.parent_nir:
            minors.append(person)
        else:
            assert report.errors is not None
            report.errors.append((0, "parent_nir is required for a minor"))
    return adults


def in_part(row: Mapping[str, str], part: int, parts: int) -> bool:
    """Is this CSV row for process `part` of `parts` enrolling one file in parallel? Split by NIR
    (its letters and digits, before any check, so a process parses only its own rows), a minor
    by their first parent's, so the process that enrols a parent enrols the child after it; NIRs
    never meet across processes, so none waits on another's rows."""
    nir = (row.get("parent_nir") or "").strip() or row.get("nir") or ""
    return zlib.crc32("".join(c for c in nir.upper() if c.isalnum()).encode()) % parts == part


def read_csv(path: Path, report: EnrolmentReport, part: int = 0, parts: int = 1) -> Iterator[Enrollee]:
    """Valid rows of an enrolment CSV (those of `part` of `parts`, see `in_part`); bad rows are
    reported by line number and skipped."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for line, row in enumerate(csv.DictReader(handle, restval=""), start=2):
            if parts > 1 and not in_part(row, part, parts):
                continue
            try:
                yield Enrollee.parse(row)
            except ValueError as exc:
                assert report.errors is not None
                report.errors.append((line, str(exc)))
