"""The gate's matrix through HTTP (issue #13): every route of the OpenAPI document and the share page,
for every actor in every state the gate knows, with what each cell must answer, whether it writes a
line (allowed or refused) to the log the holder (or a minor's parents) reads, what it notifies, and
whether the attempt is counted in the operators' security log instead.

A new route without its family, a new family state without its cell, or a new fact of the gate
(rules/gate.py) without a state that exercises it fails `test_every_route_and_state_has_its_cells`.
One scene (holders, a minor, professionals, apps, links) serves every cell of a database; each cell
builds the actor it needs, so cells do not depend on their order.
"""

import base64
import dataclasses
import hashlib
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from backend_stub.context import build_context
from backend_stub.core.clock import FixedClock
from backend_stub.core.config import Settings
from backend_stub.main import create_app
from backend_stub.migrate import upgrade
from backend_stub.models.access_log import AccessEntry
from backend_stub.models.accounts import Holder
from backend_stub.models.apps import AppConnection
from backend_stub.models.notifications import Notification
from backend_stub.models.professionals import Grant
from backend_stub.models.record import Record
from backend_stub.models.rights import HealthCorrection
from backend_stub.models.security import SecurityEvent
from backend_stub.models.shares import ShareLink
from backend_stub.rules import gate
from backend_stub.services import apps, children, helpers
from backend_stub.services.gatekeeper import SECRET
from backend_stub.services.sequence import lock_holder, stamp
from sync.protocol.reference import profile_sections
from sync.protocol.schemas import SpaceStatus
from tests.backend.test_children import A, as_parent, family
from tests.backend.test_helpers import as_helper, helping
from tests.backend.test_oauth import connect, register
from tests.backend.test_record_access import PDF, Pro
from tests.backend.test_route_authorisation import APP, HOLDER, PROFESSIONAL, PUBLIC
from tests.conftest import PASSWORD, PG_URL, START, Person, World, _reset_postgres, bearer

SHARE_PAGE = {("get", "/api/v1/share/{token}"), ("post", "/api/v1/share/{token}")}
SHARE_DOWNLOAD = ("get", "/api/v1/share/{token}/documents/{record_id}")
LINK = SHARE_PAGE | {SHARE_DOWNLOAD}
ALL_SCOPES = ("measurements.read", "measurements.write", "documents.read", "documents.write", "agenda.read")
ALL_SCOPES += ("agenda.write",)


@dataclass(frozen=True)
class Expect:
    """What one cell answers and leaves behind."""

    status: int
    code: str = ""  # the refusal's code ("" when allowed)
    line: str = ""  # "allowed" / "refused": a line added to the log its reader sees; "" none
    notify: str = ""  # a notification kind the reader sees; "" none
    security: bool = False  # the attempt counted in the operators' security log


OK = Expect(200, line="allowed")
QUIET = Expect(200)


def refused(status: int, code: str, *, line: bool = True) -> Expect:
    return Expect(status, f"error.{code}", "refused" if line else "", security=not line)


# --- professionals ---------------------------------------------------------------------------------

PRO_KINDS: dict[tuple[str, str], str] = {
    ("get", "/api/v1/pro/me"): "own",
    ("get", "/api/v1/pro/conversations"): "own",
    ("get", "/api/v1/pro/documents"): "read",
    ("get", "/api/v1/pro/documents/{document_id}"): "read",
    ("get", "/api/v1/pro/documents/{document_id}/content"): "read",
    ("get", "/api/v1/pro/profile"): "read",
    ("post", "/api/v1/pro/documents"): "write",
    ("post", "/api/v1/pro/profile-entries"): "write",
    ("get", "/api/v1/pro/corrections"): "read",
    ("post", "/api/v1/pro/corrections/{correction_id}/decision"): "write",
    ("post", "/api/v1/pro/conversations"): "start",
    ("get", "/api/v1/pro/conversations/{conversation_id}"): "thread",
    ("post", "/api/v1/pro/conversations/{conversation_id}/messages"): "thread",
    (
        "get",
        "/api/v1/pro/conversations/{conversation_id}/messages/{message_id}/attachments/{index}",
    ): "thread",
}
STRANGER = refused(403, "access.consent_required", line=False)
GONE = refused(404, "not_found", line=False)
NOT_YOURS = Expect(404, "error.not_found")  # another professional's conversation: before any gate
# state -> kind -> expectation ("own" routes answer 200 in every state: the key is valid); a route
# named in a state's cells answers differently from the rest of its kind.
DOCUMENT_READS = (
    ("get", "/api/v1/pro/documents/{document_id}"),
    ("get", "/api/v1/pro/documents/{document_id}/content"),
)
PRO_CELLS: dict[str, dict[str | tuple[str, str], Expect]] = {
    "attending": {"read": OK, "write": OK, "start": OK, "thread": OK},
    "authorised": {"read": OK, "write": OK, "start": OK, "thread": OK},
    "care_team": {"read": OK, "write": OK, "start": OK, "thread": OK},
    "first_access_with_consent": {
        "read": dataclasses.replace(OK, notify="first_access"),
        "write": dataclasses.replace(OK, notify="first_access"),
        "start": STRANGER,  # messaging needs a relation the holder already has
        "thread": NOT_YOURS,
    },
    "no_relation": {"read": STRANGER, "write": STRANGER, "start": STRANGER, "thread": NOT_YOURS},
    "blocked": {k: refused(403, "access.blocked") for k in ("read", "write", "start", "thread")},
    "revoked": {k: refused(403, "access.revoked") for k in ("read", "write", "start", "thread")},
    "authorisation_ended": {k: refused(403, "access.ended") for k in ("read", "write", "start", "thread")},
    "emergency": {
        "read": dataclasses.replace(OK, notify="emergency_access"),
        "write": dataclasses.replace(OK, notify="emergency_access"),
        "start": STRANGER,  # an emergency opens the record, not a conversation
        "thread": NOT_YOURS,
    },
    "emergency_switch_off": {
        "read": refused(403, "access.emergency_refused"),
        "write": refused(403, "access.emergency_refused"),
        "start": STRANGER,
        "thread": NOT_YOURS,
    },
    "emergency_without_reason": {
        "read": refused(422, "access.reason_required"),
        "write": refused(422, "access.reason_required"),
        "start": STRANGER,
        "thread": NOT_YOURS,
    },
    "regulator": {
        "read": dataclasses.replace(OK, notify="regulator_access"),
        "write": dataclasses.replace(OK, notify="regulator_access"),
        "start": STRANGER,
        "thread": NOT_YOURS,
    },
    "regulator_switch_off": {
        "read": refused(403, "access.regulator_refused"),
        "write": refused(403, "access.regulator_refused"),
        "start": STRANGER,
        "thread": NOT_YOURS,
    },
    "not_a_regulator": {
        "read": refused(403, "access.not_regulator"),
        "write": refused(403, "access.not_regulator"),
        "start": STRANGER,
        "thread": NOT_YOURS,
    },
    "revoked_in_emergency": {k: refused(403, "access.revoked") for k in ("read", "write", "start", "thread")},
    # The holder's third switch (issue #17): their masked document is read in an emergency when it
    # is on; off (the default), the record opens but the masked document stays unreadable.
    "emergency_reads_masked": {
        "read": dataclasses.replace(OK, notify="emergency_access"),
        "write": dataclasses.replace(OK, notify="emergency_access"),
        "start": STRANGER,
        "thread": NOT_YOURS,
    },
    "emergency_masked_switch_off": {
        "read": dataclasses.replace(OK, notify="emergency_access"),  # the list (without it), the profile
        **dict.fromkeys(
            DOCUMENT_READS,
            dataclasses.replace(refused(403, "access.document_not_readable"), notify="emergency_access"),
        ),
        "write": dataclasses.replace(OK, notify="emergency_access"),
        "start": STRANGER,
        "thread": NOT_YOURS,
    },
    # The holder keeps every profile section private (issue #17 part 4): the record opens, the
    # profile does not; the professional still adds to it (adding is not reading).
    "profile_kept_private": {
        "read": OK,
        ("get", "/api/v1/pro/profile"): refused(403, "access.profile_not_readable"),
        "write": OK,
        "start": OK,
        "thread": OK,
    },
    "space_closed": {"read": STRANGER, "write": STRANGER, "start": STRANGER, "thread": GONE},
    "space_closed_with_consent": {
        "read": refused(404, "access.patient_not_found", line=False),
        "write": refused(404, "access.patient_not_found", line=False),
        "start": STRANGER,
        "thread": NOT_YOURS,
    },
    "space_never_activated": {"read": STRANGER, "write": STRANGER, "start": STRANGER, "thread": NOT_YOURS},
    # A minor's space: the professional is known there only through secret acts. What the parents
    # read is checked: an ordinary read makes the relation visible (told as a first access), a
    # secret act leaves nothing they could see.
    "secret_only": {
        "read": dataclasses.replace(OK, notify="first_access"),
        "write": QUIET,
        "start": QUIET,
        "thread": QUIET,
    },
}
# How each state asks: mode, reason, declared consent.
HOW: dict[str, dict[str, Any]] = {
    "first_access_with_consent": {"consent": True},
    "emergency": {"mode": "emergency", "reason": "Patient inconscient"},
    "emergency_switch_off": {"mode": "emergency", "reason": "Patient inconscient"},
    "emergency_without_reason": {"mode": "emergency", "reason": "x"},
    "regulator": {"mode": "regulator", "reason": "Appel au 15"},
    "regulator_switch_off": {"mode": "regulator", "reason": "Appel au 15"},
    "not_a_regulator": {"mode": "regulator", "reason": "Appel au 15"},
    "revoked_in_emergency": {"mode": "emergency", "reason": "Patient inconscient"},
    "emergency_reads_masked": {"mode": "emergency", "reason": "Patient inconscient"},
    "emergency_masked_switch_off": {"mode": "emergency", "reason": "Patient inconscient"},
    "space_closed_with_consent": {"consent": True},
}

# --- connected apps --------------------------------------------------------------------------------

APP_CELLS: dict[str, Expect] = {
    "active": OK,
    "scope_missing": refused(403, "catalogue.scope_missing"),
    "app_suspended": refused(403, "catalogue.app_suspended"),
    "consent_revoked": refused(401, "catalogue.token_invalid"),
    "consent_expired": refused(401, "catalogue.token_invalid"),
    "space_closed": refused(401, "catalogue.token_invalid", line=False),
    "parents_authority_ended": refused(401, "catalogue.token_invalid"),
}

# --- share links -----------------------------------------------------------------------------------

CLOSED_LINK = Expect(410, security=True)
LINK_CELLS: dict[str, dict[tuple[str, str], Expect]] = {
    "open": {
        ("get", "/api/v1/share/{token}"): QUIET,
        ("post", "/api/v1/share/{token}"): dataclasses.replace(OK, notify="share_opened"),
        SHARE_DOWNLOAD: OK,
    },
    "wrong_code": {("post", "/api/v1/share/{token}"): Expect(403, line="refused")},
    "revoked": dict.fromkeys(LINK, CLOSED_LINK),
    "expired": dict.fromkeys(LINK, CLOSED_LINK),
    "locked_by_wrong_codes": dict.fromkeys(LINK, CLOSED_LINK),
    "space_closed": dict.fromkeys(LINK, CLOSED_LINK),
    "unknown": dict.fromkeys(SHARE_PAGE, CLOSED_LINK),
    "made_by_a_parent": {SHARE_DOWNLOAD: OK},
}

# --- holders and parents on every holder route --------------------------------------------------------

# The holder's own account and space: a closed space still answers them; never with `X-Space`.
ACCOUNT = {route for route in HOLDER if route[1].removeprefix(A).startswith(("/account", "/devices"))}
OWN = {
    ("get", "/api/v1/me"),
    ("post", "/api/v1/space/close"),
    ("post", "/api/v1/space/reopen"),
    ("post", "/api/v1/auth/logout"),
} | ACCOUNT
OWN_SPACE_ONLY = {
    route for route in HOLDER if route[1].removeprefix(A).startswith(("/space/", "/children", "/delegations"))
} | ACCOUNT
CONTENT_READS = {r for r in HOLDER if r[0] == "get" and ("/content" in r[1] or "/attachments/" in r[1])}
# Helpers acting on the space of someone they help (issue #16): what the gate lets each do, by route.
HELPER_STATES = (
    "helper_read_only",
    "helper_read_and_add",
    "helper_with_messages",
    "helper_delegation_ended",
    "representative_tutelle",
)
MEMBER_STATES = (
    "holder",
    "holder_space_closed",
    "parent",
    "parent_authority_ended",
    "stranger_naming_a_space",
    *HELPER_STATES,
)


def member_cell(state: str, route: tuple[str, str]) -> Expect:
    """The holder routes' table, by route family (the body may still be refused: 0 = not by the gate)."""
    not_guardian = refused(403, "children.not_guardian")
    if state == "holder":
        return Expect(0)
    if state == "holder_space_closed":
        return Expect(0) if route in OWN else Expect(403, "error.space.closed")
    if state == "parent":
        if route in OWN_SPACE_ONLY:
            return not_guardian
        return Expect(0, line="allowed" if route[0] != "get" or route in CONTENT_READS else "")
    if state == "parent_authority_ended":
        return not_guardian
    if state in HELPER_STATES:
        return helper_cell(state, route)
    return refused(403, "children.not_guardian", line=False)


def helper_cell(state: str, route: tuple[str, str]) -> Expect:
    """A helper's row: the routes of HELPER_READS (and, with their rights, HELPER_ADDS and the
    messages' files) are let through and logged; every other is the holder's own: refused, logged."""
    path = route[1].removeprefix(A)
    if state == "helper_delegation_ended":
        return refused(403, "helpers.ended")
    if route in OWN_SPACE_ONLY:
        return refused(403, "helpers.not_allowed")
    if state == "representative_tutelle":  # represents: as a parent does, with every line logged
        return Expect(0, line="allowed")
    if path in gate.HELPER_READS:
        return Expect(0, line="allowed")
    if path in gate.HELPER_ADDS:
        return (
            Expect(0, line="allowed") if state == "helper_read_and_add" else refused(403, "helpers.read_only")
        )
    if path in gate.HELPER_MESSAGES and state == "helper_with_messages":
        return Expect(0, line="allowed")
    return refused(403, "helpers.not_allowed")


def helper_member(scene: "Scene", state: str) -> tuple[dict[str, str], str, bool]:
    """(headers, the helped person's id, False) for a helper state, built for this cell alone."""
    world = scene.world
    if state == "representative_tutelle":
        helped, _ = world.active_person()
        representative, tokens = world.active_person()
        with Session(scene.ctx.engine) as session:
            measure = helpers.add_measure(
                session=session,
                ctx=scene.ctx,
                protected_nir=helped.nir,
                representative_nir=representative.nir,
                kind="tutelle",
                starts_on=scene.clock.now().date(),
                ends_on=scene.clock.now().date() + timedelta(days=365 * 5),
            )
            helped_id = measure.protected_id
        return as_helper(tokens, helped_id), helped_id, False
    rights = {"may_add": state == "helper_read_and_add", "messages": state == "helper_with_messages"}
    _, _, helped_id, _, helper_tokens, delegation = helping(world, **rights)
    if state == "helper_delegation_ended":
        world.api.post(f"{A}/delegations/{delegation}/end", headers=bearer(helper_tokens))
    return as_helper(helper_tokens, helped_id), helped_id, False


# --- the facts of the gate each state exercises (a new fact needs a state) --------------------------

EXERCISED = {
    gate.Relation: {
        "attending": "attending",
        "blocked": "blocked",
        "authorised": "authorised",
        "authorised_until": "authorisation_ended",
        "care_team": "care_team",
        "revoked": "revoked",
        "seen": "first_access_with_consent",
        "secret_only": "secret_only",
    },
    gate.Space: {
        "status": "space_closed",
        "emergency_access": "emergency_switch_off",
        "regulator_access": "regulator_switch_off",
        "masked_in_emergency": "emergency_reads_masked",
        "shared_sections": "profile_kept_private",
    },
    gate.Professional: {
        "id": "attending",
        "profession": "not_a_regulator",
        "specialty": "regulator",
        "relation": "blocked",
        "mode": "emergency",
        "reason": "emergency_without_reason",
        "consent_declared": "first_access_with_consent",
    },
    gate.App: {
        "scopes": "scope_missing",
        "consent_live": "consent_revoked",
        "app_active": "app_suspended",
        "by_parent": "parents_authority_ended",
        "parent_may_act": "parents_authority_ended",
    },
    gate.Link: {"open": "revoked", "by_parent": "made_by_a_parent"},
    gate.Member: {
        "guardian": "parent",
        "linked": "parent_authority_ended",
        "ever_linked": "stranger_naming_a_space",
    },
    gate.Helper: {
        "linked": "helper_delegation_ended",
        "ever_linked": "stranger_naming_a_space",
        "may_add": "helper_read_and_add",
        "messages": "helper_with_messages",
        "measure": "representative_tutelle",
    },
}


def test_every_route_and_state_has_its_cells(api: TestClient) -> None:
    spec = api.get(f"{A}/openapi.json").json()
    routes = {(method, path) for path, item in spec["paths"].items() for method in item}
    assert routes == PUBLIC | PROFESSIONAL | APP | set(HOLDER)
    assert set(PRO_KINDS) == PROFESSIONAL
    assert LINK <= PUBLIC
    kinds = {k for k in PRO_KINDS.values() if k != "own"}
    for state, cells in PRO_CELLS.items():
        assert kinds <= set(cells) and set(cells) - kinds <= PROFESSIONAL, state
    assert set(LINK_CELLS["open"]) == LINK
    for fact_type, states in EXERCISED.items():
        facts = {f.name for f in dataclasses.fields(fact_type)}  # type: ignore[arg-type]
        assert facts == set(states), fact_type
        known = set(PRO_CELLS) | set(APP_CELLS) | set(LINK_CELLS) | set(MEMBER_STATES)
        assert set(states.values()) <= known, fact_type
    statuses = {s for s in SpaceStatus if s != SpaceStatus.ACTIVE}
    covered = {SpaceStatus.CLOSED, SpaceStatus.PENDING}  # the others answer as PENDING does: not active
    assert covered <= statuses and all(not gate.Space(s).active for s in statuses)


# --- the scene -------------------------------------------------------------------------------------

_rpps = itertools.count(3000000001)


@dataclass
class Scene:
    world: World
    clock: FixedClock
    person: Person  # an adult holder, active
    tokens: dict[str, str]
    holder_id: str
    document: str  # one of their documents, readable by a doctor
    off: Person = field(init=False)  # a holder whose two emergency switches are off
    off_tokens: dict[str, str] = field(init=False)
    off_document: str = field(init=False)
    pending: Person = field(init=False)  # enrolled, never activated
    parent: Person = field(init=False)  # a parent and their minor child's space
    parent_tokens: dict[str, str] = field(init=False)
    child: Person = field(init=False)
    child_id: str = field(init=False)
    child_document: str = field(init=False)  # the parents' own document in the child's space
    _n: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def ctx(self) -> Any:
        return self.world.ctx

    def seq(self) -> int:
        return next(self._n)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"] if PG_URL else ["sqlite"])
def scene(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    folder: Path = tmp_path_factory.mktemp("gate-matrix")
    url = f"sqlite:///{folder / 'ens.db'}"
    if request.param == "postgresql":
        _reset_postgres(PG_URL)
        url = PG_URL
    settings = Settings(
        env="test",
        data_dir=folder,
        database_url=url,
        secret_key="test-secret-" + "x" * 32,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
        rate_limits_enabled=False,
    )
    upgrade(url)
    clock = FixedClock(START)
    ctx = build_context(settings, clock=clock)
    world = World(ctx, TestClient(create_app(ctx), base_url="https://testserver"))
    person, tokens = world.active_person()
    holder_id = world.api.get(f"{A}/me", headers=bearer(tokens)).json()["id"]
    scene = Scene(world, clock, person, tokens, holder_id, _document(world, tokens, "Compte rendu"))
    scene.off, scene.off_tokens = world.active_person()
    scene.off_document = _document(world, scene.off_tokens, "Bilan")
    world.api.put(
        f"{A}/emergency-settings",
        headers=bearer(scene.off_tokens),
        json={"emergency_access": False, "regulator_access": False},
    )
    scene.pending = world.enrol()
    scene.parent, scene.parent_tokens, scene.child, scene.child_id = family(world)
    scene.child_document = _document(world, as_parent(scene.parent_tokens, scene.child_id), "Carnet")
    for app_id in ("matrix-full", "matrix-other", "matrix-suspended", "matrix-revoked", "matrix-expired"):
        register(ctx, app_id=app_id, scopes=ALL_SCOPES)
    yield scene
    ctx.engine.dispose()
    if os.environ.get("ENS_KEEP_MATRIX_DB"):
        print(url)


def _document(world: World, headers_or_tokens: dict[str, str], title: str, masked: bool = False) -> str:
    headers = headers_or_tokens if "Authorization" in headers_or_tokens else bearer(headers_or_tokens)
    content = PDF + title.encode()
    sha = hashlib.sha256(content).hexdigest()
    upload = world.api.post(
        f"{A}/uploads", headers=headers, json={"size": len(content), "sha256": sha}
    ).json()
    world.api.patch(f"{A}/uploads/{upload['id']}", content=content, headers=headers | {"Upload-Offset": "0"})
    record_id = "doc-" + hashlib.sha256(title.encode() + headers["Authorization"].encode()).hexdigest()[:16]
    data = {
        "title": title,
        "type": "hospital_report",
        "date": "2026-01-01",
        "mime": "application/pdf",
        "size": len(content),
        "sha256": sha,
        "masked": masked,
    }
    mutation = {
        "seq": 1,
        "op": "upsert",
        "collection": "document",
        "id": record_id,
        "base_version": 0,
        "data": data,
    }
    body = {"client_id": "matrix-" + record_id, "mutations": [mutation]}
    result = world.api.post(f"{A}/sync/push", headers=headers, json=body).json()["results"][0]
    assert result["outcome"] == "applied", result
    return record_id


# --- what a cell leaves behind: read straight from the database -------------------------------------


# What the gate tells the holder about (content notices such as "document added" are the route's own).
ACCESS_NOTICES = ("first_access", "emergency_access", "regulator_access", "share_opened")


@dataclass(frozen=True)
class Trace:
    lines: tuple[str, ...]  # outcomes of the log lines the reader sees, oldest first
    notes: tuple[str, ...]  # kinds of the notifications the reader sees
    security: int  # refused attempts in the security log


def trace(scene: Scene, holder_id: str, parents: bool = False) -> Trace:
    with Session(scene.ctx.engine) as session:
        entries = session.exec(
            select(AccessEntry).where(AccessEntry.holder_id == holder_id).order_by(col(AccessEntry.seq))
        ).all()
        notes = session.exec(select(Notification).where(Notification.holder_id == holder_id)).all()
        events = session.exec(select(SecurityEvent).where(SecurityEvent.kind == "refused")).all()
    seen = [e for e in entries if not parents or e.gseq is not None]
    kinds = sorted(
        n.kind for n in notes if n.kind in ACCESS_NOTICES and not (parents and n.params.get("secret"))
    )
    return Trace(tuple(e.outcome for e in seen), tuple(kinds), len(events))


def check(scene: Scene, expect: Expect, before: Trace, after: Trace, response: Any, cell: object) -> None:
    if expect.status:
        assert response.status_code == expect.status, (cell, response.status_code, response.text[:300])
    else:  # the gate let it through: whatever the route says of the body, not a gate's refusal
        gate_codes = ("error.space.closed", "error.children.not_guardian", "error.auth.required")
        assert response.status_code < 500 and not (
            response.status_code in (401, 403) and response.json().get("code") in gate_codes
        ), (cell, response.status_code, response.text[:300])
    if expect.code:
        assert response.json()["code"] == expect.code, (cell, response.text[:300])
    added = after.lines[len(before.lines) :]
    assert added == ((expect.line,) if expect.line else ()), (cell, added)
    new_notes = list(after.notes)
    for kind in before.notes:
        new_notes.remove(kind)
    assert new_notes == ([expect.notify] if expect.notify else []), (cell, new_notes)
    assert after.security - before.security == (1 if expect.security else 0), cell


# --- professionals' cells --------------------------------------------------------------------------


def new_pro(scene: Scene, profession: str = "doctor", specialty: str = "") -> Pro:
    return Pro(scene.world, profession, specialty, name=f"Matrice{next(_rpps)}")


@dataclass
class ProActor:
    pro: Pro
    person: Person  # the patient named
    holder_id: str
    document: str  # a document of the space this professional may read
    parents: bool = False  # the reader is a minor's parents
    conversation: str = ""
    message: str = ""  # a message of the conversation carrying a file
    correction: str = "none"  # a request about an entry this professional wrote


def _start(scene: Scene, actor: ProActor, secret: bool = False) -> None:
    pdf = {"name": "cr.pdf", "mime": "application/pdf", "content_b64": base64.b64encode(PDF).decode()}
    body = {"subject": "Suivi", "body": "Bonjour", "file": pdf} | (
        {"hidden_from_guardians": True} if secret else {}
    )
    started = actor.pro.call("POST", "/conversations", actor.person, json=body)
    assert started.status_code == 200, started.text
    actor.conversation = started.json()["conversation"]["id"]
    actor.message = started.json()["messages"][0]["id"]


def _holder_says(scene: Scene, tokens: dict[str, str], actor: ProActor) -> None:
    """The patient answers, so the conversation has the patient's file too (the pro reads it)."""
    record = "reply-" + actor.conversation[-16:]
    data = {"conversation_id": actor.conversation, "body": "Merci", "attachments": []}
    mutation = {
        "seq": 1,
        "op": "upsert",
        "collection": "message",
        "id": record,
        "base_version": 0,
        "data": data,
    }
    pushed = scene.world.api.post(
        f"{A}/sync/push",
        headers=bearer(tokens),
        json={"client_id": "reply-" + record, "mutations": [mutation]},
    )
    assert pushed.json()["results"][0]["outcome"] == "applied", pushed.text


def _with_relation(
    scene: Scene, how: str, person: Person, tokens: dict[str, str], holder_id: str, document: str
) -> ProActor:
    """A doctor in the holder's care, who already read the record once and wrote to them."""
    actor = ProActor(new_pro(scene), person, holder_id, document)
    h = bearer(tokens)
    if how == "attending":
        assert (
            scene.world.api.put(
                f"{A}/attending", headers=h, json={"professional_id": actor.pro.id}
            ).status_code
            == 200
        )
    elif how == "authorised":
        until = (scene.clock.now() + timedelta(days=30)).isoformat()
        assert (
            scene.world.api.post(
                f"{A}/professionals/{actor.pro.id}/authorise", headers=h, json={"until": until}
            ).status_code
            == 200
        )
    else:
        assert actor.pro.call("GET", "/documents", person, consent=True).status_code == 200
    assert actor.pro.call("GET", "/documents", person).status_code == 200  # the first access, told
    _start(scene, actor)
    _holder_says(scene, tokens, actor)
    return actor


def _set_status(scene: Scene, holder_id: str, status: SpaceStatus) -> None:
    with Session(scene.ctx.engine) as session:
        holder = session.get(Holder, holder_id)
        assert holder is not None
        holder.status = status
        session.add(holder)
        session.commit()


def pro_actor(scene: Scene, state: str) -> ProActor:
    """The professional of a state, built for this cell alone."""
    adult = (scene.person, scene.tokens, scene.holder_id, scene.document)
    if state in ("attending", "authorised", "care_team"):
        return _with_relation(scene, state, *adult)
    if state in ("blocked", "revoked", "revoked_in_emergency"):
        actor = _with_relation(scene, "care_team", *adult)
        block = state == "blocked"
        scene.world.api.post(
            f"{A}/professionals/{actor.pro.id}/revoke", headers=bearer(scene.tokens), json={"block": block}
        )
        return actor
    if state == "authorisation_ended":
        actor = _with_relation(scene, "authorised", *adult)
        with Session(scene.ctx.engine) as session:
            grant = session.exec(
                select(Grant).where(Grant.holder_id == scene.holder_id, Grant.professional_id == actor.pro.id)
            ).one()
            grant.until = scene.clock.now() - timedelta(seconds=1)  # its end came
            session.add(grant)
            session.commit()
        return actor
    if state in ("space_closed", "space_closed_with_consent"):
        person, tokens = scene.world.active_person()
        holder_id = scene.world.api.get(f"{A}/me", headers=bearer(tokens)).json()["id"]
        document = _document(scene.world, tokens, "Compte rendu")
        actor = _with_relation(scene, "care_team", person, tokens, holder_id, document)
        if state == "space_closed_with_consent":
            actor = ProActor(new_pro(scene), person, holder_id, document)
        closed = scene.world.api.post(f"{A}/space/close", headers=bearer(tokens), json={"password": PASSWORD})
        assert closed.status_code == 200
        return actor
    if state == "space_never_activated":
        digest = scene.ctx.hasher.digest("nir", scene.pending.nir)
        with Session(scene.ctx.engine) as session:
            holder = session.exec(select(Holder).where(Holder.nir_digest == digest)).one()
        return ProActor(new_pro(scene), scene.pending, holder.id, "doc-none")
    if state == "profile_kept_private":
        person, tokens = scene.world.active_person()
        holder_id = scene.world.api.get(f"{A}/me", headers=bearer(tokens)).json()["id"]
        actor = _with_relation(
            scene, "care_team", person, tokens, holder_id, _document(scene.world, tokens, "CR")
        )
        private = dict.fromkeys(profile_sections(), False)
        kept = scene.world.api.put(f"{A}/profile-sharing", headers=bearer(tokens), json={"choices": private})
        assert not any(s["shared"] for s in kept.json()["sections"])
        return actor
    if state in ("emergency_reads_masked", "emergency_masked_switch_off"):
        person, tokens = scene.world.active_person()
        holder_id = scene.world.api.get(f"{A}/me", headers=bearer(tokens)).json()["id"]
        document = _document(scene.world, tokens, "Suivi psychiatrique", masked=True)
        switches = {"emergency_access": True, "regulator_access": True}
        switches["masked_in_emergency"] = state == "emergency_reads_masked"
        put = scene.world.api.put(f"{A}/emergency-settings", headers=bearer(tokens), json=switches)
        assert put.json() == switches
        return ProActor(new_pro(scene), person, holder_id, document)
    if state in ("emergency_switch_off", "regulator_switch_off"):
        off = scene.world.api.get(f"{A}/me", headers=bearer(scene.off_tokens)).json()["id"]
        specialty = gate.REGULATOR_SPECIALTY if state.startswith("regulator") else ""
        return ProActor(new_pro(scene, specialty=specialty), scene.off, off, scene.off_document)
    patient = (scene.person, scene.holder_id, scene.document)
    if state == "regulator":
        return ProActor(new_pro(scene, specialty=gate.REGULATOR_SPECIALTY), *patient)
    if state == "not_a_regulator":
        return ProActor(new_pro(scene, "nurse"), *patient)
    if state == "secret_only":
        # Ordinary reads aim at the parents' own document (reading it is no secret act).
        actor = ProActor(new_pro(scene), scene.child, scene.child_id, scene.child_document, parents=True)
        body = {
            "title": "Contraception",
            "type": "prescription",
            "date": "2026-01-04",
            "mime": "application/pdf",
            "content_b64": base64.b64encode(PDF + str(scene.seq()).encode()).decode(),
            "hidden_from_guardians": True,
        }
        assert actor.pro.call("POST", "/documents", scene.child, consent=True, json=body).status_code == 200
        _start(scene, actor, secret=True)
        return actor
    return ProActor(new_pro(scene), *patient)  # first_access_with_consent, no_relation, emergency...


def _pro_body(scene: Scene, route: tuple[str, str], secret: bool) -> dict[str, Any] | None:
    hidden = {"hidden_from_guardians": True} if secret else {}
    if route == ("post", "/api/v1/pro/documents"):
        content = base64.b64encode(PDF + str(scene.seq()).encode()).decode()
        return {
            "title": "Lettre",
            "type": "liaison_letter",
            "date": "2026-01-04",
            "mime": "application/pdf",
            "content_b64": content,
        } | hidden
    if route == ("post", "/api/v1/pro/profile-entries"):
        return {"section": "allergy", "data": {"substance": "Pénicilline"} | hidden}
    if route == ("post", "/api/v1/pro/conversations"):
        return {"subject": "Résultats", "body": "Bonjour"} | hidden
    if route == ("post", "/api/v1/pro/conversations/{conversation_id}/messages"):
        return {"body": "Bonjour"}
    if route == CORRECTION_DECISION:
        return {"accept": False, "reason": "L'information est exacte."}
    return None


CORRECTION_DECISION = ("post", "/api/v1/pro/corrections/{correction_id}/decision")


def _correction_asked(scene: Scene, actor: ProActor) -> None:
    """An entry this professional wrote and the holder's open request about it (made in the
    database: the state, not the request, is what the cell is about). A minor's secret entry when
    the reader is the parents."""
    data = {"section": "allergy", "substance": "Pollen"} | ({SECRET: True} if actor.parents else {})
    with Session(scene.ctx.engine) as session:
        lock_holder(session, actor.holder_id)
        record = Record(
            holder_id=actor.holder_id,
            id=f"pro-matrix{scene.seq()}",
            collection="profile_entry",
            version=1,
            seq=0,
            author=f"professional:{actor.pro.id}",
            updated_at=scene.clock.now(),
            data=data,
        )
        stamp(session, record)
        row = HealthCorrection(
            holder_id=actor.holder_id,
            record_id=record.id,
            professional_id=actor.pro.id,
            note="Erreur",
            created_at=scene.clock.now(),
        )
        session.add_all([record, row])
        session.commit()
        actor.correction = row.id


def _pro_url(route: tuple[str, str], actor: ProActor, someone_elses: ProActor | None) -> str:
    thread = actor if actor.conversation else someone_elses
    path = route[1].removeprefix(f"{A}/pro")
    return path.format(
        document_id=actor.document,
        conversation_id=thread.conversation if thread else "none",
        message_id=thread.message if thread else "none",
        index=0,
        correction_id=actor.correction,
    )


PRO_CELL_IDS = [(state, route) for state in PRO_CELLS for route in sorted(PRO_KINDS)]


@pytest.mark.parametrize(
    ("state", "route"), PRO_CELL_IDS, ids=[f"{s}-{r[0]}-{r[1]}" for s, r in PRO_CELL_IDS]
)
def test_professional_cells(scene: Scene, state: str, route: tuple[str, str]) -> None:
    kind = PRO_KINDS[route]
    actor = pro_actor(scene, state)
    someone_elses = (
        _with_relation(scene, "care_team", scene.person, scene.tokens, scene.holder_id, scene.document)
        if kind == "thread" and not actor.conversation
        else None
    )
    if route == CORRECTION_DECISION:
        _correction_asked(scene, actor)
    cells = PRO_CELLS[state]
    expect = QUIET if kind == "own" else cells.get(route) or cells[kind]
    how = HOW.get(state, {})
    body = _pro_body(scene, route, secret=actor.parents)
    before = trace(scene, actor.holder_id, actor.parents)
    response = actor.pro.call(
        route[0].upper(),
        _pro_url(route, actor, someone_elses),
        actor.person,
        **how,
        **({"json": body} if body is not None else {}),
    )
    check(scene, expect, before, trace(scene, actor.holder_id, actor.parents), response, (state, route))
    if route == ("get", "/api/v1/pro/conversations"):
        listed = {c["id"] for c in response.json()["conversations"]}
        live = state in ("attending", "authorised", "care_team", "secret_only", "profile_kept_private")
        assert (actor.conversation in listed) is live, (state, listed)


# --- connected apps' cells -------------------------------------------------------------------------

APP_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/v1/app-api/measurements"): {"kind": "weight", "value": 70.5, "at": "2026-01-04T08:00:00Z"},
    ("post", "/api/v1/app-api/documents"): {
        "title": "Relevé",
        "type": "lab_results",
        "date": "2026-01-04",
        "mime": "application/pdf",
        "content_b64": base64.b64encode(PDF).decode(),
    },
    ("post", "/api/v1/app-api/appointments"): {"title": "Dentiste", "start": "2026-02-01T09:00:00Z"},
}


@dataclass
class AppActor:
    token: dict[str, str]
    holder_id: str
    document: str


def app_actor(scene: Scene, state: str, route: tuple[str, str]) -> AppActor:
    world, n = scene.world, scene.seq()
    if state in ("space_closed", "parents_authority_ended"):
        if state == "space_closed":
            person, tokens = world.active_person()
            headers = bearer(tokens)
        else:
            parent, tokens, child, child_id = family(world)
            headers = as_parent(tokens, child_id)
        holder_id = world.api.get(f"{A}/me", headers=headers).json()["id"]
        document = _document(world, headers, f"Doc {n}")
        token = _connect(world, headers, "matrix-full", " ".join(ALL_SCOPES))
        if state == "space_closed":
            world.api.post(f"{A}/space/close", headers=headers, json={"password": PASSWORD})
        else:
            with Session(scene.ctx.engine) as session:
                children.remove_guardian(
                    session=session, ctx=scene.ctx, child_nir=child.nir, guardian_nir=parent.nir
                )
        return AppActor(token, holder_id, document)
    person, tokens = world.active_person()
    headers = bearer(tokens)
    holder_id = world.api.get(f"{A}/me", headers=headers).json()["id"]
    document = _document(world, headers, f"Doc {n}")
    needed = {"measurements": "measurements", "documents": "documents", "appointments": "agenda"}
    family_scope = needed[route[1].split("/")[4]]
    scope = (
        " ".join(s for s in ALL_SCOPES if not s.startswith(family_scope))
        if state == "scope_missing"
        else " ".join(ALL_SCOPES)
    )
    app_id = {
        "app_suspended": "matrix-suspended",
        "consent_revoked": "matrix-revoked",
        "consent_expired": "matrix-expired",
    }.get(state, "matrix-full")
    token = _connect(world, headers, app_id, scope)
    with Session(scene.ctx.engine) as session:
        connection = session.exec(
            select(AppConnection).where(AppConnection.holder_id == holder_id, AppConnection.app_id == app_id)
        ).one()
        if state == "app_suspended":
            apps.set_status(session=session, ctx=scene.ctx, app_id=app_id, status="suspended")
        if state == "consent_revoked":
            connection.revoked_at = scene.clock.now()
        if state == "consent_expired":
            connection.until = scene.clock.now() - timedelta(seconds=1)
        session.add(connection)
        session.commit()
    return AppActor(token, holder_id, document)


def _connect(world: World, headers: dict[str, str], app_id: str, scope: str) -> dict[str, str]:
    if "X-Space" not in headers:
        return connect(
            world, {"access_token": headers["Authorization"].removeprefix("Bearer ")}, app_id, scope
        )
    from tests.backend.test_oauth import approve, ask, exchange

    asked = ask(world, app_id, scope)
    approved = world.api.post(
        f"{A}/oauth/requests/{asked.request_id}/approve", headers=headers, json={"duration": "3m"}
    )
    assert approved.status_code == 200, approved.text
    from urllib.parse import parse_qs, urlsplit

    code = parse_qs(urlsplit(approved.json()["redirect_url"]).query)["code"][0]
    token = exchange(world, app_id, code, asked.verifier)
    assert approve and token["status"] == 200, token
    return {"access_token": str(token["access_token"])}


APP_CELL_IDS = [(state, route) for state in APP_CELLS for route in sorted(APP)]


@pytest.mark.parametrize(
    ("state", "route"), APP_CELL_IDS, ids=[f"{s}-{r[0]}-{r[1]}" for s, r in APP_CELL_IDS]
)
def test_app_cells(scene: Scene, state: str, route: tuple[str, str]) -> None:
    actor = app_actor(scene, state, route)
    url = route[1].format(document_id=actor.document)
    before = trace(scene, actor.holder_id)
    response = scene.world.api.request(
        route[0].upper(),
        url,
        headers=bearer(actor.token),
        **({"json": APP_BODIES[route]} if route in APP_BODIES else {}),
    )
    check(scene, APP_CELLS[state], before, trace(scene, actor.holder_id), response, (state, route))
    if state == "app_suspended":
        with Session(scene.ctx.engine) as session:
            apps.set_status(session=session, ctx=scene.ctx, app_id="matrix-suspended", status="active")


# --- share links' cells ----------------------------------------------------------------------------


def _link(scene: Scene, state: str) -> tuple[str, str, str, str, TestClient]:
    """(page path, code, document id, holder id, the recipient's browser) for a state."""
    world = scene.world
    if state == "made_by_a_parent":
        _, parent_tokens, _, holder_id = family(world)
        headers = as_parent(parent_tokens, holder_id)
    else:
        _, tokens = world.active_person()
        headers = bearer(tokens)
        holder_id = world.api.get(f"{A}/me", headers=headers).json()["id"]
    document = _document(world, headers, "Radio")
    made = world.api.post(
        f"{A}/shares", headers=headers, json={"document_ids": [document], "days": 7, "label": "Dr Morel"}
    ).json()
    page = made["url"][made["url"].index("/api/v1/") :]
    browser = TestClient(world.api.app, base_url="https://testserver")
    assert browser.post(page, data={"code": made["code"]}).status_code == 200  # its cookie, for downloads
    if state == "unknown":
        page = page[:-6] + "AAAAAA"
    with Session(scene.ctx.engine) as session:
        link = session.exec(select(ShareLink).where(ShareLink.holder_id == holder_id)).one()
        if state == "revoked":
            link.revoked_at = scene.clock.now()
        if state == "expired":
            link.expires_at = scene.clock.now() - timedelta(seconds=1)
        session.add(link)
        session.commit()
    if state == "locked_by_wrong_codes":
        for _ in range(5):
            browser.post(page, data={"code": "AAAA-AAAA"})
    if state == "space_closed":
        world.api.post(f"{A}/space/close", headers=headers, json={"password": PASSWORD})
    return page, made["code"], document, holder_id, browser


LINK_CELL_IDS = [(state, route) for state, cells in LINK_CELLS.items() for route in sorted(cells)]


@pytest.mark.parametrize(
    ("state", "route"), LINK_CELL_IDS, ids=[f"{s}-{r[0]}-{r[1]}" for s, r in LINK_CELL_IDS]
)
def test_share_link_cells(scene: Scene, state: str, route: tuple[str, str]) -> None:
    page, code, document, holder_id, browser = _link(scene, state)
    before = trace(scene, holder_id)
    if route == SHARE_DOWNLOAD:
        response = browser.get(f"{page}/documents/{document}")
    elif route[0] == "post":
        response = browser.post(page, data={"code": "BBBB-BBBB" if state == "wrong_code" else code})
    else:
        response = browser.get(page)
    check(scene, LINK_CELLS[state][route], before, trace(scene, holder_id), response, (state, route))
    if response.status_code == 200 and route == SHARE_DOWNLOAD:
        assert response.content.startswith(PDF)
    if LINK_CELLS[state][route].status != 200:
        assert not response.content.startswith(PDF)


# --- holders and parents on every holder route -------------------------------------------------------


def _member(scene: Scene, state: str) -> tuple[dict[str, str], str, bool]:
    """(headers, the space's id, whether its reader is a minor's parents) for a state."""
    world = scene.world
    if state == "holder":
        return bearer(world.login(scene.person)), scene.holder_id, False  # a session of its own
    if state == "holder_space_closed":
        person, tokens = world.active_person()
        holder_id = world.api.get(f"{A}/me", headers=bearer(tokens)).json()["id"]
        _set_status(scene, holder_id, SpaceStatus.CLOSED)  # as closing does, without its side effects
        return bearer(tokens), holder_id, False
    if state == "parent":
        return as_parent(world.login(scene.parent), scene.child_id), scene.child_id, True
    if state == "parent_authority_ended":
        parent, tokens, child, child_id = family(world)
        with Session(scene.ctx.engine) as session:
            children.remove_guardian(
                session=session, ctx=scene.ctx, child_nir=child.nir, guardian_nir=parent.nir
            )
        return as_parent(tokens, child_id), child_id, False
    if state in HELPER_STATES:
        return helper_member(scene, state)
    _, tokens = world.active_person()
    return as_parent(tokens, scene.holder_id), scene.holder_id, False


MEMBER_CELL_IDS = [(state, route) for state in MEMBER_STATES for route in sorted(HOLDER)]


@pytest.mark.parametrize(
    ("state", "route"), MEMBER_CELL_IDS, ids=[f"{s}-{r[0]}-{r[1]}" for s, r in MEMBER_CELL_IDS]
)
def test_member_cells(scene: Scene, state: str, route: tuple[str, str]) -> None:
    headers, space_id, parents = _member(scene, state)
    url = route[1].replace("{seq}", "1").replace("{index}", "0")
    url = url.format(
        record_id="none",
        upload_id="none",
        professional_id="none",
        notification_id="none",
        share_id="none",
        connection_id="none",
        request_id="none",
        message_id="none",
        device_id="none",
        delegation_id="none",
    )
    if route[0] == "patch":
        headers = headers | {"Upload-Offset": "0"}
    before = trace(scene, space_id, parents)
    response = scene.world.api.request(route[0].upper(), url, headers=headers, json={})
    check(scene, member_cell(state, route), before, trace(scene, space_id, parents), response, (state, route))
