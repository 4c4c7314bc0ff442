"""The gate (backend_stub/rules/gate.py) walked as a pure function: every profession against every
document type, masks, attending physician, author, grants, blocks, ended and revoked authorisations,
emergency and regulator switches, parents, apps, share links and secrecy."""

from datetime import UTC, datetime, timedelta

import pytest

from backend_stub.rules import gate
from backend_stub.rules.gate import Item, Log, Member, Relation, Space
from sync.protocol.errors import ErrorCode
from sync.protocol.reference import document_type_codes, professions, readable_types
from sync.protocol.schemas import SpaceStatus

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
OPEN = Space(SpaceStatus.ACTIVE)
AUTHORISED = Relation(authorised=True, seen=True)
REASON = "patient inconscient"


def pro(
    relation: Relation = AUTHORISED,
    profession: str = "doctor",
    specialty: str = "",
    mode: str = "normal",
    reason: str = "",
    consent: bool = False,
    pid: str = "p1",
) -> gate.Professional:
    return gate.Professional(pid, profession, specialty, relation, mode, reason, consent)


def decide(actor: gate.Actor, item: Item = gate.SPACE, space: Space = OPEN) -> gate.Verdict:
    return gate.decide(actor, space, item, NOW)


@pytest.mark.parametrize("profession", sorted(professions()))
def test_matrix_for_every_profession_and_type(profession: str) -> None:
    for doc_type in sorted(document_type_codes()):
        expected = doc_type in readable_types(profession)
        verdict = decide(pro(profession=profession), Item(kind="document", type=doc_type))
        assert verdict.allowed is expected, (profession, doc_type)
        if not expected:
            assert verdict.refusal == ErrorCode.DOCUMENT_NOT_READABLE and verdict.log == Log.SPACE


def test_masked_documents_only_for_attending_and_author() -> None:
    masked = Item(kind="document", type="hospital_report", masked=True)
    assert not decide(pro(), masked).allowed
    assert not decide(pro(Relation(care_team=True, seen=True)), masked).allowed
    assert decide(pro(Relation(attending=True, seen=True)), masked).allowed
    own = Item(kind="document", type="hospital_report", masked=True, author_id="p1")
    assert decide(pro(), own).allowed
    # The author reads their own document even outside their profession's list.
    assert decide(pro(profession="optician"), own).allowed


def test_masked_documents_in_an_emergency_follow_the_holders_third_switch() -> None:
    masked = Item(kind="document", type="hospital_report", masked=True)
    emergency = pro(Relation(), mode="emergency", reason=REASON)
    regulator = pro(Relation(), mode="regulator", reason=REASON, specialty=gate.REGULATOR_SPECIALTY)
    switch_on = Space(SpaceStatus.ACTIVE, masked_in_emergency=True)
    assert not Space(SpaceStatus.ACTIVE).masked_in_emergency  # off by default
    for actor in (emergency, regulator):
        refused = decide(actor, masked)
        assert refused.refusal == ErrorCode.DOCUMENT_NOT_READABLE and refused.log == Log.SPACE
        assert decide(actor, masked, switch_on).allowed
        assert gate.can_read_document(actor, switch_on, masked)
        assert not gate.can_read_document(actor, OPEN, masked)
    # The switch opens masked documents to emergencies only: a normal access still needs the attending.
    assert not decide(pro(), masked, switch_on).allowed
    assert not gate.can_read_document(pro(), switch_on, masked)
    # Nor does it lift the matrix, nor the emergency switch itself, nor a block.
    nurse = pro(Relation(), "nurse", mode="emergency", reason=REASON)
    assert not decide(nurse, Item(kind="document", type="imaging_report", masked=True), switch_on).allowed
    no_emergency = Space(SpaceStatus.ACTIVE, emergency_access=False, masked_in_emergency=True)
    assert decide(emergency, masked, no_emergency).refusal == ErrorCode.EMERGENCY_REFUSED
    blocked = pro(Relation(blocked=True), mode="emergency", reason=REASON)
    assert decide(blocked, masked, switch_on).refusal == ErrorCode.ACCESS_BLOCKED


def test_bases_in_normal_mode() -> None:
    assert decide(pro(Relation(attending=True, seen=True))).basis == "attending"
    assert decide(pro(AUTHORISED)).basis == "authorised"
    assert decide(pro(Relation(care_team=True, seen=True))).basis == "care_team"
    stranger = decide(pro(Relation()))
    assert stranger.refusal == ErrorCode.CONSENT_REQUIRED
    assert stranger.log == Log.SECURITY  # no relation: nothing in the holder's log
    joined = decide(pro(Relation(), consent=True))
    assert joined.allowed and joined.basis == "care_team" and joined.join_care_team
    assert joined.notify == "first_access" and joined.log == Log.SPACE


def test_first_access_is_told_once_and_later_ones_as_accesses() -> None:
    """A later access is an "access" notice: the notifier sends it only where the holder chose
    "every access" (sync/protocol/alerts.py); messaging is no access to the record."""
    assert decide(pro(Relation(authorised=True))).notify == "first_access"
    assert decide(pro(Relation(authorised=True, seen=True))).notify == "access"
    assert decide(
        pro(Relation(authorised=True, seen=True)), Item(kind="document", type="prescription")
    ).notify == ("access")
    assert decide(pro(Relation(authorised=True, seen=True)), Item(kind="message")).notify == ""
    assert decide(pro(Relation(), mode="emergency", reason=REASON)).notify == "emergency_access"


def test_ended_and_revoked_are_not_reopened_by_declared_consent() -> None:
    ended = Relation(authorised=True, authorised_until=NOW - timedelta(seconds=1), seen=True)
    valid = Relation(authorised=True, authorised_until=NOW + timedelta(days=1), seen=True)
    assert decide(pro(valid)).allowed
    for consent in (False, True):
        verdict = decide(pro(ended, consent=consent))
        assert verdict.refusal == ErrorCode.ACCESS_ENDED and verdict.log == Log.SPACE
        assert not verdict.join_care_team
        revoked = decide(pro(Relation(revoked=True), consent=consent))
        assert revoked.refusal == ErrorCode.ACCESS_REVOKED and revoked.log == Log.SPACE


def test_blocked_beats_everything() -> None:
    blocked = Relation(blocked=True, attending=True, authorised=True)
    regulator = {"specialty": gate.REGULATOR_SPECIALTY}
    for how in ({}, {"consent": True}, {"mode": "emergency", "reason": REASON}):
        assert decide(pro(blocked, **how)).refusal == ErrorCode.ACCESS_BLOCKED  # type: ignore[arg-type]
    assert (
        decide(pro(blocked, mode="regulator", reason=REASON, **regulator)).refusal == ErrorCode.ACCESS_BLOCKED
    )
    messaging = decide(pro(blocked), Item(kind="message"))
    assert messaging.refusal == ErrorCode.ACCESS_BLOCKED and messaging.log == Log.SPACE


def test_emergency_and_regulator_switches() -> None:
    nurse, regulator = pro(Relation(), "nurse"), {"specialty": gate.REGULATOR_SPECIALTY}
    emergency = decide(pro(Relation(), "nurse", mode="emergency", reason=REASON))
    assert emergency.basis == "emergency" and emergency.notify == "emergency_access"
    assert nurse.relation == Relation()
    for weak in (" ", "x", "1234", "a b"):  # a letter or two is no stated reason
        verdict = decide(pro(Relation(), "nurse", mode="emergency", reason=weak))
        assert verdict.refusal == ErrorCode.REASON_REQUIRED
    off = Space(SpaceStatus.ACTIVE, emergency_access=False)
    assert decide(pro(Relation(), mode="emergency", reason=REASON), space=off).refusal == (
        ErrorCode.EMERGENCY_REFUSED
    )
    as_regulator = pro(Relation(), mode="regulator", reason=REASON, **regulator)
    assert decide(as_regulator).basis == "regulator"
    assert decide(as_regulator).notify == "regulator_access"
    assert (
        decide(pro(Relation(), "nurse", mode="regulator", reason=REASON)).refusal == ErrorCode.NOT_REGULATOR
    )
    no_regulator = Space(SpaceStatus.ACTIVE, regulator_access=False)
    assert decide(as_regulator, space=no_regulator).refusal == ErrorCode.REGULATOR_REFUSED
    # The switches are separate: one off leaves the other on.
    assert decide(as_regulator, space=off).allowed


def test_a_revoked_professional_is_refused_in_an_emergency_too() -> None:
    revoked = Relation(revoked=True)
    assert decide(pro(revoked, mode="emergency", reason=REASON)).refusal == ErrorCode.ACCESS_REVOKED
    as_regulator = pro(revoked, mode="regulator", reason=REASON, specialty=gate.REGULATOR_SPECIALTY)
    assert decide(as_regulator).refusal == ErrorCode.ACCESS_REVOKED
    # An authorisation that merely ended is no refusal by the holder: emergency still applies.
    ended = Relation(authorised=True, authorised_until=NOW - timedelta(days=1))
    assert decide(pro(ended, mode="emergency", reason=REASON)).allowed


@pytest.mark.parametrize("status", [None, SpaceStatus.PENDING, SpaceStatus.CREATED, SpaceStatus.CLOSED])
def test_a_space_that_is_not_active_answers_nothing(status: SpaceStatus | None) -> None:
    space = Space(status)
    care = Relation(care_team=True, seen=True)
    # Unknown and enrolled numbers look alike until there is a lawful basis (consent, emergency).
    assert decide(pro(care), space=space).refusal == ErrorCode.CONSENT_REQUIRED
    assert decide(pro(Relation()), space=space).refusal == ErrorCode.CONSENT_REQUIRED
    assert decide(pro(Relation(), consent=True), space=space).refusal == ErrorCode.PATIENT_NOT_FOUND
    assert decide(pro(care, mode="emergency", reason=REASON), space=space).refusal == (
        ErrorCode.PATIENT_NOT_FOUND
    )
    assert decide(pro(care), Item(kind="message"), space).refusal == ErrorCode.NOT_FOUND
    app = gate.App(frozenset({"measurements.read"}), consent_live=True, app_active=True)
    assert decide(app, Item(scope="measurements.read"), space).refusal == ErrorCode.APP_TOKEN_INVALID
    assert decide(gate.Link(open=True), gate.SPACE, space).refusal == ErrorCode.SHARE_CLOSED
    assert decide(Member(guardian=True), space=space).refusal == ErrorCode.CHILD_NOT_GUARDIAN
    for actor in (pro(care), app, gate.Link(open=True)):
        assert decide(actor, gate.SPACE, space).log == Log.SECURITY  # never the space's own log
    if status is not None:
        holder = decide(Member(), space=space)
        assert holder.refusal == ErrorCode.SPACE_CLOSED
        assert decide(Member(), Item(closed_ok=True), space).allowed  # its reopen flow


def test_messaging_needs_the_holders_care_now() -> None:
    message = Item(kind="message", action="read")
    assert decide(pro(Relation(care_team=True, seen=True)), message).allowed
    assert decide(pro(Relation(revoked=True)), message).refusal == ErrorCode.ACCESS_REVOKED
    ended = Relation(authorised=True, authorised_until=NOW - timedelta(hours=1))
    assert decide(pro(ended), message).refusal == ErrorCode.ACCESS_ENDED
    stranger = decide(pro(Relation(), consent=True), message)
    assert stranger.refusal == ErrorCode.CONSENT_REQUIRED and stranger.log == Log.SECURITY
    # Emergency mode opens the record, not the conversations.
    assert not decide(pro(Relation(), mode="emergency", reason=REASON), message).allowed


def test_parents() -> None:
    parent = Member(guardian=True)
    assert decide(parent).allowed and decide(parent).log == Log.NONE  # lists and pulls: not logged
    assert decide(parent, Item(action="write")).log == Log.SPACE
    assert decide(parent, Item(kind="content", action="read")).log == Log.SPACE
    secret = decide(parent, Item(kind="document", secret=True))
    assert secret.conceal and secret.refusal == ErrorCode.NOT_FOUND and secret.log == Log.NONE
    assert decide(Member(), Item(kind="document", secret=True)).allowed  # the holder themself
    own = decide(parent, Item(action="write", own_space_only=True))
    assert own.refusal == ErrorCode.CHILD_NOT_GUARDIAN and own.log == Log.SPACE
    former = decide(Member(guardian=True, linked=False, ever_linked=True))
    assert former.refusal == ErrorCode.CHILD_NOT_GUARDIAN and former.log == Log.SPACE
    stranger = decide(Member(guardian=True, linked=False, ever_linked=False))
    assert stranger.refusal == ErrorCode.CHILD_NOT_GUARDIAN and stranger.log == Log.SECURITY


def test_what_no_member_sees() -> None:
    for member in (Member(), Member(guardian=True)):
        assert decide(member, Item(kind="document", hidden_from_patient=True)).conceal
        assert decide(member, Item(kind="notification", owned=False)).conceal


def test_secret_acts_leave_no_trace_for_parents() -> None:
    first = decide(pro(Relation(), consent=True), Item(kind="document", action="write", secret=True))
    assert first.allowed and first.secret and first.notify == "first_access" and first.join_care_team
    quiet = Relation(care_team=True, seen=True, secret_only=True)
    again = decide(pro(quiet), Item(kind="document", action="write", secret=True))
    assert again.allowed and not again.reveal_relation
    assert again.notify == "access" and again.secret  # told (as the settings say) out of the parents' sight
    shown = decide(pro(quiet))
    assert shown.reveal_relation and shown.notify == "first_access" and not shown.secret


def test_apps() -> None:
    app = gate.App(frozenset({"measurements.read"}), consent_live=True, app_active=True)
    assert decide(app, Item(scope="measurements.read")).basis == "app"
    missing = decide(app, Item(scope="documents.read"))
    assert missing.refusal == ErrorCode.APP_SCOPE_MISSING and missing.log == Log.SPACE
    revoked = gate.App(app.scopes, consent_live=False, app_active=True)
    assert decide(revoked).refusal == ErrorCode.APP_TOKEN_INVALID and decide(revoked).log == Log.SPACE
    suspended = gate.App(app.scopes, consent_live=True, app_active=False)
    assert decide(suspended).refusal == ErrorCode.APP_SUSPENDED
    parents = gate.App(app.scopes, consent_live=True, app_active=True, by_parent=True, parent_may_act=False)
    assert decide(parents).refusal == ErrorCode.APP_TOKEN_INVALID
    by_parent = gate.App(app.scopes, consent_live=True, app_active=True, by_parent=True)
    assert decide(by_parent, Item(kind="document", secret=True)).conceal
    assert decide(app, Item(kind="document", secret=True)).allowed


def test_share_links() -> None:
    link = gate.Link(open=True)
    opened = decide(link, Item(kind="share"))
    assert opened.allowed and opened.notify == "share_opened" and opened.log == Log.SPACE
    assert decide(gate.Link(open=False)).refusal == ErrorCode.SHARE_CLOSED
    assert decide(link, Item(kind="document", in_link=False)).conceal
    assert decide(gate.Link(open=True, by_parent=True), Item(kind="document", secret=True)).conceal


def test_profile_sections() -> None:
    assert decide(pro(profession="optician"), Item(kind="profile")).refusal == ErrorCode.PROFILE_NOT_READABLE
    assert decide(pro(), Item(kind="profile", action="write", section="allergy")).allowed
    notes = decide(pro(), Item(kind="profile", action="write", section="note"))
    assert notes.refusal == ErrorCode.PROFILE_NOT_WRITABLE


def test_profile_sections_the_holder_shares() -> None:
    shared = Space(SpaceStatus.ACTIVE, shared_sections=frozenset({"vaccination"}))
    assert gate.readable_profile(pro(), shared) == {"vaccination"}
    assert (
        decide(pro(), Item(kind="profile"), Space(SpaceStatus.ACTIVE)).refusal
        == ErrorCode.PROFILE_NOT_READABLE
    )
    urgent = pro(Relation(), mode="emergency", reason=REASON)
    assert gate.readable_profile(urgent, shared) == {"vaccination"}
    with_switch = Space(
        SpaceStatus.ACTIVE, masked_in_emergency=True, shared_sections=frozenset({"vaccination"})
    )
    assert "treatment" in gate.readable_profile(urgent, with_switch)
