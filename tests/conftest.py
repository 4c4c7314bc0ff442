"""Shared fixtures: a server context on SQLite (always) and PostgreSQL (when its URL is set).

Set ENS_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to run every
`db_url`-based test on PostgreSQL too; `.ci/run` sets it.
"""

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlmodel import Session

from backend_stub.context import Context, build_context
from backend_stub.core.clock import FixedClock
from backend_stub.core.config import Settings
from backend_stub.demo import nir_for
from backend_stub.main import create_app
from backend_stub.migrate import upgrade
from backend_stub.notifier import read_outbox
from backend_stub.services import enrolment, message_queue

PG_URL = os.environ.get("ENS_TEST_DATABASE_URL", "")
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PASSWORD = "Soleil-d'hiver-2026"
CODE_RE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\b")
OTP_RE = re.compile(r"\b(\d{6})\b")


def _reset_postgres(url: str) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"] if PG_URL else ["sqlite"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        _reset_postgres(PG_URL)
        return PG_URL
    return f"sqlite:///{tmp_path / 'ens.db'}"


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        env="test",
        data_dir=tmp_path,
        database_url=db_url,
        secret_key="test-secret-" + "x" * 32,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def ctx(settings: Settings, clock: FixedClock) -> Iterator[Context]:
    upgrade(settings.database_url)
    context = build_context(settings, clock=clock)
    yield context
    context.engine.dispose()


@pytest.fixture
def api(ctx: Context) -> TestClient:
    return TestClient(create_app(ctx), base_url="http://testserver")


@dataclass
class Person:
    """An enrolled person and what their letter told them."""

    nir: str
    vitale: str
    code: str
    email: str
    first_name: str = "Camille"

    def ids(self, **override: str) -> dict[str, str]:
        return {"provisional_code": self.code, "nir": self.nir, "vitale_serial": self.vitale} | override


class World:
    """Helpers that act as the insurer and as people, through the public API."""

    def __init__(self, ctx: Context, api: TestClient) -> None:
        self.ctx, self.api = ctx, api
        self._n = 0

    def outbox(self, to: str | None = None) -> list[dict[str, str]]:
        return read_outbox(self.ctx.settings.outbox_dir, to=to, limit=50)

    def enrol(self, *, letter_email: str | None = None, **extra: str) -> Person:
        self._n += 1
        n = self._n
        row = {
            "nir": nir_for(n),
            "vitale_serial": f"{40000000 + n}",
            "first_name": "Camille",
            "last_name": "Martin",
            "birth_date": "1985-05-01",
            "email": letter_email or "",
        } | extra
        with Session(self.ctx.engine) as session:
            report = enrolment.enrol_many(
                session=session, ctx=self.ctx, people=[enrolment.Enrollee.parse(row)]
            )
        assert report.created == 1
        letter = self.outbox()[0]
        code = CODE_RE.search(letter["body"])
        assert code
        return Person(
            nir=row["nir"],
            vitale=row["vitale_serial"],
            code=code.group(1),
            email=f"person{n}@exemple.fr",
            first_name=row["first_name"],
        )

    def activate(self, person: Person, **override: str) -> None:
        body = person.ids() | {"email": person.email, "password": PASSWORD, "otp_channel": "email"}
        response = self.api.post("/api/v1/activation", json=body | override)
        assert response.status_code == 200, response.text

    def send_queued(self) -> int:
        """What the server's background sender does after an answer: send the queued letters and
        codes (services/message_queue.py); the number of queued rows done."""
        return message_queue.drain(ctx=self.ctx)

    def last_otp(self, to: str) -> str:
        match = OTP_RE.search(self.outbox(to)[0]["body"])
        assert match
        return match.group(1)

    def login(self, person: Person) -> dict[str, str]:
        """Password then code: the token pair."""
        challenge = self.api.post("/api/v1/auth/login", json={"email": person.email, "password": PASSWORD})
        assert challenge.status_code == 200, challenge.text
        cid = challenge.json()["challenge_id"]
        tokens = self.api.post(
            "/api/v1/auth/otp/verify", json={"challenge_id": cid, "code": self.last_otp(person.email)}
        )
        assert tokens.status_code == 200, tokens.text
        data: dict[str, str] = tokens.json()
        return data

    def active_person(self) -> tuple[Person, dict[str, str]]:
        person = self.enrol()
        self.activate(person)
        return person, self.login(person)


@pytest.fixture
def world(ctx: Context, api: TestClient) -> World:
    return World(ctx, api)


def bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}
