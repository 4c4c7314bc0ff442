"""Every route of the OpenAPI document, called anonymously and by another holder with the first
holder's ids: refused, and nothing of the first holder changes or leaks. A new route without a
case here fails the test."""

import hashlib
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from backend_stub.services import security
from tests.backend.test_helpers import identity
from tests.backend.test_oauth import APP_ROUTES, connection_of
from tests.backend.test_record_access import PDF, Pro, holder_document
from tests.conftest import PASSWORD, World, bearer

# Routes anyone may call (they prove identity with the letter's identifiers or a password).
PUBLIC = {
    ("post", "/api/v1/activation/check"),
    ("post", "/api/v1/activation"),
    ("post", "/api/v1/objection"),
    ("post", "/api/v1/letters"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/otp/verify"),
    ("post", "/api/v1/auth/otp/resend"),
    ("post", "/api/v1/auth/refresh"),
    # "Mot de passe oublié ?": the social security number, the Vitale serial, then a code.
    ("post", "/api/v1/auth/password-reset"),
    ("post", "/api/v1/auth/password-reset/confirm"),
    ("get", "/api/v1/health"),
    # A share link: the link's token and its code (tests/backend/test_shares.py).
    ("get", "/api/v1/share/{token}"),
    ("post", "/api/v1/share/{token}"),
    ("get", "/api/v1/share/{token}/documents/{record_id}"),
    # The same link read by a SMART Health Link viewer: the passcode is the link's code.
    ("post", "/api/v1/share/{token}/manifest"),
    ("get", "/api/v1/oauth/authorize"),
    ("post", "/api/v1/oauth/token"),
    # The issuer's public keys, for anyone verifying a signed vaccination record.
    ("get", "/api/v1/issuer/.well-known/jwks.json"),
}
# Routes of professionals: an API key, never a holder's token.
PROFESSIONAL = {
    ("get", "/api/v1/pro/me"),
    ("get", "/api/v1/pro/documents"),
    ("post", "/api/v1/pro/documents"),
    ("get", "/api/v1/pro/documents/{document_id}"),
    ("get", "/api/v1/pro/documents/{document_id}/content"),
    ("get", "/api/v1/pro/profile"),
    ("post", "/api/v1/pro/profile-entries"),
    ("post", "/api/v1/pro/conversations"),
    ("get", "/api/v1/pro/conversations"),
    ("get", "/api/v1/pro/conversations/{conversation_id}"),
    ("post", "/api/v1/pro/conversations/{conversation_id}/messages"),
    ("get", "/api/v1/pro/conversations/{conversation_id}/messages/{message_id}/attachments/{index}"),
    ("get", "/api/v1/pro/corrections"),
    ("post", "/api/v1/pro/corrections/{correction_id}/decision"),
}
# Routes of connected apps: an app's OAuth token (tests/backend/test_oauth.py checks each scope).
APP = {
    ("get", "/api/v1/app-api/measurements"),
    ("post", "/api/v1/app-api/measurements"),
    ("get", "/api/v1/app-api/documents"),
    ("post", "/api/v1/app-api/documents"),
    ("get", "/api/v1/app-api/documents/{document_id}"),
    ("get", "/api/v1/app-api/documents/{document_id}/content"),
    ("get", "/api/v1/app-api/appointments"),
    ("post", "/api/v1/app-api/appointments"),
}
# Holder routes: what another holder gets when aiming at the first holder's things.
HOLDER = {
    ("get", "/api/v1/me"): (200,),
    ("post", "/api/v1/space/close"): (401,),
    ("post", "/api/v1/space/reopen"): (409,),
    ("post", "/api/v1/auth/logout"): (204,),
    ("post", "/api/v1/sync/push"): (200,),
    ("get", "/api/v1/sync/pull"): (200,),
    ("get", "/api/v1/sync/records/{record_id}/content"): (404,),
    ("post", "/api/v1/uploads"): (200,),
    ("post", "/api/v1/uploads/whole"): (200,),  # the same bytes: an upload of the other's own
    ("get", "/api/v1/uploads/{upload_id}"): (404,),
    ("patch", "/api/v1/uploads/{upload_id}"): (404,),
    ("get", "/api/v1/professionals/search"): (200,),
    ("get", "/api/v1/professionals"): (200,),
    ("post", "/api/v1/professionals/{professional_id}/authorise"): (200,),
    ("post", "/api/v1/professionals/{professional_id}/revoke"): (200,),
    ("post", "/api/v1/professionals/{professional_id}/unblock"): (200,),
    ("put", "/api/v1/attending"): (200,),
    ("get", "/api/v1/emergency-settings"): (200,),
    ("put", "/api/v1/emergency-settings"): (200,),
    ("get", "/api/v1/profile-sharing"): (200,),
    ("put", "/api/v1/profile-sharing"): (200,),
    ("get", "/api/v1/access-log"): (200,),
    ("post", "/api/v1/access-log/{seq}/report"): (404,),
    ("post", "/api/v1/shares"): (400,),
    ("get", "/api/v1/shares"): (200,),
    ("post", "/api/v1/shares/{share_id}/revoke"): (404,),
    ("get", "/api/v1/notifications"): (200,),
    ("get", "/api/v1/alert-settings"): (200,),
    ("put", "/api/v1/alert-settings"): (200,),  # their own settings
    ("post", "/api/v1/notifications/{notification_id}/read"): (404,),
    ("get", "/api/v1/reimbursements"): (200,),
    ("get", "/api/v1/catalogue"): (200,),
    ("get", "/api/v1/connected-apps"): (200,),
    ("post", "/api/v1/connected-apps/{connection_id}/revoke"): (404,),
    ("get", "/api/v1/oauth/requests/{request_id}"): (404,),
    ("post", "/api/v1/oauth/requests/{request_id}/approve"): (404,),
    ("post", "/api/v1/oauth/requests/{request_id}/refuse"): (404,),
    ("get", "/api/v1/administrative"): (200,),
    ("get", "/api/v1/administrative/corrections"): (200,),
    ("post", "/api/v1/administrative/corrections"): (422,),
    ("get", "/api/v1/health-corrections"): (200,),
    ("post", "/api/v1/health-corrections"): (404,),  # the first holder's entry: not found
    ("get", "/api/v1/health-card"): (200,),  # their own vaccinations, signed
    ("get", "/api/v1/research"): (200,),
    ("put", "/api/v1/research"): (200,),  # their own choice
    ("get", "/api/v1/complaints"): (200,),
    ("post", "/api/v1/complaints"): (404,),  # about the first holder's log line: not found
    ("get", "/api/v1/messages/{message_id}/attachments/{index}"): (404,),
    ("get", "/api/v1/children"): (200,),
    ("post", "/api/v1/children/check"): (422,),
    ("post", "/api/v1/children/activation"): (422,),
    ("post", "/api/v1/children/objection"): (422,),
    # The account (tests/backend/test_account.py): the other holder's own, never the first's.
    ("post", "/api/v1/account/password"): (422,),
    ("post", "/api/v1/account/contact"): (422,),
    ("post", "/api/v1/account/contact/confirm"): (410,),  # the first holder's code: not theirs
    ("get", "/api/v1/devices"): (200,),
    ("post", "/api/v1/devices/{device_id}/sign-out"): (404,),
    # Helpers (tests/backend/test_helpers.py): the other's own list; the first's delegation is unknown.
    ("get", "/api/v1/delegations"): (200,),
    ("post", "/api/v1/delegations"): (422,),
    ("post", "/api/v1/delegations/{delegation_id}/accept"): (404,),
    ("post", "/api/v1/delegations/{delegation_id}/refuse"): (404,),
    ("post", "/api/v1/delegations/{delegation_id}/end"): (404,),
}


def _routes(api: TestClient) -> set[tuple[str, str]]:
    spec = api.get("/api/v1/openapi.json").json()
    return {(method, path) for path, item in spec["paths"].items() for method in item}


def test_every_route_has_a_case(world: World) -> None:
    assert _routes(world.api) == PUBLIC | PROFESSIONAL | set(HOLDER) | APP


def test_every_app_route_has_a_scope_case() -> None:
    cases = {(method, "/api/v1" + path.replace("{doc}", "{document_id}")) for method, path, *_ in APP_ROUTES}
    assert cases == APP


def _snapshot(world: World, tokens: dict[str, str]) -> tuple[object, ...]:
    h = bearer(tokens)
    return (
        world.api.get("/api/v1/me", headers=h).json(),
        world.api.get("/api/v1/sync/pull", headers=h).json()["changes"],
        world.api.get("/api/v1/professionals", headers=h).json(),
        world.api.get("/api/v1/emergency-settings", headers=h).json(),
        world.api.get("/api/v1/profile-sharing", headers=h).json(),
        world.api.get("/api/v1/alert-settings", headers=h).json(),
        world.api.get("/api/v1/access-log", headers=h).json(),
        world.api.get("/api/v1/notifications", headers=h).json(),
        world.api.get("/api/v1/administrative", headers=h).json(),
        world.api.get("/api/v1/administrative/corrections", headers=h).json(),
        world.api.get("/api/v1/health-corrections", headers=h).json(),
        world.api.get("/api/v1/research", headers=h).json(),
        world.api.get("/api/v1/complaints", headers=h).json(),
        world.api.get("/api/v1/delegations", headers=h).json(),
    )


@pytest.mark.parametrize("route", sorted(set(HOLDER) | PROFESSIONAL | APP))
def test_anonymous_is_refused(world: World, route: tuple[str, str]) -> None:
    method, path = route
    path = path.replace("{conversation_id}", "x").replace("{message_id}", "x").replace("{index}", "0")
    path = path.replace("{request_id}", "x").replace("{connection_id}", "x")  # catalogue
    path = path.replace("{seq}", "1").replace("{share_id}", "x")  # access log, share links
    path = path.replace("{device_id}", "x")  # signed-in devices
    path = path.replace("{correction_id}", "x")  # health-data corrections
    path = path.replace("{delegation_id}", "x")  # helpers
    url = path.format(record_id="x", upload_id="x", professional_id="x", notification_id="x", document_id="x")
    response = world.api.request(method.upper(), url, json={})
    assert response.status_code == 401, (route, response.text)
    refusals = ("error.auth.required", "error.pro.key_invalid", "error.catalogue.token_invalid")
    assert response.json()["code"] in refusals


def test_another_holder_reaches_nothing_of_the_first(world: World) -> None:
    first, first_tokens = world.active_person()
    record_id = holder_document(world, first_tokens, "Compte rendu", "hospital_report")
    doctor = Pro(world, "doctor")
    doctor.titles(first, consent=True)  # a log entry and a notification for the first holder
    upload_id = world.api.post(
        "/api/v1/uploads", headers=bearer(first_tokens), json={"size": len(PDF), "sha256": "0" * 64}
    ).json()["id"]
    notification_id = world.api.get("/api/v1/notifications", headers=bearer(first_tokens)).json()[0]["id"]
    device_id = world.api.get("/api/v1/devices", headers=bearer(first_tokens)).json()[0]["id"]
    contact = world.api.post(
        "/api/v1/account/contact",
        json={"kind": "email", "value": "nouvelle@exemple.fr", "password": PASSWORD},
        headers=bearer(first_tokens),
    ).json()
    contact_code = world.last_otp("nouvelle@exemple.fr")
    helper, _ = world.active_person()
    delegation_id = world.api.post(
        "/api/v1/delegations",
        headers=bearer(first_tokens),
        json=identity(helper) | {"starts_on": "2026-01-05", "ends_on": "2026-02-05"},
    ).json()["id"]
    before = _snapshot(world, first_tokens)

    _, other = world.active_person()
    ids = {
        "record_id": record_id,
        "upload_id": upload_id,
        "professional_id": doctor.id,
        "notification_id": notification_id,
        "document_id": record_id,
        "message_id": record_id,
        "index": 0,
        "connection_id": connection_of(world, first_tokens),
        "request_id": "x",
        "share_id": world.api.post(
            "/api/v1/shares", json={"document_ids": [record_id], "days": 1}, headers=bearer(first_tokens)
        ).json()["id"],
        "seq": world.api.get("/api/v1/access-log", headers=bearer(first_tokens)).json()["entries"][0]["seq"],
        "device_id": device_id,
        "delegation_id": delegation_id,
    }
    bodies = {
        "/api/v1/space/close": {"password": "Not-the-password-1"},
        "/api/v1/sync/push": {
            "client_id": "attacker-01",
            "mutations": [
                {
                    "seq": 1,
                    "op": "delete",
                    "collection": "document",
                    "id": record_id,
                    "base_version": 1,
                    "data": {},
                }
            ],
        },
        "/api/v1/uploads": {"size": 3, "sha256": "1" * 64},
        "/api/v1/professionals/{professional_id}/authorise": {"until": None},
        "/api/v1/professionals/{professional_id}/revoke": {"block": True},
        "/api/v1/attending": {"professional_id": doctor.id},
        "/api/v1/emergency-settings": {"emergency_access": False, "regulator_access": False},
        "/api/v1/profile-sharing": {"choices": {"allergy": True}},
        "/api/v1/alert-settings": {"in_app": "every", "email": "off", "sms": "off"},
        "/api/v1/access-log/{seq}/report": {"note": "", "block": True},
        "/api/v1/shares": {"document_ids": [record_id], "days": 30},
        "/api/v1/health-corrections": {"record_id": record_id, "note": "Ce n'est pas moi"},
        "/api/v1/research": {"opted_out": True},
        "/api/v1/complaints": {"text": "Accès abusif", "access_seq": ids["seq"]},
        # The first holder's challenge and its right code: still not the other's to use.
        "/api/v1/account/contact/confirm": {"challenge_id": contact["challenge_id"], "code": contact_code},
    }
    for (method, path), allowed in HOLDER.items():
        if path == "/api/v1/auth/logout":
            continue  # would end the other holder's own session: checked last
        url = path.format(**ids) + ("?q=Martin" if path.endswith("/search") else "")
        headers = bearer(other) | ({"Upload-Offset": "0"} if method == "patch" else {})
        if path.endswith("/whole"):
            headers |= {"Upload-Sha256": hashlib.sha256(PDF).hexdigest()}
        sends_bytes = method == "patch" or path.endswith("/whole")
        kwargs = {"content": PDF} if sends_bytes else {"json": bodies.get(path, {})}
        response = world.api.request(method.upper(), url, headers=headers, **kwargs)  # type: ignore[arg-type]
        assert response.status_code in allowed, (method, path, response.status_code, response.text)
        assert record_id not in response.text or path == "/api/v1/sync/push", (method, path)
        assert device_id not in response.text, (method, path)
    assert world.api.post("/api/v1/auth/logout", headers=bearer(other)).status_code == 204
    # The first holder's things are exactly as they were, except what the delete push made of
    # the *other* holder's own namespace (push ids are per holder).
    assert _snapshot(world, first_tokens) == before
    notes = world.api.get("/api/v1/notifications", headers=bearer(first_tokens)).json()
    assert notes[0]["read"] is False


def test_a_parent_of_another_child_reaches_nothing_of_a_child(world: World) -> None:
    """Every holder route with `X-Space` naming a child the caller is not a guardian of: refused,
    and nothing of the child changes. The caller never was that child's parent: their attempts are
    counted in the operators' security log, never written into the child's (issue #13)."""
    from tests.backend.test_children import as_parent, child_document, family

    _, parent_tokens, _, child_id = family(world)
    record_id = child_document(world, as_parent(parent_tokens, child_id), "Carnet")
    before = world.api.get("/api/v1/sync/pull", headers=as_parent(parent_tokens, child_id)).json()
    _, other_parent, _, _ = family(world)
    for method, path in HOLDER:
        url = path
        ids = {"record_id": record_id, "message_id": record_id, "index": "0", "seq": "1"}
        for name, value in ids.items():
            url = url.replace(f"{{{name}}}", value)
        url = re.sub(r"\{[a-z_]+\}", "x", url)  # every other id: the refusal comes first
        headers = as_parent(other_parent, child_id) | ({"Upload-Offset": "0"} if method == "patch" else {})
        response = world.api.request(method.upper(), url, headers=headers, json={})
        assert response.status_code == 403, (method, path, response.status_code, response.text)
        assert response.json()["code"] == "error.children.not_guardian", (method, path)
    log = world.api.get("/api/v1/access-log", headers=as_parent(parent_tokens, child_id)).json()["entries"]
    assert [e for e in log if e["outcome"] == "refused"] == []
    with Session(world.ctx.engine) as session:
        counted = security.events(session=session, kind="refused", limit=500)
    assert len(counted) == len(HOLDER) and {e.detail for e in counted} == {"error.children.not_guardian"}
    assert world.api.get("/api/v1/sync/pull", headers=as_parent(parent_tokens, child_id)).json() == before
