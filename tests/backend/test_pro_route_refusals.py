"""Every professional route that reaches a patient's record, called by a professional who may not:
one without the holder's consent, one the holder blocked, one whose authorisation ended. Each is
refused, and each refusal is a line of the holder's access log. A new patient route without a case
here fails the first test."""

import base64
from datetime import timedelta

import pytest
from sqlmodel import Session

from backend_stub.core.clock import FixedClock
from backend_stub.services import security
from tests.backend.test_record_access import PDF, Pro, holder_document
from tests.backend.test_route_authorisation import PROFESSIONAL
from tests.conftest import Person, World, bearer

# Routes that act on one patient's record (named by the X-Patient-Nir header), with a valid body.
PATIENT_ROUTES: dict[tuple[str, str], dict[str, object] | None] = {
    ("get", "/api/v1/pro/documents"): None,
    ("get", "/api/v1/pro/documents/{document_id}"): None,
    ("get", "/api/v1/pro/documents/{document_id}/content"): None,
    (
        "post",
        "/api/v1/pro/documents",
    ): {
        "title": "Compte rendu",
        "type": "consultation_report",
        "date": "2026-01-05",
        "mime": "application/pdf",
        "content_b64": base64.b64encode(PDF).decode(),
    },
    ("get", "/api/v1/pro/profile"): None,
    ("post", "/api/v1/pro/profile-entries"): {"section": "allergy", "substance": "Pénicilline"},
    ("post", "/api/v1/pro/conversations"): {"subject": "Résultats", "body": "Bonjour"},
    ("get", "/api/v1/pro/corrections"): None,
    ("post", "/api/v1/pro/corrections/{correction_id}/decision"): {"accept": False, "reason": "Exact"},
}
# The professional's own things, not a patient's record: their identity and their conversations.
OWN_ROUTES = {
    ("get", "/api/v1/pro/me"),
    ("get", "/api/v1/pro/conversations"),
    ("get", "/api/v1/pro/conversations/{conversation_id}"),
    ("post", "/api/v1/pro/conversations/{conversation_id}/messages"),
    ("get", "/api/v1/pro/conversations/{conversation_id}/messages/{message_id}/attachments/{index}"),
}


def test_every_professional_route_is_classified() -> None:
    assert set(PATIENT_ROUTES) | OWN_ROUTES == PROFESSIONAL


def _not_consented(world: World, tokens: dict[str, str], clock: FixedClock) -> Pro:
    return Pro(world, "doctor", name="Sansaccord")


def _blocked(world: World, tokens: dict[str, str], clock: FixedClock) -> Pro:
    pro = Pro(world, "doctor", name="Bloque")
    world.api.post(f"/api/v1/professionals/{pro.id}/revoke", json={"block": True}, headers=bearer(tokens))
    return pro


def _expired(world: World, tokens: dict[str, str], clock: FixedClock) -> Pro:
    pro = Pro(world, "doctor", name="Expire")
    until = (clock.now() + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    response = world.api.post(
        f"/api/v1/professionals/{pro.id}/authorise", json={"until": until}, headers=bearer(tokens)
    )
    assert response.status_code == 200, response.text
    clock.advance(days=2)
    return pro


VARIANTS = {"without consent": _not_consented, "blocked": _blocked, "authorisation ended": _expired}


def _log_size(world: World, tokens: dict[str, str]) -> int:
    return len(
        world.api.get("/api/v1/access-log", headers=bearer(tokens), params={"limit": 200}).json()["entries"]
    )


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("route", sorted(PATIENT_ROUTES))
def test_refused_and_logged(world: World, clock: FixedClock, variant: str, route: tuple[str, str]) -> None:
    person: Person
    person, tokens = world.active_person()
    record_id = holder_document(world, tokens, "Bilan sanguin", "lab_results")
    pro = VARIANTS[variant](world, tokens, clock)
    tokens = world.login(person)  # the clock may have moved past the first session
    before = _log_size(world, tokens)
    method, path = route
    body = PATIENT_ROUTES[route]
    response = pro.call(
        method.upper(),
        path.removeprefix("/api/v1/pro").format(document_id=record_id, correction_id="none"),
        person,
        **({"json": body} if body is not None else {}),
    )
    assert response.status_code == 403, (variant, route, response.text)
    assert response.json()["code"].startswith("error.access.")
    entries = world.api.get("/api/v1/access-log", headers=bearer(tokens), params={"limit": 200}).json()[
        "entries"
    ]
    with Session(world.ctx.engine) as session:
        counted = [e.actor_id for e in security.events(session=session, kind="refused")]
    if variant == "without consent":
        # No relation to the holder: the attempt is not written into the holder's log (a stranger
        # could fill it, and its presence would tell an enrolled number from an unknown one); the
        # operators' security log counts it (issue #13).
        assert len(entries) == before and counted == [pro.id], (variant, route)
    else:
        assert len(entries) == before + 1 and counted == [], (variant, route)
        assert entries[0]["outcome"] == "refused" and entries[0]["actor_id"] == pro.id
    # Nothing reached the holder's record.
    pulled = world.api.get("/api/v1/sync/pull", headers=bearer(tokens)).json()["changes"]
    assert [c["id"] for c in pulled] == [record_id]
