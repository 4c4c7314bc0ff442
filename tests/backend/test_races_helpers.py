"""Races on helpers, between two real server processes on one database: an invitation ended by the
helped person while the helper accepts it stays ended."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from backend_stub.context import build_context
from backend_stub.main import create_app
from tests.backend.test_account_races import A, Pair, _at_once, pair
from tests.backend.test_helpers import identity
from tests.conftest import World, bearer

__all__ = ["pair"]  # the fixture, used by name


@pytest.mark.parametrize("_", range(3))  # whichever comes first
def test_an_invitation_ended_while_accepted_stays_ended(pair: Pair, _: int) -> None:
    ctx = build_context(pair.settings)
    world = World(ctx, TestClient(create_app(ctx), base_url="http://testserver"))  # the set-up, in process
    (_, helped_tokens), (helper, helper_tokens) = world.active_person(), world.active_person()
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    body = identity(helper) | {"starts_on": f"{today}", "ends_on": f"{today + timedelta(days=30)}"}
    made = world.api.post(f"{A}/delegations", headers=bearer(helped_tokens), json=body)
    assert made.status_code == 200, made.text
    path = f"/delegations/{made.json()['id']}"
    calls = [(f"{path}/accept", helper_tokens), (f"{path}/end", helped_tokens)]
    _at_once(2, lambda n: pair.post(n, calls[n][0], headers=bearer(calls[n][1])))
    given = world.api.get(f"{A}/delegations", headers=bearer(helped_tokens)).json()["given"]
    assert [d["status"] for d in given] == ["ended"]  # whichever came first: ended is the last word
    ctx.engine.dispose()
