"""A phone killed (SIGKILL) at random points while syncing ends with exactly the server's data."""

import hashlib
import json
import random
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

from backend_stub.demo import nir_for
from tests.live_server import ROOT, live_server, server_env
from tests.sync.kill_worker import DOCUMENT, RECORDS

KILLS = 12


def _signed_in(url: str, data_dir: Path) -> dict[str, str]:
    """Enrol, activate and log in one person through the CLI and the API; their tokens."""
    nir = nir_for(4242)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "backend_stub",
            "enrol",
            "--nir",
            nir,
            "--vitale",
            "12345678",
            "--first-name",
            "Lina",
            "--last-name",
            "Haddad",
            "--birth-date",
            "1990-02-03",
        ],
        cwd=ROOT,
        env=server_env(data_dir),
        check=True,
        capture_output=True,
    )
    letter = json.loads(sorted((data_dir / "outbox").glob("*.json"))[-1].read_text())
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", letter["body"]).group(0)  # type: ignore[union-attr]
    with httpx.Client(base_url=f"{url}/api/v1") as api:
        return _activate_and_log_in(api, nir, code, data_dir)


def _activate_and_log_in(api: httpx.Client, nir: str, code: str, data_dir: Path) -> dict[str, str]:
    ids = {"provisional_code": code, "nir": nir, "vitale_serial": "12345678"}
    api.post(
        "/activation", json=ids | {"email": "lina@exemple.fr", "password": "Soleil-d'hiver-2026"}
    ).raise_for_status()
    challenge = api.post(
        "/auth/login", json={"email": "lina@exemple.fr", "password": "Soleil-d'hiver-2026"}
    ).json()
    sms = json.loads(sorted((data_dir / "outbox").glob("*.json"))[-1].read_text())
    otp = re.search(r"\b\d{6}\b", sms["body"]).group(0)  # type: ignore[union-attr]
    tokens = api.post("/auth/otp/verify", json={"challenge_id": challenge["challenge_id"], "code": otp})
    tokens.raise_for_status()
    return tokens.json()  # type: ignore[no-any-return]


def _server_state(api: httpx.Client) -> tuple[list[dict[str, object]], dict[str, object]]:
    """Every record in the holder's feed, and the state of the document's upload."""
    changes: list[dict[str, object]] = []
    cursor = ""
    while True:
        page = api.get("/sync/pull", params={"cursor": cursor, "limit": 1000}).json()
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            break
    upload = api.post(
        "/uploads", json={"size": len(DOCUMENT), "sha256": hashlib.sha256(DOCUMENT).hexdigest()}
    )
    return changes, upload.json()


def test_killed_sync_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    data_dir, phone_dir = tmp_path / "server", tmp_path / "phone"
    tokens_file, chunk_log = tmp_path / "tokens.json", tmp_path / "chunks.log"
    rng = random.Random(20261124)
    with live_server(data_dir) as url:
        tokens = _signed_in(url, data_dir)
        tokens_file.write_text(json.dumps(tokens))
        worker = [
            sys.executable,
            "-m",
            "tests.sync.kill_worker",
            str(phone_dir),
            url,
            str(tokens_file),
            str(chunk_log),
        ]
        for _ in range(KILLS):
            process = subprocess.Popen(worker, cwd=ROOT)
            time.sleep(rng.uniform(0.6, 2.2))
            process.kill()
            process.wait()
        assert subprocess.run(worker, cwd=ROOT, timeout=180).returncode == 0

        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        with httpx.Client(base_url=f"{url}/api/v1", headers=auth) as api:
            changes, upload = _server_state(api)
    ids = sorted(str(c["id"]) for c in changes)
    assert ids == sorted([f"rec{n:05d}" for n in range(RECORDS)] + ["doc00001"])
    assert {c["version"] for c in changes} == {1}  # each write applied exactly once
    by_id = {str(c["id"]): c for c in changes}
    assert by_id["rec00123"]["data"] == {"kind": "weight", "value": 72.3, "unit": "kg"}
    assert upload["complete"] is True
    sent = Counter(int(line) for line in chunk_log.read_text().split())
    resent = sum(n - 1 for n in sent.values())
    assert resent <= KILLS  # at most the chunk in flight at each kill
