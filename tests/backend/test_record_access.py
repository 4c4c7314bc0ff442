"""Professionals reading and feeding the record through the API: rules, log, notifications."""

import base64
import hashlib
import itertools
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from stdnum import luhn

from backend_stub.core.clock import FixedClock
from backend_stub.models.access_log import AccessEntry
from backend_stub.models.accounts import Holder
from backend_stub.services import audit, professionals, security
from tests.conftest import Person, World, bearer

PDF = b"%PDF-1.4\n% test document\n%%EOF\n"
_rpps = itertools.count(1000000001)


class Pro:
    def __init__(self, world: World, profession: str, specialty: str = "", name: str = "Martin") -> None:
        body = f"{next(_rpps)}"
        with Session(world.ctx.engine) as session:
            pro, self.key = professionals.register(
                session=session,
                ctx=world.ctx,
                rpps=body + luhn.calc_check_digit(body),
                first_name="Alex",
                last_name=name,
                profession=profession,
                specialty=specialty,
            )
        self.id, self.api = pro.id, world.api

    def call(
        self,
        method: str,
        path: str,
        person: Person,
        mode: str = "normal",
        reason: str = "",
        consent: bool = False,
        **kwargs: object,
    ):  # type: ignore[no-untyped-def]
        headers = {"X-Api-Key": self.key, "X-Patient-Nir": person.nir, "X-Access-Mode": mode}
        if reason:
            headers["X-Access-Reason"] = quote(reason)
        if consent:
            headers["X-Consent"] = "declared"
        return self.api.request(method, f"/api/v1/pro{path}", headers=headers, **kwargs)  # type: ignore[arg-type]

    def titles(self, person: Person, **kw: object) -> list[str]:
        response = self.call("GET", "/documents", person, **kw)
        assert response.status_code == 200, response.text
        return sorted(d["title"] for d in response.json()["documents"])


def holder_document(
    world: World, tokens: dict[str, str], title: str, doc_type: str, masked: bool = False, seq: int = 1
) -> str:
    content = PDF + title.encode()
    sha = hashlib.sha256(content).hexdigest()
    upload = world.api.post(
        "/api/v1/uploads", json={"size": len(content), "sha256": sha}, headers=bearer(tokens)
    )
    world.api.patch(
        f"/api/v1/uploads/{upload.json()['id']}",
        content=content,
        headers=bearer(tokens) | {"Upload-Offset": "0"},
    )
    record_id = f"doc{seq:08d}"
    data = {
        "title": title,
        "type": doc_type,
        "date": "2026-11-01",
        "mime": "application/pdf",
        "size": len(content),
        "sha256": sha,
        "masked": masked,
    }
    push = world.api.post(
        "/api/v1/sync/push",
        headers=bearer(tokens),
        json={
            "client_id": "phone-0001",
            "mutations": [
                {
                    "seq": seq,
                    "op": "upsert",
                    "collection": "document",
                    "id": record_id,
                    "base_version": 0,
                    "data": data,
                }
            ],
        },
    )
    assert push.json()["results"][0]["outcome"] == "applied"
    return record_id


@pytest.fixture
def patient(world: World) -> tuple[Person, dict[str, str]]:
    person, tokens = world.active_person()
    holder_document(world, tokens, "Compte rendu hospitalisation", "hospital_report", seq=1)
    holder_document(world, tokens, "Ordonnance lunettes", "optical_prescription", seq=2)
    holder_document(world, tokens, "Bilan podologique", "podiatry_assessment", seq=3)
    holder_document(world, tokens, "Sérologie (masqué)", "lab_results", masked=True, seq=4)
    return person, tokens


def _log(world: World, tokens: dict[str, str], **params: str) -> list[dict[str, object]]:
    response = world.api.get("/api/v1/access-log", headers=bearer(tokens), params=params)
    assert response.status_code == 200
    return response.json()["entries"]  # type: ignore[no-any-return]


def test_first_access_needs_consent_then_is_logged_and_notified_once(world: World, patient) -> None:  # type: ignore[no-untyped-def]
    person, tokens = patient
    doctor = Pro(world, "doctor", name="Durand")
    refused = doctor.call("GET", "/documents", person)
    assert refused.status_code == 403 and refused.json()["code"] == "error.access.consent_required"
    assert doctor.titles(person, consent=True) == [
        "Bilan podologique",
        "Compte rendu hospitalisation",
        "Ordonnance lunettes",
    ]
    assert doctor.titles(person) == doctor.titles(person)  # later accesses only inform
    log = _log(world, tokens)
    # The attempt without consent came from someone with no relation to the holder: it is counted
    # in the operators' security log, not written into the holder's (issue #13).
    assert [(e["outcome"], e["mode"]) for e in log] == [("allowed", "care_team")] * 3
    with Session(world.ctx.engine) as session:
        counted = security.events(session=session, kind="refused")
    assert [(e.actor_id, e.detail) for e in counted] == [(doctor.id, "error.access.consent_required")]
    notes = world.api.get("/api/v1/notifications", headers=bearer(tokens)).json()
    assert [n["kind"] for n in notes] == ["first_access"]
    assert notes[0]["params"]["name"] == "Alex Durand"
    mails = [
        m for m in world.outbox(person.email) if m["subject"] == "Un professionnel a consulté votre dossier"
    ]
    assert len(mails) == 1


def test_matrix_over_the_api(world: World, patient) -> None:  # type: ignore[no-untyped-def]
    person, _ = patient
    assert Pro(world, "optician").titles(person, consent=True) == ["Ordonnance lunettes"]
    assert Pro(world, "podiatrist").titles(person, consent=True) == ["Bilan podologique"]
    assert Pro(world, "pharmacist").titles(person, consent=True) == []


def test_masked_document_for_the_attending_physician_only(world: World, patient) -> None:  # type: ignore[no-untyped-def]
    person, tokens = patient
    attending, other = Pro(world, "doctor", name="Traitant"), Pro(world, "doctor", name="Autre")
    assert (
        world.api.put(
            "/api/v1/attending", json={"professional_id": attending.id}, headers=bearer(tokens)
        ).status_code
        == 200
    )
    assert "Sérologie (masqué)" in attending.titles(person)
    assert "Sérologie (masqué)" not in other.titles(person, consent=True)
    direct = other.call("GET", "/documents/doc00000004", person)
    assert direct.status_code == 403
    assert _log(world, tokens, outcome="refused")[0]["target"] == "doc00000004"


def test_revoke_expire_and_block(world: World, patient, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    person, tokens = patient
    doctor = Pro(world, "doctor")
    until = (clock.now().replace(microsecond=0)).isoformat().replace("+00:00", "Z")
    world.api.post(
        f"/api/v1/professionals/{doctor.id}/authorise", json={"until": None}, headers=bearer(tokens)
    )
    assert doctor.call("GET", "/documents", person).status_code == 200
    world.api.post(f"/api/v1/professionals/{doctor.id}/revoke", json={"block": False}, headers=bearer(tokens))
    assert doctor.call("GET", "/documents", person, consent=True).json()["code"] == "error.access.revoked"
    # A period that ends.
    world.api.post(
        f"/api/v1/professionals/{doctor.id}/authorise", json={"until": until}, headers=bearer(tokens)
    )
    assert doctor.call("GET", "/documents", person).status_code == 403
    # Blocked: nothing, not even in an emergency.
    world.api.post(f"/api/v1/professionals/{doctor.id}/revoke", json={"block": True}, headers=bearer(tokens))
    response = doctor.call("GET", "/documents", person, mode="emergency", reason="inconscient")
    assert response.json()["code"] == "error.access.blocked"
    listed = world.api.get("/api/v1/professionals", headers=bearer(tokens)).json()
    assert listed[0]["blocked"] is True and listed[0]["active"] is False


def test_emergency_and_regulator(world: World, patient) -> None:  # type: ignore[no-untyped-def]
    person, tokens = patient
    nurse = Pro(world, "nurse", name="Urgence")
    regulator = Pro(world, "doctor", "emergency_regulator", name="Regul")
    assert nurse.call("GET", "/documents", person, mode="emergency").json()["code"] == (
        "error.access.reason_required"
    )
    ok = nurse.call("GET", "/documents", person, mode="emergency", reason="Patient inconscient, AVP")
    assert ok.status_code == 200
    assert (
        regulator.call(
            "GET", "/documents", person, mode="regulator", reason="Appel au 15, malaise"
        ).status_code
        == 200
    )
    world.api.put(
        "/api/v1/emergency-settings",
        json={"emergency_access": False, "regulator_access": True},
        headers=bearer(tokens),
    )
    off = nurse.call("GET", "/documents", person, mode="emergency", reason="Patient inconscient")
    assert off.json()["code"] == "error.access.emergency_refused"
    assert (
        regulator.call("GET", "/documents", person, mode="regulator", reason="Appel du 15").status_code == 200
    )
    log = _log(world, tokens, mode="emergency", outcome="allowed")
    assert log[0]["detail"] == "Patient inconscient, AVP"
    assert (
        _log(world, tokens, mode="emergency", outcome="refused")[0]["detail"]
        == "error.access.emergency_refused"
    )
    kinds = [n["kind"] for n in world.api.get("/api/v1/notifications", headers=bearer(tokens)).json()]
    assert kinds.count("emergency_access") == 1 and kinds.count("regulator_access") == 2
    emails = [m["body"] for m in world.outbox(person.email) if "urgence" in m["subject"].lower()]
    assert emails and all("inconscient" not in body for body in emails)  # the reason stays in the app


def test_professional_adds_a_document_the_holder_sees_read_only(world: World, patient) -> None:  # type: ignore[no-untyped-def]
    person, tokens = patient
    doctor = Pro(world, "doctor", name="Auteur")
    body = {
        "title": "Lettre de liaison",
        "type": "liaison_letter",
        "date": "2026-11-20",
        "mime": "application/pdf",
        "content_b64": base64.b64encode(PDF).decode(),
    }
    created = doctor.call("POST", "/documents", person, consent=True, json=body)
    assert created.status_code == 200, created.text
    pull = world.api.get("/api/v1/sync/pull", headers=bearer(tokens)).json()
    mine = [c for c in pull["changes"] if c["id"] == created.json()["id"]][0]
    assert mine["author"] == f"professional:{doctor.id}"
    # The holder may mask it, not change it.
    data = mine["data"]

    def push(seq, d):
        return world.api.post(
            "/api/v1/sync/push",
            headers=bearer(tokens),
            json={
                "client_id": "phone-0001",
                "mutations": [
                    {
                        "seq": seq,
                        "op": "upsert",
                        "collection": "document",
                        "id": mine["id"],
                        "base_version": mine["version"],
                        "data": d,
                    }
                ],
            },
        )

    assert push(10, data | {"title": "changé"}).json()["results"][0]["outcome"] == "rejected"
    assert push(11, data | {"masked": True}).json()["results"][0]["outcome"] == "applied"
    assert "Lettre de liaison" in doctor.titles(person)  # the author still sees it
    assert "Lettre de liaison" not in Pro(world, "doctor").titles(person, consent=True)
    content = world.api.get(f"/api/v1/sync/records/{mine['id']}/content", headers=bearer(tokens))
    assert content.content == PDF
    bad = doctor.call(
        "POST", "/documents", person, json=body | {"content_b64": base64.b64encode(b"MZ exe").decode()}
    )
    assert bad.json()["code"] == "error.document.format"


def test_hidden_from_patient_stays_off_the_holders_devices(world: World, patient) -> None:  # type: ignore[no-untyped-def]
    person, tokens = patient
    doctor = Pro(world, "doctor")
    body = {
        "title": "Résultat sensible",
        "type": "lab_results",
        "date": "2026-11-20",
        "mime": "application/pdf",
        "content_b64": base64.b64encode(PDF + b"x").decode(),
        "hidden_from_patient": True,
    }
    created = doctor.call("POST", "/documents", person, consent=True, json=body).json()
    pull = world.api.get("/api/v1/sync/pull", headers=bearer(tokens)).json()
    assert created["id"] not in [c["id"] for c in pull["changes"]]
    assert (
        world.api.get(f"/api/v1/sync/records/{created['id']}/content", headers=bearer(tokens)).status_code
        == 404
    )
    assert all("sensible" not in str(e["target_title"]) for e in _log(world, tokens))
    assert "Résultat sensible" in doctor.titles(person)


def test_every_access_is_chained_and_tampering_is_found(world: World, patient) -> None:  # type: ignore[no-untyped-def]
    person, _ = patient
    doctor = Pro(world, "doctor")
    doctor.titles(person, consent=True)
    doctor.call("GET", "/documents/doc00000001", person)
    doctor.call("GET", "/documents/doc00000004", person)  # refused: masked
    with Session(world.ctx.engine) as session:
        holder = session.exec(select(Holder)).first()
        assert holder is not None and holder.log_seq == 3
        assert audit.verify(session=session, holder_id=holder.id) is None
        entry = session.get(AccessEntry, (holder.id, 2))
        assert entry is not None
        entry.actor_name = "Quelqu'un d'autre"
        session.add(entry)
        session.commit()
        assert audit.verify(session=session, holder_id=holder.id) == 2


def test_unknown_key_and_unknown_patient(world: World, patient) -> None:  # type: ignore[no-untyped-def]
    person, _ = patient
    response = world.api.get(
        "/api/v1/pro/documents", headers={"X-Api-Key": "nope", "X-Patient-Nir": person.nir}
    )
    assert response.status_code == 401
    doctor = Pro(world, "doctor")
    from backend_stub.demo import nir_for

    stranger = Person(nir=nir_for(99999), vitale="1", code="x", email="x")
    assert (
        doctor.call("GET", "/documents", stranger, consent=True).json()["code"]
        == "error.access.patient_not_found"
    )


def test_another_holder_never_reaches_anything(world: World, patient) -> None:  # type: ignore[no-untyped-def]
    _, tokens = patient
    _, other = world.active_person()
    assert world.api.get("/api/v1/sync/records/doc00000001/content", headers=bearer(other)).status_code == 404
    pulled = world.api.get("/api/v1/sync/pull", headers=bearer(other)).json()["changes"]
    assert pulled == []
    assert _log(world, other) == []
    hijack = world.api.post(
        "/api/v1/sync/push",
        headers=bearer(other),
        json={
            "client_id": "phone-0002",
            "mutations": [
                {
                    "seq": 1,
                    "op": "delete",
                    "collection": "document",
                    "id": "doc00000001",
                    "base_version": 1,
                    "data": {},
                }
            ],
        },
    )
    assert hijack.status_code == 200
    mine = world.api.get("/api/v1/sync/pull", headers=bearer(tokens)).json()["changes"]
    assert not [c for c in mine if c["id"] == "doc00000001" and c["deleted"]]


def test_client_may_not_hold_a_token_of_another(world: World, patient, api: TestClient) -> None:  # type: ignore[no-untyped-def]
    _, tokens = patient
    assert api.get("/api/v1/access-log").status_code == 401
    assert api.get("/api/v1/professionals", headers={"Authorization": "Bearer x"}).status_code == 401


def test_document_listing_is_paged(world: World) -> None:
    person, tokens = world.active_person()
    mutations = [
        {
            "seq": n,
            "op": "upsert",
            "collection": "document",
            "id": f"bulk{n:05d}",
            "base_version": 0,
            "data": {"title": f"Doc {n:03d}", "type": "lab_results", "date": "2026-01-01"},
        }
        for n in range(1, 131)
    ]
    world.api.post(
        "/api/v1/sync/push", headers=bearer(tokens), json={"client_id": "phone-0001", "mutations": mutations}
    )
    doctor = Pro(world, "doctor")
    first = doctor.call("GET", "/documents", person, consent=True).json()
    assert len(first["documents"]) == 100 and first["documents"][0]["title"] == "Doc 130"
    rest = doctor.call("GET", "/documents", person, params={"before": first["next_before"]}).json()
    assert len(rest["documents"]) == 30 and rest["next_before"] is None


def test_a_mail_outage_does_not_block_care(world: World, patient) -> None:  # type: ignore[no-untyped-def]
    person, tokens = patient

    class Down:
        def deliver(self, message: object) -> None:
            raise OSError("smtp down")

    world.ctx.notifier._senders["email"] = Down()  # type: ignore[attr-defined]
    assert Pro(world, "doctor").titles(person, consent=True)
    kinds = [n["kind"] for n in world.api.get("/api/v1/notifications", headers=bearer(tokens)).json()]
    assert kinds == ["first_access"]
