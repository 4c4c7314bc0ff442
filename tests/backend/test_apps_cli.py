"""The administrator's commands for the catalogue: add, update, suspend, reactivate, list."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from backend_stub.commands.server import app as cli
from backend_stub.core.config import get_settings
from backend_stub.db import make_engine
from backend_stub.migrate import upgrade
from backend_stub.models.apps import App

ADD = [
    "apps",
    "add",
    "balance-cli",
    "--name",
    "Balance CLI",
    "--publisher",
    "Exemple SAS",
    "--category",
    "wellness",
    "--scope",
    "measurements.write",
    "--redirect-uri",
    "http://127.0.0.1/callback",
    "--description-fr",
    "Une balance",
]


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("ENS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ENS_ENV", "test")
    monkeypatch.delenv("ENS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    upgrade(get_settings().database_url)
    yield CliRunner()
    get_settings.cache_clear()


def stored(app_id: str) -> App | None:
    engine = make_engine(get_settings().database_url)
    try:
        with Session(engine) as session:
            return session.get(App, app_id)
    finally:
        engine.dispose()


def test_add_update_suspend_reactivate_list(runner: CliRunner) -> None:
    added = runner.invoke(cli, ADD)
    assert added.exit_code == 0, added.output
    assert "Added balance-cli (Balance CLI, Exemple SAS): active" in added.output
    app = stored("balance-cli")
    assert app is not None and app.scopes == ["measurements.write"] and app.description_fr == "Une balance"

    updated = runner.invoke(
        cli,
        ["apps", "update", "balance-cli", "--scope", "measurements.read", "--scope", "measurements.write"],
    )
    assert updated.exit_code == 0, updated.output
    app = stored("balance-cli")
    assert app is not None and app.scopes == ["measurements.read", "measurements.write"]
    assert app.name == "Balance CLI"  # what was not given stays

    assert runner.invoke(cli, ["apps", "suspend", "balance-cli"]).exit_code == 0
    app = stored("balance-cli")
    assert app is not None and app.status == "suspended"
    listed = runner.invoke(cli, ["apps", "list"], env={"COLUMNS": "200"})
    assert "balance-cli" in listed.output and "suspended" in listed.output
    assert runner.invoke(cli, ["apps", "reactivate", "balance-cli"]).exit_code == 0
    app = stored("balance-cli")
    assert app is not None and app.status == "active"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--category", "astrology"], "category must be one of"),
        (["--scope", "everything.read"], "scopes must be among"),
        (["--redirect-uri", "http://evil.example/cb"], "redirect URI must be https"),
    ],
)
def test_bad_details_are_refused_in_words(runner: CliRunner, change: list[str], message: str) -> None:
    args = list(ADD)
    flag = change[0]
    index = args.index(flag)
    args[index + 1] = change[1]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2 and message in result.output
    assert stored("balance-cli") is None


def test_the_same_app_twice_and_an_unknown_one(runner: CliRunner) -> None:
    assert runner.invoke(cli, ADD).exit_code == 0
    again = runner.invoke(cli, ADD)
    assert again.exit_code == 2 and "already exists" in again.output
    missing = runner.invoke(cli, ["apps", "suspend", "nobody"])
    assert missing.exit_code == 2 and "no app nobody" in missing.output
