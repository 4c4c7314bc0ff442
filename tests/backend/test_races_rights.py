"""Races on a person's rights, between two real server processes on one database: a request for a
correction is asked once and decided once, whatever is sent at once."""

import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session

from backend_stub.context import build_context
from backend_stub.main import create_app
from backend_stub.models.record import Record
from tests.backend.test_account_races import AT_ONCE, A, Pair, _at_once, pair
from tests.backend.test_health_corrections import _ask, _pro_entry
from tests.backend.test_record_access import Pro
from tests.conftest import World, bearer

__all__ = ["pair"]  # the fixture, used by name


def test_a_correction_decided_twice_at_once_is_decided_once(pair: Pair) -> None:
    ctx = build_context(pair.settings)
    world = World(ctx, TestClient(create_app(ctx), base_url="http://testserver"))  # the set-up, in process
    person, tokens = world.active_person()
    doctor = Pro(world, "doctor", name="Auteur")
    entry = _pro_entry(world, doctor, person)
    request = _ask(world, tokens, entry).json()
    answers = [
        {"accept": True, "fields": {"substance": "Amoxicilline", "severity": "mild"}},
        {"accept": False, "reason": "L'allergie a été confirmée par un test cutané."},
    ]
    headers = {"X-Api-Key": doctor.key, "X-Patient-Nir": person.nir, "X-Access-Mode": "normal"}
    decided = _at_once(
        2,
        lambda n: httpx.post(
            f"{pair.urls[n]}{A}/pro/corrections/{request['id']}/decision",
            json=answers[n],
            headers=headers,
            timeout=60,
        ),
    )
    assert sorted(r.status_code for r in decided) == [200, 409]
    (won,) = [r.json()["status"] for r in decided if r.status_code == 200]
    holder_id = world.api.get(f"{A}/me", headers=bearer(tokens)).json()["id"]
    with Session(ctx.engine) as session:
        record = session.get(Record, (holder_id, entry))
        assert record is not None
        assert record.version == (2 if won == "accepted" else 1)  # one answer, applied once
    ctx.engine.dispose()


def test_one_entry_asked_twice_at_once_has_one_open_request(pair: Pair) -> None:
    ctx = build_context(pair.settings)
    world = World(ctx, TestClient(create_app(ctx), base_url="http://testserver"))  # the set-up, in process
    person, tokens = world.active_person()
    entry = _pro_entry(world, Pro(world, "doctor", name="Auteur"), person)
    body = {"record_id": entry, "note": "Je ne suis pas allergique"}
    asked = _at_once(
        AT_ONCE, lambda n: pair.post(n, "/health-corrections", headers=bearer(tokens), json=body)
    )
    assert sorted(r.status_code for r in asked) == [200] + [409] * (AT_ONCE - 1)
    assert len(world.api.get(f"{A}/health-corrections", headers=bearer(tokens)).json()) == 1
    ctx.engine.dispose()


def test_one_administrative_field_asked_at_once_has_one_open_request(pair: Pair) -> None:
    email, _, _ = pair.person()
    headers = {"Authorization": f"Bearer {pair.login(email)['access_token']}"}
    body = {"field": "last_name", "value": "Martin-Durand"}
    asked = _at_once(
        AT_ONCE, lambda n: pair.post(n, "/administrative/corrections", headers=headers, json=body)
    )
    assert sorted(r.status_code for r in asked) == [200] + [409] * (AT_ONCE - 1)
