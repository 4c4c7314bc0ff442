"""A command run on a fresh data folder creates the schema first (issue #19: `enrol` before
`migrate` printed a traceback)."""

from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from backend_stub.commands.server import app as cli
from backend_stub.core.config import get_settings
from backend_stub.db import make_engine
from backend_stub.models.accounts import Holder


def test_enrol_on_a_fresh_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "never-used"
    monkeypatch.setenv("ENS_DATA_DIR", str(folder))
    monkeypatch.setenv("ENS_ENV", "test")
    monkeypatch.delenv("ENS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            cli,
            ["enrol", "--nir", "1 85 05 75 000 001 47", "--vitale", "40000001", "--first-name", "Camille",
             "--last-name", "Martin", "--birth-date", "1985-05-01", "--email", "camille@exemple.fr"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "Enrolled" in result.output and result.exception is None
        engine = make_engine(get_settings().database_url)
        with Session(engine) as session:
            assert [h.first_name for h in session.exec(select(Holder))] == ["Camille"]
        engine.dispose()
    finally:
        get_settings.cache_clear()
