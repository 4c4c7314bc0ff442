"""Administrative data as the insurer holds it; the holder's correction requests; the insurer's
decision through the commands' functions (accepting changes the holder's data and tells them)."""

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from backend_stub.demo import nir_for
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.models.administrative import CorrectionRequest
from backend_stub.services import administrative, enrolment
from mobile.record_access.state import AccessLogState
from sync.protocol.admin_schemas import correction_problems
from sync.protocol.errors import ErrorCode
from sync.protocol.record_schemas import AccessEntryOut
from tests.conftest import World, bearer

TODAY = date(2026, 1, 5)


def _ask(world: World, tokens: dict[str, str], **body: str):  # type: ignore[no-untyped-def]
    return world.api.post("/api/v1/administrative/corrections", headers=bearer(tokens), json=body)


def test_data_as_the_insurer_holds_it_with_insurer_not_filled_in(world: World) -> None:
    person = world.enrol(postal_address="3 rue des Lilas, 69003 Lyon", insurer="CPAM du Rhône")
    world.activate(person)
    tokens = world.login(person)
    data = world.api.get("/api/v1/administrative", headers=bearer(tokens)).json()
    assert data == {
        "last_name": "Martin",
        "first_name": "Camille",
        "birth_date": "1985-05-01",
        "postal_address": "3 rue des Lilas, 69003 Lyon",
        "insurer": "CPAM du Rhône",
    }
    _, other = world.active_person()  # enrolled without an insurer
    assert world.api.get("/api/v1/administrative", headers=bearer(other)).json()["insurer"] is None


@pytest.mark.parametrize(
    ("field", "value", "note", "where", "code"),
    [
        ("nir", "x", "", "field", ErrorCode.ADMIN_FIELD),
        ("postal_address", "   ", "", "value", ErrorCode.ADMIN_VALUE_EMPTY),
        ("last_name", "L" * 101, "", "value", ErrorCode.ADMIN_VALUE_TOO_LONG),
        ("postal_address", "a" * 301, "", "value", ErrorCode.ADMIN_VALUE_TOO_LONG),
        ("insurer", "C" * 101, "", "value", ErrorCode.ADMIN_VALUE_TOO_LONG),
        ("birth_date", "31/02/1985", "", "value", ErrorCode.ADMIN_BIRTH_DATE),
        ("birth_date", "2030-01-01", "", "value", ErrorCode.ADMIN_BIRTH_DATE),
        ("birth_date", "1899-12-31", "", "value", ErrorCode.ADMIN_BIRTH_DATE),
        ("birth_date", "hier", "", "value", ErrorCode.ADMIN_BIRTH_DATE),
        ("first_name", "Camila", "n" * 501, "note", ErrorCode.ADMIN_NOTE_TOO_LONG),
    ],
)
def test_bad_requests_are_refused_with_the_field_concerned(
    world: World, field: str, value: str, note: str, where: str, code: ErrorCode
) -> None:
    assert correction_problems(field, value, note, TODAY)[where][0] == code
    _, tokens = world.active_person()
    response = _ask(world, tokens, field=field, value=value, note=note)
    assert response.status_code == 422
    assert response.json()["code"] == code.value
    assert where in response.json()["params"]["fields"]
    assert world.api.get("/api/v1/administrative/corrections", headers=bearer(tokens)).json() == []


def test_limits_are_inclusive_and_french_dates_accepted() -> None:
    assert correction_problems("last_name", "L" * 100, "n" * 500, TODAY) == {}
    assert correction_problems("birth_date", "01/05/1986", "", TODAY) == {}
    assert correction_problems("birth_date", "1900-01-01", "", TODAY) == {}


def test_same_value_and_a_second_open_request_are_refused(world: World) -> None:
    _, tokens = world.active_person()
    same = _ask(world, tokens, field="last_name", value=" Martin ")
    assert (same.status_code, same.json()["code"]) == (422, ErrorCode.ADMIN_SAME_VALUE.value)
    assert _ask(world, tokens, field="last_name", value="Martin-Durand").status_code == 200
    again = _ask(world, tokens, field="last_name", value="Durand")
    assert (again.status_code, again.json()["code"]) == (409, ErrorCode.ADMIN_ALREADY_OPEN.value)
    assert _ask(world, tokens, field="first_name", value="Camila").status_code == 200


def test_accept_applies_and_notifies_reject_does_not(world: World) -> None:
    _, tokens = world.active_person()
    address = _ask(
        world, tokens, field="postal_address", value="12  avenue   Jean Jaurès, 75019 Paris", note="déménagé"
    )
    assert address.status_code == 200, address.text
    born = _ask(world, tokens, field="birth_date", value="02/05/1985").json()
    assert address.json()["value"] == "12 avenue Jean Jaurès, 75019 Paris"
    assert born["value"] == "1985-05-02"
    assert [
        r["status"]
        for r in world.api.get("/api/v1/administrative/corrections", headers=bearer(tokens)).json()
    ] == [
        "open",
        "open",
    ]
    with Session(world.ctx.engine) as session:
        queue = administrative.open_requests(session=session)
        assert [(r.field, h.last_name) for r, h in queue] == [
            ("postal_address", "Martin"),
            ("birth_date", "Martin"),
        ]
        administrative.decide(session=session, ctx=world.ctx, request_id=address.json()["id"], accept=True)
        administrative.decide(session=session, ctx=world.ctx, request_id=born["id"], accept=False)
        with pytest.raises(DomainError) as twice:
            administrative.decide(session=session, ctx=world.ctx, request_id=born["id"], accept=True)
        assert twice.value.code == ErrorCode.ADMIN_DECIDED
        assert administrative.open_requests(session=session) == []
    data = world.api.get("/api/v1/administrative", headers=bearer(tokens)).json()
    assert data["postal_address"] == "12 avenue Jean Jaurès, 75019 Paris"
    assert data["birth_date"] == "1985-05-01"
    listed = world.api.get("/api/v1/administrative/corrections", headers=bearer(tokens)).json()
    assert {r["field"]: r["status"] for r in listed} == {
        "postal_address": "accepted",
        "birth_date": "rejected",
    }
    assert all(r["decided_at"] for r in listed)
    kinds = [n["kind"] for n in world.api.get("/api/v1/notifications", headers=bearer(tokens)).json()]
    assert sorted(kinds) == ["correction_accepted", "correction_rejected"]
    # The insurer's agent acted on the holder's data: two lines of the holder's log (the gate's
    # operator), worded by the app as the holder asked them.
    log = world.api.get("/api/v1/access-log", headers=bearer(tokens)).json()["entries"]
    assert [(e["actor_name"], e["target"], e["target_title"], e["detail"]) for e in log] == [
        ("Assurance Maladie", "administrative", "birth_date", "rejected"),
        ("Assurance Maladie", "administrative", "postal_address", "accepted"),
    ]
    words = AccessLogState.describe(AccessEntryOut(**log[1]), "fr")
    corrected = "A corrigé vos données administratives (« Adresse postale »), comme vous l'aviez demandé"
    assert words.what == corrected
    assert words.profession == "Caisse d'assurance maladie"


def test_another_holder_sees_nothing_of_the_first(world: World) -> None:
    _, first = world.active_person()
    asked = _ask(world, first, field="insurer", value="CPAM de Paris").json()
    second_person = world.enrol(first_name="Louis")
    world.activate(second_person)
    second = world.login(second_person)
    assert world.api.get("/api/v1/administrative", headers=bearer(second)).json()["first_name"] == "Louis"
    listed = world.api.get("/api/v1/administrative/corrections", headers=bearer(second)).json()
    assert listed == []
    assert asked["id"] not in str(listed)
    assert world.api.get("/api/v1/administrative").status_code == 401


def test_commands_list_and_decide(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from backend_stub.commands import server as cli

    _, tokens = world.active_person()
    asked = _ask(world, tokens, field="first_name", value="Camila").json()
    monkeypatch.setattr(cli, "command_context", lambda: world.ctx)
    runner = CliRunner()
    listing = runner.invoke(cli.app, ["corrections"], env={"COLUMNS": "250"})
    assert listing.exit_code == 0, listing.output
    assert "Camila" in listing.output and "first_name" in listing.output
    accepted = runner.invoke(cli.app, ["correct", asked["id"], "--accept"])
    assert accepted.exit_code == 0, accepted.output
    assert world.api.get("/api/v1/administrative", headers=bearer(tokens)).json()["first_name"] == "Camila"
    again = runner.invoke(cli.app, ["correct", asked["id"], "--reject"])
    assert again.exit_code == 1
    unknown = runner.invoke(cli.app, ["correct", "nope", "--reject"])
    assert unknown.exit_code == 1


def test_enrolment_csv_takes_an_optional_insurer(world: World, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "nir,vitale_serial,first_name,last_name,birth_date,postal_address,email,lang,insurer\n"
        f"{nir_for(901)},40000901,Emma,Diallo,1990-02-03,1 rue A,,fr,MSA Bourgogne\n"
        f"{nir_for(902)},40000902,Jean,Moreau,1970-06-07,2 rue B,,fr,\n",
        encoding="utf-8",
    )
    report = enrolment.EnrolmentReport(errors=[])
    with Session(world.ctx.engine) as session:
        enrolment.enrol_many(session=session, ctx=world.ctx, people=enrolment.read_csv(path, report))
        insurers = {h.first_name: h.insurer for h in session.exec(select(Holder)).all()}
        assert session.exec(select(CorrectionRequest)).all() == []
    assert insurers == {"Emma": "MSA Bourgogne", "Jean": None}
