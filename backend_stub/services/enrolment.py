"""The insurer's enrolment: create pending spaces with a provisional code and send the letters."""

import csv
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice
from pathlib import Path

from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.models.accounts import Holder
from backend_stub.rules.lifecycle import objection_deadline
from sync.protocol.identifiers import (
    PROVISIONAL_CODE_ALPHABET,
    PROVISIONAL_CODE_LENGTH,
    format_provisional_code,
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


def new_provisional_code() -> str:
    return "".join(secrets.choice(PROVISIONAL_CODE_ALPHABET) for _ in range(PROVISIONAL_CODE_LENGTH))


def issue_code(*, ctx: Context, holder: Holder, now: datetime) -> str:
    """Give the holder a fresh provisional code valid for the objection period (6 weeks)."""
    code = new_provisional_code()
    holder.code_digest = ctx.hasher.digest("code", code)
    holder.code_expires_at = now + timedelta(weeks=ctx.settings.objection_weeks)
    return code


def send_letter(*, ctx: Context, holder: Holder, code: str, kind: str = "letter") -> None:
    """The letter goes by e-mail when the insurer has one, otherwise by post (print queue)."""
    channel = "email" if holder.letter_email else "letter"
    ctx.notifier.send(
        channel,
        holder.letter_email or f"{holder.first_name} {holder.last_name}, {holder.postal_address}",
        kind,
        holder.lang,
        sex=holder.sex,  # "Vous êtes majeure" to a young woman
        first_name=holder.first_name,
        code=format_provisional_code(code),
        expires=holder.code_expires_at.strftime("%d/%m/%Y"),
        deadline=holder.objection_deadline.strftime("%d/%m/%Y"),
        url=ctx.settings.public_app_url,
    )


def new_holder(ctx: Context, person: Enrollee, now: datetime) -> tuple[Holder, str]:
    holder = Holder(
        nir_digest=ctx.hasher.digest("nir", person.nir),
        vitale_digest=ctx.hasher.digest("vitale", person.vitale_serial),
        first_name=person.first_name,
        last_name=person.last_name,
        birth_date=person.birth_date,
        sex=sex_from_nir(person.nir),
        postal_address=person.postal_address,
        letter_email=person.email,
        lang=person.lang,
        insurer=person.insurer,
        code_digest="",
        code_expires_at=now,
        letter_sent_at=now,
        objection_deadline=objection_deadline(now, weeks=ctx.settings.objection_weeks),
    )
    return holder, issue_code(ctx=ctx, holder=holder, now=now)


def enrol_many(
    *,
    session: Session,
    ctx: Context,
    people: Iterable[Enrollee],
    batch_size: int = 1000,
    on_batch: Callable[[int], None] | None = None,
) -> EnrolmentReport:
    """Enrol people in batches; someone already enrolled is skipped, so a rerun is harmless.

    Letters go after each batch's commit; give a session with `expire_on_commit=False` so that
    writing them does not reload every holder."""
    report = EnrolmentReport(errors=[])
    minors: list[Enrollee] = []
    iterator = iter(people)
    while batch := list(islice(iterator, batch_size)):
        now = ctx.clock.now()
        batch = _adults_only(ctx, batch, minors, report)
        made = [new_holder(ctx, person, now) for person in batch]
        digests = [holder.nir_digest for holder, _ in made]
        known = set(session.exec(select(Holder.nir_digest).where(col(Holder.nir_digest).in_(digests))))
        fresh: dict[str, tuple[Holder, str]] = {}
        for holder, code in made:
            if holder.nir_digest in known or holder.nir_digest in fresh:
                report.already_enrolled += 1
            else:
                fresh[holder.nir_digest] = (holder, code)
        session.add_all([holder for holder, _ in fresh.values()])
        session.commit()
        for holder, code in fresh.values():
            send_letter(ctx=ctx, holder=holder, code=code)
        report.created += len(fresh)
        if on_batch:
            on_batch(len(batch))
    if minors:
        from backend_stub.services import children  # minors are attached to their enrolled parents

        children.enrol_minors(session=session, ctx=ctx, minors=minors, report=report)
    return report


def _adults_only(
    ctx: Context, batch: list[Enrollee], minors: list[Enrollee], report: EnrolmentReport
) -> list[Enrollee]:
    """Keep the minors aside (enrolled after every adult, so their parents exist by then)."""
    from backend_stub.services.children import MAJORITY, age_on, local_day

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


def read_csv(path: Path, report: EnrolmentReport) -> Iterator[Enrollee]:
    """Valid rows of an enrolment CSV; bad rows are reported by line number and skipped."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for line, row in enumerate(csv.DictReader(handle, restval=""), start=2):
            try:
                yield Enrollee.parse(row)
            except ValueError as exc:
                assert report.errors is not None
                report.errors.append((line, str(exc)))
