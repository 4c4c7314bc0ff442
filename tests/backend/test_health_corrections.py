"""Corrections of health data (issue #18 part 4, EHDS art. 6): the holder asks the author of an
entry; the author accepts (a new version reaches the holder's devices, the old one stays in the
request's history) or refuses with a reason; each answer is logged and told to the holder."""

import pytest
from sqlmodel import Session, col, select

from backend_stub.models.access_log import AccessEntry
from backend_stub.models.notifications import Notification
from backend_stub.models.record import Record
from tests.backend.test_record_access import Pro
from tests.conftest import Person, World, bearer

A = "/api/v1"


def _pro_entry(world: World, doctor: Pro, person: Person) -> str:
    added = doctor.call(
        "POST",
        "/profile-entries",
        person,
        consent=True,
        json={"section": "allergy", "data": {"substance": "Pénicilline", "severity": "severe"}},
    )
    assert added.status_code == 200, added.text
    return str(added.json()["id"])


def _ask(world: World, tokens: dict[str, str], record_id: str, note: str = "Je ne suis pas allergique"):  # type: ignore[no-untyped-def]
    return world.api.post(
        f"{A}/health-corrections", headers=bearer(tokens), json={"record_id": record_id, "note": note}
    )


def _pulled(world: World, tokens: dict[str, str], record_id: str) -> dict:  # type: ignore[type-arg]
    changes = world.api.get(f"{A}/sync/pull", headers=bearer(tokens)).json()["changes"]
    return next(c for c in reversed(changes) if c["id"] == record_id)


def test_the_author_accepts_a_correction_and_the_old_version_stays(world: World) -> None:
    person, tokens = world.active_person()
    doctor = Pro(world, "doctor", name="Auteur")
    entry = _pro_entry(world, doctor, person)
    assert _pulled(world, tokens, entry)["version"] == 1

    asked = _ask(world, tokens, entry)
    assert asked.status_code == 200, asked.text
    request = asked.json()
    assert (request["status"], request["section"], request["author_name"]) == (
        "open",
        "allergy",
        "Alex Auteur",
    )
    assert _ask(world, tokens, entry).json()["code"] == "error.rights.already_open"

    listed = doctor.call("GET", "/corrections", person).json()
    assert [(r["id"], r["note"], r["entry"]["substance"]) for r in listed] == [
        (request["id"], "Je ne suis pas allergique", "Pénicilline")
    ]
    bad = doctor.call(
        "POST",
        f"/corrections/{request['id']}/decision",
        person,
        json={"accept": True, "fields": {"substance": ""}},
    )
    assert bad.json()["code"] == "error.profile.required"  # checked as a new entry
    accepted = doctor.call(
        "POST",
        f"/corrections/{request['id']}/decision",
        person,
        json={"accept": True, "fields": {"substance": "Amoxicilline", "severity": "mild"}},
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    again = doctor.call("POST", f"/corrections/{request['id']}/decision", person, json={"accept": False})
    assert again.json()["code"] == "error.rights.decided"

    now = _pulled(world, tokens, entry)
    assert now["version"] == 2 and now["data"]["substance"] == "Amoxicilline"
    assert now["author"].startswith("professional:") and now["data"]["author_name"] == "Alex Auteur"
    mine = world.api.get(f"{A}/health-corrections", headers=bearer(tokens)).json()
    assert mine[0]["status"] == "accepted" and mine[0]["previous"]["substance"] == "Pénicilline"
    holder_id = world.api.get(f"{A}/me", headers=bearer(tokens)).json()["id"]
    with Session(world.ctx.engine) as session:
        kinds = session.exec(select(Notification.kind).where(Notification.holder_id == holder_id)).all()
        line = session.exec(
            select(AccessEntry)
            .where(AccessEntry.holder_id == holder_id)
            .order_by(col(AccessEntry.seq).desc())
        ).first()
    assert "health_correction_accepted" in kinds
    assert line is not None and (line.target, line.target_title, line.detail) == (
        "profile",
        "allergy",
        "accepted",
    )


def test_a_refusal_says_why_and_only_the_author_answers(world: World) -> None:
    person, tokens = world.active_person()
    doctor = Pro(world, "doctor", name="Auteur")
    entry = _pro_entry(world, doctor, person)
    request = _ask(world, tokens, entry).json()
    other = Pro(world, "doctor", name="Autre")
    assert other.call("GET", "/corrections", person, consent=True).json() == []
    stranger = other.call("POST", f"/corrections/{request['id']}/decision", person, json={"accept": False})
    assert stranger.status_code == 404

    silent = doctor.call("POST", f"/corrections/{request['id']}/decision", person, json={"accept": False})
    assert silent.json()["code"] == "error.rights.text_empty"
    refused = doctor.call(
        "POST",
        f"/corrections/{request['id']}/decision",
        person,
        json={"accept": False, "reason": "Le test cutané de mars était positif."},
    )
    assert refused.json()["status"] == "refused"
    mine = world.api.get(f"{A}/health-corrections", headers=bearer(tokens)).json()
    assert (mine[0]["status"], mine[0]["reason"], mine[0]["previous"]) == (
        "refused",
        "Le test cutané de mars était positif.",
        None,
    )
    assert _pulled(world, tokens, entry)["version"] == 1  # the entry did not change


def test_only_professionals_entries_and_visible_ones_are_asked(world: World) -> None:
    person, tokens = world.active_person()
    own = {
        "seq": 1,
        "op": "upsert",
        "collection": "profile_entry",
        "id": "entry-own",
        "base_version": 0,
        "data": {"section": "allergy", "substance": "Pollen"},
    }
    world.api.post(
        f"{A}/sync/push", headers=bearer(tokens), json={"client_id": "phone-0001", "mutations": [own]}
    )
    assert _ask(world, tokens, "entry-own").json()["code"] == "error.rights.not_correctable"
    assert _ask(world, tokens, "entry-unknown").status_code == 404
    assert _ask(world, tokens, "entry-own", note="x").json()["code"] == "error.rights.text_empty"

    # Someone else's entry is not found, exactly as one that does not exist.
    other, other_tokens = world.active_person()
    doctor = Pro(world, "doctor")
    theirs = _pro_entry(world, doctor, other)
    assert _ask(world, tokens, theirs).status_code == 404
    with Session(world.ctx.engine) as session:
        assert session.exec(select(Record).where(Record.id == theirs)).one().version == 1


def test_a_blocked_author_cannot_answer(world: World) -> None:
    person, tokens = world.active_person()
    doctor = Pro(world, "doctor", name="Bloque")
    entry = _pro_entry(world, doctor, person)
    request = _ask(world, tokens, entry).json()
    world.api.post(f"{A}/professionals/{doctor.id}/revoke", headers=bearer(tokens), json={"block": True})
    answer = doctor.call("POST", f"/corrections/{request['id']}/decision", person, json={"accept": True})
    assert answer.json()["code"] == "error.access.blocked"
    assert world.api.get(f"{A}/health-corrections", headers=bearer(tokens)).json()[0]["status"] == "open"


def test_the_professionals_cli_lists_and_answers(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from backend_stub.commands import pro

    person, tokens = world.active_person()
    doctor = Pro(world, "doctor", name="Console")
    entry = _pro_entry(world, doctor, person)
    request = _ask(world, tokens, entry, note="[red]Pas[/red] de pénicilline").json()
    app = world.api.app
    monkeypatch.setattr(
        httpx, "Client", lambda **kw: TestClient(app, base_url=kw["base_url"], headers=kw["headers"])
    )
    runner, base = CliRunner(), ["--key", doctor.key, "--url", "http://testserver"]
    shown = runner.invoke(pro.app, [*base, "corrections", "--nir", person.nir], env={"COLUMNS": "250"})
    assert shown.exit_code == 0, shown.output
    assert request["id"] in shown.output and "[red]Pas[/red]" in shown.output  # printed as typed
    refused = runner.invoke(
        pro.app, [*base, "correct", "--nir", person.nir, "--request", request["id"], "--refuse"]
    )
    assert refused.exit_code == 1 and "text_empty" in refused.output
    accepted = runner.invoke(
        pro.app,
        [
            *base,
            "correct",
            "--nir",
            person.nir,
            "--request",
            request["id"],
            "--accept",
            "--field",
            "substance=Latex",
        ],
    )
    assert accepted.exit_code == 0 and "accepted" in accepted.output, accepted.output
    assert _pulled(world, tokens, entry)["data"]["substance"] == "Latex"
