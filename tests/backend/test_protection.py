"""Adults under legal protection (issue #16 part 3): the insurer records a court's measure; the
representative acts within its kind; a curatelle assists (the person keeps their login and sees
all the curator does); ending the measure ends access at once."""

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer.testing import CliRunner

from backend_stub.commands.server import app as cli
from backend_stub.context import Context
from backend_stub.core.config import get_settings
from backend_stub.demo import nir_for
from backend_stub.main import create_app
from backend_stub.migrate import upgrade
from backend_stub.services import helpers
from tests.backend.test_children import log_of, pulled_ids
from tests.backend.test_helpers import TODAY, as_helper, code, push
from tests.conftest import PASSWORD, Person, World, bearer

A = "/api/v1"
APPOINTMENT = {"date": "2026-02-01", "time": "09:00", "reason": "Gériatre"}


@pytest.fixture
def world(ctx: Context) -> World:
    return World(ctx, TestClient(create_app(ctx), base_url="https://testserver"))


def measure(world: World, kind: str) -> tuple[Person, dict[str, str], str, Person, dict[str, str]]:
    """(protected, tokens, protected id, representative, tokens) under a measure of `kind`."""
    protected, protected_tokens = world.active_person()
    representative, tokens = world.active_person()
    with Session(world.ctx.engine) as session:
        made = helpers.add_measure(
            session=session,
            ctx=world.ctx,
            protected_nir=protected.nir,
            representative_nir=representative.nir,
            kind=kind,
            starts_on=TODAY,
            ends_on=TODAY + timedelta(days=5 * 365),
        )
        protected_id = made.protected_id
    return protected, protected_tokens, protected_id, representative, tokens


@pytest.mark.parametrize("kind", ["tutelle", "habilitation"])
def test_a_representative_acts_as_a_parent_does(world: World, kind: str) -> None:
    _, protected_tokens, protected_id, _, tokens = measure(world, kind)
    h = as_helper(tokens, protected_id)
    added = push(world, h, "note", {"title": "Aide à domicile", "body": "mardi"}, "note-rep-1")
    assert added.json()["results"][0]["outcome"] == "applied", added.text
    shown = world.api.put(
        f"{A}/emergency-settings", headers=h, json={"emergency_access": True, "regulator_access": True}
    )
    assert shown.status_code == 200  # represents: the settings a parent may change too
    closing = world.api.post(f"{A}/space/close", headers=h, json={"password": PASSWORD})
    assert closing.status_code == 403 and code(closing) == "error.helpers.not_allowed"
    assert "note-rep-1" in pulled_ids(world, bearer(protected_tokens))  # the person keeps their login
    assert any(e["mode"] == kind for e in log_of(world, bearer(protected_tokens)))


def test_a_curatelle_assists_it_does_not_replace(world: World) -> None:
    _, protected_tokens, protected_id, _, tokens = measure(world, "curatelle")
    h = as_helper(tokens, protected_id)
    added = push(world, h, "appointment", APPOINTMENT, "appt-cur-1")
    assert added.json()["results"][0]["outcome"] == "applied", added.text
    settings = world.api.put(
        f"{A}/emergency-settings", headers=h, json={"emergency_access": False, "regulator_access": False}
    )
    assert settings.status_code == 403 and code(settings) == "error.helpers.not_allowed"
    assert world.api.get(f"{A}/messages/x/attachments/0", headers=h).status_code == 403
    assert "appt-cur-1" in pulled_ids(world, bearer(protected_tokens))
    lines = [e for e in log_of(world, bearer(protected_tokens)) if e["mode"] == "curatelle"]
    assert {e["outcome"] for e in lines} == {"allowed", "refused"}


def test_ending_the_measure_ends_access_at_once(world: World) -> None:
    protected, _, protected_id, representative, tokens = measure(world, "tutelle")
    h = as_helper(tokens, protected_id)
    assert world.api.get(f"{A}/sync/pull", headers=h).status_code == 200
    with Session(world.ctx.engine) as session:
        ended = helpers.end_measure(
            session=session, ctx=world.ctx, protected_nir=protected.nir, representative_nir=representative.nir
        )
    assert ended == 1
    refused = world.api.get(f"{A}/sync/pull", headers=h)
    assert refused.status_code == 403 and code(refused) == "error.helpers.ended"


def test_a_measure_past_its_review_date_gives_no_access(world: World, clock: Any) -> None:
    _, _, protected_id, representative, _ = measure(world, "curatelle")
    clock.advance(days=5 * 365 + 2)
    tokens = world.login(representative)
    assert (
        code(world.api.get(f"{A}/sync/pull", headers=as_helper(tokens, protected_id)))
        == "error.helpers.ended"
    )


def test_a_death_ends_measures_and_delegations(world: World) -> None:
    protected, _, protected_id, _, tokens = measure(world, "tutelle")
    with Session(world.ctx.engine) as session:
        assert helpers.record_death(session=session, ctx=world.ctx, nir=protected.nir) == 1
    assert (
        code(world.api.get(f"{A}/sync/pull", headers=as_helper(tokens, protected_id)))
        == "error.helpers.ended"
    )


def test_bad_measures_are_refused(world: World) -> None:
    protected, _ = world.active_person()
    representative, _ = world.active_person()
    cases: list[dict[str, Any]] = [
        {"kind": "sauvegarde"},
        {"representative_nir": protected.nir},
        {"ends_on": TODAY - timedelta(days=1)},
        {"protected_nir": "2" * 15},
    ]
    for case in cases:
        args: dict[str, Any] = {
            "protected_nir": protected.nir,
            "representative_nir": representative.nir,
            "kind": "tutelle",
            "starts_on": TODAY,
            "ends_on": date(2031, 1, 1),
        } | case
        with Session(world.ctx.engine) as session, pytest.raises(ValueError):
            helpers.add_measure(session=session, ctx=world.ctx, **args)


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("ENS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ENS_ENV", "test")
    monkeypatch.delenv("ENS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    upgrade(get_settings().database_url)
    yield CliRunner()
    get_settings.cache_clear()


def test_the_insurers_command_says_what_it_refuses(runner: CliRunner) -> None:
    nir, other = nir_for(1), nir_for(2)
    base = [
        "protection",
        "add",
        "--protected-nir",
        nir,
        "--representative-nir",
        other,
        "--start",
        "2026-01-05",
    ]
    unknown = runner.invoke(cli, [*base, "--kind", "tutelle", "--end", "2031-01-05"])
    assert unknown.exit_code == 2 and "enrolled" in unknown.output
    wrong = runner.invoke(cli, [*base[:3], "123", *base[4:], "--kind", "tutelle", "--end", "2031-01-05"])
    assert wrong.exit_code == 2
    ended = runner.invoke(cli, ["protection", "end", "--protected-nir", nir, "--representative-nir", other])
    assert ended.exit_code == 0 and "nothing changed" in ended.output
