"""A real server in-process for the app's state tests (self-contained: names start with `app_`)."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from backend_stub.context import Context, build_context
from backend_stub.core.clock import FixedClock
from backend_stub.core.config import Settings
from backend_stub.demo import nir_for
from backend_stub.main import create_app
from backend_stub.migrate import upgrade
from backend_stub.notifier import read_outbox
from backend_stub.services import enrolment
from mobile.shell.state import AppState
from sync.client import AccountClient

APP_PASSWORD = "Tournesol-bleu-2026!"
LETTER_CODE_RE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\b")
OTP_RE = re.compile(r"\b(\d{6})\b")


@dataclass
class Person:
    """One enrolled insured person and what their letter said."""

    nir: str
    vitale: str
    first_name: str
    letter_email: str
    code: str


class AppServer:
    """The server, its clock and its outbox, plus helpers to enrol people and read codes."""

    def __init__(self, ctx: Context, clock: FixedClock) -> None:
        self.ctx = ctx
        self.clock = clock
        self.app = create_app(ctx)
        self._clients: list[TestClient] = []

    @property
    def outbox(self) -> Path:
        return self.ctx.settings.outbox_dir

    def client(self) -> AccountClient:
        http = TestClient(self.app, base_url="http://test")
        self._clients.append(http)
        return AccountClient(http=http)

    def state(self) -> AppState:
        return AppState(self.client())

    def enrol(self, n: int, first_name: str = "Camille") -> Person:
        email = f"lettre{n}@example.fr"
        row = {
            "nir": nir_for(n),
            "vitale_serial": f"{10000000 + n}",
            "first_name": first_name,
            "last_name": "Martin",
            "birth_date": "1985-05-01",
            "email": email,
        }
        with Session(self.ctx.engine) as session:
            enrolment.enrol_many(session=session, ctx=self.ctx, people=[enrolment.Enrollee.parse(row)])
        letter = read_outbox(self.outbox, to=email, limit=1)[0]
        match = LETTER_CODE_RE.search(letter["body"])
        assert match, letter["body"]
        return Person(row["nir"], row["vitale_serial"], first_name, email, match.group(1))

    def last_otp(self, to: str) -> str:
        message = read_outbox(self.outbox, to=to, limit=1)[0]
        match = OTP_RE.search(message["body"])
        assert match, message["body"]
        return match.group(1)

    def close(self) -> None:
        for http in self._clients:
            http.close()


@pytest.fixture
def app_server(tmp_path: Path) -> Iterator[AppServer]:
    settings = Settings(
        env="test", data_dir=tmp_path, argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1
    )
    upgrade(settings.database_url)
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    ctx = build_context(settings, clock=clock)
    server = AppServer(ctx, clock)
    yield server
    server.close()
    ctx.engine.dispose()
