"""'Report this access': the holder flags a line of their log, with a note, and may block its author."""

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from backend_stub.commands import server as cli
from backend_stub.models.access_log import AccessReport
from tests.backend.test_record_access import Pro, holder_document
from tests.conftest import World, bearer


def _log(world: World, tokens: dict[str, str]) -> list[dict[str, object]]:
    response = world.api.get("/api/v1/access-log", headers=bearer(tokens))
    assert response.status_code == 200
    entries: list[dict[str, object]] = response.json()["entries"]
    return entries


def test_report_with_a_note_then_block(world: World) -> None:
    person, tokens = world.active_person()
    holder_document(world, tokens, "Bilan sanguin", "lab_results")
    doctor = Pro(world, "doctor")
    authorised = world.api.post(
        f"/api/v1/professionals/{doctor.id}/authorise", json={"until": None}, headers=bearer(tokens)
    )
    assert authorised.status_code == 200, authorised.text
    assert doctor.titles(person) == ["Bilan sanguin"]
    seq = _log(world, tokens)[0]["seq"]
    assert _log(world, tokens)[0]["reported"] is False

    first = world.api.post(
        f"/api/v1/access-log/{seq}/report",
        json={"note": "Je ne connais pas ce médecin"},
        headers=bearer(tokens),
    )
    assert first.status_code == 200, first.text
    assert first.json()["blocked"] is False
    assert _log(world, tokens)[0]["reported"] is True
    assert doctor.titles(person) == ["Bilan sanguin"]  # a report alone does not block

    again = world.api.post(
        f"/api/v1/access-log/{seq}/report",
        json={"note": "Toujours pas", "block": True},
        headers=bearer(tokens),
    )
    assert again.json() == again.json() | {"note": "Toujours pas", "blocked": True}
    refused = doctor.call("GET", "/documents", person)
    assert refused.status_code == 403
    log = _log(world, tokens)
    assert log[0]["outcome"] == "refused" and log[0]["detail"] == "error.access.blocked"
    with Session(world.ctx.engine) as session:
        reports = session.exec(select(AccessReport)).all()
    assert [(r.entry_seq, r.note, r.blocked, r.actor_id) for r in reports] == [
        (seq, "Toujours pas", True, doctor.id)
    ]


def test_only_lines_of_ones_own_log_can_be_reported(world: World) -> None:
    person, tokens = world.active_person()
    holder_document(world, tokens, "Radio", "imaging_report")
    doctor = Pro(world, "doctor")
    world.api.post(
        f"/api/v1/professionals/{doctor.id}/authorise", json={"until": None}, headers=bearer(tokens)
    )
    doctor.titles(person)
    seq = _log(world, tokens)[0]["seq"]
    _, other = world.active_person()
    stolen = world.api.post(f"/api/v1/access-log/{seq}/report", json={"block": True}, headers=bearer(other))
    assert stolen.status_code == 404
    assert world.api.post(f"/api/v1/access-log/{seq}/report", json={}).status_code == 401
    assert world.api.post("/api/v1/access-log/999/report", json={}, headers=bearer(tokens)).status_code == 404
    too_long = world.api.post(
        f"/api/v1/access-log/{seq}/report", json={"note": "x" * 1001}, headers=bearer(tokens)
    )
    assert too_long.status_code == 422
    assert doctor.titles(person) == ["Radio"]
    assert _log(world, tokens)[0]["reported"] is False


def test_the_insurer_lists_reports(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    person, tokens = world.active_person()
    holder_document(world, tokens, "Radio", "imaging_report")
    doctor = Pro(world, "doctor")
    world.api.post(
        f"/api/v1/professionals/{doctor.id}/authorise", json={"until": None}, headers=bearer(tokens)
    )
    doctor.titles(person)
    seq = _log(world, tokens)[0]["seq"]
    world.api.post(f"/api/v1/access-log/{seq}/report", json={"note": "Inconnu"}, headers=bearer(tokens))
    monkeypatch.setattr(cli, "command_context", lambda: world.ctx)
    result = CliRunner().invoke(cli.app, ["access-reports"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Inconnu" in result.output and doctor.id in result.output
