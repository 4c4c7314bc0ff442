"""Health content sealed at rest on the server (issue #15): a copy of the database (and its WAL)
holds none of it, envelopes are bound to their row, rows of before are sealed by `seal-existing`,
and `rotate-keys --reencrypt` seals everything again under fresh keys, resuming if stopped."""

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlmodel import Session, select
from typer.testing import CliRunner

from backend_stub.commands.server import app as cli
from backend_stub.context import Context, build_context
from backend_stub.core.config import Settings
from backend_stub.main import create_app
from backend_stub.models.accounts import Holder
from backend_stub.models.keys import HolderKey
from backend_stub.sealed_blobs import BlobDamaged, MasterKeys, SealedBlobStore
from backend_stub.services import reimbursements, resealing
from sync.protocol.identifiers import normalize_nir
from tests.backend.test_evidence_log import operator  # noqa: F401  (the operator's console)
from tests.backend.test_messages import pro_start, pulled, push
from tests.backend.test_record_access import Pro, holder_document
from tests.conftest import Person, World, bearer

MARK = "Zorglub"  # in every piece of health content below; never in the database


def _holder_id(world: World, person: Person) -> str:
    digest = world.ctx.hasher.digest("nir", normalize_nir(person.nir))
    with Session(world.ctx.engine) as session:
        return session.exec(select(Holder.id).where(Holder.nir_digest == digest)).one()


def _space_with_health_content(world: World, tmp_path: Path) -> tuple[Person, dict[str, str]]:
    """A holder's notes, allergy, document title; a doctor's message and emergency reason; a
    reimbursement: all written through the API (the reimbursement by the insurer's import)."""
    person, tokens = world.active_person()
    push(world, tokens, "note", "note0001", {"title": f"{MARK} note", "text": f"Mal de dos {MARK}"})
    entry = {"section": "allergy", "substance": f"Pénicilline {MARK}", "severity": "severe"}
    push(world, tokens, "profile_entry", "allergy1", entry)
    holder_document(world, tokens, f"Sérologie {MARK}", "lab_results")
    doctor = Pro(world, "doctor")
    assert doctor.call("GET", "/documents", person, consent=True).status_code == 200
    emergency = doctor.call("GET", "/documents", person, mode="emergency", reason=f"Inconscient {MARK}")
    assert emergency.status_code == 200
    assert pro_start(doctor, person, f"Résultats {MARK}", f"Votre bilan {MARK}").status_code == 200
    csv = tmp_path / "remb.csv"
    csv.write_text(
        "nir,date,care,professional,amount_paid,amount_reimbursed,kind,label\n"
        f"{person.nir},2026-01-03,Consultation {MARK},Dr {MARK},30,21,medicine,Doliprane {MARK}\n",
        encoding="utf-8",
    )
    with Session(world.ctx.engine) as session:
        assert reimbursements.import_csv(session=session, ctx=world.ctx, path=csv).imported == 1
    return person, tokens


def _every_value(ctx: Context) -> list[Any]:
    """Every value of every row of every table, as the database hands it out (a dump)."""
    values: list[Any] = []
    with ctx.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                values.extend(row)
    return values


def _holds(value: Any, mark: str) -> bool:
    if isinstance(value, memoryview | bytes):
        return mark.encode() in bytes(value)
    return mark in str(value)


def test_a_copy_of_the_database_holds_no_health_content(world: World, tmp_path: Path) -> None:
    person, tokens = _space_with_health_content(world, tmp_path)
    # The services and the API read everything as before.
    assert MARK in pulled(world, tokens, "note")[0]["data"]["text"]
    assert MARK in pulled(world, tokens, "message")[0]["data"]["body"]
    log = world.api.get("/api/v1/access-log", headers=bearer(tokens)).json()["entries"]
    assert any(MARK in e["detail"] for e in log)
    notes = world.api.get("/api/v1/notifications", headers=bearer(tokens)).json()
    assert any(MARK in str(n["params"].get("reason")) for n in notes)
    found = world.api.get(
        "/api/v1/reimbursements", params={"year": 2026, "q": MARK.lower()}, headers=bearer(tokens)
    )
    assert [i["professional"] for m in found.json()["months"] for i in m["items"]] == [f"Dr {MARK}"]
    # The database does not: neither its rows, nor (SQLite) the bytes of its file and WAL.
    assert not [v for v in _every_value(world.ctx) if _holds(v, MARK)]
    if world.ctx.settings.database_url.startswith("sqlite"):
        files = list(world.ctx.settings.data_dir.glob("ens.db*"))
        assert files and not [p for p in files if MARK.encode() in p.read_bytes()]


def test_an_envelope_opens_only_in_its_own_row(world: World, tmp_path: Path) -> None:
    person, tokens = world.active_person()
    push(world, tokens, "note", "note0001", {"title": "Ordinaire", "text": "rien"})
    push(world, tokens, "note", "note0002", {"title": "Secret", "text": f"{MARK}"})
    with world.ctx.engine.begin() as conn:  # a database writer moves one note's envelope to the other
        sealed = conn.execute(text("SELECT data FROM record WHERE id = 'note0002'")).scalar_one()
        conn.execute(text("UPDATE record SET data = :v WHERE id = 'note0001'"), {"v": sealed})
    server = TestClient(world.api.app, raise_server_exceptions=False)
    response = server.get("/api/v1/sync/pull", headers=bearer(tokens))
    assert response.status_code == 500 and MARK not in response.text  # refused, never shown elsewhere


def test_rows_of_before_are_sealed_by_seal_existing(world: World, operator: CliRunner) -> None:  # noqa: F811
    person, tokens = world.active_person()
    push(world, tokens, "note", "note0001", {"title": "Avant", "text": f"Écrit avant la mise à jour {MARK}"})
    with world.ctx.engine.begin() as conn:  # as migration 0017 leaves a row of before: its JSON, in clear
        plain = json.dumps({"title": "Avant", "text": f"Écrit avant la mise à jour {MARK}"}).encode()
        conn.execute(text("UPDATE record SET data = :v WHERE id = 'note0001'"), {"v": plain})
    assert MARK in pulled(world, tokens, "note")[0]["data"]["text"]  # read as it is meanwhile
    result = operator.invoke(cli, ["seal-existing"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "1 row(s) sealed" in result.output
    assert not [v for v in _every_value(world.ctx) if _holds(v, MARK)]
    assert MARK in pulled(world, tokens, "note")[0]["data"]["text"]
    again = operator.invoke(cli, ["seal-existing"], env={"COLUMNS": "200"})
    assert "0 row(s) sealed" in again.output


def test_reencryption_makes_fresh_keys_that_old_keys_and_backups_do_not_open(
    world: World,
    operator: CliRunner,  # noqa: F811
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    first, first_tokens = world.active_person()
    second, second_tokens = world.active_person()
    push(world, first_tokens, "note", "note0001", {"title": "Note", "text": MARK})
    push(world, second_tokens, "note", "note0001", {"title": "Note", "text": MARK})
    holder_document(world, first_tokens, "Compte rendu", "hospital_report")
    with world.ctx.engine.connect() as conn:
        upload_id, sha256 = conn.execute(text("SELECT id, sha256 FROM upload")).one()
        before = {
            bytes(v)
            for v in conn.execute(text("SELECT data FROM record WHERE collection = 'note'")).scalars()
        }
    blobs = settings.data_dir / "blobs"
    backup = tmp_path_factory.mktemp("backup") / "backup-of-the-key-files"
    shutil.copytree(blobs, backup, ignore=lambda _, names: [n for n in names if "." not in n and len(n) > 2])
    # After a compromise: a new master key first, the old one after it, and a re-encryption that
    # stops after the first holder (a crash), then runs again and resumes.
    old_master = (settings.data_dir / "master.keys").read_text().strip()
    new_master = MasterKeys.generate("k2")
    (settings.data_dir / "master.keys").write_text(f"{new_master},{old_master}")
    ids = sorted([_holder_id(world, first), _holder_id(world, second)])
    real = resealing.seal_holder

    def crashing(*, session: Session, holder_id: str, **kw: Any) -> int:
        if holder_id == ids[1]:
            raise RuntimeError("the machine went down")
        return real(session=session, holder_id=holder_id, **kw)

    monkeypatch.setattr(resealing, "seal_holder", crashing)
    assert operator.invoke(cli, ["rotate-keys", "--reencrypt"]).exit_code != 0
    monkeypatch.setattr(resealing, "seal_holder", real)
    resumed = operator.invoke(cli, ["rotate-keys", "--reencrypt"], env={"COLUMNS": "200"})
    assert resumed.exit_code == 0, resumed.output
    assert "1 holder(s)" in resumed.output and "1 file(s) rewritten" in resumed.output
    with Session(world.ctx.engine) as session:  # each holder got one new generation, the last kept
        keys = session.exec(select(HolderKey.holder_id, HolderKey.gen, HolderKey.kid)).all()
    assert sorted(keys) == sorted((h, g, "k2") for h in ids for g in (1, 2))
    with world.ctx.engine.connect() as conn:
        after = {
            bytes(v)
            for v in conn.execute(text("SELECT data FROM record WHERE collection = 'note'")).scalars()
        }
    assert after.isdisjoint(before) and {a[2:6] for a in after} == {(2).to_bytes(4, "big")}
    # The old master key with a backup of the key files opens nothing of today's file.
    scratch = settings.data_dir.parent / "attacker" / upload_id[:2]
    scratch.mkdir(parents=True)
    (today,) = (blobs / upload_id[:2]).glob(f"{upload_id}.*[0-9]")
    shutil.copy(today, scratch / upload_id)
    shutil.copy(backup / upload_id[:2] / f"{upload_id}.key", scratch / f"{upload_id}.key")
    with pytest.raises(BlobDamaged):
        SealedBlobStore(scratch.parent, MasterKeys.parse(old_master)).open(upload_id)
    # With the new master key alone, everything reads: the file, and the records through the API.
    assert SealedBlobStore(blobs, MasterKeys.parse(new_master)).sha256(upload_id) == sha256
    renewed = build_context(settings.model_copy(update={"master_keys": new_master}), clock=world.ctx.clock)
    try:
        api = TestClient(create_app(renewed))
        notes = api.get("/api/v1/sync/pull", headers=bearer(second_tokens)).json()["changes"]
        assert [n["data"]["text"] for n in notes if n["collection"] == "note"] == [MARK]
        document = next(
            c["id"]
            for c in api.get("/api/v1/sync/pull", headers=bearer(first_tokens)).json()["changes"]
            if c["collection"] == "document"
        )
        assert (
            api.get(f"/api/v1/sync/records/{document}/content", headers=bearer(first_tokens)).status_code
            == 200
        )
    finally:
        renewed.engine.dispose()
