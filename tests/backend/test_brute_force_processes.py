"""Brute force across several server processes: the counters live in the database, so two servers
(here two apps with their own engines and pools, as two workers have) share one limit."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from backend_stub.context import build_context
from backend_stub.core.clock import FixedClock
from backend_stub.main import create_app
from tests.conftest import PASSWORD, World


@pytest.fixture
def second_server(world: World, clock: FixedClock) -> Iterator[TestClient]:
    ctx = build_context(world.ctx.settings, clock=clock)
    yield TestClient(create_app(ctx), base_url="http://testserver")
    ctx.engine.dispose()


def test_password_guesses_are_counted_across_servers(world: World, second_server: TestClient) -> None:
    person = world.enrol()
    world.activate(person)
    limit = world.ctx.settings.rate_per_account
    servers = (world.api, second_server)
    guess = {"email": person.email, "password": "Wrong-pass-123"}
    statuses = [servers[n % 2].post("/api/v1/auth/login", json=guess).status_code for n in range(limit + 1)]
    assert statuses == [401] * limit + [429]
    right = second_server.post("/api/v1/auth/login", json={"email": person.email, "password": PASSWORD})
    assert right.status_code == 429  # even the right password waits: no race between servers


def test_activation_guesses_are_counted_across_servers(world: World, second_server: TestClient) -> None:
    person = world.enrol()
    servers = (world.api, second_server)
    settings = world.ctx.settings
    allowed = min(settings.rate_per_client, settings.rate_per_account)  # per address and per number
    wrong = person.ids(vitale_serial="99999999")
    statuses = [
        servers[n % 2].post("/api/v1/activation/check", json=wrong).status_code for n in range(allowed + 2)
    ]
    assert statuses == [400] * allowed + [429, 429]
