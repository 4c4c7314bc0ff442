"""The log of a live server after a full run holds no identifier, code, password, token or health data.

tests/backend/test_no_secrets_in_logs.py checks the application's loggers in-process; this runs
the real server under uvicorn with every logger at DEBUG (SQL statements aside: nobody runs with
them) and the access log on, so request lines (URLs) are checked too, then scans its output.
"""

import hashlib
import json
import re
import sys
from pathlib import Path

import httpx

from sync.client import AccountClient
from sync.protocol.schemas import TokenPair
from sync.protocol.sync_schemas import Mutation, PushRequest
from tests.faults.server import Server, register_pro, signed_in

HEALTH_PHRASE = "Glycémie à jeun élevée, diabète de type 2 suspecté"
TITLE = "Sérologie hépatite C"
DOCUMENT_TEXT = "Conclusion : carcinome canalaire infiltrant du sein gauche"
DOCUMENT = b"%PDF-1.4\n% " + DOCUMENT_TEXT.encode() + b"\n%%EOF\n"

TOKEN_NAMES = ("access_token", "refresh_token")
LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}
    },
    "root": {"level": "DEBUG", "handlers": ["stderr"]},
    "loggers": {"sqlalchemy": {"level": "WARNING"}},
}


def _mutation(seq: int, collection: str, record_id: str, data: dict[str, object]) -> Mutation:
    return Mutation(seq=seq, op="upsert", collection=collection, id=record_id, base_version=0, data=data)


def _holder_writes(client: AccountClient) -> None:
    """A measurement with a note, then a document uploaded and recorded, as the phone sends them."""
    sha = hashlib.sha256(DOCUMENT).hexdigest()
    upload = client.upload_create(len(DOCUMENT), sha)
    assert client.upload_chunk(upload.id, 0, DOCUMENT).complete
    document = {
        "title": TITLE,
        "type": "lab_results",
        "date": "2026-11-02",
        "mime": "application/pdf",
        "size": len(DOCUMENT),
        "sha256": sha,
    }
    measurement = {"kind": "weight", "value": 81.5, "unit": "kg", "note": HEALTH_PHRASE}
    mutations = [
        _mutation(1, "measurement", "rec00000001", measurement),
        _mutation(2, "document", "doc00000001", document),
    ]
    results = client.push(PushRequest(client_id="phone-0001", mutations=mutations)).results
    assert [r.outcome for r in results] == ["applied", "applied"]


def _professional_reads(server: Server, nir: str) -> str:
    """A doctor lists the documents and reads the one document; their API key."""
    key = register_pro(server)
    headers = {"X-Api-Key": key, "X-Patient-Nir": nir, "X-Consent": "declared"}
    with httpx.Client(base_url=f"{server.url}/api/v1/pro", headers=headers, timeout=30) as pro:
        listed = pro.get("/documents")
        assert [d["title"] for d in listed.json()["documents"]] == [TITLE]
        assert pro.get("/documents/doc00000001/content").content == DOCUMENT
    return key


def test_live_server_log_holds_no_secret_and_no_health_data(tmp_path: Path) -> None:
    config = tmp_path / "logging.json"
    config.write_text(json.dumps(LOG_CONFIG))
    uvicorn = [sys.executable, "-m", "uvicorn", "backend_stub.asgi:app", "--log-config", str(config)]
    server = Server(tmp_path / "server", command=[*uvicorn, "--log-level", "debug"])
    server.cli("migrate")
    server.start()
    try:
        holder = signed_in(server)
        with httpx.Client(base_url=f"{server.url}/api/v1", timeout=30) as api:
            wrong = api.post("/auth/login", json={"email": "lina@exemple.fr", "password": "Pas-le-bon-2026"})
            assert wrong.status_code == 401
            refreshed = api.post("/auth/refresh", json={"refresh_token": holder.tokens["refresh_token"]})
            assert refreshed.status_code == 200
        client = AccountClient(server.url)
        client.tokens = TokenPair.model_validate(refreshed.json())
        try:
            _holder_writes(client)
            pro_key = _professional_reads(server, holder.nir)
            assert [e.seq for e in client.access_log().entries] == [2, 1]  # the doctor's two accesses
        finally:
            client.close()
    finally:
        server.stop()

    log = server.log_path.read_text(errors="replace")
    assert '"POST /api/v1/sync/push HTTP/1.1" 200' in log  # the capture works: request lines are there
    for secret in (
        holder.nir,
        holder.vitale,
        holder.code,
        holder.password,
        *(pair[name] for pair in (holder.tokens, refreshed.json()) for name in TOKEN_NAMES),
        pro_key,
        HEALTH_PHRASE,
        TITLE,
        DOCUMENT_TEXT,
    ):
        assert str(secret) not in log, f"{secret!r} is in the server's log"
    assert not re.search(rf"\b{holder.otp}\b", log), "the one-time code is in the server's log"
