"""Corrections of documents a professional added (issue #18 part 4, EHDS art. 6): the holder asks
the author; the author accepts with a corrected version (the one before stays readable as an
earlier version) or refuses with a reason; only the author answers, through the gate; the author
lists what waits across patients, without the patients whose record the gate refuses."""

import base64
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from backend_stub.models.access_log import AccessEntry
from backend_stub.models.notifications import Notification
from tests.backend.test_record_access import PDF, Pro
from tests.conftest import PASSWORD, Person, World, bearer

A = "/api/v1"
CORRECTED = PDF + b"% corrected\n"


def _pro_document(doctor: Pro, person: Person, title: str = "Compte rendu") -> str:
    body = {
        "title": title,
        "type": "consultation_report",
        "date": "2026-03-02",
        "mime": "application/pdf",
        "content_b64": base64.b64encode(PDF).decode(),
    }
    added = doctor.call("POST", "/documents", person, consent=True, json=body)
    assert added.status_code == 200, added.text
    return str(added.json()["id"])


def _ask(world: World, tokens: dict[str, str], record_id: str, note: str = "Ce n'est pas mon groupe sanguin"):  # type: ignore[no-untyped-def]
    return world.api.post(
        f"{A}/health-corrections", headers=bearer(tokens), json={"record_id": record_id, "note": note}
    )


def _version(**kw: object) -> dict[str, object]:
    return {"mime": "application/pdf", "content_b64": base64.b64encode(CORRECTED).decode(), **kw}


def _pulled(world: World, tokens: dict[str, str], record_id: str) -> dict:  # type: ignore[type-arg]
    changes = world.api.get(f"{A}/sync/pull", headers=bearer(tokens)).json()["changes"]
    return next(c for c in reversed(changes) if c["id"] == record_id)


def _holder_id(world: World, tokens: dict[str, str]) -> str:
    return str(world.api.get(f"{A}/me", headers=bearer(tokens)).json()["id"])


def _lines(world: World, holder_id: str) -> list[AccessEntry]:
    with Session(world.ctx.engine) as session:
        return list(
            session.exec(
                select(AccessEntry).where(AccessEntry.holder_id == holder_id).order_by(col(AccessEntry.seq))
            ).all()
        )


def test_the_author_accepts_with_a_new_version_and_the_old_one_stays(world: World) -> None:
    person, tokens = world.active_person()
    doctor = Pro(world, "doctor", name="Auteur")
    doc = _pro_document(doctor, person)
    request = _ask(world, tokens, doc).json()
    assert (request["status"], request["collection"], request["title"], request["author_name"]) == (
        "open",
        "document",
        "Compte rendu",
        "Alex Auteur",
    )
    assert _ask(world, tokens, doc).json()["code"] == "error.rights.already_open"

    listed = doctor.call("GET", "/corrections", person).json()
    assert [(r["id"], r["collection"], r["entry"]["title"]) for r in listed] == [
        (request["id"], "document", "Compte rendu")
    ]
    url = f"/corrections/{request['id']}/decision"
    assert doctor.call("POST", url, person, json={"accept": True}).json()["code"] == "error.request.invalid"
    wrong = _version(content_b64=base64.b64encode(b"MZ exe").decode())
    assert doctor.call("POST", url, person, json={"accept": True, "document": wrong}).json()["code"] == (
        "error.document.format"
    )
    accepted = doctor.call(
        "POST", url, person, json={"accept": True, "document": _version(title="Compte rendu corrigé")}
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"

    now = _pulled(world, tokens, doc)
    assert now["version"] == 2 and now["data"]["title"] == "Compte rendu corrigé"
    assert now["data"]["date"] == "2026-03-02" and now["data"]["file_id"] == f"{doc}-v2"
    earlier = now["data"]["earlier"]
    assert [(e["version"], e["title"], e["file_id"]) for e in earlier] == [(1, "Compte rendu", doc)]
    content = world.api.get(f"{A}/sync/records/{doc}/content", headers=bearer(tokens))
    assert content.content == CORRECTED
    before = world.api.get(f"{A}/sync/records/{doc}/content?version=1", headers=bearer(tokens))
    assert before.content == PDF  # the version before stays readable
    assert (
        world.api.get(f"{A}/sync/records/{doc}/content?version=7", headers=bearer(tokens)).status_code == 404
    )
    pro_view = doctor.call("GET", f"/documents/{doc}", person).json()
    assert pro_view["version"] == 2
    assert doctor.call("GET", f"/documents/{doc}/content?version=1", person).content == PDF

    mine = world.api.get(f"{A}/health-corrections", headers=bearer(tokens)).json()
    assert mine[0]["status"] == "accepted" and mine[0]["previous"]["title"] == "Compte rendu"
    holder_id = _holder_id(world, tokens)
    with Session(world.ctx.engine) as session:
        kinds = session.exec(select(Notification.kind).where(Notification.holder_id == holder_id)).all()
    assert "document_correction_accepted" in kinds
    answers = [
        (x.action, x.target, x.target_title, x.outcome)
        for x in _lines(world, holder_id)
        if x.detail == "accepted"
    ]
    assert answers == [("write", doc, "Compte rendu corrigé", "allowed")]


def test_a_refusal_keeps_the_document_and_only_its_author_answers(world: World) -> None:
    person, tokens = world.active_person()
    doctor = Pro(world, "doctor", name="Auteur")
    doc = _pro_document(doctor, person)
    request = _ask(world, tokens, doc).json()
    other = Pro(world, "doctor", name="Autre")
    url = f"/corrections/{request['id']}/decision"
    assert (
        other.call(
            "POST", url, person, consent=True, json={"accept": True, "document": _version()}
        ).status_code
        == 404
    )
    assert (
        other.api.post(
            f"{A}/pro{url}", headers={"X-Api-Key": other.key}, json={"accept": False, "reason": "Non, rien"}
        ).status_code
        == 404
    )  # without naming the patient either
    refused = doctor.call(
        "POST", url, person, json={"accept": False, "reason": "Le groupe vient du laboratoire."}
    )
    assert refused.json()["status"] == "refused"
    mine = world.api.get(f"{A}/health-corrections", headers=bearer(tokens)).json()
    assert (mine[0]["status"], mine[0]["reason"], mine[0]["previous"]) == (
        "refused",
        "Le groupe vient du laboratoire.",
        None,
    )
    kept = _pulled(world, tokens, doc)
    assert kept["version"] == 1 and "earlier" not in kept["data"]
    line = _lines(world, _holder_id(world, tokens))[-1]
    assert (line.target, line.detail) == (doc, "refused")


def test_the_author_lists_what_waits_across_patients_and_answers_from_it(world: World) -> None:
    first, first_tokens = world.active_person()
    second, second_tokens = world.active_person()
    doctor = Pro(world, "doctor", name="Auteur")
    asked_first = _ask(world, first_tokens, _pro_document(doctor, first)).json()
    world.ctx.clock.advance(minutes=5)  # type: ignore[attr-defined]
    asked_second = _ask(world, second_tokens, _pro_document(doctor, second, "Ordonnance")).json()
    answered = _ask(world, second_tokens, _pro_document(doctor, second, "Bilan")).json()
    doctor.call(
        "POST", f"/corrections/{answered['id']}/decision", second, json={"accept": False, "reason": "Exact"}
    )
    someone = Pro(world, "doctor", name="Autre")
    _ask(world, first_tokens, _pro_document(someone, first, "Autre compte rendu"))

    mine = {"X-Api-Key": doctor.key}
    waiting = world.api.get(f"{A}/pro/corrections", headers=mine)
    assert waiting.status_code == 200, waiting.text
    rows = waiting.json()
    assert [r["id"] for r in rows] == [asked_second["id"], asked_first["id"]]  # newest first, open only
    assert [(r["patient"], r["patient_birth_date"]) for r in rows] == [("Camille Martin", "1985-05-01")] * 2
    lines = _lines(world, _holder_id(world, first_tokens))
    assert (lines[-1].action, lines[-1].target, lines[-1].outcome) == ("list", "corrections", "allowed")

    # The answer from that list, without the patient's number: it goes to the patient who asked.
    answer = world.api.post(
        f"{A}/pro/corrections/{asked_first['id']}/decision",
        headers=mine,
        json={"accept": True, "document": _version()},
    )
    assert answer.status_code == 200, answer.text
    assert _pulled(world, first_tokens, asked_first["record_id"])["version"] == 2
    assert [r["id"] for r in world.api.get(f"{A}/pro/corrections", headers=mine).json()] == [
        asked_second["id"]
    ]


def test_a_blocked_or_revoked_author_or_a_closed_space_shows_nothing(world: World) -> None:
    blocking, blocking_tokens = world.active_person()
    revoking, revoking_tokens = world.active_person()
    closing, closing_tokens = world.active_person()
    doctor = Pro(world, "doctor", name="Auteur")
    asked = {
        name: _ask(world, tokens, _pro_document(doctor, person)).json()
        for name, person, tokens in (
            ("blocked", blocking, blocking_tokens),
            ("revoked", revoking, revoking_tokens),
            ("closed", closing, closing_tokens),
        )
    }
    mine = {"X-Api-Key": doctor.key}
    assert len(world.api.get(f"{A}/pro/corrections", headers=mine).json()) == 3

    world.api.post(
        f"{A}/professionals/{doctor.id}/revoke", headers=bearer(blocking_tokens), json={"block": True}
    )
    world.api.post(f"{A}/professionals/{doctor.id}/revoke", headers=bearer(revoking_tokens), json={})
    closed = world.api.post(f"{A}/space/close", headers=bearer(closing_tokens), json={"password": PASSWORD})
    assert closed.status_code == 200, closed.text
    assert world.api.get(f"{A}/pro/corrections", headers=mine).json() == []

    blocked_lines = _lines(world, _holder_id(world, blocking_tokens))
    assert (blocked_lines[-1].target, blocked_lines[-1].outcome, blocked_lines[-1].detail) == (
        "corrections",
        "refused",
        "error.access.blocked",
    )
    for name, code in (("blocked", "error.access.blocked"), ("revoked", "error.access.revoked")):
        answer = world.api.post(
            f"{A}/pro/corrections/{asked[name]['id']}/decision",
            headers=mine,
            json={"accept": True, "document": _version()},
        )
        assert answer.json()["code"] == code
    gone = world.api.post(
        f"{A}/pro/corrections/{asked['closed']['id']}/decision",
        headers=mine,
        json={"accept": False, "reason": "Non"},
    )
    assert gone.status_code in (403, 404) and "entry" not in gone.json()
    assert (
        world.api.get(f"{A}/health-corrections", headers=bearer(blocking_tokens)).json()[0]["status"]
        == "open"
    )


def test_the_professionals_cli_lists_what_waits_and_sends_a_corrected_file(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import httpx
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from backend_stub.commands import pro

    person, tokens = world.active_person()
    doctor = Pro(world, "doctor", name="Console")
    doc = _pro_document(doctor, person, "Radio du genou")
    request = _ask(world, tokens, doc).json()
    app = world.api.app
    monkeypatch.setattr(
        httpx, "Client", lambda **kw: TestClient(app, base_url=kw["base_url"], headers=kw["headers"])
    )
    runner, base = CliRunner(), ["--key", doctor.key, "--url", "http://testserver"]
    shown = runner.invoke(pro.app, [*base, "corrections"], env={"COLUMNS": "250"})
    assert shown.exit_code == 0, shown.output
    assert request["id"] in shown.output and "Camille Martin" in shown.output
    assert "Radio du genou" in shown.output
    fixed = tmp_path / "fixed.pdf"
    fixed.write_bytes(CORRECTED)
    accepted = runner.invoke(
        pro.app,
        [
            *base,
            "correct",
            "--request",
            request["id"],
            "--accept",
            "--file",
            str(fixed),
            "--date",
            "2026-03-03",
        ],
    )
    assert accepted.exit_code == 0 and "accepted" in accepted.output, accepted.output
    now = _pulled(world, tokens, doc)
    assert (now["version"], now["data"]["date"], now["data"]["title"]) == (2, "2026-03-03", "Radio du genou")
