"""Login with password and one-time code, lockout, sessions, refresh, logout."""

from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from backend_stub.core.clock import FixedClock
from tests.conftest import PASSWORD, Person, World, bearer


def _challenge(world: World, person: Person, password: str = PASSWORD) -> dict[str, str]:
    response = world.api.post("/api/v1/auth/login", json={"email": person.email, "password": password})
    assert response.status_code == 200, response.text
    data: dict[str, str] = response.json()
    return data


def _verify(api: TestClient, cid: str, code: str) -> tuple[int, dict[str, object]]:
    response = api.post("/api/v1/auth/otp/verify", json={"challenge_id": cid, "code": code})
    return response.status_code, response.json()


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_full_login(world: World) -> None:
    person = world.enrol()
    world.activate(person)
    challenge = _challenge(world, person)
    assert challenge["channel"] == "email"
    assert challenge["destination_hint"] == "p***@e***.fr"
    status, tokens = _verify(world.api, challenge["challenge_id"], world.last_otp(person.email))
    assert status == 200
    me = world.api.get("/api/v1/me", headers=bearer(tokens))  # type: ignore[arg-type]
    assert me.json()["first_name"] == "Camille"
    assert me.json()["status"] == "active"


def test_wrong_password_and_unknown_account_look_the_same(world: World) -> None:
    person = world.enrol()
    world.activate(person)
    wrong = world.api.post("/api/v1/auth/login", json={"email": person.email, "password": "Nope-Nope-1234"})
    unknown = world.api.post("/api/v1/auth/login", json={"email": "x@exemple.fr", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"code": "error.login.failed", "params": {}}


def test_not_yet_activated_space_cannot_log_in(world: World) -> None:
    person = world.enrol()
    response = world.api.post("/api/v1/auth/login", json={"email": person.email, "password": PASSWORD})
    assert response.status_code == 401


def test_code_expires_after_five_minutes(world: World, clock: FixedClock) -> None:
    person = world.enrol()
    world.activate(person)
    challenge = _challenge(world, person)
    code = world.last_otp(person.email)
    clock.advance(minutes=5)
    status, body = _verify(world.api, challenge["challenge_id"], code)
    assert status == 410
    assert body["code"] == "error.otp.expired"


def test_code_valid_just_before_five_minutes_and_single_use(world: World, clock: FixedClock) -> None:
    person = world.enrol()
    world.activate(person)
    challenge = _challenge(world, person)
    code = world.last_otp(person.email)
    clock.advance(minutes=4, seconds=59)
    assert _verify(world.api, challenge["challenge_id"], code)[0] == 200
    assert _verify(world.api, challenge["challenge_id"], code)[0] == 410


def test_five_wrong_codes_lock_the_account_and_say_until_when(world: World, clock: FixedClock) -> None:
    person = world.enrol()
    world.activate(person)
    challenge = _challenge(world, person)
    code = world.last_otp(person.email)
    answers = [_verify(world.api, challenge["challenge_id"], _wrong(code)) for _ in range(5)]
    assert [a[1]["params"].get("attempts_left") for a in answers[:4]] == [4, 3, 2, 1]  # type: ignore[union-attr]
    status, body = answers[4]
    assert status == 423
    until = datetime.fromisoformat(body["params"]["until"])  # type: ignore[index]
    assert until == clock.now() + timedelta(minutes=15)
    # The right code no longer works, and a new login is refused until then.
    assert _verify(world.api, challenge["challenge_id"], code)[0] in (410, 423)
    locked = world.api.post("/api/v1/auth/login", json={"email": person.email, "password": PASSWORD})
    assert locked.status_code == 423
    clock.advance(minutes=15)
    world.login(person)


def test_resend_is_throttled(world: World, clock: FixedClock) -> None:
    person = world.enrol()
    world.activate(person)
    challenge = _challenge(world, person)
    first = world.last_otp(person.email)
    too_soon = world.api.post("/api/v1/auth/otp/resend", json={"challenge_id": challenge["challenge_id"]})
    assert too_soon.status_code == 429
    assert too_soon.json()["params"]["retry_after"] == 61
    clock.advance(seconds=60)
    again = world.api.post("/api/v1/auth/otp/resend", json={"challenge_id": challenge["challenge_id"]})
    assert again.status_code == 200
    second = world.last_otp(person.email)
    if second != first:  # one chance in a million that two random codes are equal
        assert _verify(world.api, challenge["challenge_id"], first)[0] == 401
    assert _verify(world.api, challenge["challenge_id"], second)[0] == 200


def test_resends_are_capped(world: World, clock: FixedClock) -> None:
    person = world.enrol()
    world.activate(person)
    cid = _challenge(world, person)["challenge_id"]
    statuses = []
    for _ in range(4):
        clock.advance(seconds=61)
        statuses.append(world.api.post("/api/v1/auth/otp/resend", json={"challenge_id": cid}).status_code)
    assert statuses == [200, 200, 200, 410]


def test_sms_channel(world: World) -> None:
    person = world.enrol()
    world.activate(person, otp_channel="sms", phone="06 12 34 56 78")
    challenge = _challenge(world, person)
    assert challenge["channel"] == "sms"
    assert challenge["destination_hint"] == "+336******78"
    sms = world.outbox("+33612345678")[0]
    assert sms["channel"] == "sms"
    assert _verify(world.api, challenge["challenge_id"], world.last_otp("+33612345678"))[0] == 200


def test_access_token_expires_and_refresh_rotates(world: World, clock: FixedClock) -> None:
    _, tokens = world.active_person()
    clock.advance(minutes=15)
    expired = world.api.get("/api/v1/me", headers=bearer(tokens))
    assert expired.status_code == 401
    assert expired.json()["code"] == "error.session.expired"
    fresh = world.api.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert fresh.status_code == 200
    assert world.api.get("/api/v1/me", headers=bearer(fresh.json())).status_code == 200
    clock.advance(seconds=world.ctx.settings.refresh_grace_seconds + 1)  # past the grace (test_sessions.py)
    reused = world.api.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert reused.status_code == 401


def test_refresh_token_has_a_lifetime(world: World, clock: FixedClock) -> None:
    _, tokens = world.active_person()
    clock.advance(hours=world.ctx.settings.refresh_token_hours)
    response = world.api.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 401


def test_logout_revokes_on_the_server(world: World) -> None:
    _, tokens = world.active_person()
    assert world.api.post("/api/v1/auth/logout", headers=bearer(tokens)).status_code == 204
    assert world.api.get("/api/v1/me", headers=bearer(tokens)).status_code == 401
    refresh = world.api.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401


def test_login_is_rate_limited_per_account(world: World) -> None:
    person = world.enrol()
    world.activate(person)
    limit = world.ctx.settings.rate_per_account
    statuses = [
        world.api.post(
            "/api/v1/auth/login", json={"email": person.email, "password": "Wrong-pass-123"}
        ).status_code
        for _ in range(limit + 1)
    ]
    assert statuses == [401] * limit + [429]


def test_code_entry_is_rate_limited_per_client(world: World) -> None:
    limit = world.ctx.settings.rate_per_client
    statuses = [
        world.api.post("/api/v1/auth/otp/verify", json={"challenge_id": "nope", "code": "123456"}).status_code
        for _ in range(limit + 1)
    ]
    assert statuses[-1] == 429
    assert set(statuses[:-1]) == {410}


def test_code_that_cannot_be_sent_gives_a_clear_error(world: World) -> None:
    person = world.enrol()
    world.activate(person)

    class Down:
        def deliver(self, message: object) -> None:
            raise OSError("smtp down")

    world.ctx.notifier._senders["email"] = Down()  # type: ignore[attr-defined]
    response = world.api.post("/api/v1/auth/login", json={"email": person.email, "password": PASSWORD})
    assert response.status_code == 503
    assert response.json()["code"] == "error.delivery.failed"
