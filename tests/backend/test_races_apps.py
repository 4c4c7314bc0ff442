"""Races on connecting an app, between two real server processes on one database: one consent
request gives one code, and one code one token, whatever is sent at once."""

from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi.testclient import TestClient

from backend_stub.context import build_context
from backend_stub.main import create_app
from tests.backend.test_account_races import AT_ONCE, A, Pair, _at_once, pair
from tests.backend.test_oauth import REDIRECT, ask, register
from tests.conftest import World, bearer

__all__ = ["pair"]  # the fixture, used by name


def test_one_consent_approved_at_once_gives_one_code_and_one_token(pair: Pair) -> None:
    ctx = build_context(pair.settings)
    world = World(ctx, TestClient(create_app(ctx), base_url="https://testserver"))  # the set-up, in process
    register(ctx)
    _, tokens = world.active_person()
    asked = ask(world, "balance-test", "measurements.read")
    approvals = _at_once(
        AT_ONCE,
        lambda n: pair.post(
            n, f"/oauth/requests/{asked.request_id}/approve", headers=bearer(tokens), json={"duration": "3m"}
        ),
    )
    assert sorted(r.status_code for r in approvals) == [200] + [410] * (AT_ONCE - 1)
    (given,) = [r.json()["redirect_url"] for r in approvals if r.status_code == 200]
    code = parse_qs(urlsplit(given).query)["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    form |= {"client_id": "balance-test", "code_verifier": asked.verifier}
    exchanges = _at_once(
        AT_ONCE, lambda n: httpx.post(f"{pair.urls[n % 2]}{A}/oauth/token", data=form, timeout=60)
    )
    assert sorted(r.status_code for r in exchanges) == [200] + [400] * (AT_ONCE - 1)
    ctx.engine.dispose()
