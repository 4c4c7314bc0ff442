"""Professionals and the medical profile: what each profession reads (the access matrix), the
refusals (blocked, revoked, expired, no authorisation, emergency switched off), every access in
the holder's log, and entries a professional adds: synced to the holder, authored, read-only."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from backend_stub.core.clock import FixedClock
from backend_stub.models.access_log import AccessEntry
from backend_stub.models.accounts import Holder
from sync.protocol.reference import professions, profile_sections, readable_sections, shared_by_default
from sync.protocol.sync_schemas import PullResponse
from sync.store import ReadOnlyRecord, Store
from tests.backend.test_record_access import Pro
from tests.conftest import Person, World, bearer

ENTRIES: dict[str, dict[str, str]] = {
    "illness": {"name": "Diabète de type 2", "status": "current"},
    "treatment": {"name": "Metformine", "dose": "500 mg matin et soir"},
    "allergy": {"substance": "Pénicilline", "severity": "severe"},
    "vaccination": {"vaccine": "dtp", "date": "2020-03-01"},
    "family_history": {"relative": "mother", "condition": "Cancer du sein"},
    "note": {"title": "Penser à demander pour le sommeil"},
    "wishes": {"donation": "donor"},
    "contact": {"name": "Louis Martin", "relation": "frère", "phone": "06 12 34 56 78"},
    "blood_group": {"abo": "O", "rh": "negative"},
    "hospital_stay": {"place": "CHU de Nantes", "reason": "Appendicite", "since": "2019-04-02"},
    "disability": {"name": "Surdité", "nature": "hearing", "accommodations": "Parler face à moi"},
    "tobacco": {"smoking": "former", "until": "2015-01-01"},
    "alcohol": {"frequency": "monthly_or_less", "drinks": "one_or_two", "six_or_more": "never"},
    "physical_activity": {"days_per_week": "3", "minutes_per_day": "45"},
    "diet": {"diet": "vegetarian"},
    "sleep": {"hours": "7,5", "quality": "fair"},
}
ALL = (*ENTRIES, "measurement")


def _push_profile(world: World, tokens: dict[str, str]) -> None:
    mutations = [
        {
            "seq": n,
            "op": "upsert",
            "collection": "profile_entry",
            "id": f"entry-{section}",
            "base_version": 0,
            "data": {"section": section, **fields},
        }
        for n, (section, fields) in enumerate(ENTRIES.items(), start=1)
    ]
    mutations.append(
        {
            "seq": len(mutations) + 1,
            "op": "upsert",
            "collection": "measurement",
            "id": "measure-weight",
            "base_version": 0,
            "data": {"kind": "weight", "value": 72.5, "at": "2026-01-02T08:00:00+00:00"},
        }
    )
    response = world.api.post(
        "/api/v1/sync/push", headers=bearer(tokens), json={"client_id": "phone-0001", "mutations": mutations}
    )
    assert [r["outcome"] for r in response.json()["results"]] == ["applied"] * len(mutations), response.text


@pytest.fixture
def patient(world: World) -> tuple[Person, dict[str, str]]:
    """A patient with every section filled in and shared with professionals (the matrix decides)."""
    person, tokens = world.active_person()
    _push_profile(world, tokens)
    everything = dict.fromkeys(profile_sections(), True)
    shared = world.api.put("/api/v1/profile-sharing", headers=bearer(tokens), json={"choices": everything})
    assert shared.status_code == 200, shared.text
    return person, tokens


def test_the_holder_chooses_the_sections_professionals_read(world: World) -> None:
    """Issue #17 part 4: on top of the matrix, the holder's choices; until they choose, the national
    app's defaults (vaccinations, history, wishes); private sections in an emergency only with the
    third switch; a professional's own entries always."""
    person, tokens = world.active_person()
    _push_profile(world, tokens)
    h = bearer(tokens)
    sharing = world.api.get("/api/v1/profile-sharing", headers=h).json()["sections"]
    assert {s["section"] for s in sharing if s["shared"]} == set(shared_by_default())
    assert all(s["shared"] == s["default"] for s in sharing)
    doctor = Pro(world, "doctor", name="Partage")
    read = doctor.call("GET", "/profile", person, consent=True).json()
    assert set(read["sections"]) == set(shared_by_default()) == {e["section"] for e in read["entries"]}
    assert {"allergy", "treatment", "note"}.isdisjoint(read["sections"])

    changed = world.api.put(
        "/api/v1/profile-sharing", headers=h, json={"choices": {"allergy": True, "vaccination": False}}
    )
    assert changed.status_code == 200
    now = {s["section"]: s for s in changed.json()["sections"]}
    assert now["allergy"]["shared"] and not now["allergy"]["default"] and not now["vaccination"]["shared"]
    read = doctor.call("GET", "/profile", person).json()
    assert "allergy" in read["sections"] and "vaccination" not in read["sections"]
    pharmacist = Pro(world, "pharmacist", name="Officine")
    assert set(pharmacist.call("GET", "/profile", person, consent=True).json()["sections"]) == {"allergy"}
    refused = Pro(world, "optician").call("GET", "/profile", person, consent=True)
    assert refused.json()["code"] == "error.access.profile_not_readable"
    unknown = world.api.put("/api/v1/profile-sharing", headers=h, json={"choices": {"horoscope": True}})
    assert (unknown.status_code, unknown.json()["params"]["fields"]) == (422, ["horoscope"])

    # Emergency: the private sections only when the holder's third switch says so.
    nurse = Pro(world, "nurse", name="Urgence")
    urgent = nurse.call("GET", "/profile", person, mode="emergency", reason="Inconsciente").json()
    assert "treatment" not in urgent["sections"]
    world.api.put(
        "/api/v1/emergency-settings",
        headers=h,
        json={"emergency_access": True, "regulator_access": True, "masked_in_emergency": True},
    )
    urgent = nurse.call("GET", "/profile", person, mode="emergency", reason="Inconsciente").json()
    assert set(urgent["sections"]) == readable_sections("nurse")

    # A professional always reads what they wrote, shared or not.
    added = doctor.call(
        "POST", "/profile-entries", person, json={"section": "treatment", "data": {"name": "Levothyrox"}}
    )
    assert added.status_code == 200, added.text
    mine = doctor.call("GET", "/profile", person).json()["entries"]
    assert "Levothyrox" in {e["data"].get("name") for e in mine}


def _log(world: World, person_tokens: dict[str, str]) -> list[dict[str, object]]:
    return world.api.get("/api/v1/access-log", headers=bearer(person_tokens)).json()["entries"]  # type: ignore[no-any-return]


def test_the_matrix_gives_each_profession_its_sections_and_never_the_notes() -> None:
    assert readable_sections("doctor") == frozenset(ALL) - {"note"}
    assert readable_sections("doctor", "emergency_regulator") == frozenset(ALL) - {"note"}
    pharmacist = {"allergy", "treatment", "vaccination", "measurement", "disability", "tobacco", "alcohol"}
    assert readable_sections("pharmacist") == pharmacist
    assert {"blood_group", "hospital_stay", "disability"} <= readable_sections("midwife")
    assert readable_sections("midwife") >= {"tobacco", "alcohol", "diet"}  # pregnancy follow-up
    assert "blood_group" not in readable_sections("dentist") | readable_sections("podiatrist")
    assert readable_sections("optician") == frozenset()
    assert readable_sections("astrologer") == frozenset()
    for profession in professions():
        assert "note" not in readable_sections(profession)
        assert readable_sections(profession) <= set(ALL)


@pytest.mark.parametrize("profession", sorted(p for p in professions() if readable_sections(p)))
def test_each_profession_reads_exactly_its_sections_and_the_read_is_logged(
    world: World, patient: tuple[Person, dict[str, str]], profession: str
) -> None:
    person, tokens = patient
    pro = Pro(world, profession)
    response = pro.call("GET", "/profile", person, consent=True)
    assert response.status_code == 200, response.text
    body = response.json()
    expected = readable_sections(profession)
    assert set(body["sections"]) == expected
    assert {e["section"] for e in body["entries"]} == expected
    assert all(e["section"] != "note" for e in body["entries"])
    entry = _log(world, tokens)[0]
    assert (entry["action"], entry["outcome"], entry["target"], entry["mode"]) == (
        "read",
        "allowed",
        "profile",
        "care_team",
    )
    assert set(str(entry["target_title"]).split(",")) == expected


def test_optician_reads_nothing_and_the_refusal_is_logged(world: World, patient) -> None:  # type: ignore[no-untyped-def]
    person, tokens = patient
    optician = Pro(world, "optician")
    response = optician.call("GET", "/profile", person, consent=True)
    assert (response.status_code, response.json()["code"]) == (403, "error.access.profile_not_readable")
    entry = _log(world, tokens)[0]
    assert (entry["outcome"], entry["target"], entry["detail"]) == (
        "refused",
        "profile",
        "error.access.profile_not_readable",
    )


def test_no_authorisation_blocked_revoked_expired_are_refused_and_logged(
    world: World, patient, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    person, tokens = patient
    h = bearer(tokens)
    stranger = Pro(world, "doctor", name="Inconnu")
    assert stranger.call("GET", "/profile", person).json()["code"] == "error.access.consent_required"

    blocked = Pro(world, "nurse", name="Bloque")
    world.api.post(f"/api/v1/professionals/{blocked.id}/revoke", headers=h, json={"block": True})
    for mode, reason in (("normal", ""), ("emergency", "inconscient")):
        refused = blocked.call("GET", "/profile", person, mode=mode, reason=reason, consent=True)
        assert refused.json()["code"] == "error.access.blocked"

    revoked = Pro(world, "pharmacist", name="Revoque")
    world.api.post(f"/api/v1/professionals/{revoked.id}/authorise", headers=h, json={"until": None})
    assert revoked.call("GET", "/profile", person).status_code == 200
    world.api.post(f"/api/v1/professionals/{revoked.id}/revoke", headers=h, json={"block": False})
    assert revoked.call("GET", "/profile", person, consent=True).json()["code"] == "error.access.revoked"

    expiring = Pro(world, "midwife", name="Expire")
    until = (clock.now() + timedelta(days=1)).isoformat()
    world.api.post(f"/api/v1/professionals/{expiring.id}/authorise", headers=h, json={"until": until})
    assert expiring.call("GET", "/profile", person).status_code == 200
    clock.advance(days=2)
    h = bearer(world.login(person))
    expired = expiring.call("GET", "/profile", person)
    assert expired.json()["code"] == "error.access.ended"
    # Declared consent does not re-open an authorisation that ended (issue #13).
    assert expiring.call("GET", "/profile", person, consent=True).json()["code"] == "error.access.ended"

    entries = world.api.get("/api/v1/access-log", headers=h, params={"outcome": "refused"}).json()["entries"]
    assert {e["target"] for e in entries} == {"profile"}
    # blocked twice, revoked, ended twice; the stranger has no relation: the security log only
    assert len(entries) == 5 and "Alex Inconnu" not in {e["actor_name"] for e in entries}


def test_emergency_needs_the_holder_switch_and_notifies(world: World, patient) -> None:  # type: ignore[no-untyped-def]
    person, tokens = patient
    h = bearer(tokens)
    doctor = Pro(world, "doctor")
    allowed = doctor.call("GET", "/profile", person, mode="emergency", reason="Patient inconscient")
    assert allowed.status_code == 200
    assert "allergy" in {e["section"] for e in allowed.json()["entries"]}
    entry = _log(world, tokens)[0]
    assert (entry["mode"], entry["detail"]) == ("emergency", "Patient inconscient")
    kinds = [n["kind"] for n in world.api.get("/api/v1/notifications", headers=h).json()]
    assert "emergency_access" in kinds
    world.api.put(
        "/api/v1/emergency-settings", headers=h, json={"emergency_access": False, "regulator_access": False}
    )
    refused = Pro(world, "doctor", name="Urgentiste").call(
        "GET", "/profile", person, mode="emergency", reason="Patient inconscient"
    )
    assert refused.json()["code"] == "error.access.emergency_refused"


def test_a_pro_entry_reaches_the_holder_authored_and_read_only(world: World, patient, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    person, tokens = patient
    pharmacist = Pro(world, "pharmacist", name="Durand")
    body = {
        "section": "allergy",
        "data": {"substance": " Aspirine ", "reaction": "Urticaire", "severity": "moderate"},
    }
    created = pharmacist.call("POST", "/profile-entries", person, consent=True, json=body)
    assert created.status_code == 200, created.text
    record_id = created.json()["id"]

    pull = PullResponse.model_validate(world.api.get("/api/v1/sync/pull", headers=bearer(tokens)).json())
    mine = [c for c in pull.changes if c.id == record_id]
    assert len(mine) == 1
    assert mine[0].author == f"professional:{pharmacist.id}"
    assert mine[0].collection == "profile_entry"
    assert mine[0].data["substance"] == "Aspirine"
    assert mine[0].data["author_name"] == "Alex Durand"

    # The server refuses the holder's change; the device refuses it before it is even queued.
    change = {"section": "allergy", "substance": "Rien", "severity": "mild"}
    push = world.api.post(
        "/api/v1/sync/push",
        headers=bearer(tokens),
        json={
            "client_id": "phone-0001",
            "mutations": [
                {
                    "seq": 50,
                    "op": "upsert",
                    "collection": "profile_entry",
                    "id": record_id,
                    "base_version": 1,
                    "data": change,
                },
                {
                    "seq": 51,
                    "op": "delete",
                    "collection": "profile_entry",
                    "id": record_id,
                    "base_version": 1,
                    "data": {},
                },
            ],
        },
    ).json()
    assert [(r["outcome"], r["error"]) for r in push["results"]] == [("rejected", "error.sync.read_only")] * 2
    store = Store(tmp_path / "device.db", os.urandom(32))
    try:
        store.apply_changes(pull.changes, pull.cursor)
        item = store.get(record_id)
        assert item is not None and item.read_only
        with pytest.raises(ReadOnlyRecord):
            store.put("profile_entry", change, record_id=record_id)
        with pytest.raises(ReadOnlyRecord):
            store.delete(record_id)
    finally:
        store.close()

    entry = _log(world, tokens)[0]
    assert (entry["action"], entry["target"], entry["target_title"]) == ("write", "profile", "allergy")
    kinds = [n["kind"] for n in world.api.get("/api/v1/notifications", headers=bearer(tokens)).json()]
    assert "profile_entry_added" in kinds


def test_pro_entries_are_checked_and_limited_to_clinical_sections(world: World, patient) -> None:  # type: ignore[no-untyped-def]
    person, tokens = patient
    doctor = Pro(world, "doctor")
    missing = doctor.call(
        "POST", "/profile-entries", person, consent=True, json={"section": "illness", "data": {}}
    )
    assert (missing.status_code, missing.json()["code"]) == (422, "error.profile.required")
    assert "name" in missing.json()["params"]["fields"]
    for section in ("note", "wishes", "contact", "tobacco", "sleep", "nonsense"):
        refused = doctor.call(
            "POST",
            "/profile-entries",
            person,
            consent=True,
            json={"section": section, "data": {"title": "x"}},
        )
        assert (refused.status_code, refused.json()["code"]) == (403, "error.access.profile_not_writable")
    dentist = Pro(world, "dentist")
    refused = dentist.call(
        "POST",
        "/profile-entries",
        person,
        consent=True,
        json={"section": "vaccination", "data": {"vaccine": "dtp"}},
    )
    assert refused.json()["code"] == "error.access.profile_not_writable"
    with Session(world.ctx.engine) as session:
        holder_id = session.exec(select(Holder.id)).first()
        writes = session.exec(
            select(AccessEntry).where(AccessEntry.holder_id == holder_id, AccessEntry.action == "write")
        ).all()
    assert {(e.outcome, e.target) for e in writes} == {("refused", "profile")}
    assert len(writes) == 7
    assert _log(world, tokens)[0]["outcome"] == "refused"


def test_a_holder_entry_is_not_mixed_with_another_holders(world: World, patient) -> None:  # type: ignore[no-untyped-def]
    person, _ = patient
    other, other_tokens = world.active_person()
    doctor = Pro(world, "doctor")
    assert doctor.call("GET", "/profile", other, consent=True).json()["entries"] == []
    assert len(doctor.call("GET", "/profile", person, consent=True).json()["entries"]) == len(ALL) - 1
    assert world.api.get("/api/v1/pro/profile", headers=bearer(other_tokens)).status_code == 401


def test_the_professionals_cli_reads_and_adds(world: World, patient, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import httpx
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from backend_stub.commands import pro

    person, tokens = patient
    nurse = Pro(world, "nurse", name="Petit")
    app = world.api.app
    monkeypatch.setattr(
        httpx, "Client", lambda **kw: TestClient(app, base_url=kw["base_url"], headers=kw["headers"])
    )
    runner = CliRunner()
    base = ["--key", nurse.key, "--url", "http://testserver"]
    added = runner.invoke(
        pro.app,
        [
            *base,
            "add-entry",
            "--nir",
            person.nir,
            "--section",
            "treatment",
            "--field",
            "name=Paracétamol",
            "--field",
            "dose=1 g si douleur",
            "--consent",
        ],
    )
    assert added.exit_code == 0, added.output
    shown = runner.invoke(pro.app, [*base, "profile", "--nir", person.nir], env={"COLUMNS": "250"})
    assert shown.exit_code == 0, shown.output
    assert "Paracétamol" in shown.output and "Metformine" in shown.output
    assert "Penser à demander" not in shown.output  # the holder's notes are never shown
    refused = runner.invoke(
        pro.app, [*base, "add-entry", "--nir", person.nir, "--section", "note", "--field", "title=x"]
    )
    assert refused.exit_code == 1 and "profile_not_writable" in refused.output


def test_a_doctor_adds_a_blood_group_and_a_midwife_reads_it(world: World, patient) -> None:  # type: ignore[no-untyped-def]
    """Issue #17: the blood group is a clinical fact a professional may add, checked as the holder's."""
    person, tokens = patient
    doctor = Pro(world, "doctor")
    bad = doctor.call(
        "POST",
        "/profile-entries",
        person,
        consent=True,
        json={"section": "blood_group", "data": {"abo": "C"}},
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "error.profile.choice")
    added = doctor.call(
        "POST",
        "/profile-entries",
        person,
        consent=True,
        json={"section": "blood_group", "data": {"abo": "AB", "rh": "positive", "date": "2001-06-01"}},
    )
    assert added.status_code == 200, added.text
    midwife = Pro(world, "midwife")
    read = midwife.call("GET", "/profile", person, consent=True).json()
    groups = [e["data"] for e in read["entries"] if e["section"] == "blood_group"]
    assert {(g["abo"], g["rh"]) for g in groups} == {("O", "negative"), ("AB", "positive")}
    dentist = Pro(world, "dentist").call("GET", "/profile", person, consent=True).json()
    assert "blood_group" not in {e["section"] for e in dentist["entries"]}
    assert {"disability", "tobacco"} <= {e["section"] for e in dentist["entries"]}
