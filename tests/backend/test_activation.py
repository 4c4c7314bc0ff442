"""Enrolment, activation with the three identifiers, objection, new letters, auto-creation."""

import sqlite3
from pathlib import Path

import pytest
from sqlmodel import Session, select

from backend_stub.core.clock import FixedClock
from backend_stub.models.accounts import Holder
from backend_stub.services import space
from tests.conftest import PASSWORD, World


def _status(world: World) -> list[str]:
    with Session(world.ctx.engine) as session:
        return [h.status.value for h in session.exec(select(Holder)).all()]


def test_letter_states_code_and_deadline(world: World) -> None:
    world.enrol(letter_email="camille@exemple.fr")
    letter = world.outbox("camille@exemple.fr")[0]
    assert letter["channel"] == "email"
    assert "jusqu'au 16 février 2026" in letter["body"]  # 5 January + 6 weeks, in words
    assert "/2026" not in letter["body"] and "2026-" not in letter["body"]


def test_postal_letter_when_no_email(world: World) -> None:
    world.enrol()
    assert world.outbox()[0]["channel"] == "letter"


def test_check_then_activate(world: World) -> None:
    person = world.enrol()
    check = world.api.post("/api/v1/activation/check", json=person.ids())
    assert check.status_code == 200
    assert check.json()["first_name"] == "Camille"
    world.activate(person)
    assert _status(world) == ["active"]
    assert world.outbox(person.email)[0]["subject"] == "Votre espace santé est activé"


@pytest.mark.parametrize("field", ["provisional_code", "nir", "vitale_serial"])
def test_a_wrong_identifier_never_says_which(world: World, field: str) -> None:
    person = world.enrol()
    other = world.enrol()
    wrong = {"provisional_code": other.code, "nir": other.nir, "vitale_serial": other.vitale}[field]
    response = world.api.post("/api/v1/activation/check", json=person.ids(**{field: wrong}))
    assert response.status_code == 400
    assert response.json() == {"code": "error.identifiers.mismatch", "params": {}}


def test_unknown_person_gets_the_same_answer(world: World) -> None:
    person = world.enrol()
    response = world.api.post("/api/v1/activation/check", json=person.ids(nir="1 85 05 75 999 999 86"))
    assert response.json()["code"] in ("error.identifiers.mismatch", "error.nir.key")
    from backend_stub.demo import nir_for

    response = world.api.post("/api/v1/activation/check", json=person.ids(nir=nir_for(777777)))
    assert response.status_code == 400
    assert response.json() == {"code": "error.identifiers.mismatch", "params": {}}


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"nir": "1850575ABC45678"}, "error.nir.format"),
        ({"nir": "185057512345"}, "error.nir.length"),
        ({"nir": ""}, "error.nir.empty"),
        ({"vitale_serial": "12ab"}, "error.vitale.format"),
        ({"provisional_code": "XYZ"}, "error.code.format"),
    ],
)
def test_malformed_identifiers_get_a_clear_4xx(world: World, override: dict[str, str], code: str) -> None:
    person = world.enrol()
    response = world.api.post("/api/v1/activation/check", json=person.ids(**override))
    assert response.status_code == 422
    assert response.json()["code"] == code


def test_bad_key_is_reported_as_such(world: World) -> None:
    person = world.enrol()
    bad = person.nir[:13] + f"{(int(person.nir[13:]) + 1) % 100:02d}"
    response = world.api.post("/api/v1/activation/check", json=person.ids(nir=bad))
    assert response.json()["code"] == "error.nir.key"


def test_activation_rules(world: World) -> None:
    person = world.enrol()
    base = person.ids() | {"email": person.email, "password": PASSWORD, "otp_channel": "email"}
    weak = world.api.post("/api/v1/activation", json=base | {"password": "motdepasse"})
    assert weak.json()["code"] == "error.password.weak"
    sms = world.api.post("/api/v1/activation", json=base | {"otp_channel": "sms", "phone": ""})
    assert sms.json()["code"] == "error.phone.invalid"
    bad_mail = world.api.post("/api/v1/activation", json=base | {"email": "pas-un-mail"})
    assert bad_mail.json()["code"] == "error.email.invalid"
    assert _status(world) == ["pending"]  # nothing changed by refused requests
    world.activate(person)
    again = world.api.post("/api/v1/activation", json=base)
    assert again.status_code == 409
    assert again.json()["code"] == "error.space.already_active"


def test_email_already_used(world: World) -> None:
    first, second = world.enrol(), world.enrol()
    world.activate(first)
    body = second.ids() | {"email": first.email, "password": PASSWORD}
    response = world.api.post("/api/v1/activation", json=body)
    assert response.status_code == 409
    assert response.json()["code"] == "error.email.taken"


def test_objection_within_six_weeks(world: World, clock: FixedClock) -> None:
    person = world.enrol()
    clock.advance(weeks=6, seconds=-1)
    response = world.api.post("/api/v1/objection", json=person.ids())
    assert response.status_code == 200
    assert _status(world) == ["objected"]
    again = world.api.post("/api/v1/objection", json=person.ids())
    assert again.json()["code"] == "error.objection.already"
    clock.advance(weeks=1)
    with Session(world.ctx.engine) as session:
        assert space.create_due_spaces(session=session, ctx=world.ctx) == 0
    assert _status(world) == ["objected"]


def test_objection_after_six_weeks_is_refused_and_space_created(world: World, clock: FixedClock) -> None:
    person = world.enrol()
    clock.advance(weeks=6)
    response = world.api.post("/api/v1/objection", json=person.ids())
    assert response.status_code in (409, 410)
    with Session(world.ctx.engine) as session:
        assert space.create_due_spaces(session=session, ctx=world.ctx) == 1
        assert space.create_due_spaces(session=session, ctx=world.ctx) == 0  # idempotent
    assert _status(world) == ["created"]


def test_the_job_leaves_spaces_within_their_window(world: World, clock: FixedClock) -> None:
    world.enrol()
    clock.advance(weeks=6, seconds=-1)
    with Session(world.ctx.engine) as session:
        assert space.create_due_spaces(session=session, ctx=world.ctx) == 0
    assert _status(world) == ["pending"]


def test_change_of_mind_after_objection(world: World) -> None:
    person = world.enrol()
    world.api.post("/api/v1/objection", json=person.ids())
    world.activate(person)
    assert _status(world) == ["active"]


def test_expired_code_then_new_letter_then_activation(world: World, clock: FixedClock) -> None:
    person = world.enrol()
    clock.advance(weeks=8)
    expired = world.api.post("/api/v1/activation/check", json=person.ids())
    assert expired.status_code == 410
    assert expired.json()["code"] == "error.code.expired"
    unknown = world.api.post("/api/v1/letters", json={"nir": person.nir, "vitale_serial": "99999999"})
    known = world.api.post("/api/v1/letters", json={"nir": person.nir, "vitale_serial": person.vitale})
    assert unknown.status_code == known.status_code == 200
    assert unknown.json() == known.json()  # never says whether it matched
    world.send_queued()  # the letter goes after the answer (test_account_limits.py)
    from tests.conftest import CODE_RE

    new_code = CODE_RE.search(world.outbox()[0]["body"])
    assert new_code and new_code.group(1) != person.code
    old = world.api.post("/api/v1/activation/check", json=person.ids())
    assert old.json()["code"] == "error.identifiers.mismatch"
    person.code = new_code.group(1)
    world.activate(person)
    assert _status(world) == ["active"]


def test_code_is_spent_after_activation(world: World) -> None:
    person = world.enrol()
    world.activate(person)
    response = world.api.post("/api/v1/objection", json=person.ids())
    assert response.status_code == 409


def test_activation_is_rate_limited_per_number(world: World) -> None:
    person = world.enrol()
    limit = world.ctx.settings.rate_per_account
    codes = [
        world.api.post("/api/v1/activation/check", json=person.ids(provisional_code="ABCD-EFGH-JK23"))
        for _ in range(limit + 1)
    ]
    assert [r.status_code for r in codes[:limit]] == [400] * limit
    assert codes[-1].status_code == 429
    assert int(codes[-1].headers["Retry-After"]) > 0
    right = world.api.post("/api/v1/activation/check", json=person.ids())
    assert right.status_code == 429  # even the right code waits: no guessing race


def test_nothing_identifying_is_stored_in_clear(world: World, tmp_path: Path) -> None:
    if not world.ctx.settings.database_url.startswith("sqlite"):
        pytest.skip("reads the SQLite file")
    person = world.enrol()
    world.activate(person)
    world.ctx.engine.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("ens.db*"))
    for secret in (person.nir, person.vitale, person.code.replace("-", ""), PASSWORD):
        assert secret.encode() not in raw
    assert sqlite3.connect(tmp_path / "ens.db").execute("select count(*) from holder").fetchone() == (1,)


def test_enrolment_skips_people_already_enrolled(world: World, tmp_path: Path) -> None:
    from backend_stub.demo import fake_people_csv
    from backend_stub.services import enrolment

    csv_path = tmp_path / "people.csv"
    fake_people_csv(csv_path, count=30, start=500)
    with csv_path.open("a", encoding="utf-8") as handle:
        handle.write("123,456,Bad,Row,1980-01-01,,,fr\n")
    for expected_created in (30, 0):
        report = enrolment.EnrolmentReport(errors=[])
        with Session(world.ctx.engine) as session:
            result = enrolment.enrol_many(
                session=session, ctx=world.ctx, people=enrolment.read_csv(csv_path, report), batch_size=7
            )
        assert result.created == expected_created
        assert report.errors == [(32, "error.nir.length")]
    assert len(world.outbox()) == 30
    assert "jusqu'au 16 février 2026" in world.outbox()[0]["body"]  # the clock's day + 6 weeks
