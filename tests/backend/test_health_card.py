"""The signed vaccination record (issue #18 part 3): a SMART Health Card of the holder's
vaccinations, checked with the issuer's published keys; any modified record is rejected, by the
check and by the `verify-card` command."""

import base64
import json
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backend_stub.commands import server as cli
from sync.protocol import health_card
from tests.backend.test_record_access import Pro
from tests.conftest import World, bearer

A = "/api/v1"


def _card(world: World) -> tuple[dict[str, str], dict, str]:  # type: ignore[type-arg]
    person, tokens = world.active_person()
    mine = {
        "seq": 1,
        "op": "upsert",
        "collection": "profile_entry",
        "id": "entry-vaccine",
        "base_version": 0,
        "data": {"section": "vaccination", "vaccine": "influenza", "date": "2025-10-15", "batch": "LOT42"},
    }
    push = {"client_id": "phone-0001", "mutations": [mine]}
    assert world.api.post(f"{A}/sync/push", headers=bearer(tokens), json=push).status_code == 200
    doctor = Pro(world, "doctor", name="Vaccin")
    body = {"section": "vaccination", "data": {"vaccine": "dtp", "date": "2024-01-10"}}
    assert doctor.call("POST", "/profile-entries", person, consent=True, json=body).status_code == 200
    card = world.api.get(f"{A}/health-card", headers=bearer(tokens)).json()
    keys = world.api.get(f"{A}/issuer/.well-known/jwks.json").json()  # public: no token
    return card, keys, health_card.from_qr(card["qr"])


def test_the_card_holds_the_vaccinations_and_verifies(world: World) -> None:
    card, keys, jws = _card(world)
    assert card["vaccinations"] == 2 and jws == card["jws"]
    assert card["qr"].startswith("shc:/") and card["qr"][5:].isdigit()
    header = json.loads(base64.urlsafe_b64decode(jws.split(".")[0] + "=="))
    assert header["alg"] == "ES256" and header["zip"] == "DEF" and header["kid"] == keys["keys"][0]["kid"]
    issuer = f"{world.ctx.settings.public_api_url}/api/v1/issuer"
    payload = health_card.verify(jws, keys, issuer)
    assert payload["vc"]["type"] == health_card.CARD_TYPES
    entries = payload["vc"]["credentialSubject"]["fhirBundle"]["entry"]
    assert entries[0]["resource"]["resourceType"] == "Patient"
    shots = [e["resource"] for e in entries[1:]]
    assert [s["occurrenceDateTime"] for s in shots] == ["2024-01-10", "2025-10-15"]  # oldest first
    by_doctor, by_holder = shots
    assert (
        by_doctor["primarySource"] is True and by_doctor["performer"][0]["actor"]["display"] == "Alex Vaccin"
    )
    assert by_holder["primarySource"] is False and by_holder["reportOrigin"]["text"] == "saisi par le patient"
    assert by_holder["lotNumber"] == "LOT42"


def _with_payload(jws: str, change: dict) -> str:  # type: ignore[type-arg]
    """The same header and signature around a changed payload (what a forger would try)."""
    header, payload, signature = jws.split(".")
    data = health_card.payload_of(jws)
    data["vc"]["credentialSubject"]["fhirBundle"]["entry"][1]["resource"].update(change)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = deflate.compress(json.dumps(data, separators=(",", ":")).encode()) + deflate.flush()
    forged = base64.urlsafe_b64encode(packed).decode().rstrip("=")
    assert forged != payload
    return f"{header}.{forged}.{signature}"


def test_a_modified_record_is_rejected(world: World) -> None:
    _, keys, jws = _card(world)
    issuer = f"{world.ctx.settings.public_api_url}/api/v1/issuer"
    forged = _with_payload(jws, {"occurrenceDateTime": "2026-01-01"})
    with pytest.raises(health_card.CardInvalid):
        health_card.verify(forged, keys, issuer)
    qr = health_card.to_qr(jws)
    flipped = qr[:40] + ("1" if qr[40] != "1" else "2") + qr[41:]  # one digit of the QR code
    with pytest.raises(health_card.CardInvalid):
        health_card.verify(health_card.from_qr(flipped), keys, issuer)
    with pytest.raises(health_card.CardInvalid):  # the right card, but another issuer's name
        health_card.verify(jws, keys, "https://ailleurs.example/issuer")
    stranger = {"keys": [dict(keys["keys"][0], kid="autre")]}
    with pytest.raises(health_card.CardInvalid):
        health_card.verify(jws, stranger, issuer)


def test_the_verify_command(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    card, _, jws = _card(world)
    monkeypatch.setattr(cli, "command_context", lambda: world.ctx)
    good, bad = tmp_path / "carte.txt", tmp_path / "falsifiee.txt"
    good.write_text(card["qr"])
    bad.write_text(health_card.to_qr(_with_payload(jws, {"lotNumber": "FAUX"})))
    runner = CliRunner()
    ok = runner.invoke(cli.app, ["verify-card", str(good)], env={"COLUMNS": "200"})
    assert ok.exit_code == 0 and "VALID" in ok.output and "LOT42" in ok.output, ok.output
    refused = runner.invoke(cli.app, ["verify-card", str(bad)], env={"COLUMNS": "200"})
    assert refused.exit_code == 1 and "REJECTED" in refused.output and "FAUX" not in refused.output
