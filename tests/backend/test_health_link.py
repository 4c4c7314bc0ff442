"""The patient summary as a SMART Health Link (issue #18 part 2), read by a viewer written here from
the specification's text alone (nothing of `sync/health_link.py`): the `shlink:/` payload, the
manifest request with its passcode, the files as compact JWE (`dir` + `A256GCM`, DEFLATE)."""

import base64
import json
import zlib
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi.testclient import TestClient

from sync import health_link
from sync.client import AccountClient
from sync.export import ips
from sync.export.fhir_export import Snapshot
from sync.protocol.schemas import TokenPair
from sync.store import Item
from tests.conftest import World, bearer

A = "/api/v1"


# --- an SHL viewer, from the specification -------------------------------------------------------


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def read_shlink(text: str) -> dict[str, Any]:
    """ "shlink:/" then the base64url of a JSON payload, possibly after a viewer's URL and "#"."""
    link = text.rsplit("#", 1)[-1]
    assert link.startswith("shlink:/")
    payload: dict[str, Any] = json.loads(_unb64(link.removeprefix("shlink:/")))
    assert payload["url"] and len(payload["key"]) == 43 and len(_unb64(payload["key"])) == 32
    assert payload.get("v", 1) == 1 and len(payload.get("label", "")) <= 80
    return payload


def decrypt_jwe(compact: str, key: bytes) -> bytes:
    """A compact JWE with alg "dir" and enc "A256GCM": protected header, an empty encrypted key,
    IV, ciphertext, tag; the additional data is the ASCII of the encoded protected header."""
    protected, encrypted_key, iv, ciphertext, tag = compact.split(".")
    header = json.loads(_unb64(protected))
    assert (header["alg"], header["enc"], encrypted_key) == ("dir", "A256GCM", "")
    plain = AESGCM(key).decrypt(_unb64(iv), _unb64(ciphertext) + _unb64(tag), protected.encode("ascii"))
    return zlib.decompress(plain, -15) if header.get("zip") == "DEF" else plain


def fetch_manifest(api: TestClient, payload: dict[str, Any], passcode: str) -> Any:
    body = {"recipient": "Dr Claire Martin, Hôpital Nord", "passcode": passcode}
    return api.post(urlsplit(payload["url"]).path, json=body)


# --- the holder's side ------------------------------------------------------------------------------


def _shared(world: World) -> tuple[dict[str, str], Any, str, dict[str, Any]]:
    person, tokens = world.active_person()
    client = AccountClient(http=world.api)
    client.tokens = TokenPair.model_validate(tokens)
    me = client.me()
    allergy = Item("entry-1", "profile_entry", {"section": "allergy", "substance": "Latex"}, 1, False)
    snapshot = Snapshot(me=me, records={"profile_entry": [allergy]}, at=world.ctx.clock.now())
    summary = json.dumps(ips.bundle(snapshot)).encode()
    created, shlink = health_link.share(client, summary, days=7, label="Pour les urgences")
    return tokens, created, shlink, json.loads(summary)


def test_a_viewer_reads_the_summary_with_the_passcode(world: World) -> None:
    tokens, created, shlink, summary = _shared(world)
    payload = read_shlink(shlink)
    assert "P" in payload["flag"] and payload["exp"] > world.ctx.clock.now().timestamp()
    assert payload["label"] == "Pour les urgences" and created.document_ids == []
    assert payload["key"] not in json.dumps(world.api.get(f"{A}/shares", headers=bearer(tokens)).json())

    wrong = fetch_manifest(world.api, payload, "AAAA-AAAA")
    assert (wrong.status_code, wrong.json()) == (401, {"remainingAttempts": 4})
    opened = fetch_manifest(world.api, payload, created.code)
    assert opened.status_code == 200, opened.text
    files = opened.json()["files"]
    assert [f["contentType"] for f in files] == ["application/fhir+json"]
    document = json.loads(decrypt_jwe(files[0]["embedded"], _unb64(payload["key"])))
    assert document == summary and document["type"] == "document"
    sections = document["entry"][0]["resource"]["section"]
    assert any("Latex" in s["text"]["div"] for s in sections)

    log = world.api.get(f"{A}/access-log", headers=bearer(tokens)).json()["entries"]
    assert [e["outcome"] for e in log[:2]] == ["allowed", "refused"]  # newest first
    notes = world.api.get(f"{A}/notifications", headers=bearer(tokens)).json()
    assert notes[0]["kind"] == "share_opened"


def test_a_stopped_or_guessed_link_answers_nothing(world: World) -> None:
    tokens, created, shlink, _ = _shared(world)
    payload = read_shlink(shlink)
    for left in (4, 3, 2, 1):
        assert fetch_manifest(world.api, payload, "ZZZZ-ZZZZ").json() == {"remainingAttempts": left}
    assert fetch_manifest(world.api, payload, "ZZZZ-ZZZZ").status_code == 401  # the fifth: locked
    assert fetch_manifest(world.api, payload, created.code).status_code == 404  # even the right code

    tokens, created, shlink, _ = _shared(world)
    payload = read_shlink(shlink)
    world.api.post(f"{A}/shares/{created.id}/revoke", headers=bearer(tokens))
    assert fetch_manifest(world.api, payload, created.code).status_code == 404


def test_tampered_files_do_not_decrypt(world: World) -> None:
    _, created, shlink, _ = _shared(world)
    payload = read_shlink(shlink)
    jwe = fetch_manifest(world.api, payload, created.code).json()["files"][0]["embedded"]
    parts = jwe.split(".")
    parts[3] = parts[3][:-2] + ("AA" if parts[3][-2:] != "AA" else "BA")
    try:
        decrypt_jwe(".".join(parts), _unb64(payload["key"]))
    except Exception as exc:  # AES-GCM refuses a changed ciphertext
        assert type(exc).__name__ == "InvalidTag"
    else:
        raise AssertionError("a changed file decrypted")
