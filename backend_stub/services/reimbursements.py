"""Reimbursement data: imported by the insurer (CSV), shown to the holder by month with totals,
and as "Mon histoire de santé" (sync/protocol/health_history.py) by their kind and label."""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, col, func, select

from backend_stub.context import Context
from backend_stub.models.accounts import Holder
from backend_stub.models.administrative import Reimbursement
from sync.protocol.health_history import DEFAULT_KIND, KINDS
from sync.protocol.identifiers import InvalidIdentifier, normalize_nir

CSV_COLUMNS = ("nir", "date", "care", "professional", "amount_paid", "amount_reimbursed")
# Optional columns: `kind` (consultation, act, medicine, hospital; empty: an act) and `label`
# (the medicine's name, the reason for a hospital stay).
OPTIONAL_COLUMNS = ("kind", "label")


AMOUNT = re.compile(r"([0-9]{1,9})(?:[.,]([0-9]{1,2}))?")


def cents(text: str) -> int:
    """'23,50', '23.50' or '23,50 €' euros -> 2350; anything else (negative, 3 decimals,
    exponents, NaN) is refused."""
    match = AMOUNT.fullmatch(text.replace("€", "").strip())
    if match is None:
        raise ValueError("amount")
    euros, decimals = match.groups()
    return int(euros) * 100 + int((decimals or "0").ljust(2, "0"))


@dataclass
class ImportReport:
    imported: int = 0
    unknown_person: int = 0
    errors: list[tuple[int, str]] | None = None


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from enumerate(csv.DictReader(handle, restval=""), start=2)


def import_csv(*, session: Session, ctx: Context, path: Path) -> ImportReport:
    """Import reimbursements; rows of people without a space or with bad values are reported."""
    report = ImportReport(errors=[])
    holders: dict[str, str | None] = {}
    for line, row in _rows(path):
        try:
            nir = normalize_nir(row.get("nir", ""))
            paid, reimbursed = cents(row.get("amount_paid", "")), cents(row.get("amount_reimbursed", ""))
            care_date = date.fromisoformat(row.get("date", "").strip())
            care = row.get("care", "").strip()
            if not care or reimbursed > paid:
                raise ValueError("care" if not care else "amount_reimbursed")
            kind = (row.get("kind") or "").strip().lower() or DEFAULT_KIND
            if kind not in KINDS:
                raise ValueError("kind")
        except (InvalidIdentifier, ValueError) as exc:
            assert report.errors is not None
            report.errors.append((line, str(exc)))
            continue
        if nir not in holders:
            digest = ctx.hasher.digest("nir", nir)
            holders[nir] = session.exec(select(Holder.id).where(Holder.nir_digest == digest)).first()
        holder_id = holders[nir]
        if holder_id is None:
            report.unknown_person += 1
            continue
        session.add(
            Reimbursement(
                holder_id=holder_id,
                care_date=care_date,
                care=care[:200],
                professional=row.get("professional", "").strip()[:200],
                paid_cents=paid,
                reimbursed_cents=reimbursed,
                kind=kind,
                label=(row.get("label") or "").strip()[:200],
            )
        )
        report.imported += 1
        if report.imported % 1000 == 0:
            session.commit()
    session.commit()
    return report


def year_of(*, session: Session, holder: Holder, year: int, query: str = "") -> list[Reimbursement]:
    """One year of the holder's reimbursements, newest first, optionally matching a search.

    The care, the professional and the label are sealed at rest, so the search runs here, on one holder's
    year (read by the (holder_id, care_date) index), not in SQL."""
    stmt = select(Reimbursement).where(
        Reimbursement.holder_id == holder.id,
        col(Reimbursement.care_date) >= date(year, 1, 1),
        col(Reimbursement.care_date) <= date(year, 12, 31),
    )
    rows = session.exec(stmt.order_by(col(Reimbursement.care_date).desc())).all()
    wanted = query.strip().casefold()
    return [r for r in rows if any(wanted in text.casefold() for text in (r.care, r.professional, r.label))]


def first_year(*, session: Session, holder: Holder) -> int | None:
    """The year of the holder's oldest reimbursement (one index lookup), None when there is none."""
    oldest = session.exec(
        select(func.min(Reimbursement.care_date)).where(Reimbursement.holder_id == holder.id)
    ).one()
    return oldest.year if oldest is not None else None
