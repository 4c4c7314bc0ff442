"""A person's rights (issue #18): the research opt-out and its cohort (art. 71), complaints to the
authority (art. 21), and the access log kept 3 years after closure whatever the archive (art. 9)."""

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from backend_stub.commands import server as cli
from backend_stub.core.clock import FixedClock
from backend_stub.core.config import Settings
from backend_stub.models.accounts import Holder
from backend_stub.services import research, space
from tests.backend.test_record_access import Pro
from tests.conftest import PASSWORD, World, bearer

A = "/api/v1"


def _id(world: World, tokens: dict[str, str]) -> str:
    return str(world.api.get(f"{A}/me", headers=bearer(tokens)).json()["id"])


def _cohort(world: World, batch: int = 2) -> list[str]:
    found, after = [], ""
    with Session(world.ctx.engine) as session:
        while ids := research.cohort(session=session, after=after, limit=batch):
            found, after = found + ids, ids[-1]
    return found


def test_an_opted_out_holder_never_appears_in_a_cohort(world: World, clock: FixedClock) -> None:
    people = [world.active_person() for _ in range(5)]
    ids = [_id(world, t) for _, t in people]
    pending = world.enrol()  # never activated: not in any cohort
    assert sorted(_cohort(world)) == sorted(ids)
    h = bearer(people[1][1])
    assert world.api.get(f"{A}/research", headers=h).json() == {"opted_out": False, "history": []}

    out = world.api.put(f"{A}/research", headers=h, json={"opted_out": True}).json()
    assert out["opted_out"] is True and len(out["history"]) == 1
    assert ids[1] not in _cohort(world) and len(_cohort(world)) == 4
    # The same choice again is no change; changing one's mind is, and the history keeps both.
    assert len(world.api.put(f"{A}/research", headers=h, json={"opted_out": True}).json()["history"]) == 1
    clock.advance(days=1)
    h = bearer(world.login(people[1][0]))
    back = world.api.put(f"{A}/research", headers=h, json={"opted_out": False}).json()
    assert [c["opted_out"] for c in back["history"]] == [False, True]
    assert ids[1] in _cohort(world)
    assert world.api.put(f"{A}/research", headers=h, json={"opted_out": True}).json()["opted_out"]
    for batch in (1, 2, 10):  # whatever the page size, an opted-out holder never appears
        assert sorted(_cohort(world, batch)) == sorted(ids[:1] + ids[2:])
    del pending


def test_the_cohort_command_writes_ids_to_a_file(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, kept = world.active_person()
    _, out = world.active_person()
    world.api.put(f"{A}/research", headers=bearer(out), json={"opted_out": True})
    monkeypatch.setattr(cli, "command_context", lambda: world.ctx)
    target = tmp_path / "cohort.txt"
    done = CliRunner().invoke(cli.app, ["research-cohort", "--out", str(target), "--batch", "1"])
    assert done.exit_code == 0, done.output
    assert target.read_text().split() == [_id(world, kept)]
    assert _id(world, kept) not in done.output  # ids go to the file, not the screen


def _outbox(world: World) -> list[dict[str, str]]:
    folder = world.ctx.settings.outbox_dir
    return [json.loads(p.read_text()) for p in sorted(Path(folder).glob("*.json"))]


def test_a_complaint_goes_to_the_authority_with_its_context(world: World) -> None:
    person, tokens = world.active_person()
    h = bearer(tokens)
    Pro(world, "doctor", name="Curieux").titles(person, consent=True)
    seq = world.api.get(f"{A}/access-log", headers=h).json()["entries"][0]["seq"]
    assert world.api.post(f"{A}/complaints", headers=h, json={"text": "x"}).json()["code"] == (
        "error.rights.text_empty"
    )
    assert (
        world.api.post(
            f"{A}/complaints", headers=h, json={"text": "Accès abusif", "access_seq": 999}
        ).status_code
        == 404
    )
    sent = world.api.post(
        f"{A}/complaints", headers=h, json={"text": "Je ne connais pas ce médecin.", "access_seq": seq}
    )
    assert sent.status_code == 200, sent.text
    assert sent.json()["authority"] == world.ctx.settings.complaint_authority
    mail = next(m for m in _outbox(world) if m["to"] == world.ctx.settings.complaint_authority)
    assert "Je ne connais pas ce médecin." in mail["body"] and "Alex Curieux" in mail["body"]
    assert sent.json()["id"] in mail["subject"]
    at = datetime.fromisoformat(world.api.get(f"{A}/access-log", headers=h).json()["entries"][0]["at"])
    assert f"{at.astimezone(ZoneInfo('Europe/Paris')):%H:%M}" in mail["body"]  # no zone named: France's
    assert "janvier 2026 à" in mail["body"] and at.isoformat() not in mail["body"]
    body = {"text": "Toujours pas.", "access_seq": seq, "zone": "America/New_York"}
    assert world.api.post(f"{A}/complaints", headers=h, json=body).status_code == 200
    mail = [m for m in _outbox(world) if "Toujours pas." in m["body"]][0]
    local = at.astimezone(ZoneInfo("America/New_York"))
    assert f"{local.day} janvier 2026 à {local:%H:%M}" in mail["body"]  # the person's zone
    listed = world.api.get(f"{A}/complaints", headers=h).json()
    assert [(c["text"], c["access_seq"]) for c in listed] == [
        ("Toujours pas.", seq),
        ("Je ne connais pas ce médecin.", seq),
    ]
    _, other = world.active_person()
    assert world.api.get(f"{A}/complaints", headers=bearer(other)).json() == []


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """An archive shorter than the access log's 3 years (a configuration mistake, or a choice)."""
    return Settings(
        env="test",
        data_dir=tmp_path,
        database_url=db_url,
        secret_key="test-secret-" + "x" * 32,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
        archive_years=1,
    )


def test_the_access_log_outlives_a_short_archive_by_three_years(world: World, clock: FixedClock) -> None:
    person, tokens = world.active_person()
    holder_id = _id(world, tokens)
    Pro(world, "doctor").titles(person, consent=True)
    assert (
        world.api.post(f"{A}/space/close", headers=bearer(tokens), json={"password": PASSWORD}).status_code
        == 200
    )
    clock.advance(days=366 * 2)  # the archive's year is long gone
    with Session(world.ctx.engine) as session:
        assert space.purge_due_spaces(session=session, ctx=world.ctx) == 0
        assert session.get(Holder, holder_id) is not None
    clock.advance(days=365 + 2)  # three calendar years after closure
    with Session(world.ctx.engine) as session:
        assert space.purge_due_spaces(session=session, ctx=world.ctx) == 1
        assert session.get(Holder, holder_id) is None
