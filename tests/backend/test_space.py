"""Closing a space, reopening it, the 10-year purge, and routes closed to a closed space."""

from sqlmodel import Session, select

from backend_stub.core.clock import FixedClock
from backend_stub.models.accounts import AuthSession, Holder
from backend_stub.services import space
from tests.conftest import PASSWORD, World, bearer


def test_close_needs_the_password(world: World) -> None:
    _, tokens = world.active_person()
    wrong = world.api.post("/api/v1/space/close", json={"password": "Not-the-pass-1"}, headers=bearer(tokens))
    assert wrong.status_code == 401
    assert world.api.get("/api/v1/me", headers=bearer(tokens)).json()["status"] == "active"


def test_close_archives_then_reopen_restores(world: World, clock: FixedClock) -> None:
    person, tokens = world.active_person()
    other_device = world.login(person)
    closed = world.api.post("/api/v1/space/close", json={"password": PASSWORD}, headers=bearer(tokens))
    assert closed.status_code == 200
    body = closed.json()
    assert body["status"] == "closed"
    assert body["purge_after"].startswith("2036-01-05")
    assert world.outbox(person.email)[0]["subject"] == "Votre espace santé est fermé"
    assert "supprimées définitivement le 5 janvier 2036." in world.outbox(person.email)[0]["body"]
    # Other devices are signed out; this one may still reopen.
    assert world.api.get("/api/v1/me", headers=bearer(other_device)).status_code == 401
    again = world.api.post("/api/v1/space/close", json={"password": PASSWORD}, headers=bearer(tokens))
    assert again.status_code == 403
    # A later login still reaches the closed space, to reopen it.
    clock.advance(days=400)
    later = world.login(person)
    assert world.api.get("/api/v1/me", headers=bearer(later)).json()["status"] == "closed"
    reopened = world.api.post("/api/v1/space/reopen", headers=bearer(later))
    assert reopened.json()["status"] == "active"
    assert reopened.json()["purge_after"] is None
    assert world.api.post("/api/v1/space/reopen", headers=bearer(later)).status_code == 409


def test_purge_after_ten_years_only(world: World, clock: FixedClock) -> None:
    person, tokens = world.active_person()
    keep, _ = world.active_person()
    world.api.post("/api/v1/space/close", json={"password": PASSWORD}, headers=bearer(tokens))
    clock.advance(days=3652, seconds=-1)  # 2026-01-05 + 10 years (two leap days) minus a second
    with Session(world.ctx.engine) as session:
        assert space.purge_due_spaces(session=session, ctx=world.ctx) == 0
    clock.advance(seconds=1)
    with Session(world.ctx.engine) as session:
        assert space.purge_due_spaces(session=session, ctx=world.ctx) == 1
        holders = session.exec(select(Holder)).all()
        assert [h.email for h in holders] == [keep.email]
        assert all(s.holder_id == holders[0].id for s in session.exec(select(AuthSession)).all())
    gone = world.api.post("/api/v1/auth/login", json={"email": person.email, "password": PASSWORD})
    assert gone.status_code == 401


def test_protected_routes_need_a_token(world: World) -> None:
    for method, path in (
        ("get", "/api/v1/me"),
        ("post", "/api/v1/space/close"),
        ("post", "/api/v1/space/reopen"),
        ("post", "/api/v1/auth/logout"),
    ):
        response = world.api.request(method.upper(), path, json={"password": "x"})
        assert response.status_code == 401, path
        bad = world.api.request(
            method.upper(), path, json={"password": "x"}, headers={"Authorization": "Bearer forged"}
        )
        assert bad.status_code == 401, path
