"""Limits that fit web mode (issue #14): the person's address through a trusted proxy, locks that
spare the owner's known device, buckets that refill continuously, no password oracle during a
lock, and `POST /letters` that does the same work whatever it matched and sends nothing itself."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from backend_stub.commands.server import app as cli
from backend_stub.core.clock import FixedClock
from backend_stub.core.config import get_settings
from backend_stub.demo import nir_for
from backend_stub.main import create_app
from tests.backend.test_record_access import holder_document
from tests.backend.test_sessions import _sign_in
from tests.conftest import PASSWORD, Person, World, bearer

A = "/api/v1"
WRONG = "Pas-le-bon-2026"


def _login(world: World, email: str, password: str, *, key: str = "", ip: str = "") -> tuple[int, dict]:  # type: ignore[type-arg]
    headers = {"X-Forwarded-For": ip} if ip else {}
    body = {"email": email, "password": password, "device_key": key}
    response = world.api.post(f"{A}/auth/login", json=body, headers=headers)
    return response.status_code, response.json()


def _verify(world: World, challenge_id: str, code: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = world.api.post(f"{A}/auth/otp/verify", json={"challenge_id": challenge_id, "code": code})
    return response.status_code, response.json()


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- the person's address in web mode --------------------------------------------------------------


def _strangers(world: World, n: int, ip: str) -> list[int]:
    """`n` logins of unknown accounts (so only the per-client bucket counts) from `ip`."""
    return [_login(world, f"inconnu{k}@exemple.fr", WRONG, ip=ip)[0] for k in range(n)]


def test_the_forwarded_address_is_ignored_unless_the_proxy_is_trusted(world: World) -> None:
    limit = world.ctx.settings.rate_per_client
    assert _strangers(world, limit, "198.51.100.7") == [401] * limit
    assert _strangers(world, 1, "198.51.100.8") == [429]  # one bucket: the app server's
    world.ctx.settings.trusted_proxies = "10.0.0.0/8"  # a proxy, but not the caller
    assert _strangers(world, 1, "198.51.100.9") == [429]


def test_behind_the_trusted_app_server_each_person_has_their_own_bucket(world: World) -> None:
    world.ctx.settings.trusted_proxies = "testclient"  # the Flet app server, as configured
    limit = world.ctx.settings.rate_per_client
    assert _strangers(world, limit + 1, "198.51.100.7") == [401] * limit + [429]
    assert _strangers(world, 1, "198.51.100.8") == [401]  # someone else is not blocked
    # A chain: the nearest address that is not a trusted proxy is the person's.
    world.ctx.settings.trusted_proxies = "testclient, 10.0.0.0/8"
    assert _strangers(world, 1, "198.51.100.7, 10.1.2.3") == [429]
    assert _strangers(world, 1, "198.51.100.7, 198.51.100.8, 10.1.2.3") == [401]


# --- per-account locks and the owner's known device ---------------------------------------------------


def test_guesses_from_elsewhere_never_lock_the_owner_out_of_a_known_device(world: World) -> None:
    person, _ = world.active_person()
    phone = _sign_in(world, person, name="Téléphone")
    limit = world.ctx.settings.rate_per_account
    statuses = [_login(world, person.email, WRONG)[0] for _ in range(limit)]  # the owner's logins counted too
    assert statuses[-1] == 429 and set(statuses[: statuses.index(429)]) == {401}
    assert _login(world, person.email, PASSWORD)[0] == 429  # an unknown device waits, right or wrong
    other, _ = world.active_person()
    stranger_key = _sign_in(world, other)["device_key"]
    assert _login(world, person.email, PASSWORD, key=stranger_key)[0] == 429  # someone else's key
    status, challenge = _login(world, person.email, PASSWORD, key=phone["device_key"])
    assert status == 200
    assert _verify(world, challenge["challenge_id"], world.last_otp(person.email))[0] == 200


def test_a_code_lock_gives_no_password_oracle_and_spares_the_known_device(world: World) -> None:
    person, _ = world.active_person()
    phone = _sign_in(world, person, name="Téléphone")
    key = phone["device_key"]
    # Someone who has the password, on another device, tries codes: the account locks.
    _, challenge = _login(world, person.email, PASSWORD)
    wrong = _wrong(world.last_otp(person.email))
    answers = [_verify(world, challenge["challenge_id"], wrong) for _ in range(5)]
    assert answers[-1][0] == 423
    right, bad = _login(world, person.email, PASSWORD), _login(world, person.email, WRONG)
    assert right == bad and right[0] == 423  # the same answer: nothing learnt about the password
    # The owner's phone is spared; its own codes count on its own login, five at most.
    status, own = _login(world, person.email, PASSWORD, key=key)
    assert status == 200
    code = world.last_otp(person.email)
    left = [
        _verify(world, own["challenge_id"], _wrong(code))[1]["params"].get("attempts_left") for _ in range(4)
    ]
    assert left == [4, 3, 2, 1]
    assert _verify(world, own["challenge_id"], _wrong(code))[0] == 410  # that login ends
    assert _verify(world, own["challenge_id"], code)[0] == 410
    _, own = _login(world, person.email, PASSWORD, key=key)
    status, tokens = _verify(world, own["challenge_id"], world.last_otp(person.email))
    assert status == 200 and world.api.get(f"{A}/me", headers=bearer(tokens)).status_code == 200
    assert _login(world, person.email, PASSWORD)[0] == 423  # still locked for other devices
    # A device signed out from "Appareils connectés" is no longer known.
    device = next(d for d in world.api.get(f"{A}/devices", headers=bearer(tokens)).json() if d["current"])
    world.api.post(f"{A}/devices/{device['id']}/sign-out", headers=bearer(tokens))
    assert _login(world, person.email, PASSWORD, key=key)[0] == 423


def test_limits_refill_continuously_instead_of_by_fixed_windows(world: World, clock: FixedClock) -> None:
    person = Person(nir="", vitale="", code="", email="quelquun@exemple.fr")  # one account's bucket
    settings = world.ctx.settings
    limit, step = settings.rate_per_account, settings.rate_window_seconds // settings.rate_per_account
    assert [_login(world, person.email, WRONG)[0] for _ in range(limit)] == [401] * limit
    refused = world.api.post(f"{A}/auth/login", json={"email": person.email, "password": WRONG})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) == step
    clock.advance(seconds=step - 1)
    assert _login(world, person.email, WRONG)[0] == 429
    clock.advance(seconds=1)  # one token back every window/limit: never a wait of a whole window
    assert [_login(world, person.email, WRONG)[0] for _ in range(2)] == [401, 429]
    clock.advance(seconds=settings.rate_window_seconds)  # a full bucket again, not more
    assert [_login(world, person.email, WRONG)[0] for _ in range(limit + 1)] == [401] * limit + [429]


def test_share_codes_are_limited_per_link_whatever_the_address(world: World) -> None:
    world.ctx.settings.trusted_proxies = "testclient"
    _, tokens = world.active_person()
    doc = holder_document(world, tokens, "Radio du genou", "imaging_report")
    link = world.api.post(
        f"{A}/shares", json={"document_ids": [doc], "days": 7}, headers=bearer(tokens)
    ).json()
    page = link["url"][link["url"].index("/api/v1/") :]
    limit = world.ctx.settings.rate_per_account
    statuses = [
        world.api.post(
            page, data={"code": link["code"]}, headers={"X-Forwarded-For": f"198.51.100.{n}"}
        ).status_code
        for n in range(limit + 1)
    ]
    assert statuses == [200] * limit + [429]


# --- POST /letters: the same answer, the same work, nothing sent inside the request -------------------


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements a request runs (their text, not their values)."""
    seen: list[str] = []

    def record(_c: object, _cur: object, statement: str, *_rest: object) -> None:
        seen.append(re.sub(r"\s+", " ", statement))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _ask(world: World, path: str, nir: str, vitale: str) -> tuple[dict[str, object], list[str]]:
    with _statements(world.ctx.engine) as seen:
        response = world.api.post(f"{A}{path}", json={"nir": nir, "vitale_serial": vitale})
    assert response.status_code == 200, response.text
    return response.json(), seen


@pytest.mark.parametrize("path", ["/letters", "/auth/password-reset"])
def test_letters_and_resets_do_the_same_work_whatever_they_matched(world: World, path: str) -> None:
    """The same statements run for a known pair, a wrong serial and an unknown number (so the
    same time, give or take the database), and nothing is sent before the answer."""
    person = world.enrol() if path == "/letters" else world.active_person()[0]
    stranger = Person(nir=nir_for(999), vitale="40000999", code="", email="")  # never enrolled
    sent = len(world.outbox())
    known, known_sql = _ask(world, path, person.nir, person.vitale)
    wrong, wrong_sql = _ask(world, path, person.nir, "99999999")
    unknown, unknown_sql = _ask(world, path, stranger.nir, stranger.vitale)
    assert known_sql == wrong_sql == unknown_sql and any("queued_message" in s for s in known_sql)
    assert known.keys() == wrong.keys() == unknown.keys()
    if path == "/letters":
        assert known == wrong == unknown
    assert len(world.outbox()) == sent  # nothing sent inside a request
    assert world.send_queued() == 3
    assert len(world.outbox()) == sent + 1  # one message: to the person whose pair matched


def test_send_queued_command_sends_what_waits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ENS_ENV", "test")
    monkeypatch.delenv("ENS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        assert runner.invoke(cli, ["migrate"]).exit_code == 0
        nir = "1 85 05 75 000 001 47"
        args = ["enrol", "--nir", nir, "--vitale", "40000001", "--first-name", "Camille"]
        args += ["--last-name", "Martin", "--birth-date", "1985-05-01", "--email", "camille@exemple.fr"]
        assert runner.invoke(cli, args).exit_code == 0
        app = create_app()
        TestClient(app).post(f"{A}/letters", json={"nir": nir, "vitale_serial": "40000001"})
        app.state.ctx.engine.dispose()
        result = runner.invoke(cli, ["send-queued"])
        assert result.exit_code == 0 and "Sent 1 queued message(s)." in result.output
        assert "Sent 0" in runner.invoke(cli, ["send-queued"]).output
        letters = sorted((tmp_path / "outbox").glob("*.json"))
        assert len(letters) == 2  # the enrolment letter, then the new code's
    finally:
        get_settings.cache_clear()
