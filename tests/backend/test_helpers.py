"""Helpers (aidants, issue #16): a holder lets another adult help them, for dated days, read only or
read and add; what a helper may never do; every act in the helped person's log; the ends."""

import base64
import hashlib
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from backend_stub.context import Context
from backend_stub.main import create_app
from tests.backend.test_children import enrol_child, log_of, pulled_ids
from tests.backend.test_record_access import PDF, Pro
from tests.conftest import PASSWORD, START, Person, World, bearer

A = "/api/v1"
TODAY = START.date()


@pytest.fixture
def world(ctx: Context) -> World:
    return World(ctx, TestClient(create_app(ctx), base_url="https://testserver"))


def identity(person: Person, **override: Any) -> dict[str, Any]:
    return {
        "first_name": person.first_name,
        "last_name": "Martin",
        "birth_date": "1985-05-01",
        "nir": person.nir,
    } | override


def invite(world: World, tokens: dict[str, str], helper: Person, *, days: int = 30, **extra: Any) -> Any:
    body = (
        identity(helper)
        | {
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + timedelta(days=days)).isoformat(),
        }
        | extra
    )
    return world.api.post(f"{A}/delegations", headers=bearer(tokens), json=body)


def helping(world: World, **extra: Any) -> tuple[Person, dict[str, str], str, Person, dict[str, str], str]:
    """An accepted delegation: (helped, tokens, helped id, helper, tokens, delegation id)."""
    helped, helped_tokens = world.active_person()
    helper, helper_tokens = world.active_person()
    made = invite(world, helped_tokens, helper, **extra)
    assert made.status_code == 200, made.text
    delegation = made.json()["id"]
    accepted = world.api.post(f"{A}/delegations/{delegation}/accept", headers=bearer(helper_tokens))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "active"
    return helped, helped_tokens, made.json()["helped"]["id"], helper, helper_tokens, delegation


def as_helper(tokens: dict[str, str], helped_id: str) -> dict[str, str]:
    return bearer(tokens) | {"X-Space": helped_id}


def push(
    world: World, headers: dict[str, str], collection: str, data: dict[str, Any], rid: str, base: int = 0
) -> Any:
    mutation = {
        "seq": 1,
        "op": "upsert",
        "collection": collection,
        "id": rid,
        "base_version": base,
        "data": data,
    }
    return world.api.post(
        f"{A}/sync/push", headers=headers, json={"client_id": f"client-{rid}-{base}", "mutations": [mutation]}
    )


def notes(world: World, tokens: dict[str, str]) -> list[str]:
    return [n["kind"] for n in world.api.get(f"{A}/notifications", headers=bearer(tokens)).json()]


def code(response: Any) -> str:
    return str(response.json()["code"])


def test_invite_accept_act_and_log(world: World) -> None:
    helped, helped_tokens, helped_id, helper, helper_tokens, _ = helping(world, may_add=True)
    assert "delegation_new" in notes(world, helped_tokens) and "delegation_accepted" in notes(
        world, helped_tokens
    )
    assert "delegation_invited" in notes(world, helper_tokens)
    lists = world.api.get(f"{A}/delegations", headers=bearer(helper_tokens)).json()
    assert [d["helped"]["id"] for d in lists["received"]] == [helped_id] and lists["given"] == []
    h = as_helper(helper_tokens, helped_id)
    appointment = {"date": "2026-02-01", "time": "09:00", "professional": "Dr Morel", "reason": "Cardiologue"}
    pushed = push(world, h, "appointment", appointment, "appt-0001")
    assert pushed.json()["results"][0]["outcome"] == "applied", pushed.text
    assert "appt-0001" in pulled_ids(world, bearer(helped_tokens))
    lines = [e for e in log_of(world, bearer(helped_tokens)) if e.get("mode") == "helper"]
    assert lines and all(e["actor_name"].endswith("Martin") for e in lines), lines
    assert any(e["action"] == "write" for e in lines)
    assert world.api.get(f"{A}/me", headers=h).json()["id"] == helped_id


def _document(world: World, headers: dict[str, str], title: str, **flags: Any) -> Any:
    content = PDF + title.encode()
    sha = hashlib.sha256(content).hexdigest()
    upload = world.api.post(f"{A}/uploads", headers=headers, json={"size": len(content), "sha256": sha})
    assert upload.status_code == 200, upload.text
    world.api.patch(
        f"{A}/uploads/{upload.json()['id']}", content=content, headers=headers | {"Upload-Offset": "0"}
    )
    data = {"title": title, "type": "prescription", "date": "2026-01-02", "mime": "application/pdf"}
    data |= {"size": len(content), "sha256": sha} | flags
    return push(world, headers, "document", data, "doc-" + sha[:12])


def test_read_and_add_tells_the_helped_person_of_each_document(world: World) -> None:
    _, helped_tokens, helped_id, _, helper_tokens, _ = helping(world, may_add=True)
    added = _document(world, as_helper(helper_tokens, helped_id), "Ordonnance")
    assert added.json()["results"][0]["outcome"] == "applied", added.text
    assert "helper_document" in notes(world, helped_tokens)


def test_a_helper_adds_only_new_items_of_three_kinds(world: World) -> None:
    _, helped_tokens, helped_id, _, helper_tokens, _ = helping(world, may_add=True)
    own = push(
        world,
        bearer(helped_tokens),
        "measurement",
        {"kind": "weight", "value": 70, "at": "2026-01-04T08:00:00Z"},
        "meas-0001",
    )
    assert own.json()["results"][0]["outcome"] == "applied"
    h = as_helper(helper_tokens, helped_id)
    changed = push(
        world, h, "measurement", {"kind": "weight", "value": 60, "at": "2026-01-04T08:00:00Z"}, "meas-0001", 1
    )
    assert changed.json()["results"][0]["error"] == "error.helpers.read_only"
    note = push(world, h, "note", {"title": "x", "body": "y"}, "note-0001")
    assert note.json()["results"][0]["error"] == "error.helpers.read_only"
    entry = push(world, h, "profile_entry", {"section": "allergy", "substance": "Pénicilline"}, "prof-0001")
    assert entry.json()["results"][0]["outcome"] == "rejected"


def test_read_only_helper_cannot_add(world: World) -> None:
    _, _, helped_id, _, helper_tokens, _ = helping(world)
    h = as_helper(helper_tokens, helped_id)
    refused = push(
        world, h, "appointment", {"date": "2026-02-01", "time": "09:00", "reason": "Dentiste"}, "appt-0002"
    )
    assert refused.status_code == 403 and code(refused) == "error.helpers.read_only"
    assert world.api.post(f"{A}/uploads", headers=h, json={"size": 3, "sha256": "0" * 64}).status_code == 403
    assert world.api.get(f"{A}/sync/pull", headers=h).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/space/close", {"password": PASSWORD}),
        ("post", "/account/password", {}),
        ("post", "/account/contact", {}),
        ("get", "/devices", None),
        ("put", "/emergency-settings", {"emergency_access": False, "regulator_access": False}),
        ("post", "/shares", {"document_ids": [], "days": 7, "label": "x"}),
        ("get", "/connected-apps", None),
        ("post", "/professionals/none/revoke", {"block": True}),
        ("put", "/attending", {"professional_id": "none"}),
        ("get", "/access-log", None),
        ("post", "/delegations", {}),
        ("get", "/messages/none/attachments/0", None),
    ],
)
def test_what_a_helper_may_never_do(world: World, method: str, path: str, body: Any) -> None:
    _, helped_tokens, helped_id, _, helper_tokens, _ = helping(world, may_add=True)
    before = len(log_of(world, bearer(helped_tokens)))
    response = world.api.request(
        method.upper(), f"{A}{path}", headers=as_helper(helper_tokens, helped_id), json=body
    )
    assert response.status_code == 403 and code(response) == "error.helpers.not_allowed", response.text
    after = log_of(world, bearer(helped_tokens))
    assert len(after) == before + 1 and after[0]["outcome"] == "refused"


def test_masked_from_helpers_and_messages_stay_unseen(world: World) -> None:
    _, helped_tokens, helped_id, _, helper_tokens, _ = helping(world)
    shown = push(world, bearer(helped_tokens), "note", {"title": "Courses", "body": "pain"}, "note-shown")
    hidden = push(
        world,
        bearer(helped_tokens),
        "note",
        {"title": "Psy", "body": "x", "masked_from_helpers": True},
        "note-hidden",
    )
    assert shown.status_code == hidden.status_code == 200
    seen = pulled_ids(world, as_helper(helper_tokens, helped_id))
    assert "note-shown" in seen and "note-hidden" not in seen
    assert "note-hidden" in pulled_ids(world, bearer(helped_tokens))
    content = world.api.get(
        f"{A}/sync/records/note-hidden/content", headers=as_helper(helper_tokens, helped_id)
    )
    assert content.status_code == 404


def test_a_professionals_document_masked_from_helpers(world: World) -> None:
    helped, helped_tokens, helped_id, _, helper_tokens, _ = helping(world)
    doctor = Pro(world, "doctor")
    body = {"title": "CR", "type": "hospital_report", "date": "2026-01-04", "mime": "application/pdf"}
    body["content_b64"] = base64.b64encode(PDF).decode()
    written = doctor.call("POST", "/documents", helped, consent=True, json=body)
    assert written.status_code == 200, written.text
    record = next(
        c
        for c in world.api.get(f"{A}/sync/pull", headers=bearer(helped_tokens)).json()["changes"]
        if c["collection"] == "document"
    )
    assert record["id"] in pulled_ids(world, as_helper(helper_tokens, helped_id))
    masked = push(
        world,
        bearer(helped_tokens),
        "document",
        record["data"] | {"masked_from_helpers": True},
        record["id"],
        record["version"],
    )
    assert masked.json()["results"][0]["outcome"] == "applied", masked.text
    assert record["id"] not in pulled_ids(world, as_helper(helper_tokens, helped_id))
    got = world.api.get(
        f"{A}/sync/records/{record['id']}/content", headers=as_helper(helper_tokens, helped_id)
    )
    assert got.status_code == 404


# --- bad input and edges --------------------------------------------------------------------------


def test_bad_invitations(world: World) -> None:
    helped, tokens = world.active_person()
    other, _ = world.active_person()
    assert code(invite(world, tokens, helped)) == "error.helpers.self"
    assert code(invite(world, tokens, other, nir="1" * 15)) == "error.helpers.not_found"
    assert code(invite(world, tokens, other, first_name="Paul")) == "error.helpers.not_found"
    assert code(invite(world, tokens, other, birth_date="1990-01-01")) == "error.helpers.not_found"
    minor = enrol_child(world, other)
    assert code(invite(world, tokens, minor, birth_date="2014-03-10")) == "error.helpers.minor"
    pending = world.enrol()
    assert code(invite(world, tokens, pending)) == "error.helpers.space_not_active"
    closed, closed_tokens = world.active_person()
    assert (
        world.api.post(
            f"{A}/space/close", headers=bearer(closed_tokens), json={"password": PASSWORD}
        ).status_code
        == 200
    )
    assert code(invite(world, tokens, closed)) == "error.helpers.space_not_active"
    past = invite(world, tokens, other, starts_on=(TODAY - timedelta(days=1)).isoformat())
    assert past.status_code == 422 and code(past) == "error.helpers.dates"
    assert code(invite(world, tokens, other, days=366)) == "error.helpers.dates"
    assert invite(world, tokens, other, days=365).status_code == 200  # a year, to the same day
    assert code(invite(world, tokens, other)) == "error.helpers.already"


def test_searching_identities_is_limited(world: World) -> None:
    _, tokens = world.active_person()
    other, _ = world.active_person()
    answers = [invite(world, tokens, other, first_name=f"Essai{n}").status_code for n in range(11)]
    assert answers == [404] * 10 + [429]


def test_at_most_three_helpers(world: World) -> None:
    _, tokens = world.active_person()
    for _ in range(3):
        helper, _ = world.active_person()
        assert invite(world, tokens, helper).status_code == 200
    fourth, _ = world.active_person()
    refused = invite(world, tokens, fourth)
    assert refused.status_code == 409 and code(refused) == "error.helpers.too_many"


def test_an_invitation_expires_after_seven_days(world: World, clock: Any) -> None:
    helped, tokens = world.active_person()
    helper, helper_tokens = world.active_person()
    made = invite(world, tokens, helper).json()
    clock.advance(days=7)
    helper_tokens, tokens = world.login(helper), world.login(helped)  # a week later, signed in again
    late = world.api.post(f"{A}/delegations/{made['id']}/accept", headers=bearer(helper_tokens))
    assert late.status_code == 410 and code(late) == "error.helpers.invitation_expired"
    assert world.api.get(f"{A}/delegations", headers=bearer(tokens)).json()["given"][0]["status"] == "expired"
    again = invite(world, tokens, helper, starts_on=(TODAY + timedelta(days=7)).isoformat())
    assert again.status_code == 200, again.text  # an expired invitation no longer counts


def test_someone_elses_delegation_does_not_exist(world: World) -> None:
    _, tokens = world.active_person()
    helper, _ = world.active_person()
    stranger, stranger_tokens = world.active_person()
    made = invite(world, tokens, helper).json()
    for verb in ("accept", "refuse", "end"):
        answer = world.api.post(f"{A}/delegations/{made['id']}/{verb}", headers=bearer(stranger_tokens))
        assert answer.status_code == 404, verb
    assert world.api.post(f"{A}/delegations/{made['id']}/accept", headers=bearer(tokens)).status_code == 404


def test_a_stranger_naming_the_space_gets_the_answer_of_any_unknown_id(world: World) -> None:
    _, tokens = world.active_person()
    helper, helper_tokens = world.active_person()
    helped_id = invite(world, tokens, helper).json()["helped"]["id"]  # invited, not accepted yet
    response = world.api.get(f"{A}/sync/pull", headers=as_helper(helper_tokens, helped_id))
    assert response.status_code == 403 and code(response) == "error.children.not_guardian"


@pytest.mark.parametrize("side", ["helped", "helper"])
def test_either_side_ends_it_at_once(world: World, side: str) -> None:
    _, helped_tokens, helped_id, _, helper_tokens, delegation = helping(world)
    ender = helped_tokens if side == "helped" else helper_tokens
    ended = world.api.post(f"{A}/delegations/{delegation}/end", headers=bearer(ender))
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    refused = world.api.get(f"{A}/sync/pull", headers=as_helper(helper_tokens, helped_id))
    assert refused.status_code == 403 and code(refused) == "error.helpers.ended"
    assert "delegation_ended" in notes(world, helped_tokens)
    assert log_of(world, bearer(helped_tokens))[0]["outcome"] == "refused"


def test_it_ends_by_itself_after_its_last_day(world: World, clock: Any) -> None:
    helped, _, helped_id, helper, _, _ = helping(world, days=10)
    clock.advance(days=10)
    helper_tokens, helped_tokens = world.login(helper), world.login(helped)
    assert world.api.get(f"{A}/sync/pull", headers=as_helper(helper_tokens, helped_id)).status_code == 200
    clock.advance(days=1)
    helper_tokens, helped_tokens = world.login(helper), world.login(helped)
    late = world.api.get(f"{A}/sync/pull", headers=as_helper(helper_tokens, helped_id))
    assert code(late) == "error.helpers.ended"
    given = world.api.get(f"{A}/delegations", headers=bearer(helped_tokens)).json()["given"]
    assert given[0]["status"] == "ended"


def test_a_delegation_starts_on_its_first_day(world: World, clock: Any) -> None:
    _, tokens = world.active_person()
    helper, helper_tokens = world.active_person()
    made = invite(world, tokens, helper, starts_on=(TODAY + timedelta(days=2)).isoformat()).json()
    world.api.post(f"{A}/delegations/{made['id']}/accept", headers=bearer(helper_tokens))
    early = world.api.get(f"{A}/sync/pull", headers=as_helper(helper_tokens, made["helped"]["id"]))
    assert code(early) == "error.helpers.ended"
    clock.advance(days=2)
    helper_tokens = world.login(helper)
    assert (
        world.api.get(f"{A}/sync/pull", headers=as_helper(helper_tokens, made["helped"]["id"])).status_code
        == 200
    )


@pytest.mark.parametrize("who", ["helped", "helper"])
def test_a_space_closing_ends_it_for_good(world: World, who: str) -> None:
    _, helped_tokens, helped_id, _, helper_tokens, _ = helping(world)
    closer = helped_tokens if who == "helped" else helper_tokens
    assert (
        world.api.post(f"{A}/space/close", headers=bearer(closer), json={"password": PASSWORD}).status_code
        == 200
    )
    assert world.api.post(f"{A}/space/reopen", headers=bearer(closer)).status_code == 200
    refused = world.api.get(f"{A}/sync/pull", headers=as_helper(helper_tokens, helped_id))
    assert code(refused) == "error.helpers.ended"


def test_a_death_recorded_by_the_insurer_ends_it(world: World) -> None:
    from backend_stub.services import helpers
    from backend_stub.services.children import by_nir

    helped, helped_tokens, helped_id, _, helper_tokens, _ = helping(world)
    with Session(world.ctx.engine) as session:
        holder = by_nir(session, world.ctx, helped.nir)
        assert holder is not None
        assert helpers.end_for_space(session=session, ctx=world.ctx, holder=holder, reason="death") == 1
        session.commit()
    assert (
        code(world.api.get(f"{A}/sync/pull", headers=as_helper(helper_tokens, helped_id)))
        == "error.helpers.ended"
    )


def test_a_helper_blocked_as_a_professional_keeps_two_separate_roles(world: World) -> None:
    """The block holds for the professional's key in every mode; the delegation, given by the
    holder to a person through their own space, is another role and another decision."""
    helped, helped_tokens, helped_id, helper, helper_tokens, _ = helping(world)
    doctor = Pro(world, "doctor", name="Martin")
    assert doctor.call("GET", "/documents", helped, consent=True).status_code == 200
    world.api.post(
        f"{A}/professionals/{doctor.id}/revoke", headers=bearer(helped_tokens), json={"block": True}
    )
    assert doctor.call("GET", "/documents", helped, mode="emergency", reason="Inconscient").status_code == 403
    assert world.api.get(f"{A}/sync/pull", headers=as_helper(helper_tokens, helped_id)).status_code == 200


def test_refusing_an_invitation(world: World) -> None:
    _, tokens = world.active_person()
    helper, helper_tokens = world.active_person()
    made = invite(world, tokens, helper).json()
    refused = world.api.post(f"{A}/delegations/{made['id']}/refuse", headers=bearer(helper_tokens))
    assert refused.json()["status"] == "refused"
    assert world.api.get(f"{A}/delegations", headers=bearer(helper_tokens)).json()["received"] == []
    again = world.api.post(f"{A}/delegations/{made['id']}/accept", headers=bearer(helper_tokens))
    assert again.status_code == 404
