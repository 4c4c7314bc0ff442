"""The database out of reach for a while: every request gets a clear 503 with FR/EN words (never a
500 and a trace), and the server recovers on its own once the database is back, without a restart.

PostgreSQL (ENS_TEST_DATABASE_URL set): the server reaches it through a TCP proxy that the test
stops for ENS_FAULTS_OUTAGE_SECONDS (5 by default; the issue's scenario is 30). SQLite: another
process holds the write lock, as a long maintenance write or a backup would.
"""

import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, event, make_url, text

from backend_stub.context import Context
from backend_stub.main import RETRY_AFTER
from sync.protocol.errors import ErrorCode
from sync.protocol.i18n import translate
from sync.protocol.sync_schemas import Mutation, PushRequest
from tests.conftest import PG_URL, World, bearer
from tests.faults.proxy import TcpProxy
from tests.faults.server import Server, signed_in

OUTAGE_SECONDS = float(os.environ.get("ENS_FAULTS_OUTAGE_SECONDS", "5"))


def push_body(seq: int) -> dict[str, Any]:
    """One new weight, as a phone pushes it."""
    mutation = Mutation(
        seq=seq,
        op="upsert",
        collection="measurement",
        id=f"rec{seq:08d}",
        base_version=0,
        data={"kind": "weight", "value": 70 + seq / 10, "unit": "kg"},
    )
    return PushRequest(client_id="phone-0001", mutations=[mutation]).model_dump(mode="json")


def assert_unavailable(response: httpx.Response) -> None:
    """A 503 a person can read in French and English, telling the phone when to try again."""
    assert response.status_code == 503, response.text
    body = response.json()
    assert body == {"code": ErrorCode.SERVER_UNAVAILABLE.value, "params": {"retry_after": RETRY_AFTER}}
    assert response.headers["Retry-After"] == str(RETRY_AFTER)
    french, english = translate(body["code"], "fr"), translate(body["code"], "en")
    assert french != english and body["code"] not in (french, english)


@pytest.fixture
def own_postgres_database() -> Iterator[str]:
    """A database of its own on the test PostgreSQL server (the server's tables, then dropped)."""
    if not PG_URL:
        pytest.skip("needs ENS_TEST_DATABASE_URL (PostgreSQL); the SQLite outage is the lock test below")
    url = make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"ens_faults_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.parametrize("outage_seconds", [OUTAGE_SECONDS])
def test_postgres_outage_gives_503_then_recovers_by_itself(
    own_postgres_database: str, tmp_path: Path, outage_seconds: float
) -> None:
    database = make_url(own_postgres_database)
    proxy = TcpProxy(database.host or "127.0.0.1", database.port or 5432)
    proxy.start()
    through_proxy = database.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    server = Server(tmp_path / "server", env={"ENS_DATABASE_URL": through_proxy})
    try:
        server.start()
        holder = signed_in(server)
        with httpx.Client(base_url=f"{server.url}/api/v1", headers=bearer(holder.tokens), timeout=30) as api:
            assert api.get("/me").status_code == 200
            assert api.post("/sync/push", json=push_body(1)).status_code == 200

            proxy.stop()  # the database goes away
            answers, ends = [], time.monotonic() + outage_seconds
            while time.monotonic() < ends:
                answers += [api.get("/me"), api.post("/sync/push", json=push_body(2))]
                time.sleep(0.5)
            proxy.start()  # ...and comes back; nobody touches the server

            for response in answers:
                assert_unavailable(response)
            for _ in range(100):
                if (me := api.get("/me")).status_code == 200:
                    break
                assert_unavailable(me)
                time.sleep(0.1)
            assert me.status_code == 200
            pushed = api.post("/sync/push", json=push_body(2))
            assert pushed.status_code == 200 and pushed.json()["results"][0]["outcome"] == "applied"
            ids = [c["id"] for c in api.get("/sync/pull").json()["changes"]]
            assert ids == ["rec00000001", "rec00000002"]  # nothing lost, nothing doubled
        assert server.process is not None and server.process.poll() is None  # never restarted
    finally:
        server.stop()
        proxy.close()
    log = server.log_path.read_text(errors="replace")
    assert "database unavailable: OperationalError" in log
    assert "Traceback" not in log


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only for `world` here (tests/conftest.py would add PostgreSQL): its outage is above."""
    return f"sqlite:///{tmp_path / 'ens.db'}"


def test_sqlite_write_lock_gives_503_then_recovers(world: World, ctx: Context) -> None:
    _, tokens = world.active_person()
    assert world.api.post("/api/v1/sync/push", json=push_body(1), headers=bearer(tokens)).status_code == 200

    # The server waits up to 30 s for a locked SQLite file before giving up; this test waits 0.3 s.
    @event.listens_for(ctx.engine, "connect")
    def _short_wait(conn: Any, _record: Any) -> None:
        conn.execute("PRAGMA busy_timeout = 300")

    ctx.engine.dispose()
    locker = sqlite3.connect(ctx.settings.database_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        locker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        assert_unavailable(world.api.post("/api/v1/sync/push", json=push_body(2), headers=bearer(tokens)))
        assert world.api.get("/api/v1/me", headers=bearer(tokens)).status_code == 200  # reads go on
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    pushed = world.api.post("/api/v1/sync/push", json=push_body(2), headers=bearer(tokens))
    assert pushed.status_code == 200 and pushed.json()["results"][0]["outcome"] == "applied"
    changes = world.api.get("/api/v1/sync/pull", headers=bearer(tokens)).json()["changes"]
    assert [c["id"] for c in changes] == ["rec00000001", "rec00000002"]
