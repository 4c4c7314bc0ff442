"""The attestation of a delegation: a text PDF whose days are written out in the reader's language."""

from datetime import UTC, date, datetime

from sync.export import delegation_pdf
from sync.protocol.helpers_schemas import DelegationOut, DelegationStatus, Person
from tests.sync.export.test_pdf_summary import _text

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DELEGATION = DelegationOut(
    id="d" * 32,
    helped=Person(id="h1", first_name="Louise", last_name="Martin"),
    helper=Person(id="h2", first_name="Paul", last_name="Martin"),
    status=DelegationStatus.ACTIVE,
    starts_on=date(2026, 12, 1),
    ends_on=date(2027, 5, 31),
    may_add=False,
    messages=False,
    created_at=AT,
    expires_at=AT,
)


def test_the_attestation_writes_its_days_in_words() -> None:
    french = _text(delegation_pdf.build(DELEGATION, made=date(2026, 12, 7), lang="fr"))
    assert "du 1er décembre 2026 au 31 mai 2027 inclus" in french
    assert "établie le 7 décembre 2026" in french and "/2026" not in french
    english = _text(delegation_pdf.build(DELEGATION, made=date(2026, 12, 7), lang="en"))
    assert "from 1 December 2026 to 31 May 2027 inclusive" in english
