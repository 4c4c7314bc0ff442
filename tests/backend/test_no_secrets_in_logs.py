"""A whole activation and login, with every logger at DEBUG: no code, number or password leaks."""

import logging

import pytest

from tests.conftest import PASSWORD, World, bearer


def test_full_flow_logs_nothing_sensitive(world: World, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        person, tokens = world.active_person()
        otp = world.last_otp(person.email)
        world.api.post("/api/v1/auth/login", json={"email": person.email, "password": "Wrong-pass-123"})
        world.api.post("/api/v1/space/close", json={"password": PASSWORD}, headers=bearer(tokens))
    text = caplog.text
    for secret in (
        person.nir,
        person.vitale,
        person.code,
        PASSWORD,
        otp,
        tokens["access_token"],
        tokens["refresh_token"],
    ):
        assert secret not in text
