"""Connecting a referenced app: the OAuth 2.0 code flow with PKCE, consent, tokens bound to one
holder and to the scopes approved, revocation and suspension at once, and the access log."""

import base64
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from backend_stub.context import Context
from backend_stub.core.clock import FixedClock
from backend_stub.main import create_app
from backend_stub.models.accounts import Holder
from backend_stub.models.apps import AppConnection
from backend_stub.models.children import Guardianship
from backend_stub.models.record import Record
from backend_stub.services import apps
from tests.backend.test_record_access import PDF, holder_document
from tests.conftest import START, World, bearer

REDIRECT = "http://127.0.0.1:7777/callback"
A = "/api/v1"


@pytest.fixture
def world(ctx: Context) -> World:
    """Over https, as OAuth requires (authlib refuses plain http except on loopback)."""
    return World(ctx, TestClient(create_app(ctx), base_url="https://testserver"))


def register(
    ctx: Context, app_id: str = "balance-test", scopes: tuple[str, ...] = ("measurements.read",)
) -> None:
    with Session(ctx.engine) as session:
        apps.add_app(
            session=session,
            ctx=ctx,
            app_id=app_id,
            name="Balance Test",
            publisher="Exemple Santé",
            category="wellness",
            scopes=list(scopes),
            redirect_uris=["http://127.0.0.1/callback"],
        )


@dataclass
class Asked:
    verifier: str
    request_id: str
    state: str


def ask(world: World, app_id: str, scope: str, **override: str) -> Asked:
    """The app's authorize request; the server sends the person to the app's consent screen."""
    verifier, state = secrets.token_urlsafe(48), secrets.token_urlsafe(8)
    params = {
        "response_type": "code",
        "client_id": app_id,
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": state,
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    } | override
    response = world.api.get(f"{A}/oauth/authorize", params=params, follow_redirects=False)
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}" == world.ctx.settings.public_app_url
    assert set(parse_qs(location.query)) == {"consent"}  # nothing but the opaque id in the URL
    return Asked(verifier, parse_qs(location.query)["consent"][0], state)


def approve(world: World, tokens: dict[str, str], asked: Asked, duration: str = "3m") -> str:
    response = world.api.post(
        f"{A}/oauth/requests/{asked.request_id}/approve", headers=bearer(tokens), json={"duration": duration}
    )
    assert response.status_code == 200, response.text
    back = urlsplit(response.json()["redirect_url"])
    query = parse_qs(back.query)
    assert back.netloc == "127.0.0.1:7777" and query["state"] == [asked.state]
    return query["code"][0]


def exchange(world: World, app_id: str, code: str, verifier: str) -> dict[str, object]:
    response = world.api.post(
        f"{A}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": app_id,
            "code_verifier": verifier,
        },
    )
    body: dict[str, object] = response.json()
    body["status"] = response.status_code
    return body


def connect(
    world: World, tokens: dict[str, str], app_id: str = "balance-test", scope: str = "measurements.read"
) -> dict[str, str]:
    asked = ask(world, app_id, scope)
    code = approve(world, tokens, asked)
    token = exchange(world, app_id, code, asked.verifier)
    assert token["status"] == 200, token
    return {"access_token": str(token["access_token"])}


def weight(world: World, app_token: dict[str, str], value: float = 72.4) -> int:
    body = {"kind": "weight", "value": value, "at": "2026-01-05T08:00:00Z"}
    return world.api.post(f"{A}/app-api/measurements", headers=bearer(app_token), json=body).status_code


def test_consent_then_token_then_reading_reaches_the_holder(world: World) -> None:
    register(world.ctx, scopes=("measurements.read", "measurements.write"))
    _, tokens = world.active_person()
    asked = ask(world, "balance-test", "measurements.write measurements.read")
    shown = world.api.get(f"{A}/oauth/requests/{asked.request_id}", headers=bearer(tokens)).json()
    assert shown["app"]["name"] == "Balance Test"
    assert shown["scopes"] == ["measurements.read", "measurements.write"]
    token = exchange(world, "balance-test", approve(world, tokens, asked, "1m"), asked.verifier)
    assert token["status"] == 200 and token["token_type"] == "Bearer"
    assert token["expires_in"] == 30 * 86400 and "refresh_token" not in token
    app_token = {"access_token": str(token["access_token"])}
    assert weight(world, app_token) == 200
    # The reading is a record of the holder authored by the app: devices get it by pull.
    pulled = world.api.get(f"{A}/sync/pull", headers=bearer(tokens)).json()["changes"]
    reading = next(c for c in pulled if c["collection"] == "measurement")
    assert reading["author"] == "app:balance-test" and reading["data"]["value"] == 72.4
    assert reading["data"]["author_name"] == "Balance Test"
    listed = world.api.get(f"{A}/app-api/measurements", headers=bearer(app_token)).json()
    assert [m["value"] for m in listed] == [72.4]
    # The holder sees the app, what it may do and when it last used the data.
    connected = world.api.get(f"{A}/connected-apps", headers=bearer(tokens)).json()
    assert connected[0]["app"]["id"] == "balance-test" and connected[0]["active"]
    assert connected[0]["last_used_at"] is not None
    # Every access is in the access log, named after the app.
    log = world.api.get(f"{A}/access-log", headers=bearer(tokens)).json()["entries"]
    assert {(e["actor_name"], e["action"], e["outcome"]) for e in log} == {
        ("Balance Test (Exemple Santé)", "write", "allowed"),
        ("Balance Test (Exemple Santé)", "read", "allowed"),
    }


def test_pkce_is_required_and_only_s256(world: World) -> None:
    register(world.ctx)
    for override in ({"code_challenge": "", "code_challenge_method": ""}, {"code_challenge_method": "plain"}):
        params = {
            "response_type": "code",
            "client_id": "balance-test",
            "redirect_uri": REDIRECT,
            "scope": "measurements.read",
            "state": "s1",
            "code_challenge": "x" * 43,
            "code_challenge_method": "S256",
        } | override
        params = {k: v for k, v in params.items() if v}
        response = world.api.get(f"{A}/oauth/authorize", params=params, follow_redirects=False)
        assert response.status_code == 302
        back = parse_qs(urlsplit(response.headers["location"]).query)
        assert back["error"] == ["invalid_request"] and back["state"] == ["s1"]  # told to the app


def test_unknown_app_or_redirect_is_never_redirected_to(world: World) -> None:
    register(world.ctx)
    bad = world.api.get(
        f"{A}/oauth/authorize",
        params={
            "response_type": "code",
            "client_id": "balance-test",
            "redirect_uri": "https://evil.example/cb",
        },
        follow_redirects=False,
    )
    assert bad.status_code == 400 and "location" not in bad.headers
    unknown = world.api.get(
        f"{A}/oauth/authorize",
        params={"response_type": "code", "client_id": "nobody", "redirect_uri": REDIRECT},
        follow_redirects=False,
    )
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_client"


def test_scope_beyond_the_apps_registration_is_refused(world: World) -> None:
    register(world.ctx)
    verifier = secrets.token_urlsafe(48)
    response = world.api.get(
        f"{A}/oauth/authorize",
        params={
            "response_type": "code",
            "client_id": "balance-test",
            "redirect_uri": REDIRECT,
            "scope": "measurements.read documents.read",
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        },
        follow_redirects=False,
    )
    assert parse_qs(urlsplit(response.headers["location"]).query)["error"] == ["invalid_scope"]


def test_wrong_verifier_refused(world: World) -> None:
    register(world.ctx)
    _, tokens = world.active_person()
    asked = ask(world, "balance-test", "measurements.read")
    code = approve(world, tokens, asked)
    wrong = exchange(world, "balance-test", code, secrets.token_urlsafe(48))
    assert wrong["status"] == 400 and wrong["error"] == "invalid_grant"


def test_code_reuse_refused_and_revokes_its_token(world: World) -> None:
    register(world.ctx)
    _, tokens = world.active_person()
    asked = ask(world, "balance-test", "measurements.read")
    code = approve(world, tokens, asked)
    first = exchange(world, "balance-test", code, asked.verifier)
    assert first["status"] == 200
    app_token = {"access_token": str(first["access_token"])}
    assert world.api.get(f"{A}/app-api/measurements", headers=bearer(app_token)).status_code == 200
    again = exchange(world, "balance-test", code, asked.verifier)
    assert again["status"] == 400 and again["error"] == "invalid_grant"
    refused = world.api.get(f"{A}/app-api/measurements", headers=bearer(app_token))
    assert refused.status_code == 401 and refused.json()["code"] == "error.catalogue.token_invalid"


def test_code_expires_quickly(world: World, clock: FixedClock) -> None:
    register(world.ctx)
    _, tokens = world.active_person()
    asked = ask(world, "balance-test", "measurements.read")
    code = approve(world, tokens, asked)
    clock.advance(seconds=world.ctx.settings.auth_code_seconds + 1)
    assert exchange(world, "balance-test", code, asked.verifier)["error"] == "invalid_grant"


def test_consent_request_is_decided_once(world: World) -> None:
    register(world.ctx)
    _, tokens = world.active_person()
    asked = ask(world, "balance-test", "measurements.read")
    approve(world, tokens, asked)
    again = world.api.post(f"{A}/oauth/requests/{asked.request_id}/approve", headers=bearer(tokens), json={})
    assert again.status_code == 410 and again.json()["code"] == "error.catalogue.consent_expired"


def test_refusal_tells_the_app_access_denied(world: World) -> None:
    register(world.ctx)
    _, tokens = world.active_person()
    asked = ask(world, "balance-test", "measurements.read")
    response = world.api.post(f"{A}/oauth/requests/{asked.request_id}/refuse", headers=bearer(tokens))
    back = parse_qs(urlsplit(response.json()["redirect_url"]).query)
    assert back["error"] == ["access_denied"] and back["state"] == [asked.state] and "code" not in back


def test_revocation_is_immediate(world: World) -> None:
    register(world.ctx, scopes=("measurements.read", "measurements.write"))
    _, tokens = world.active_person()
    app_token = connect(world, tokens, scope="measurements.write")
    assert weight(world, app_token) == 200
    connection_id = world.api.get(f"{A}/connected-apps", headers=bearer(tokens)).json()[0]["id"]
    after = world.api.post(f"{A}/connected-apps/{connection_id}/revoke", headers=bearer(tokens)).json()
    assert after[0]["active"] is False and after[0]["revoked_at"] is not None
    assert weight(world, app_token) == 401


def test_suspended_app_loses_every_holder_at_once(world: World) -> None:
    register(world.ctx)
    _, first = world.active_person()
    _, second = world.active_person()
    tokens = [connect(world, first), connect(world, second)]
    with Session(world.ctx.engine) as session:
        apps.set_status(session=session, ctx=world.ctx, app_id="balance-test", status="suspended")
    for app_token in tokens:
        refused = world.api.get(f"{A}/app-api/measurements", headers=bearer(app_token))
        assert refused.status_code == 403 and refused.json()["code"] == "error.catalogue.app_suspended"
    assert world.api.get(f"{A}/catalogue", headers=bearer(first)).json() == []
    log = world.api.get(f"{A}/access-log", headers=bearer(first)).json()["entries"]
    assert log[0]["outcome"] == "refused" and log[0]["detail"] == "error.catalogue.app_suspended"
    # No new connection either.
    params = {"response_type": "code", "client_id": "balance-test", "redirect_uri": REDIRECT}
    assert world.api.get(f"{A}/oauth/authorize", params=params, follow_redirects=False).status_code == 400


NEW_DOCUMENT = {
    "title": "Courbe de poids",
    "type": "other",
    "date": "2026-01-05",
    "mime": "application/pdf",
    "content_b64": base64.b64encode(PDF).decode(),
}
APP_ROUTES = [
    ("get", "/app-api/measurements", "measurements.read", None),
    (
        "post",
        "/app-api/measurements",
        "measurements.write",
        {"kind": "weight", "value": 70, "at": "2026-01-05T08:00:00Z"},
    ),
    ("get", "/app-api/documents", "documents.read", None),
    ("post", "/app-api/documents", "documents.write", NEW_DOCUMENT),
    ("get", "/app-api/documents/{doc}", "documents.read", None),
    ("get", "/app-api/documents/{doc}/content", "documents.read", None),
    ("get", "/app-api/appointments", "agenda.read", None),
    ("post", "/app-api/appointments", "agenda.write", {"title": "Dentiste", "start": "2026-02-01T09:00:00Z"}),
]


def test_every_app_route_checks_its_scope(world: World) -> None:
    """An app with "read measurements" reads measurements, and nothing else, and writes nothing."""
    register(world.ctx, scopes=("measurements.read",))
    _, tokens = world.active_person()
    doc = holder_document(world, tokens, "Compte rendu", "hospital_report")
    app_token = connect(world, tokens)
    for method, path, scope, body in APP_ROUTES:
        response = world.api.request(
            method.upper(), A + path.format(doc=doc), headers=bearer(app_token), json=body
        )
        if scope == "measurements.read":
            assert response.status_code == 200, (path, response.text)
        else:
            assert response.status_code == 403, (path, response.text)
            assert response.json() == {"code": "error.catalogue.scope_missing", "params": {"scope": scope}}
    log = world.api.get(f"{A}/access-log", headers=bearer(tokens)).json()["entries"]
    assert sum(e["outcome"] == "refused" for e in log) == len(APP_ROUTES) - 1
    assert all(e["detail"] == "error.catalogue.scope_missing" for e in log if e["outcome"] == "refused")
    pulled = world.api.get(f"{A}/sync/pull", headers=bearer(tokens)).json()["changes"]
    assert all(not c["author"].startswith("app:") for c in pulled)  # nothing was written


def test_an_app_adds_a_document_the_holder_gets_read_only(world: World) -> None:
    register(world.ctx, scopes=("documents.write",))
    _, tokens = world.active_person()
    app_token = connect(world, tokens, scope="documents.write")
    added = world.api.post(f"{A}/app-api/documents", headers=bearer(app_token), json=NEW_DOCUMENT)
    assert added.status_code == 200, added.text
    record_id = added.json()["id"]
    pulled = world.api.get(f"{A}/sync/pull", headers=bearer(tokens)).json()["changes"]
    assert [(c["id"], c["author"], c["data"]["title"]) for c in pulled] == [
        (record_id, "app:balance-test", "Courbe de poids")
    ]
    content = world.api.get(f"{A}/sync/records/{record_id}/content", headers=bearer(tokens))
    assert content.content == PDF
    not_pdf = NEW_DOCUMENT | {"content_b64": base64.b64encode(b"MZ not a pdf").decode()}
    for bad in (not_pdf, NEW_DOCUMENT | {"type": "horoscope"}):
        refused = world.api.post(f"{A}/app-api/documents", headers=bearer(app_token), json=bad)
        assert refused.status_code == 422


def test_documents_scope_reads_documents_of_that_holder_only(world: World) -> None:
    register(world.ctx, scopes=("documents.read",))
    _, first = world.active_person()
    _, second = world.active_person()
    mine = holder_document(world, first, "Ordonnance", "prescription")
    theirs = holder_document(world, second, "Compte rendu", "hospital_report", seq=2)
    app_token = connect(world, first, scope="documents.read")
    listed = world.api.get(f"{A}/app-api/documents", headers=bearer(app_token)).json()
    assert [d["id"] for d in listed] == [mine]
    assert world.api.get(f"{A}/app-api/documents/{theirs}", headers=bearer(app_token)).status_code == 404
    content = world.api.get(f"{A}/app-api/documents/{mine}/content", headers=bearer(app_token))
    assert content.status_code == 200 and content.content.startswith(b"%PDF-")


def test_impossible_reading_is_refused(world: World) -> None:
    register(world.ctx, scopes=("measurements.write",))
    _, tokens = world.active_person()
    app_token = connect(world, tokens, scope="measurements.write")
    assert weight(world, app_token, 1000) == 422


def test_app_connected_by_a_parent_never_reaches_a_minors_secret_items(world: World) -> None:
    """A parent's connection to their child's space, made by hand (tests/backend/test_children.py
    connects through the consent screen)."""
    register(world.ctx, scopes=("documents.read",))
    _, parent = world.active_person()
    _, child = world.active_person()
    secret = holder_document(world, child, "Dépistage", "lab_result")
    plain = holder_document(world, child, "Vaccins", "vaccination", seq=2)
    with Session(world.ctx.engine) as session:
        row = session.get(Record, (_holder_id(world, child), secret))
        assert row is not None
        row.data = row.data | {"hidden_from_guardians": True}
        session.add(row)
        session.commit()
    app_token = connect(world, parent, scope="documents.read")
    with Session(world.ctx.engine) as session:
        connection = session.exec(select(AppConnection)).one()
        connection.subject_id = _holder_id(world, child)
        session.add(connection)
        minor = session.get(Holder, connection.subject_id)
        assert minor is not None
        minor.birth_date = date(2015, 6, 1)  # a minor, whose parental authority the parent holds
        session.add(Guardianship(child_id=minor.id, guardian_id=connection.holder_id, since=START))
        session.add(minor)
        session.commit()
    listed = world.api.get(f"{A}/app-api/documents", headers=bearer(app_token)).json()
    assert isinstance(listed, list), listed
    assert [d["id"] for d in listed] == [plain]
    assert world.api.get(f"{A}/app-api/documents/{secret}", headers=bearer(app_token)).status_code == 404


def _holder_id(world: World, tokens: dict[str, str]) -> str:
    return str(world.api.get(f"{A}/me", headers=bearer(tokens)).json()["id"])


def test_a_holder_cannot_approve_for_another_space(world: World) -> None:
    register(world.ctx)
    _, first = world.active_person()
    _, second = world.active_person()
    asked = ask(world, "balance-test", "measurements.read")
    response = world.api.post(
        f"{A}/oauth/requests/{asked.request_id}/approve",
        headers=bearer(first),
        json={"subject_id": _holder_id(world, second)},
    )
    assert response.status_code == 403 and response.json()["code"] == "error.catalogue.consent_subject"


def test_revoking_someone_elses_connection_is_not_found(world: World) -> None:
    register(world.ctx)
    _, first = world.active_person()
    _, second = world.active_person()
    app_token = connect(world, first)
    connection_id = world.api.get(f"{A}/connected-apps", headers=bearer(first)).json()[0]["id"]
    assert (
        world.api.post(f"{A}/connected-apps/{connection_id}/revoke", headers=bearer(second)).status_code
        == 404
    )
    assert world.api.get(f"{A}/app-api/measurements", headers=bearer(app_token)).status_code == 200


def connection_of(world: World, tokens: dict[str, str]) -> str:
    """A connection of this holder to an app, made directly (for tests aiming at its id)."""
    register(world.ctx, app_id="balance-route")
    now = world.ctx.clock.now()
    with Session(world.ctx.engine) as session:
        holder_id = _holder_id(world, tokens)
        row = AppConnection(
            holder_id=holder_id,
            subject_id=holder_id,
            app_id="balance-route",
            scopes=["measurements.read"],
            since=now,
            until=now + timedelta(days=30),
        )
        session.add(row)
        session.commit()
        return row.id


def test_tokens_do_not_cross_between_holders_and_apps(world: World) -> None:
    register(world.ctx)
    _, tokens = world.active_person()
    app_token = connect(world, tokens)
    assert world.api.get(f"{A}/me", headers=bearer(app_token)).status_code == 401
    assert world.api.get(f"{A}/app-api/measurements", headers=bearer(tokens)).status_code == 401


def test_old_requests_and_codes_are_purged(world: World, clock: FixedClock) -> None:
    register(world.ctx)
    person, tokens = world.active_person()
    asked = ask(world, "balance-test", "measurements.read")
    approve(world, tokens, ask(world, "balance-test", "measurements.read"))
    with Session(world.ctx.engine) as session:
        assert apps.purge_expired(session=session, ctx=world.ctx) == 0
    clock.advance(days=2)
    with Session(world.ctx.engine) as session:
        assert apps.purge_expired(session=session, ctx=world.ctx) == 3  # two requests, one code
    tokens = world.login(person)
    shown = world.api.get(f"{A}/oauth/requests/{asked.request_id}", headers=bearer(tokens))
    assert shown.status_code == 404


def test_authorize_is_rate_limited(world: World) -> None:
    register(world.ctx)
    params = {"response_type": "code", "client_id": "balance-test", "redirect_uri": REDIRECT}
    codes = [
        world.api.get(f"{A}/oauth/authorize", params=params, follow_redirects=False).status_code
        for _ in range(world.ctx.settings.rate_per_client + 1)
    ]
    assert codes[-1] == 429 and 429 not in codes[:-1]


def test_a_reading_in_the_future_is_refused(world: World) -> None:
    register(world.ctx, scopes=("measurements.write",))
    _, tokens = world.active_person()
    app_token = connect(world, tokens, scope="measurements.write")
    body = {"kind": "weight", "value": 70, "at": "2026-01-07T08:00:00Z"}  # two days after the clock
    refused = world.api.post(f"{A}/app-api/measurements", headers=bearer(app_token), json=body)
    assert refused.status_code == 422 and refused.json()["code"] == "error.measurements.future"
    unknown = world.api.post(
        f"{A}/app-api/measurements", headers=bearer(app_token), json=body | {"kind": "mood"}
    )
    assert unknown.json()["code"] == "error.measure.kind"
