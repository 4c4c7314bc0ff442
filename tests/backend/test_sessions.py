"""Sessions that cannot be stolen for good (issue #14): rotation in place, the grace of the previous
token, reuse ending the whole family, an absolute lifetime, devices listed and signed out."""

import logging
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from backend_stub.core.clock import FixedClock
from backend_stub.services import security
from tests.conftest import PASSWORD, Person, World, bearer

REFRESH = "/api/v1/auth/refresh"


def _refresh(api: TestClient, token: str) -> tuple[int, dict[str, str]]:
    response = api.post(REFRESH, json={"refresh_token": token})
    return response.status_code, response.json()


def _sign_in(
    world: World, person: Person, *, name: str = "", platform: str = "", key: str = ""
) -> dict[str, str]:
    """Password then code from a device that says its name (and its key, once known)."""
    body = {"email": person.email, "password": PASSWORD, "device_name": name, "platform": platform}
    challenge = world.api.post("/api/v1/auth/login", json=body | {"device_key": key})
    assert challenge.status_code == 200, challenge.text
    verify = {"challenge_id": challenge.json()["challenge_id"], "code": world.last_otp(person.email)}
    tokens = world.api.post("/api/v1/auth/otp/verify", json=verify)
    assert tokens.status_code == 200, tokens.text
    data: dict[str, str] = tokens.json()
    return data


def _alive(world: World, tokens: dict[str, str]) -> bool:
    return world.api.get("/api/v1/me", headers=bearer(tokens)).status_code == 200


def _notifications(world: World, person: Person) -> list[str]:
    fresh = world.login(person)
    return [n["kind"] for n in world.api.get("/api/v1/notifications", headers=bearer(fresh)).json()]


def test_rotation_keeps_one_device_and_the_old_access_token_stops(world: World, clock: FixedClock) -> None:
    _, tokens = world.active_person()
    clock.advance(minutes=20)
    status, fresh = _refresh(world.api, tokens["refresh_token"])
    assert status == 200
    assert (
        fresh["access_token"] != tokens["access_token"] and fresh["refresh_token"] != tokens["refresh_token"]
    )
    assert not _alive(world, tokens) and _alive(world, fresh)
    devices = world.api.get("/api/v1/devices", headers=bearer(fresh)).json()
    assert len(devices) == 1  # the same device, not a new session per refresh
    assert devices[0]["last_used_at"] > devices[0]["first_used_at"]


def test_previous_token_within_the_grace_gives_the_same_pair_once(
    world: World, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    person, tokens = world.active_person()
    first = _refresh(world.api, tokens["refresh_token"])
    clock.advance(seconds=world.ctx.settings.refresh_grace_seconds - 1)
    again = _refresh(world.api, tokens["refresh_token"])  # e.g. two requests of one device at once
    assert first == again and first[0] == 200  # the SAME pair, not a second branch
    assert _alive(world, first[1])
    with caplog.at_level(logging.WARNING, logger="backend_stub.services.sessions"):
        third = _refresh(world.api, tokens["refresh_token"])  # a second reuse: theft
    assert third == (401, {"code": "error.session.expired", "params": {}})
    assert not _alive(world, first[1])  # the whole family ends, the pair it gave included
    assert _refresh(world.api, first[1]["refresh_token"])[0] == 401
    assert "reused" in caplog.text
    for secret in (tokens["refresh_token"], first[1]["refresh_token"], first[1]["access_token"]):
        assert secret not in caplog.text
    assert "session_reuse" in _notifications(world, person)
    assert "Un appareil a été déconnecté de votre espace santé" in {
        m["subject"] for m in world.outbox(person.email)
    }
    with Session(world.ctx.engine) as session:  # and in the operators' security log
        assert [e.actor_kind for e in security.events(session=session, kind="session_reuse")] == ["holder"]


def test_reuse_after_the_grace_once_the_pair_was_used_is_theft(world: World, clock: FixedClock) -> None:
    person, tokens = world.active_person()
    status, fresh = _refresh(world.api, tokens["refresh_token"])
    assert status == 200 and _alive(world, fresh)  # the device uses its new pair
    clock.advance(seconds=world.ctx.settings.refresh_grace_seconds + 1)
    assert _refresh(world.api, tokens["refresh_token"])[0] == 401
    assert not _alive(world, fresh)
    assert _refresh(world.api, fresh["refresh_token"])[0] == 401
    assert "session_reuse" in _notifications(world, person)


def test_a_device_killed_mid_rotation_gets_the_same_pair_even_later(world: World, clock: FixedClock) -> None:
    """The server rotated, the device died before keeping the new pair: nobody used that pair, so
    the previous token still gives it back, once, however late (within the session's life)."""
    _, tokens = world.active_person()
    lost = _refresh(world.api, tokens["refresh_token"])  # the answer the dead process never kept
    clock.advance(hours=3)
    found = _refresh(world.api, tokens["refresh_token"])  # next launch, with the token it had
    assert found == lost and found[0] == 200
    status, after = _refresh(world.api, found[1]["refresh_token"])
    assert status == 200 and _alive(world, after)
    assert _refresh(world.api, tokens["refresh_token"])[0] == 401  # that grace was used


def test_an_older_generation_reused_ends_the_family(world: World, clock: FixedClock) -> None:
    _, tokens = world.active_person()
    one = _refresh(world.api, tokens["refresh_token"])[1]
    two = _refresh(world.api, one["refresh_token"])[1]
    assert _alive(world, two)
    assert _refresh(world.api, tokens["refresh_token"])[0] == 401
    assert not _alive(world, two)


def test_forged_or_foreign_tokens_change_nothing(world: World) -> None:
    _, tokens = world.active_person()
    device = world.api.get("/api/v1/devices", headers=bearer(tokens)).json()[0]["id"]
    for forged in (f"{device}.abc.def", f"{device}..", "x", tokens["access_token"], "a.b.c"):
        assert _refresh(world.api, forged)[0] == 401
    assert _alive(world, tokens)  # a forged token naming the session did not end it
    assert _refresh(world.api, tokens["refresh_token"])[0] == 200


def test_a_login_lasts_thirty_days_whatever_the_refreshes(world: World, clock: FixedClock) -> None:
    person, tokens = world.active_person()
    days = world.ctx.settings.session_max_days
    assert days == 30
    end = clock.now() + timedelta(days=days)
    while clock.now() + timedelta(hours=12) < end:  # a refresh just before each 12 hours run out
        clock.advance(hours=11, minutes=59)
        status, tokens = _refresh(world.api, tokens["refresh_token"])
        assert status == 200
        assert datetime.fromisoformat(tokens["refresh_expires_at"]) <= end
    assert _alive(world, tokens)
    clock.current = end  # 30 days after the login: password and code again
    assert _refresh(world.api, tokens["refresh_token"])[0] == 401
    assert not _alive(world, tokens)
    world.login(person)  # a new login: a new 30 days


def test_devices_are_listed_and_one_is_signed_out_at_once(world: World) -> None:
    person, _ = world.active_person()
    phone = _sign_in(world, person, name="Téléphone de Camille\x00\n" + "x" * 150, platform="Android")
    browser = _sign_in(world, person, name="  Firefox   sur Linux ", platform="web")
    listed = world.api.get("/api/v1/devices", headers=bearer(browser)).json()
    names = {d["name"]: d for d in listed}
    assert "Firefox sur Linux" in names and names["Firefox sur Linux"]["current"]
    phone_row = next(d for d in listed if d["name"].startswith("Téléphone"))
    assert len(phone_row["name"]) == 60 and "\x00" not in phone_row["name"]  # cleaned, cut
    assert phone_row["platform"] == "android" and not phone_row["current"]
    assert {"id", "first_used_at", "last_used_at"} <= phone_row.keys()

    after = world.api.post(f"/api/v1/devices/{phone_row['id']}/sign-out", headers=bearer(browser))
    assert after.status_code == 200
    assert phone_row["id"] not in {d["id"] for d in after.json()}
    gone = world.api.get("/api/v1/me", headers=bearer(phone))
    assert gone.status_code == 401 and gone.json()["code"] == "error.auth.device_signed_out"
    status, body = _refresh(world.api, phone["refresh_token"])
    assert (status, body["code"]) == (401, "error.auth.device_signed_out")  # it forgets its vault key
    assert _alive(world, browser)
    again = world.api.post(f"/api/v1/devices/{phone_row['id']}/sign-out", headers=bearer(browser))
    assert again.status_code == 404


def test_a_new_device_is_told_to_the_holder_and_a_known_one_is_not(world: World) -> None:
    person, first = world.active_person()  # the first device after activation is no news
    kinds = [n["kind"] for n in world.api.get("/api/v1/notifications", headers=bearer(first)).json()]
    assert "new_device" not in kinds
    second = _sign_in(world, person, name="Tablette", platform="ios")
    key = second["device_key"]
    assert key and first["device_key"] and key != first["device_key"]
    notes = world.api.get("/api/v1/notifications", headers=bearer(second)).json()
    assert [(n["kind"], n["params"]["name"]) for n in notes] == [("new_device", "Tablette")]
    mail = world.outbox(person.email)[0]
    assert mail["subject"] == "Nouvel appareil connecté à votre espace santé"
    assert "Tablette" not in mail["body"]  # the device's own words stay in the app
    back = _sign_in(world, person, name="Tablette", platform="ios", key=key)
    assert back.get("device_key") is None
    notes = world.api.get("/api/v1/notifications", headers=bearer(back)).json()
    assert [n["kind"] for n in notes] == ["new_device"]  # the known tablet came back: no news


def test_logout_and_closure_still_end_sessions(world: World) -> None:
    person, tokens = world.active_person()
    other = world.login(person)
    assert world.api.post("/api/v1/auth/logout", headers=bearer(other)).status_code == 204
    assert _refresh(world.api, other["refresh_token"]) == (
        401,
        {"code": "error.session.expired", "params": {}},
    )
    assert len(world.api.get("/api/v1/devices", headers=bearer(tokens)).json()) == 1
