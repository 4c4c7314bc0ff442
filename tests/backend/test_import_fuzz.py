"""Property-based tests of the insurer's CSV imports: any file gives imported rows and reported
lines, never a crash, and a bad line never stops the good ones."""

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from backend_stub.context import Context
from backend_stub.demo import nir_for
from backend_stub.services import enrolment, reimbursements

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30)
ENROL_COLUMNS = ("nir", "vitale_serial", "first_name", "last_name", "birth_date", "email", "lang", "insurer")


def _csv(header: tuple[str, ...], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@FUZZ
@given(raw=st.text(max_size=400))
def test_enrolment_csv_of_any_text_never_crashes(tmp_path: Path, raw: str) -> None:
    path = tmp_path / "people.csv"
    path.write_text(",".join(ENROL_COLUMNS) + "\n" + raw, encoding="utf-8")
    report = enrolment.EnrolmentReport(errors=[])
    people = list(enrolment.read_csv(path, report))
    assert report.errors is not None
    assert all(line >= 2 for line, _ in report.errors)
    assert all(p.nir.isascii() and len(p.nir) == 15 for p in people)


@FUZZ
@given(bad=st.lists(st.lists(cells, min_size=8, max_size=8), max_size=5))
def test_a_good_enrolment_row_survives_bad_neighbours(tmp_path: Path, bad: list[list[str]]) -> None:
    good = [nir_for(7), "123456789", "Nour", "Benali", "1990-04-02", "", "fr", ""]
    path = tmp_path / "people.csv"
    path.write_text(_csv(ENROL_COLUMNS, [*bad, good, *bad]), encoding="utf-8")
    report = enrolment.EnrolmentReport(errors=[])
    assert nir_for(7) in {p.nir for p in enrolment.read_csv(path, report)}


@FUZZ
@given(
    rows=st.lists(st.lists(cells, min_size=6, max_size=6), max_size=6),
    raw_tail=st.text(max_size=100),
)
def test_reimbursement_csv_never_crashes(
    ctx: Context, tmp_path: Path, rows: list[list[str]], raw_tail: str
) -> None:
    path = tmp_path / "reimbursements.csv"
    path.write_text(_csv(reimbursements.CSV_COLUMNS, rows) + raw_tail, encoding="utf-8")
    with Session(ctx.engine) as session:
        report = reimbursements.import_csv(session=session, ctx=ctx, path=path)
    assert report.errors is not None
    assert report.imported == 0  # nobody in the database: rows are errors or unknown people
    assert report.unknown_person + len(report.errors) <= len(rows) + len(raw_tail.splitlines()) + 1


@given(text=st.text(max_size=20))
def test_amounts_parse_or_are_refused(text: str) -> None:
    try:
        value = reimbursements.cents(text)
    except ValueError:
        return
    assert value >= 0


def test_amount_forms() -> None:
    assert [reimbursements.cents(t) for t in ("23,50", "23.5", "7", " 12,05 € ")] == [2350, 2350, 700, 1205]
    for bad in ("NaN", "Infinity", "sNaN", "1e5", "-3", "2,505", "", "١٢", "1.2.3"):
        try:
            reimbursements.cents(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
