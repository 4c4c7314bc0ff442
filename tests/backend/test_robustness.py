"""Malformed input gets a clear 4xx with a message key, never a 500."""

import pytest

from tests.conftest import World

POSTS = [
    "/api/v1/activation/check",
    "/api/v1/activation",
    "/api/v1/objection",
    "/api/v1/letters",
    "/api/v1/auth/login",
    "/api/v1/auth/otp/verify",
    "/api/v1/auth/otp/resend",
    "/api/v1/auth/refresh",
]


@pytest.mark.parametrize("path", POSTS)
def test_garbage_bodies(world: World, path: str) -> None:
    for body in (b"", b"not json", b"[]", b'{"nir": 12}', b'{"nir": null}', "é\x00".encode()):
        response = world.api.post(path, content=body, headers={"content-type": "application/json"})
        assert 400 <= response.status_code < 500, (path, body, response.text)
        assert response.json()["code"].startswith("error.")


@pytest.mark.parametrize("path", POSTS)
def test_ten_megabyte_bodies_are_refused(world: World, path: str) -> None:
    response = world.api.post(
        path, content=b"{" + b" " * 10_000_000 + b"}", headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "error.request.too_large"


def test_chunked_body_without_length_is_limited_too(world: World) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(200):
            yield b" " * 10_000

    response = world.api.post(
        "/api/v1/auth/login", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_over_long_fields_are_refused(world: World) -> None:
    response = world.api.post("/api/v1/auth/login", json={"email": "a" * 5000, "password": "x"})
    assert response.status_code == 422
    assert response.json()["params"]["fields"] == ["email"]


def test_openapi_is_served(world: World) -> None:
    spec = world.api.get("/api/v1/openapi.json").json()
    assert "/api/v1/activation" in spec["paths"]
