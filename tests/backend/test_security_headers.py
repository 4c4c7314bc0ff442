"""The browser's safety headers on every answer, the share page's strict policy, HSTS over HTTPS,
and no public API map in production (issue #15)."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend_stub.context import build_context
from backend_stub.core.config import Settings
from backend_stub.main import create_app
from backend_stub.sealed_blobs import MasterKeys
from tests.backend.test_record_access import holder_document
from tests.backend.test_shares import _path, _share
from tests.conftest import World, bearer


def _style_hash(page: str) -> str:
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style is not None
    return base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()


def test_the_share_page_has_a_strict_policy_and_cannot_be_framed(world: World) -> None:
    _, tokens = world.active_person()
    link = _share(world, tokens, [holder_document(world, tokens, "Radio", "imaging_report")])
    for page in (world.api.get(_path(link["url"])), world.api.post(_path(link["url"]), data={"code": "x"})):
        policy = page.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert f"style-src 'sha256-{_style_hash(page.text)}'" in policy  # its one style, nothing inline else
        assert "unsafe-inline" not in policy and "script-src" not in policy
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "no-referrer"
        assert "strict-transport-security" not in page.headers  # plain HTTP here


def test_every_answer_says_nosniff_and_https_adds_hsts(world: World) -> None:
    _, tokens = world.active_person()
    secure = TestClient(world.api.app, base_url="https://testserver")
    for response in (
        world.api.get("/api/v1/health"),
        world.api.get("/api/v1/me", headers=bearer(tokens)),
        world.api.get("/api/v1/me"),  # refused
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert secure.get("/api/v1/health").headers["strict-transport-security"].startswith("max-age=63072000")


def test_the_api_map_is_for_developers_only(world: World, tmp_path: Path) -> None:
    assert world.api.get("/api/v1/openapi.json").status_code == 200
    keys = {name: MasterKeys.generate(name) for name in ("m1", "l1", "s1", "c1")}
    common = dict(
        env="production",
        data_dir=tmp_path / "production",
        database_url=world.ctx.settings.database_url,
        secret_key="p" * 40,
        master_keys=keys["m1"],
        log_keys=keys["l1"],
        log_signing_keys=keys["s1"],
        email_sender="smtp",
        sms_sender="http",
    )
    with pytest.raises(ValueError, match="ENS_CARD_SIGNING_KEYS"):
        build_context(Settings(**common))  # a server that could not sign a vaccination record
    ctx = build_context(Settings(**common, card_signing_keys=keys["c1"]))
    try:
        api = TestClient(create_app(ctx))
        assert api.get("/api/v1/docs").status_code == 404
        assert api.get("/api/v1/openapi.json").status_code == 404
        assert api.get("/api/v1/health").status_code == 200
    finally:
        ctx.engine.dispose()
