"""The access rules walked exhaustively: every profession against every document type, masks,
attending physician, author, grants, blocks, emergency and regulator switches."""

from datetime import UTC, datetime, timedelta

import pytest

from backend_stub.rules.access import Actor, DocumentFacts, Relation, Request, access_basis, can_read
from sync.protocol.errors import ErrorCode
from sync.protocol.reference import document_type_codes, professions, readable_types

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
AUTHORISED = Relation(authorised=True)


@pytest.mark.parametrize("profession", sorted(professions()))
def test_matrix_for_every_profession_and_type(profession: str) -> None:
    actor = Actor("p1", profession)
    for doc_type in sorted(document_type_codes()):
        expected = doc_type in readable_types(profession)
        assert can_read(actor, DocumentFacts(doc_type, False, None), AUTHORISED) is expected, (
            profession,
            doc_type,
        )


def test_masked_documents_only_for_attending_and_author() -> None:
    doctor = Actor("doc", "doctor")
    masked = DocumentFacts("hospital_report", True, None)
    assert not can_read(doctor, masked, AUTHORISED)
    assert not can_read(doctor, masked, Relation(care_team=True))
    assert can_read(doctor, masked, Relation(attending=True))
    assert can_read(doctor, DocumentFacts("hospital_report", True, "doc"), AUTHORISED)
    # The author reads their own document even outside their profession's list.
    optician = Actor("opt", "optician")
    assert can_read(optician, DocumentFacts("hospital_report", True, "opt"), AUTHORISED)


def test_bases_in_normal_mode() -> None:
    doctor = Actor("d", "doctor")
    normal = Request()
    assert access_basis(doctor, Relation(attending=True), normal, NOW).basis == "attending"
    assert access_basis(doctor, AUTHORISED, normal, NOW).basis == "authorised"
    assert access_basis(doctor, Relation(care_team=True), normal, NOW).basis == "care_team"
    assert access_basis(doctor, Relation(), normal, NOW).refusal == ErrorCode.CONSENT_REQUIRED
    assert access_basis(doctor, Relation(), Request(consent_declared=True), NOW).basis == "new_care_team"


def test_expired_revoked_and_blocked() -> None:
    doctor = Actor("d", "doctor")
    expired = Relation(authorised=True, authorised_until=NOW - timedelta(seconds=1))
    valid = Relation(authorised=True, authorised_until=NOW + timedelta(days=1))
    assert access_basis(doctor, valid, Request(), NOW).allowed
    assert access_basis(doctor, expired, Request(), NOW).refusal == ErrorCode.CONSENT_REQUIRED
    revoked = Relation(revoked=True)
    assert (
        access_basis(doctor, revoked, Request(consent_declared=True), NOW).refusal == ErrorCode.ACCESS_REVOKED
    )
    blocked = Relation(blocked=True, attending=True, authorised=True)
    for request in (
        Request(),
        Request(consent_declared=True),
        Request("emergency", "coma"),
        Request("regulator", "appel 15"),
    ):
        assert access_basis(Actor("d", "doctor", "emergency_regulator"), blocked, request, NOW).refusal == (
            ErrorCode.ACCESS_BLOCKED
        )


def test_emergency_and_regulator_switches() -> None:
    nurse, regulator = Actor("n", "nurse"), Actor("r", "doctor", "emergency_regulator")
    stranger = Relation()
    assert access_basis(nurse, stranger, Request("emergency", "inconscient"), NOW).basis == "emergency"
    assert access_basis(nurse, stranger, Request("emergency", " "), NOW).refusal == ErrorCode.REASON_REQUIRED
    off = Request("emergency", "inconscient", emergency_allowed=False)
    assert access_basis(nurse, stranger, off, NOW).refusal == ErrorCode.EMERGENCY_REFUSED
    assert access_basis(regulator, stranger, Request("regulator", "appel"), NOW).basis == "regulator"
    assert (
        access_basis(nurse, stranger, Request("regulator", "appel"), NOW).refusal == ErrorCode.NOT_REGULATOR
    )
    no_regulator = Request("regulator", "appel", regulator_allowed=False)
    assert access_basis(regulator, stranger, no_regulator, NOW).refusal == ErrorCode.REGULATOR_REFUSED
    # The switches are separate: one off leaves the other on.
    assert access_basis(
        regulator, stranger, Request("regulator", "appel", emergency_allowed=False), NOW
    ).allowed
