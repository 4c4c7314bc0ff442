"""Issue #7: parents act on their minor children's spaces, never see the minor's secret items,
and lose their access at the child's majority or when they lose parental authority."""

import base64
import hashlib
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from backend_stub.context import Context
from backend_stub.core.clock import FixedClock
from backend_stub.demo import nir_for
from backend_stub.main import create_app
from backend_stub.models.accounts import Holder
from backend_stub.models.children import Guardianship
from backend_stub.services import ages, children, enrolment, security
from tests.backend.test_oauth import ask, exchange, register
from tests.backend.test_record_access import PDF, Pro
from tests.conftest import CODE_RE, PASSWORD, Person, World, bearer

A = "/api/v1"


@pytest.fixture
def world(ctx: Context) -> World:
    """Over https, as OAuth requires (a parent connects an app on the child's space)."""
    return World(ctx, TestClient(create_app(ctx), base_url="https://testserver"))


def as_parent(tokens: dict[str, str], child_id: str) -> dict[str, str]:
    return bearer(tokens) | {"X-Space": child_id}


def enrol_child(world: World, parent: Person, birth_date: str = "2014-03-10", **extra: str) -> Person:
    return world.enrol(first_name="Léa", birth_date=birth_date, parent_nir=parent.nir, **extra)


def family(world: World, birth_date: str = "2014-03-10") -> tuple[Person, dict[str, str], Person, str]:
    """An active parent and their child's space, activated by the parent: (parent, tokens, child, id)."""
    parent, tokens = world.active_person()
    child = enrol_child(world, parent, birth_date)
    activated = world.api.post(f"{A}/children/activation", headers=bearer(tokens), json=child.ids())
    assert activated.status_code == 200, activated.text
    return parent, tokens, child, activated.json()["id"]


def log_of(world: World, headers: dict[str, str]) -> list[dict[str, object]]:
    response = world.api.get(f"{A}/access-log", headers=headers)
    assert response.status_code == 200, response.text
    entries: list[dict[str, object]] = response.json()["entries"]
    return entries


def pulled_ids(world: World, headers: dict[str, str]) -> set[str]:
    response = world.api.get(f"{A}/sync/pull", headers=headers)
    assert response.status_code == 200, response.text
    return {c["id"] for c in response.json()["changes"]}


def child_document(world: World, headers: dict[str, str], title: str) -> str:
    """What the app does for a document: upload the bytes, then push the record."""
    content = PDF + title.encode()
    sha = hashlib.sha256(content).hexdigest()
    upload = world.api.post(f"{A}/uploads", json={"size": len(content), "sha256": sha}, headers=headers)
    world.api.patch(
        f"{A}/uploads/{upload.json()['id']}", content=content, headers=headers | {"Upload-Offset": "0"}
    )
    data = {"title": title, "type": "vaccination", "date": "2026-01-01", "mime": "application/pdf"}
    mutation = {"seq": 1, "op": "upsert", "collection": "document", "id": "doc-carnet", "base_version": 0}
    body = {
        "client_id": "parent-phone",
        "mutations": [mutation | {"data": data | {"size": len(content), "sha256": sha}}],
    }
    pushed = world.api.post(f"{A}/sync/push", headers=headers, json=body)
    assert pushed.json()["results"][0]["outcome"] == "applied", pushed.text
    return "doc-carnet"


def secret_document(world: World, doctor: Pro, child: Person, title: str = "Contraception") -> str:
    body = {
        "title": title,
        "type": "prescription",
        "date": "2026-01-04",
        "mime": "application/pdf",
        "content_b64": base64.b64encode(PDF + title.encode()).decode(),
        "hidden_from_guardians": True,
    }
    created = doctor.call("POST", "/documents", child, consent=True, json=body)
    assert created.status_code == 200, created.text
    return str(created.json()["id"])


def test_a_minor_is_enrolled_under_a_parent_and_the_letter_goes_to_the_parent(world: World) -> None:
    parent, _ = world.active_person()
    world.enrol(letter_email="parent-letters@exemple.fr")  # someone else's letter, sent before
    child = enrol_child(world, parent)
    letter = world.outbox()[0]
    assert letter["kind"] == "child_letter" and "Camille Martin" in letter["to"]
    assert "Léa" in letter["body"] and "Mes enfants" in letter["body"]
    assert CODE_RE.search(letter["body"]) and child.code in letter["body"]
    asked = world.api.post(f"{A}/letters", json={"nir": child.nir, "vitale_serial": child.vitale})
    assert asked.status_code == 200
    world.send_queued()  # the letter goes after the answer
    again = world.outbox()[0]
    assert again["kind"] == "child_letter" and again["to"] == letter["to"]  # a new code: to the parent too
    # No parent: refused; a parent later in the same file: the minor waits for them.
    with Session(world.ctx.engine) as session:
        row = {"vitale_serial": "49999999", "first_name": "Tom", "last_name": "Petit"}
        kid_nir = nir_for(901, born=date(2014, 3, 10))
        kid = enrolment.Enrollee.parse(row | {"nir": kid_nir, "birth_date": "2014-03-10"})
        alone = enrolment.enrol_many(session=session, ctx=world.ctx, people=[kid])
        assert alone.created == 0 and alone.errors == [(0, "parent_nir is required for a minor")]
        mum = enrolment.Enrollee.parse(row | {"nir": nir_for(902, sex=2), "birth_date": "1985-05-01"})
        kid = enrolment.Enrollee.parse(
            row | {"nir": kid_nir, "birth_date": "2014-03-10", "parent_nir": mum.nir}
        )
        both = enrolment.enrol_many(session=session, ctx=world.ctx, people=[kid, mum])
        assert both.created == 2 and both.errors == []
        links = session.exec(select(Guardianship)).all()
        assert len(links) == 2  # Léa's and Tom's


def test_the_parent_checks_activates_and_acts_on_the_childs_space(world: World) -> None:
    parent, tokens = world.active_person()
    child = enrol_child(world, parent)
    # The minor has no login of their own: the public activation says where to go.
    direct = world.api.post(
        f"{A}/activation", json=child.ids() | {"email": "lea@exemple.fr", "password": PASSWORD}
    )
    assert direct.json()["code"] == "error.children.from_parent_space"
    wrong = world.api.post(f"{A}/children/check", headers=bearer(tokens), json=child.ids(nir=parent.nir))
    assert wrong.json()["code"] == "error.identifiers.mismatch"
    checked = world.api.post(f"{A}/children/check", headers=bearer(tokens), json=child.ids())
    assert checked.json() == {"first_name": "Léa", "status": "pending"}
    activated = world.api.post(f"{A}/children/activation", headers=bearer(tokens), json=child.ids())
    out = activated.json()
    assert (out["status"], out["age_years"], out["can_act"]) == ("active", 11, True)
    assert 0 <= out["colour"] < 6
    assert world.api.get(f"{A}/children", headers=bearer(tokens)).json() == [out]
    child_id = out["id"]
    me = world.api.get(f"{A}/me", headers=as_parent(tokens, child_id)).json()
    assert (me["id"], me["first_name"], me["birth_date"]) == (child_id, "Léa", "2014-03-10")
    record_id = child_document(world, as_parent(tokens, child_id), "Carnet")
    assert record_id in pulled_ids(world, as_parent(tokens, child_id))
    assert record_id not in pulled_ids(world, bearer(tokens))  # not in the parent's own space
    entries = log_of(world, as_parent(tokens, child_id))
    assert {(e["actor_name"], e["profession"]) for e in entries} == {("Camille Martin", "guardian")}
    assert {e["target"] for e in entries} >= {"space", "/sync/push", "/uploads"}
    assert log_of(world, bearer(tokens)) == []  # the parent's own log is untouched


def test_the_parent_objects_for_the_child(world: World) -> None:
    parent, tokens = world.active_person()
    child = enrol_child(world, parent)
    objected = world.api.post(f"{A}/children/objection", headers=bearer(tokens), json=child.ids())
    assert objected.status_code == 200 and objected.json()["status"] == "objected"
    assert objected.json()["can_act"] is False
    refused = world.api.get(f"{A}/sync/pull", headers=as_parent(tokens, objected.json()["id"]))
    assert refused.json()["code"] == "error.children.not_guardian"


def test_another_adult_or_another_childs_parent_is_refused_and_logged(world: World) -> None:
    """Refused alike; a caller who never was the child's parent writes nothing into the child's log
    (anyone who learnt an id could fill it), only into the operators' security log."""
    _, tokens, _, child_id = family(world)
    stranger, stranger_tokens = world.active_person()
    _, other_parent_tokens, _, _ = family(world)
    for intruder in (stranger_tokens, other_parent_tokens):
        for method, path in (("GET", "/sync/pull"), ("GET", "/me"), ("POST", "/uploads")):
            response = world.api.request(method, f"{A}{path}", headers=as_parent(intruder, child_id), json={})
            assert (response.status_code, response.json()["code"]) == (403, "error.children.not_guardian")
        # their own children's list does not name the child either
        assert child_id not in world.api.get(f"{A}/children", headers=bearer(intruder)).text
    refusals = [e for e in log_of(world, as_parent(tokens, child_id)) if e["outcome"] == "refused"]
    assert refusals == []
    with Session(world.ctx.engine) as session:
        counted = security.events(session=session, kind="refused")
    assert [e.detail for e in counted] == ["error.children.not_guardian"] * 6
    assert {e.actor_kind for e in counted} == {"holder"} and not {e.space_id for e in counted} - {""}
    # A parent's own routes refuse X-Space: nobody closes a space thinking it is another.
    close = world.api.post(
        f"{A}/space/close", headers=as_parent(tokens, child_id), json={"password": PASSWORD}
    )
    assert close.json()["code"] == "error.children.not_guardian"
    assert world.api.get(f"{A}/me", headers=bearer(tokens)).json()["status"] == "active"


def test_a_second_parent_sees_the_same_and_the_log_says_who_did_what(world: World) -> None:
    first, first_tokens = world.active_person()
    second = world.enrol(first_name="Sam")
    world.activate(second)
    second_tokens = world.login(second)
    child = enrol_child(world, first, second_parent_nir=second.nir)
    child_id = world.api.post(
        f"{A}/children/activation", headers=bearer(second_tokens), json=child.ids()
    ).json()["id"]
    record_id = child_document(world, as_parent(first_tokens, child_id), "Carnet")
    assert record_id in pulled_ids(world, as_parent(second_tokens, child_id))
    opened = world.api.get(
        f"{A}/sync/records/{record_id}/content", headers=as_parent(second_tokens, child_id)
    )
    assert opened.status_code == 200
    entries = log_of(world, as_parent(first_tokens, child_id))
    by = {(e["actor_name"], e["action"], e["target"]) for e in entries}
    assert ("Sam Martin", "activate", "space") in by
    assert ("Camille Martin", "write", "/sync/push") in by
    assert ("Sam Martin", "read", record_id) in by
    assert ("Sam Martin", "write", "/sync/push") not in by


def test_secret_items_never_reach_a_parent_and_the_professional_still_sees_them(world: World) -> None:
    register(world.ctx, scopes=("documents.read",))
    _, tokens, child, child_id = family(world)
    doctor = Pro(world, "doctor", name="Durand")
    secret = secret_document(world, doctor, child)
    plain = doctor.call(
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
    entry = doctor.call(
        "POST",
        "/profile-entries",
        child,
        json={"section": "treatment", "data": {"name": "Pilule", "hidden_from_guardians": True}},
    )
    assert entry.status_code == 200, entry.text
    secret_entry = entry.json()["id"]
    pdf = {"name": "resultat.pdf", "mime": "application/pdf", "content_b64": base64.b64encode(PDF).decode()}
    started = doctor.call(
        "POST",
        "/conversations",
        child,
        json={"subject": "Dépistage", "body": "Résultat", "file": pdf, "hidden_from_guardians": True},
    )
    assert started.status_code == 200, started.text
    thread = started.json()
    secret_chat = {thread["conversation"]["id"], thread["messages"][0]["id"]}
    headers = as_parent(tokens, child_id)
    seen = pulled_ids(world, headers)
    assert plain in seen and secret not in seen and secret_entry not in seen and not secret_chat & seen
    attachment = world.api.get(f"{A}/messages/{thread['messages'][0]['id']}/attachments/0", headers=headers)
    assert attachment.status_code == 404
    content = world.api.get(f"{A}/sync/records/{secret}/content", headers=headers)
    assert (content.status_code, content.json()["code"]) == (404, "error.not_found")
    entries = log_of(world, headers)
    targets = {e["target"] for e in entries if e["actor_name"] == "Alex Durand"}  # the doctor's lines
    assert plain in targets and secret not in targets and secret_entry not in targets
    assert not secret_chat & targets
    # The parents' numbering has no gap where the secret items' lines are (issue #13).
    assert sorted(e["seq"] for e in entries) == list(range(1, len(entries) + 1))
    report = world.api.post(f"{A}/access-log/{len(entries) + 50}/report", headers=headers, json={"note": "?"})
    assert report.status_code == 404
    notes = world.api.get(f"{A}/notifications", headers=headers).json()
    assert [n["kind"] for n in notes] == ["document_added", "first_access"]  # the plain one only
    share = world.api.post(f"{A}/shares", headers=headers, json={"document_ids": [secret], "days": 1})
    assert share.json()["code"] == "error.share.document_unknown"
    push = world.api.post(
        f"{A}/sync/push",
        headers=headers,
        json={
            "client_id": "parent-phone",
            "mutations": [
                {
                    "seq": 1,
                    "op": "delete",
                    "collection": "document",
                    "id": secret,
                    "base_version": 1,
                    "data": {},
                }
            ],
        },
    )
    assert push.json()["results"][0]["outcome"] == "rejected" and secret not in push.text
    # An app the parent connects on the child's space never reaches them either.
    asked = ask(world, "balance-test", "documents.read")
    approved = world.api.post(f"{A}/oauth/requests/{asked.request_id}/approve", headers=headers, json={})
    code = parse_qs(urlsplit(approved.json()["redirect_url"]).query)["code"][0]
    app_token = {"access_token": str(exchange(world, "balance-test", code, asked.verifier)["access_token"])}
    listed = world.api.get(f"{A}/app-api/documents", headers=bearer(app_token)).json()
    assert [d["id"] for d in listed] == [plain]
    assert world.api.get(f"{A}/app-api/documents/{secret}", headers=bearer(app_token)).status_code == 404
    # The professional still sees everything under the normal rules.
    assert doctor.titles(child) == ["Contraception", "Vaccins"]
    assert world.api.get(f"{A}/app-api/documents", headers=bearer(app_token)).status_code == 200


def _at(clock: FixedClock, day: date) -> None:
    clock.current = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def test_ages_follow_the_french_calendar_with_leap_day_births() -> None:
    leap = date(2008, 2, 29)
    # The last day of February in other years (circular NOR INTA1317573C; services/ages.py).
    assert ages.age_on(leap, date(2026, 2, 27)) == 17
    assert ages.age_on(leap, date(2026, 2, 28)) == 18
    assert ages.age_on(leap, date(2024, 2, 29)) == 16
    assert ages.age_on(date(2008, 1, 6), date(2026, 1, 5)) == 17
    assert ages.age_on(date(2008, 1, 6), date(2026, 1, 6)) == 18
    assert ages.born_on_or_before_for_majority(date(2028, 2, 29)) == date(2010, 2, 28)
    assert ages.born_on_or_before_for_majority(date(2026, 2, 28)) == date(2008, 2, 29)
    assert ages.born_on_or_before_for_majority(date(2026, 3, 1)) == date(2008, 3, 1)
    # 23:30 UTC on 5 January is already 6 January in France.
    assert ages.local_day(datetime(2026, 1, 5, 23, 30, tzinfo=UTC)) == date(2026, 1, 6)


def test_coming_of_age_ends_the_parents_access_and_the_young_adult_sees_everything(
    world: World, clock: FixedClock
) -> None:
    parent, tokens, child, child_id = family(world, birth_date="2008-01-06")
    doctor = Pro(world, "doctor")
    secret = secret_document(world, doctor, child)
    record_id = child_document(world, as_parent(tokens, child_id), "Carnet")
    with Session(world.ctx.engine) as session:
        assert children.come_of_age(session=session, ctx=world.ctx) == 0  # the day before
    assert world.api.get(f"{A}/sync/pull", headers=as_parent(tokens, child_id)).status_code == 200
    clock.advance(days=1)  # the 18th birthday: refused at once, whatever the job
    tokens = world.login(parent)
    refused = world.api.get(f"{A}/sync/pull", headers=as_parent(tokens, child_id))
    assert refused.json()["code"] == "error.children.not_guardian"
    assert world.api.get(f"{A}/children", headers=bearer(tokens)).json() == []
    with Session(world.ctx.engine) as session:
        assert children.come_of_age(session=session, ctx=world.ctx) == 1
        assert children.come_of_age(session=session, ctx=world.ctx) == 0  # once
        assert {g.reason for g in session.exec(select(Guardianship))} == {"majority"}
    letter = world.outbox()[0]
    assert letter["kind"] == "majority_letter" and "Camille Martin" not in letter["to"]
    assert letter["subject"].startswith("Vous êtes majeur :")  # a boy's number (first digit 1)
    code = CODE_RE.search(letter["body"])
    assert code and code.group(1) != child.code
    adult = Person(nir=child.nir, vitale=child.vitale, code=code.group(1), email="lea@exemple.fr")
    world.activate(adult)
    adult_tokens = world.login(adult)
    me = world.api.get(f"{A}/me", headers=bearer(adult_tokens)).json()
    assert (me["id"], me["status"]) == (child_id, "active")
    assert {secret, record_id} <= pulled_ids(world, bearer(adult_tokens))
    assert (
        world.api.get(f"{A}/sync/records/{secret}/content", headers=bearer(adult_tokens)).status_code == 200
    )
    closed = world.api.post(f"{A}/space/close", headers=bearer(adult_tokens), json={"password": PASSWORD})
    assert closed.json()["status"] == "closed"


def test_the_majority_letter_agrees_with_a_young_woman(world: World, clock: FixedClock) -> None:
    """Her number says she is a woman (first digit 2): "Vous êtes majeure" (issue #17)."""
    parent, _ = world.active_person()
    girl = enrol_child(world, parent, "2008-01-06", nir=nir_for(9017, sex=2, born=date(2008, 1, 6)))
    assert girl.nir.startswith("2")
    clock.advance(days=1)
    with Session(world.ctx.engine) as session:
        assert children.come_of_age(session=session, ctx=world.ctx) == 1
    letter = world.outbox()[0]
    assert letter["kind"] == "majority_letter"
    assert letter["subject"] == "Vous êtes majeure : votre espace santé reste ouvert"


def test_the_young_adult_may_object_and_a_leap_day_child_comes_of_age_on_28_february(
    world: World, clock: FixedClock
) -> None:
    parent, tokens, child, child_id = family(world, birth_date="2008-02-29")
    _at(clock, date(2026, 2, 27))
    tokens = world.login(parent)
    assert world.api.get(f"{A}/sync/pull", headers=as_parent(tokens, child_id)).status_code == 200
    with Session(world.ctx.engine) as session:
        assert children.come_of_age(session=session, ctx=world.ctx) == 0
    _at(clock, date(2026, 2, 28))
    refused = world.api.get(f"{A}/sync/pull", headers=as_parent(world.login(parent), child_id))
    assert refused.json()["code"] == "error.children.not_guardian"
    with Session(world.ctx.engine) as session:
        assert children.come_of_age(session=session, ctx=world.ctx) == 1
    code = CODE_RE.search(world.outbox()[0]["body"])
    assert code
    objected = world.api.post(f"{A}/objection", json=child.ids(provisional_code=code.group(1)))
    assert objected.status_code == 200, objected.text
    with Session(world.ctx.engine) as session:
        holder = session.get(Holder, child_id)
        assert holder is not None and holder.status == "objected"


def test_loss_of_parental_authority_is_immediate(world: World) -> None:
    parent, tokens, child, child_id = family(world)
    second = world.enrol(first_name="Sam")
    world.activate(second)
    second_tokens = world.login(second)
    with Session(world.ctx.engine) as session:
        children.add_guardian(session=session, ctx=world.ctx, child_nir=child.nir, guardian_nir=second.nir)
    assert world.api.get(f"{A}/sync/pull", headers=as_parent(second_tokens, child_id)).status_code == 200
    with Session(world.ctx.engine) as session:
        assert children.remove_guardian(
            session=session, ctx=world.ctx, child_nir=child.nir, guardian_nir=parent.nir
        )
    refused = world.api.get(f"{A}/sync/pull", headers=as_parent(tokens, child_id))
    assert (refused.status_code, refused.json()["code"]) == (403, "error.children.not_guardian")
    assert world.api.get(f"{A}/children", headers=bearer(tokens)).json() == []
    assert world.api.get(f"{A}/sync/pull", headers=as_parent(second_tokens, child_id)).status_code == 200
