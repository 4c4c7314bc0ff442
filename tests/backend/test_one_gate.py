"""Issue #13, bullet by bullet of its "Why", through HTTP: what the holder stops, stops everywhere,
and a minor's secret items leave no trace a parent could see."""

import base64
import hashlib
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from backend_stub.core.clock import FixedClock
from backend_stub.services import security
from tests.backend.test_children import A, as_parent, family, log_of, pulled_ids, secret_document
from tests.backend.test_messages import pro_get, pro_start, push
from tests.backend.test_record_access import PDF, Pro, holder_document
from tests.backend.test_shares import _path, _share
from tests.conftest import PASSWORD, Person, World, bearer


def _events(world: World, kind: str) -> list[Any]:
    with Session(world.ctx.engine) as session:
        return list(security.events(session=session, kind=kind, limit=500))


def _notes(world: World, headers: dict[str, str]) -> list[dict[str, Any]]:
    notes: list[dict[str, Any]] = world.api.get(f"{A}/notifications", headers=headers).json()
    return notes


def _thread_with_a_document(world: World) -> tuple[Person, dict[str, str], Pro, str, str]:
    """A patient, their doctor who wrote first, and the patient's reply carrying a document."""
    person, tokens = world.active_person()
    document = holder_document(world, tokens, "Bilan sanguin", "lab_results")
    doctor = Pro(world, "doctor", name="Durand")
    doctor.titles(person, consent=True)
    started = pro_start(doctor, person, "Résultats", "Bonjour")
    assert started.status_code == 200, started.text
    conversation = started.json()["conversation"]["id"]
    message = "reply-with-document"
    data = {
        "conversation_id": conversation,
        "body": "Voici mon bilan",
        "attachments": [{"kind": "document", "document_id": document}],
    }
    assert push(world, tokens, "message", message, data)["outcome"] == "applied"
    return person, tokens, doctor, conversation, message


def test_a_revoked_and_blocked_professional_no_longer_reads_a_conversation(world: World) -> None:
    person, tokens, doctor, conversation, message = _thread_with_a_document(world)
    before = len(log_of(world, bearer(tokens)))
    assert pro_get(doctor, f"/{conversation}").status_code == 200
    read = log_of(world, bearer(tokens))
    assert len(read) == before + 1  # reading a thread is a line of the holder's log
    line = (read[0]["action"], read[0]["target"], read[0]["target_title"], read[0]["outcome"])
    assert line == ("read", "conversation", "Résultats", "allowed")
    attachment = f"/{conversation}/messages/{message}/attachments/0"
    assert pro_get(doctor, attachment).content.startswith(PDF)

    revoked = world.api.post(
        f"{A}/professionals/{doctor.id}/revoke", headers=bearer(tokens), json={"block": True}
    )
    assert revoked.status_code == 200
    before = len(log_of(world, bearer(tokens)))
    for path in (f"/{conversation}", attachment):
        refused = pro_get(doctor, path)
        assert (refused.status_code, refused.json()["code"]) == (403, "error.access.blocked"), path
    assert pro_get(doctor).json()["conversations"] == []  # the list no longer shows it either
    lines = log_of(world, bearer(tokens))
    assert len(lines) == before + 2 and {e["outcome"] for e in lines[:2]} == {"refused"}
    reply = doctor.api.post(
        f"{A}/pro/conversations/{conversation}/messages",
        headers={"X-Api-Key": doctor.key},
        json={"body": "?"},
    )
    assert reply.json()["code"] == "error.access.blocked"


def test_after_the_space_closes_no_professional_reads_a_conversation(world: World) -> None:
    person, tokens, doctor, conversation, message = _thread_with_a_document(world)
    closed = world.api.post(f"{A}/space/close", headers=bearer(tokens), json={"password": PASSWORD})
    assert closed.status_code == 200
    for path in (f"/{conversation}", f"/{conversation}/messages/{message}/attachments/0"):
        refused = pro_get(doctor, path)
        assert (refused.status_code, refused.json()["code"]) == (404, "error.not_found"), path
    assert pro_get(doctor).json()["conversations"] == []
    assert doctor.call("GET", "/documents", person).json()["code"] == "error.access.consent_required"
    # Nothing of these attempts is written into the closed space's log: reopening shows none.
    reopened = world.api.post(f"{A}/space/reopen", headers=bearer(world.login(person)))
    assert reopened.status_code == 200
    lines = log_of(world, bearer(world.login(person)))
    assert all(e["outcome"] == "allowed" for e in lines)


def test_an_ended_authorisation_is_not_reopened_by_declared_consent(world: World, clock: FixedClock) -> None:
    person, tokens = world.active_person()
    holder_document(world, tokens, "Bilan sanguin", "lab_results")
    doctor = Pro(world, "doctor", name="Temporaire")
    until = (clock.now() + timedelta(days=1)).isoformat()
    world.api.post(f"{A}/professionals/{doctor.id}/authorise", headers=bearer(tokens), json={"until": until})
    assert doctor.titles(person) == ["Bilan sanguin"]
    clock.advance(days=2)
    tokens = world.login(person)
    notes_before = len(_notes(world, bearer(tokens)))
    for consent in (True, False):
        refused = doctor.call("GET", "/documents", person, consent=consent)
        assert (refused.status_code, refused.json()["code"]) == (403, "error.access.ended")
    grants = world.api.get(f"{A}/professionals", headers=bearer(tokens)).json()
    mine = next(g for g in grants if g["professional"]["id"] == doctor.id)
    assert mine["kind"] == "holder" and mine["until"].startswith(until[:10]) and mine["active"] is False
    assert len(_notes(world, bearer(tokens))) == notes_before  # nothing happened that needs telling
    lines = log_of(world, bearer(tokens))
    assert [e["detail"] for e in lines[:2]] == ["error.access.ended", "error.access.ended"]


def test_an_end_date_in_the_past_is_refused_when_authorising(world: World, clock: FixedClock) -> None:
    _, tokens = world.active_person()
    doctor = Pro(world, "doctor")
    past = (clock.now() - timedelta(minutes=1)).isoformat()
    refused = world.api.post(
        f"{A}/professionals/{doctor.id}/authorise", headers=bearer(tokens), json={"until": past}
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "error.access.end_in_past")
    assert world.api.get(f"{A}/professionals", headers=bearer(tokens)).json() == []


def test_a_revoked_professional_cannot_come_back_through_emergency(world: World) -> None:
    person, tokens = world.active_person()
    holder_document(world, tokens, "Bilan sanguin", "lab_results")
    nurse = Pro(world, "nurse", name="Revoquee")
    world.api.post(f"{A}/professionals/{nurse.id}/authorise", headers=bearer(tokens), json={"until": None})
    world.api.post(f"{A}/professionals/{nurse.id}/revoke", headers=bearer(tokens), json={"block": False})
    for reason in ("x", "Patient inconscient après une chute"):
        refused = nurse.call("GET", "/documents", person, mode="emergency", reason=reason)
        assert refused.status_code in (403, 422)
        assert refused.json()["code"] in ("error.access.revoked", "error.access.reason_required")
    assert nurse.call("GET", "/documents", person, mode="emergency", reason="Inconscient").json()["code"] == (
        "error.access.revoked"
    )
    # Anyone else: a one-letter "reason" is no reason; a stated one is let in and told every time.
    stranger = Pro(world, "nurse", name="Urgence")
    assert stranger.call("GET", "/documents", person, mode="emergency", reason="x").json()["code"] == (
        "error.access.reason_required"
    )
    for _ in range(2):
        assert (
            stranger.call("GET", "/documents", person, mode="emergency", reason="Inconscient").status_code
            == 200
        )
    urgent = [n for n in _notes(world, bearer(tokens)) if n["kind"] == "emergency_access"]
    assert len(urgent) == 2 and {n["params"]["reason"] for n in urgent} == {"Inconscient"}


def test_share_links_stop_when_the_space_closes(world: World) -> None:
    person, tokens = world.active_person()
    shared = holder_document(world, tokens, "Radio du genou", "imaging_report")
    link = _share(world, tokens, [shared])
    page = _path(link["url"])
    assert world.api.post(page, data={"code": link["code"]}).status_code == 200  # the recipient had it open
    world.api.post(f"{A}/space/close", headers=bearer(tokens), json={"password": PASSWORD})
    assert world.api.get(page).status_code == 410
    assert world.api.post(page, data={"code": link["code"]}).status_code == 410
    download = world.api.get(f"{page}/documents/{shared}")  # the cookie of the earlier opening
    assert download.status_code == 410 and not download.content.startswith(PDF)
    unknown = world.api.get(page[:-4] + "AAAA")
    assert unknown.status_code == 410 and unknown.text == world.api.get(page).text  # the same answer


def test_a_professional_known_only_through_secret_acts_stays_out_of_the_parents_sight(world: World) -> None:
    _, tokens, child, child_id = family(world)
    parent = as_parent(tokens, child_id)
    doctor = Pro(world, "doctor", name="Discret")
    secret_document(world, doctor, child)  # a first access whose only act is a secret document
    assert [n["kind"] for n in _notes(world, parent)] == []
    assert world.api.get(f"{A}/professionals", headers=parent).json() == []
    assert all(e["actor_id"] != doctor.id for e in log_of(world, parent))
    # A later ordinary act makes the relation visible, and is told as a first access then.
    assert doctor.call("GET", "/documents", child).status_code == 200
    assert [n["kind"] for n in _notes(world, parent)] == ["first_access"]
    listed = world.api.get(f"{A}/professionals", headers=parent).json()
    assert [g["professional"]["id"] for g in listed] == [doctor.id]


def test_pushing_onto_a_hidden_item_answers_like_a_random_id(world: World) -> None:
    _, tokens, child, child_id = family(world)
    parent = as_parent(tokens, child_id)
    secret = secret_document(world, doctor := Pro(world, "doctor"), child)
    visible = doctor.call(
        "POST",
        "/documents",
        child,
        json={
            "title": "Vaccins",
            "type": "vaccination",
            "date": "2026-01-04",
            "mime": "application/pdf",
            "content_b64": base64.b64encode(PDF + b"v").decode(),
        },
    ).json()["id"]
    assert visible in pulled_ids(world, parent)

    def outcome(record_id: str, op: str = "upsert") -> tuple[str, str | None, Any]:
        body = {
            "client_id": "parent-phone",
            "mutations": [
                {
                    "seq": outcome.seq,
                    "op": op,
                    "collection": "document",
                    "id": record_id,
                    "base_version": 1,
                    "data": {"title": "x", "masked": True},
                }
            ],
        }
        outcome.seq += 1
        result = world.api.post(f"{A}/sync/push", headers=parent, json=body).json()["results"][0]
        return result["outcome"], result.get("error"), result.get("record")

    outcome.seq = 1  # type: ignore[attr-defined]
    random_id = "pro-" + hashlib.sha256(b"nothing").hexdigest()[:32]
    for op in ("upsert", "delete"):
        assert outcome(secret, op) == outcome(random_id, op)
    # Ids of professionals' records say nothing: not the upload, not a number.
    assert secret.startswith("pro-") and len(secret) == 36 and "-" not in secret[4:]


def test_the_parents_numbering_has_no_gap(world: World) -> None:
    _, tokens, child, child_id = family(world)
    parent = as_parent(tokens, child_id)
    doctor = Pro(world, "doctor")
    doctor.titles(child, consent=True)
    for n in range(3):
        secret_document(world, doctor, child, title=f"Secret {n}")
        doctor.call(
            "POST",
            "/documents",
            child,
            json={
                "title": f"Vaccins {n}",
                "type": "vaccination",
                "date": "2026-01-04",
                "mime": "application/pdf",
                "content_b64": base64.b64encode(PDF + bytes([n])).decode(),
            },
        )
    changes = world.api.get(f"{A}/sync/pull", headers=parent, params={"limit": 2}).json()
    seqs = [c["seq"] for c in changes["changes"]]
    while changes["more"]:
        changes = world.api.get(f"{A}/sync/pull", headers=parent, params={"cursor": changes["cursor"]}).json()
        seqs += [c["seq"] for c in changes["changes"]]
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) == 3
    lines = log_of(world, parent)
    assert sorted(e["seq"] for e in lines) == list(range(1, len(lines) + 1))
    assert all("Secret" not in str(e["target_title"]) for e in lines)
    # The professional still sees everything, and the holder's own numbering is theirs.
    assert len(doctor.titles(child)) == 6


def test_a_parent_holding_the_same_bytes_learns_nothing_from_uploads(world: World) -> None:
    _, tokens, child, child_id = family(world)
    parent = as_parent(tokens, child_id)
    doctor = Pro(world, "doctor")
    secret_document(world, doctor, child, title="Contraception")
    content = PDF + b"Contraception"  # the very bytes of the secret document
    sha = hashlib.sha256(content).hexdigest()
    created = world.api.post(
        f"{A}/uploads", headers=parent, json={"size": len(content), "sha256": sha}
    ).json()
    assert created["offset"] == 0 and created["complete"] is False  # a new upload, not the secret one
    record = {
        "title": "Copie",
        "type": "prescription",
        "date": "2026-01-04",
        "mime": "application/pdf",
        "size": len(content),
        "sha256": sha,
    }
    body = {
        "client_id": "parent-phone",
        "mutations": [
            {
                "seq": 1,
                "op": "upsert",
                "collection": "document",
                "id": "copie-0001",
                "base_version": 0,
                "data": record,
            }
        ],
    }
    assert (
        world.api.post(f"{A}/sync/push", headers=parent, json=body).json()["results"][0]["outcome"]
        == "applied"
    )
    read = world.api.get(f"{A}/sync/records/copie-0001/content", headers=parent)
    assert read.status_code == 404 and not read.content.startswith(PDF)  # their own bytes are not there yet
    whole = world.api.post(f"{A}/uploads/whole", headers=parent | {"Upload-Sha256": sha}, content=content)
    assert whole.json()["id"] == created["id"] and whole.json()["complete"]  # sent whole: their own upload


def test_professional_keys_expire_are_revoked_rotated_and_limited(
    world: World, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend_stub.commands import server as cli

    person, _ = world.active_person()
    doctor = Pro(world, "doctor")
    assert doctor.call("GET", "/me", person).status_code == 200
    monkeypatch.setattr(cli, "command_context", lambda: world.ctx)
    runner = CliRunner()
    rpps = world.api.get(f"{A}/pro/me", headers={"X-Api-Key": doctor.key}).json()["rpps"]
    rotated = runner.invoke(cli.app, ["rotate-key", "--rpps", rpps])
    assert rotated.exit_code == 0, rotated.output
    new_key = rotated.output.split(": ")[-1].strip()
    assert world.api.get(f"{A}/pro/me", headers={"X-Api-Key": doctor.key}).status_code == 401
    assert world.api.get(f"{A}/pro/me", headers={"X-Api-Key": new_key}).status_code == 200
    revoked = runner.invoke(cli.app, ["revoke-pro", "--rpps", rpps])
    assert revoked.exit_code == 0, revoked.output
    struck = world.api.get(f"{A}/pro/me", headers={"X-Api-Key": new_key})
    assert (struck.status_code, struck.json()["code"]) == (401, "error.pro.key_invalid")
    unknown = runner.invoke(cli.app, ["revoke-pro", "--rpps", "10000000009"])
    assert unknown.exit_code == 2 and "no professional" in unknown.output
    expiring = Pro(world, "nurse")
    assert world.api.get(f"{A}/pro/me", headers={"X-Api-Key": expiring.key}).status_code == 200
    clock.advance(days=world.ctx.settings.pro_key_days + 1)
    assert world.api.get(f"{A}/pro/me", headers={"X-Api-Key": expiring.key}).json()["code"] == (
        "error.pro.key_invalid"
    )


def test_a_key_has_a_rate_limit(world: World) -> None:
    world.ctx.settings.rate_per_pro_key = 5
    doctor = Pro(world, "doctor")
    answers = [world.api.get(f"{A}/pro/me", headers={"X-Api-Key": doctor.key}).status_code for _ in range(7)]
    assert answers == [200] * 5 + [429] * 2


def test_an_unknown_and_an_enrolled_number_answer_alike(world: World) -> None:
    enrolled, _ = world.active_person()
    pending = world.enrol()  # enrolled, never activated
    unknown = Person(nir="2 99 12 99 999 999 54".replace(" ", ""), vitale="", code="", email="")
    from stdnum.fr import nir as nir_check

    unknown.nir = unknown.nir[:13] + nir_check.calc_check_digits(unknown.nir[:13])
    prober = Pro(world, "doctor", name="Sondeur")
    answers = set()
    for person in (enrolled, pending, unknown):
        response = prober.call("GET", "/documents", person)
        answers.add((response.status_code, response.text))
    assert answers == {(403, '{"code":"error.access.consent_required","params":{}}')}
    # Nothing of the probing reaches anyone's log; the operators' security log counts it.
    assert len(_events(world, "refused")) == 3


def test_unusual_emergency_use_raises_an_operator_alert(world: World) -> None:
    world.ctx.settings.emergency_alert_patients = 2
    nurse = Pro(world, "nurse", name="Urgentiste")
    patients = [world.active_person()[0] for _ in range(4)]
    for person in patients:
        assert (
            nurse.call("GET", "/documents", person, mode="emergency", reason="Inconscient").status_code == 200
        )
    alerts = _events(world, "emergency_alert")
    assert len(alerts) == 1 and alerts[0].actor_id == nurse.id and alerts[0].detail == "3"
    assert len(_events(world, "emergency")) == 4


def test_no_one_writes_into_the_log_of_a_space_they_merely_name(world: World) -> None:
    victim, victim_tokens = world.active_person()
    _, stranger = world.active_person()
    me = world.api.get(f"{A}/me", headers=bearer(victim_tokens)).json()
    before = log_of(world, bearer(victim_tokens))
    for _ in range(5):
        refused = world.api.post(f"{A}/sync/push", headers=as_parent(stranger, me["id"]), json={})
        assert refused.json()["code"] == "error.children.not_guardian"
    assert log_of(world, bearer(victim_tokens)) == before
    assert len(_events(world, "refused")) == 5


def test_another_holders_notification_is_not_found_like_any_other(world: World) -> None:
    person, tokens = world.active_person()
    Pro(world, "doctor").titles(person, consent=True)
    theirs = _notes(world, bearer(tokens))[0]["id"]
    _, other = world.active_person()
    for target in (theirs, "0" * 32):
        refused = world.api.post(f"{A}/notifications/{target}/read", headers=bearer(other))
        assert (refused.status_code, refused.json()["code"]) == (404, "error.not_found")
    assert _notes(world, bearer(tokens))[0]["read"] is False
