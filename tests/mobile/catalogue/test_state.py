"""The catalogue and consent state against the real server in-process: a request waits for the
sign-in, the consent screen comes first, approve/refuse give the way back, revoke works."""

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from sqlmodel import Session

from backend_stub.services import apps
from mobile.app import VaultAppState
from mobile.catalogue.state import CatalogueState, connection_status, request_id_from_route
from mobile.shell.state import Screen
from sync.protocol.errors import ErrorCode
from sync.protocol.schemas import TokenPair
from tests.mobile.conftest import AppServer
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import PIN, signed_in
from tests.sync.conftest import FAST_KDF

REDIRECT = "http://127.0.0.1:5555/callback"


@pytest.fixture
def world(app_server: AppServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    # The in-process server answers on http://test: authlib wants https except on loopback.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    with Session(app_server.ctx.engine) as session:
        for app_id, name, category, scopes in (
            ("balance-demo", "Balance Démo", "wellness", ["measurements.read", "measurements.write"]),
            ("suivi-diabete", "Suivi Diabète", "chronic", ["measurements.read", "documents.read"]),
        ):
            apps.add_app(
                session=session,
                ctx=app_server.ctx,
                app_id=app_id,
                name=name,
                publisher="Éditeur Exemple",
                category=category,
                scopes=scopes,
                redirect_uris=["http://127.0.0.1/callback"],
                description_fr=f"{name} en français",
                description_en=f"{name} in English",
            )
    found = World(app_server, n=3)
    yield found
    found.close()


def authorize(world: World, scope: str = "measurements.write measurements.read") -> tuple[str, str, str]:
    """The connecting app's request: the app's start URL route, the state sent, the PKCE verifier."""
    verifier, state = secrets.token_urlsafe(48), secrets.token_urlsafe(8)
    response = world.http.get(
        "/api/v1/oauth/authorize",
        params={
            "response_type": "code",
            "client_id": "balance-demo",
            "redirect_uri": REDIRECT,
            "scope": scope,
            "state": state,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        },
        follow_redirects=False,
    )
    assert response.status_code == 302, response.text
    parts = urlsplit(response.headers["location"])
    return f"{parts.path}?{parts.query}", state, verifier


def exchange(world: World, redirect_url: str | None, verifier: str) -> str:
    """What the connecting app does with the code: its access token."""
    code = parse_qs(urlsplit(redirect_url or "").query)["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    form |= {"client_id": "balance-demo", "code_verifier": verifier}
    response = world.http.post("/api/v1/oauth/token", data=form)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def test_request_id_from_route() -> None:
    good = "a" * 43
    assert request_id_from_route(f"/?consent={good}") == good
    assert request_id_from_route("/?consent=short") is None
    assert request_id_from_route("/?consent=<script>" + "a" * 30) is None
    assert request_id_from_route("/") is None and request_id_from_route(None) is None


def test_the_request_waits_for_the_sign_in_then_consent_comes_first(world: World, tmp_path: Path) -> None:
    route, state_sent, _ = authorize(world)
    app = signed_in_with(world, tmp_path, route)
    assert app.screen == Screen.APP_CONSENT
    cat = app.catalogue
    assert cat.load_consent(), cat.banner
    assert cat.consent is not None and cat.consent.app.name == "Balance Démo"
    words = [cat.scope_words(s, "fr") for s in cat.consent.scopes]
    assert words[0].startswith("Lire vos mesures") and words[1].startswith("Ajouter des mesures")
    assert cat.scope_words("measurements.read", "en").startswith("Read your weight")
    assert cat.consent.subjects == [world.me.id]
    cat.set_subject("someone-else")
    assert cat.subject_id == ""  # only the holder's own space (children come later)
    cat.set_duration("1y")
    assert cat.approve(), cat.banner
    back = parse_qs(urlsplit(cat.redirect_url or "").query)
    assert back["state"] == [state_sent] and back["code"]
    assert cat.notice == ("ui.catalogue.consent.approved", {"name": "Balance Démo"})
    app.go(Screen.HOME)
    assert app.screen == Screen.HOME  # answered: home is home again


def signed_in_with(world: World, root: Path, route: str) -> VaultAppState:
    """The tab was opened on the consent URL (main() keeps the id), then the holder signs in."""
    state = VaultAppState(world.client, root, kdf=FAST_KDF)
    assert state.catalogue.keep_request(route)
    state.launched(None, None)
    state._signed_in(world.me)
    assert state.screen == Screen.PIN_SETUP  # not signed in yet: the request waits
    state.vault.pin_form.set("pin", PIN)
    state.vault.pin_form.set("confirm", PIN)
    assert state.set_pin(), state.vault.pin_form.errors
    return state


def test_refusal_gives_access_denied(world: World, tmp_path: Path) -> None:
    route, _, _ = authorize(world)
    app = signed_in_with(world, tmp_path, route)
    cat = app.catalogue
    assert cat.load_consent()
    assert cat.refuse()
    back = parse_qs(urlsplit(cat.redirect_url or "").query)
    assert back["error"] == ["access_denied"] and "code" not in back
    assert cat.decided == "refused"


def test_an_answered_request_says_so(world: World, tmp_path: Path) -> None:
    route, _, _ = authorize(world)
    app = signed_in_with(world, tmp_path, route)
    assert app.catalogue.load_consent() and app.catalogue.refuse()
    other = CatalogueState(world.client, request_id_from_route(route))
    assert other.take_request()
    assert not other.load_consent()
    assert other.banner is not None and other.banner.code == ErrorCode.CONSENT_EXPIRED


def test_lock_keeps_a_waiting_request(world: World, tmp_path: Path) -> None:
    route, _, _ = authorize(world)
    state = signed_in(world, tmp_path)
    state.catalogue.keep_request(route)
    state._lock()
    assert state.catalogue.pending_id == request_id_from_route(route)


def test_catalogue_by_category_and_revoke(world: World, tmp_path: Path) -> None:
    route, _, verifier = authorize(world)
    app = signed_in_with(world, tmp_path, route)
    cat = app.catalogue
    assert cat.load_consent() and cat.approve()
    exchange(world, cat.redirect_url, verifier)  # connected once the app holds its token
    assert cat.load(), cat.banner
    assert [a.id for a in cat.shown()] == ["suivi-diabete", "balance-demo"]  # the reference's order
    assert [c for c, _ in cat.category_choices("fr")] == ["", "chronic", "wellness"]
    cat.set_category("chronic")
    assert [a.id for a in cat.shown()] == ["suivi-diabete"]
    assert cat.description(cat.shown()[0], "en") == "Suivi Diabète in English"
    now = datetime.now(UTC)
    connection = cat.connection_of("balance-demo", now)
    assert connection is not None and connection_status(connection, now) == "active"
    assert connection.scopes == ["measurements.read", "measurements.write"]
    assert cat.revoke(connection.id)
    assert connection_status(cat.connections[0], now) == "revoked"
    assert cat.connection_of("balance-demo", now) is None
    assert cat.notice == ("ui.catalogue.revoked", {"name": "Balance Démo"})


def test_offline_is_said(tmp_path: Path) -> None:
    from tests.mobile.shell.test_core import offline_client

    client = offline_client()
    now = datetime.now(UTC)
    client.tokens = TokenPair(
        access_token="a", refresh_token="r", access_expires_at=now, refresh_expires_at=now
    )
    cat = CatalogueState(client)
    assert not cat.load()
    assert cat.offline and cat.banner is not None


def test_the_app_api_refuses_after_revoke(world: World, tmp_path: Path) -> None:
    """End to end through the state: the token the app got stops working when the holder revokes."""
    route, _, verifier = authorize(world, "measurements.write")
    app = signed_in_with(world, tmp_path, route)
    cat = app.catalogue
    assert cat.load_consent() and cat.approve()
    headers = {"Authorization": f"Bearer {exchange(world, cat.redirect_url, verifier)}"}
    reading = {"kind": "weight", "value": 71.5, "at": "2026-01-05T08:00:00Z"}
    assert world.http.post("/api/v1/app-api/measurements", json=reading, headers=headers).status_code == 200
    assert cat.load()
    assert cat.connections[0].last_used_at is not None
    assert cat.revoke(cat.connections[0].id)
    assert world.http.post("/api/v1/app-api/measurements", json=reading, headers=headers).status_code == 401


def test_opening_the_catalogue_loads_it_afresh(world: World, tmp_path: Path) -> None:
    state = signed_in(world, tmp_path)
    state.catalogue.loaded = True
    state.open_section("catalogue")
    assert state.screen == Screen.CATALOGUE and not state.catalogue.loaded
    assert state.catalogue.load() and [a.id for a in state.catalogue.apps] == [
        "suivi-diabete",
        "balance-demo",
    ]
