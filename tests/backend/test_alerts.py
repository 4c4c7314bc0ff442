"""How accesses are told (issue #17): per channel, first access only or every access, emergency
accesses always; and the third emergency switch, masked documents readable in an emergency."""

from typing import Any

from sqlmodel import Session

from backend_stub.models.accounts import Holder
from sync.client import AccountClient
from sync.protocol.alerts import AlertSettings
from sync.protocol.schemas import OtpChannel, TokenPair
from tests.backend.test_record_access import Pro, holder_document
from tests.conftest import Person, World, bearer

A = "/api/v1"
REASON = "Patient inconscient"


def _holder_id(world: World, tokens: dict[str, str]) -> str:
    return str(world.api.get(f"{A}/me", headers=bearer(tokens)).json()["id"])


def _mails(world: World, to: str, kind: str) -> list[dict[str, Any]]:
    return [m for m in world.outbox(to=to) if m["kind"] == kind]


def _kinds(world: World, tokens: dict[str, str]) -> list[str]:
    return [n["kind"] for n in world.api.get(f"{A}/notifications", headers=bearer(tokens)).json()]


def test_by_default_first_access_only_on_the_channel_of_the_codes(world: World) -> None:
    person, tokens = world.active_person()
    got = world.api.get(f"{A}/alert-settings", headers=bearer(tokens))
    assert got.status_code == 200 and got.json() == {"in_app": "first", "email": "first", "sms": "off"}
    doctor = Pro(world, "doctor")
    doctor.titles(person, consent=True)  # the first access: in the app and by e-mail
    doctor.titles(person)  # a later one: told nowhere
    doctor.titles(person)
    assert _kinds(world, tokens) == ["first_access"]
    assert len(_mails(world, person.email, "first_access")) == 1
    assert _mails(world, person.email, "access") == []
    # Someone who receives their codes by SMS keeps getting these by SMS, as before.
    with Session(world.ctx.engine) as session:
        holder = session.get(Holder, _holder_id(world, tokens))
        assert holder is not None
        holder.otp_channel, holder.phone = OtpChannel.SMS, "+33612345678"
        session.add(holder)
        session.commit()
    by_sms = world.api.get(f"{A}/alert-settings", headers=bearer(tokens)).json()
    assert by_sms == {"in_app": "first", "email": "off", "sms": "first"}
    Pro(world, "nurse").titles(person, consent=True)
    assert len(_mails(world, "+33612345678", "first_access")) == 1
    assert len(_mails(world, person.email, "first_access")) == 1  # no new e-mail


def test_every_access_on_the_channels_the_holder_chose(world: World) -> None:
    person, tokens = world.active_person()
    client = AccountClient(http=world.api)
    client.tokens = TokenPair.model_validate(tokens)
    chosen = client.set_alert_settings(AlertSettings(in_app="first", email="every", sms="off"))
    assert chosen == client.alert_settings() == AlertSettings(in_app="first", email="every", sms="off")
    doctor = Pro(world, "doctor", name="Dubois")
    doctor.titles(person, consent=True)
    doctor.titles(person)
    doctor.call("GET", "/profile", person)
    mails = _mails(world, person.email, "access")
    assert len(mails) == 2 and "Dubois" in mails[0]["body"] and "à chaque accès" in mails[0]["body"]
    assert _kinds(world, tokens) == ["first_access"]  # the app still says the first one only
    client.set_alert_settings(AlertSettings(in_app="every", email="off", sms="off"))
    doctor.titles(person)
    assert _kinds(world, tokens) == ["access", "first_access"]
    assert len(_mails(world, person.email, "access")) == 2  # e-mail now off
    # Off means off for first accesses too, but never for the app.
    before = len(_mails(world, person.email, "first_access"))
    Pro(world, "pharmacist").titles(person, consent=True)
    assert len(_mails(world, person.email, "first_access")) == before == 1
    assert _kinds(world, tokens)[0] == "first_access"


def test_every_emergency_access_is_always_told(world: World) -> None:
    person, tokens = world.active_person()
    world.api.put(
        f"{A}/alert-settings",
        headers=bearer(tokens),
        json={"in_app": "first", "email": "first", "sms": "off"},
    )
    doctor = Pro(world, "doctor")
    for _ in range(2):
        assert doctor.call("GET", "/documents", person, mode="emergency", reason=REASON).status_code == 200
    assert _kinds(world, tokens) == ["emergency_access", "emergency_access"]
    assert len(_mails(world, person.email, "emergency_access")) == 2


def test_bad_settings_are_refused_and_change_nothing(world: World) -> None:
    _, tokens = world.active_person()
    for body in ({"in_app": "off"}, {"email": "sometimes"}, {"sms": 3}):
        refused = world.api.put(f"{A}/alert-settings", headers=bearer(tokens), json=body)
        assert refused.status_code == 422, body
    assert world.api.get(f"{A}/alert-settings", headers=bearer(tokens)).json()["in_app"] == "first"
    assert world.api.get(f"{A}/alert-settings").status_code == 401


def _masked_space(world: World) -> tuple[Person, dict[str, str], str]:
    person, tokens = world.active_person()
    document = holder_document(world, tokens, "Compte rendu psychiatrique", "hospital_report", masked=True)
    return person, tokens, document


def test_masked_documents_stay_hidden_in_an_emergency_unless_the_holder_says_so(world: World) -> None:
    person, tokens, document = _masked_space(world)
    h = bearer(tokens)
    assert world.api.get(f"{A}/emergency-settings", headers=h).json() == {
        "emergency_access": True,
        "regulator_access": True,
        "masked_in_emergency": False,
    }
    urgentist = Pro(world, "doctor", name="Urgentiste")
    assert urgentist.titles(person, mode="emergency", reason=REASON) == []
    refused = urgentist.call("GET", f"/documents/{document}", person, mode="emergency", reason=REASON)
    assert (refused.status_code, refused.json()["code"]) == (403, "error.access.document_not_readable")

    on = {"emergency_access": True, "regulator_access": True, "masked_in_emergency": True}
    assert world.api.put(f"{A}/emergency-settings", headers=h, json=on).json() == on
    assert urgentist.titles(person, mode="emergency", reason=REASON) == ["Compte rendu psychiatrique"]
    content = urgentist.call("GET", f"/documents/{document}/content", person, mode="emergency", reason=REASON)
    assert content.status_code == 200
    regulator = Pro(world, "doctor", "emergency_regulator", name="Régulateur")
    assert regulator.titles(person, mode="regulator", reason="Appel au 15") == ["Compte rendu psychiatrique"]
    # A normal access still does not read it: only the attending physician does.
    assert Pro(world, "doctor").titles(person, consent=True) == []
    # An older app that sends the two first switches only leaves the third as it is.
    two = {"emergency_access": True, "regulator_access": False}
    assert world.api.put(f"{A}/emergency-settings", headers=h, json=two).json()["masked_in_emergency"] is True
    off = on | {"masked_in_emergency": False}
    world.api.put(f"{A}/emergency-settings", headers=h, json=off)
    assert urgentist.titles(person, mode="emergency", reason=REASON) == []  # at once
