"""What people type is printed as text in the operators' consoles, never read as Rich markup
(issue #15): no blinking, no link whose words hide its target, nothing hidden."""

import pytest
from typer.testing import CliRunner

from backend_stub.commands import server as cli
from tests.backend.test_record_access import Pro, holder_document
from tests.conftest import World, bearer

HOSTILE = "[blink]Urgent[/blink] [link=https://evil.example]Votre caisse[/link] [conceal]caché[/conceal]"


def _console(world: World, monkeypatch: pytest.MonkeyPatch, command: str) -> str:
    monkeypatch.setattr(cli, "command_context", lambda: world.ctx)
    result = CliRunner().invoke(cli.app, [command], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    return result.output


def test_a_correction_request_is_printed_as_typed(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _, tokens = world.active_person()
    asked = world.api.post(
        "/api/v1/administrative/corrections",
        headers=bearer(tokens),
        json={"field": "postal_address", "value": HOSTILE, "note": HOSTILE},
    )
    assert asked.status_code == 200, asked.text
    output = _console(world, monkeypatch, "corrections")
    assert output.count(HOSTILE) == 2
    assert "\x1b" not in output


def test_a_reported_access_is_printed_as_typed(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    person, tokens = world.active_person()
    holder_document(world, tokens, "Radio", "imaging_report")
    doctor = Pro(world, "doctor")
    world.api.post(
        f"/api/v1/professionals/{doctor.id}/authorise", json={"until": None}, headers=bearer(tokens)
    )
    doctor.titles(person)
    seq = world.api.get("/api/v1/access-log", headers=bearer(tokens)).json()["entries"][0]["seq"]
    reported = world.api.post(
        f"/api/v1/access-log/{seq}/report", json={"note": HOSTILE}, headers=bearer(tokens)
    )
    assert reported.status_code == 200, reported.text
    output = _console(world, monkeypatch, "access-reports")
    assert HOSTILE in output and "\x1b" not in output
