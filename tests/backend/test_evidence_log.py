"""The access log against whoever can write the database (issue #15): rewriting entries, cutting
the end of a log, erasing it; checkpoints signed outside the database; old logs linked again.

The entries are made through the API (a doctor reading the record); the attacks are what a
database writer can do with SQL alone; `verify-log` is the operator's command, run in-process.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from backend_stub.commands.server import app as cli
from backend_stub.context import Context
from backend_stub.core.clock import FixedClock
from backend_stub.core.config import Settings, get_settings
from backend_stub.models.access_log import AccessEntry
from backend_stub.models.accounts import Holder
from backend_stub.services import audit, space
from sync.protocol.identifiers import normalize_nir
from tests.backend.test_record_access import Pro, holder_document
from tests.conftest import PASSWORD, Person, World, bearer

READS = 5


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A checkpoint every 3 entries, so that the test's reads are signed without waiting."""
    return settings.model_copy(update={"checkpoint_every": 3})


@pytest.fixture
def operator(settings: Settings, ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The operator's console, on the test's database, data directory and keys."""
    monkeypatch.setenv("ENS_ENV", "test")
    monkeypatch.setenv("ENS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ENS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ENS_SECRET_KEY", settings.secret_key)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _logged(world: World) -> tuple[Person, str]:
    """A patient whose record a doctor read READS times; the log is checkpointed."""
    person, tokens = world.active_person()
    holder_document(world, tokens, "Compte rendu", "hospital_report")
    doctor = Pro(world, "doctor")
    for n in range(READS):
        assert doctor.call("GET", "/documents", person, consent=n == 0).status_code == 200
    world.ctx.evidence.checkpoints.flush()
    digest = world.ctx.hasher.digest("nir", normalize_nir(person.nir))
    with Session(world.ctx.engine) as session:
        holder = session.exec(select(Holder).where(Holder.nir_digest == digest)).one()
    assert holder.log_seq == READS
    return person, holder.id


def _verify(operator: CliRunner) -> tuple[int, str]:
    result = operator.invoke(cli, ["verify-log"], env={"COLUMNS": "250"})
    return result.exit_code, result.output


def test_an_untouched_log_verifies(world: World, operator: CliRunner) -> None:
    _logged(world)
    code, output = _verify(operator)
    assert code == 0, output
    assert "0 broken, 0 checkpoint problem(s)" in output


def test_rewriting_an_entry_and_the_links_after_it_is_found(world: World, operator: CliRunner) -> None:
    _, holder_id = _logged(world)
    with Session(world.ctx.engine) as session:  # what a database writer can compute: plain SHA-256
        prev = session.get(AccessEntry, (holder_id, 1)).hash  # type: ignore[union-attr]
        for seq in range(2, READS + 1):
            entry = session.get(AccessEntry, (holder_id, seq))
            assert entry is not None
            if seq == 2:
                entry.actor_name = "Quelqu'un d'autre"
            entry.prev_hash = prev
            entry.hash = prev = audit.legacy_digest(entry)
            session.add(entry)
        session.execute(update(Holder).where(col(Holder.id) == holder_id).values(log_head=prev))
        session.commit()
    code, output = _verify(operator)
    assert code == 1
    assert f"Holder {holder_id}: rewritten at entry 2" in output


def test_cutting_the_end_of_a_log_is_found(world: World, operator: CliRunner) -> None:
    _, holder_id = _logged(world)
    with Session(world.ctx.engine) as session:  # drop the last two, move the head back: links hold
        kept = session.get(AccessEntry, (holder_id, READS - 2))
        assert kept is not None
        session.execute(
            delete(AccessEntry).where(
                col(AccessEntry.holder_id) == holder_id, col(AccessEntry.seq) > READS - 2
            )
        )
        session.execute(
            update(Holder).where(col(Holder.id) == holder_id).values(log_seq=READS - 2, log_head=kept.hash)
        )
        session.commit()
        assert audit.verify(session=session, holder_id=holder_id) is None  # the links alone see nothing
    code, output = _verify(operator)
    assert code == 1
    assert f"Holder {holder_id}: truncated at entry {READS - 1}" in output
    assert f"signed {READS} entries, the database has {READS - 2}" in output


def test_erasing_a_log_is_found(world: World, operator: CliRunner) -> None:
    _, holder_id = _logged(world)
    with Session(world.ctx.engine) as session:
        session.execute(delete(AccessEntry).where(col(AccessEntry.holder_id) == holder_id))
        session.execute(update(Holder).where(col(Holder.id) == holder_id).values(log_seq=0, log_head=""))
        session.commit()
    code, output = _verify(operator)
    assert code == 1
    assert f"Holder {holder_id}: erased at entry 1" in output


def _checkpoint_lines(settings: Settings) -> list[Path]:
    assert settings.checkpoint_dir is not None
    return sorted(settings.checkpoint_dir.glob("*.jsonl"))


def test_checkpoints_are_signed_chained_and_hold_only_the_heads_that_moved(
    world: World, operator: CliRunner, settings: Settings
) -> None:
    _, first = _logged(world)
    _, second = _logged(world)
    (day,) = _checkpoint_lines(settings)
    lines = [json.loads(line) for line in day.read_text().splitlines()]
    assert [c["n"] for c in lines] == list(range(1, len(lines) + 1))
    assert set(lines[-1]["heads"]) == {second}  # the first holder's head did not move since
    assert any(first in c["heads"] for c in lines)
    # A forged head (no key to sign it) and a checkpoint taken out of the middle are both seen.
    forged = lines[-1] | {"heads": {first: [READS + 3, "f" * 64]}}
    day.write_text("\n".join(json.dumps(c) for c in [lines[0], *lines[2:-1], forged]) + "\n")
    code, output = _verify(operator)
    assert code == 1
    assert f"{day.name}:2: checkpoint chain broken" in output
    assert "signature invalid" in output


def test_old_logs_are_linked_again_under_the_key(world: World, operator: CliRunner) -> None:
    """A log of before issue #15 (plain SHA-256, no key id): `seal-existing` links it under the
    log key after checking it; a chain already broken is left alone and reported."""
    intact, broken = _logged(world)[1], _logged(world)[1]
    with Session(world.ctx.engine) as session:
        for holder_id in (intact, broken):
            prev = audit.GENESIS
            for entry in session.exec(
                select(AccessEntry).where(AccessEntry.holder_id == holder_id).order_by(col(AccessEntry.seq))
            ):
                entry.kid, entry.prev_hash = "", prev
                entry.hash = prev = audit.legacy_digest(entry)
                session.add(entry)
            session.execute(update(Holder).where(col(Holder.id) == holder_id).values(log_head=prev))
        tampered = session.get(AccessEntry, (broken, 3))
        assert tampered is not None
        tampered.detail = "changed before the upgrade"
        session.add(tampered)
        session.commit()
        assert audit.verify(session=session, holder_id=intact) == 1  # an old link is not an HMAC
    result = operator.invoke(cli, ["seal-existing"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert f"Holder {broken}: its old log was already broken" in result.output
    with Session(world.ctx.engine) as session:
        assert audit.verify(session=session, holder_id=intact) is None
        assert {e.kid for e in session.exec(select(AccessEntry).where(AccessEntry.holder_id == intact))} == {
            world.ctx.evidence.keys.current
        }
        assert audit.verify(session=session, holder_id=broken) == 1


def test_a_space_purged_after_ten_years_is_not_an_erased_log(
    world: World, operator: CliRunner, clock: FixedClock
) -> None:
    person, holder_id = _logged(world)
    tokens = world.login(person)
    assert world.api.post(
        "/api/v1/space/close", json={"password": PASSWORD}, headers=bearer(tokens)
    ).is_success
    clock.advance(days=3652)
    with Session(world.ctx.engine) as session:
        assert space.purge_due_spaces(session=session, ctx=world.ctx) == 1
    last = _checkpoint_lines(world.ctx.settings)[-1]  # ten years on: another day's file
    assert json.loads(last.read_text().splitlines()[-1])["purged"] == [holder_id]
    code, output = _verify(operator)
    assert code == 0, output
