"""Races between two real server processes on one database (SQLite file or PostgreSQL), as two
workers behind a load balancer (issue #14): each decision is one statement, so no interleaving
gives a second session, a sixth code, or an eleventh password guess."""

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from backend_stub.context import build_context
from backend_stub.core.config import Settings
from backend_stub.demo import nir_for
from backend_stub.migrate import upgrade
from backend_stub.notifier import read_outbox
from backend_stub.services import enrolment
from tests.conftest import CODE_RE, OTP_RE, PASSWORD
from tests.live_server import live_server

A = "/api/v1"
AT_ONCE = 12


@dataclass
class Pair:
    """Two server processes on one database, and the helpers to act as people through them."""

    urls: tuple[str, str]
    data_dir: Path
    settings: Settings
    n: int = 0

    def post(self, n: int, path: str, **kwargs: object) -> httpx.Response:
        return httpx.post(f"{self.urls[n % 2]}{A}{path}", timeout=60, **kwargs)  # type: ignore[arg-type]

    def last(self, to: str) -> str:
        match = OTP_RE.search(read_outbox(self.data_dir / "outbox", to=to, limit=1)[0]["body"])
        assert match
        return match.group(1)

    def enrolled(self) -> dict[str, str]:
        """A person enrolled by the insurer, not yet activated: the letter's three identifiers."""
        self.n += 1
        ctx = build_context(self.settings)
        row = {"nir": nir_for(self.n), "vitale_serial": f"{40000000 + self.n}", "first_name": "Camille"}
        row |= {"last_name": "Martin", "birth_date": "1985-05-01", "email": f"lettre{self.n}@exemple.fr"}
        with Session(ctx.engine) as session:
            enrolment.enrol_many(session=session, ctx=ctx, people=[enrolment.Enrollee.parse(row)])
        ctx.engine.dispose()
        code = CODE_RE.search(read_outbox(self.data_dir / "outbox", to=row["email"], limit=1)[0]["body"])
        assert code
        return {"provisional_code": code.group(1), "nir": row["nir"], "vitale_serial": row["vitale_serial"]}

    def person(self) -> tuple[str, str, str]:
        """An activated person: e-mail, NIR, Vitale serial."""
        ids = self.enrolled()
        email = f"person{self.n}@exemple.fr"
        body = ids | {"email": email, "password": PASSWORD, "otp_channel": "email"}
        assert self.post(0, "/activation", json=body).status_code == 200
        return email, ids["nir"], ids["vitale_serial"]

    def login(self, email: str) -> dict[str, str]:
        challenge = self.post(0, "/auth/login", json={"email": email, "password": PASSWORD}).json()
        verify = {"challenge_id": challenge["challenge_id"], "code": self.last(email)}
        tokens: dict[str, str] = self.post(1, "/auth/otp/verify", json=verify).json()
        return tokens


@pytest.fixture
def pair(tmp_path: Path, db_url: str) -> Iterator[Pair]:
    data_dir = tmp_path / "data"
    settings = Settings(
        env="test",
        data_dir=data_dir,
        database_url=db_url,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
    )  # makes the keys the two servers then read from the same folder
    upgrade(db_url)
    env = {"ENS_DATABASE_URL": db_url, "ENS_OTP_RESEND_SECONDS": "0"}  # resends race on their count alone
    with ExitStack() as stack:
        one = stack.enter_context(live_server(data_dir, env, "one.log"))
        two = stack.enter_context(live_server(data_dir, env, "two.log"))
        yield Pair(urls=(one, two), data_dir=data_dir, settings=settings)


def _at_once(count: int, call: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """`count` calls released together, alternating between the two servers."""
    start = threading.Barrier(count)

    def one(n: int) -> httpx.Response:
        start.wait()
        return call(n)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def test_concurrent_refreshes_of_one_token_leave_no_second_session(pair: Pair) -> None:
    email, _, _ = pair.person()
    tokens = pair.login(email)
    answers = _at_once(
        AT_ONCE, lambda n: pair.post(n, "/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    )
    given = {(r.json()["access_token"], r.json()["refresh_token"]) for r in answers if r.status_code == 200}
    assert len(given) == 1  # the rotation and, at most, its grace: the same pair
    assert {r.status_code for r in answers} <= {200, 401}
    assert sum(r.status_code == 200 for r in answers) <= 2
    ((access, refresh),) = given
    # The token was presented far more than twice: theft, the whole session ended everywhere.
    assert (
        httpx.get(f"{pair.urls[1]}{A}/me", headers={"Authorization": f"Bearer {access}"}).status_code == 401
    )
    assert pair.post(0, "/auth/refresh", json={"refresh_token": refresh}).status_code == 401
    fresh = pair.login(email)
    headers = {"Authorization": f"Bearer {fresh['access_token']}"}
    devices = httpx.get(f"{pair.urls[0]}{A}/devices", headers=headers).json()
    assert len(devices) == 1 and devices[0]["current"]  # only the new login is alive
    kinds = [n["kind"] for n in httpx.get(f"{pair.urls[1]}{A}/notifications", headers=headers).json()]
    assert "session_reuse" in kinds


def test_concurrent_wrong_codes_test_five_codes_at_most(pair: Pair) -> None:
    email, _, _ = pair.person()
    challenge = pair.post(0, "/auth/login", json={"email": email, "password": PASSWORD}).json()
    code = pair.last(email)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    body = {"challenge_id": challenge["challenge_id"], "code": wrong}
    answers = _at_once(AT_ONCE, lambda n: pair.post(n, "/auth/otp/verify", json=body))
    codes = [r.json()["code"] for r in answers]
    assert codes.count("error.otp.invalid") == 4  # four "wrong" answers, the fifth locks
    assert set(codes) - {"error.otp.invalid"} <= {"error.account.locked", "error.otp.expired"}
    assert "error.account.locked" in codes
    right = pair.post(1, "/auth/otp/verify", json={"challenge_id": challenge["challenge_id"], "code": code})
    assert right.status_code in (410, 423)


def test_the_same_right_code_twice_at_once_opens_one_session(pair: Pair) -> None:
    email, _, _ = pair.person()
    challenge = pair.post(0, "/auth/login", json={"email": email, "password": PASSWORD}).json()
    body = {"challenge_id": challenge["challenge_id"], "code": pair.last(email)}
    answers = _at_once(2, lambda n: pair.post(n, "/auth/otp/verify", json=body))
    assert sorted(r.status_code for r in answers) == [200, 410]


def test_concurrent_password_guesses_get_ten_tries(pair: Pair) -> None:
    email, _, _ = pair.person()
    guess = {"email": email, "password": "Pas-le-bon-2026"}
    limit = pair.settings.rate_per_account
    answers = _at_once(limit + 5, lambda n: pair.post(n, "/auth/login", json=guess))
    assert sorted(r.status_code for r in answers) == [401] * limit + [429] * 5


def test_concurrent_reset_codes_test_five_at_most(pair: Pair) -> None:
    email, nir, vitale = pair.person()
    started = pair.post(0, "/auth/password-reset", json={"nir": nir, "vitale_serial": vitale}).json()
    for _ in range(100):  # the servers' senders send it within a few seconds
        sent = read_outbox(pair.data_dir / "outbox", to=email, limit=1)
        if sent and sent[0]["kind"] == "reset_code":
            break
        threading.Event().wait(0.1)
    code = pair.last(email)
    body = {"challenge_id": started["challenge_id"], "code": f"{(int(code) + 1) % 1_000_000:06d}"}
    body["new_password"] = "Printemps-2027-vert!"
    answers = _at_once(AT_ONCE, lambda n: pair.post(n, "/auth/password-reset/confirm", json=body))
    codes = [r.json()["code"] for r in answers]
    assert codes.count("error.otp.invalid") == 4 and codes.count("error.otp.expired") == AT_ONCE - 4
    right = pair.post(1, "/auth/password-reset/confirm", json=body | {"code": code})
    assert right.status_code == 410  # five codes compared: the right one comes too late


def test_resends_at_once_send_the_allowed_codes_only(pair: Pair) -> None:
    email, _, _ = pair.person()
    challenge = pair.post(0, "/auth/login", json={"email": email, "password": PASSWORD}).json()
    body = {"challenge_id": challenge["challenge_id"]}
    answers = _at_once(AT_ONCE, lambda n: pair.post(n, "/auth/otp/resend", json=body))
    allowed = pair.settings.otp_max_resends
    assert sum(r.status_code == 200 for r in answers) == allowed
    assert {r.json()["code"] for r in answers if r.status_code != 200} <= {
        "error.otp.resend_too_soon",
        "error.otp.expired",
    }
    for _ in range(100):  # the servers' senders write the codes within a few seconds
        codes = [m for m in read_outbox(pair.data_dir / "outbox", to=email, limit=50) if m["kind"] == "otp"]
        if len(codes) >= 1 + allowed:
            break
        threading.Event().wait(0.1)
    threading.Event().wait(1)  # and nothing more comes
    codes = [m for m in read_outbox(pair.data_dir / "outbox", to=email, limit=50) if m["kind"] == "otp"]
    assert len(codes) == 1 + allowed  # the first code and the allowed resends: no flood of messages


def test_share_codes_sent_at_once_test_five_codes_at_most(pair: Pair) -> None:
    email, _, _ = pair.person()
    headers = {"Authorization": f"Bearer {pair.login(email)['access_token']}"}
    link = httpx.post(
        f"{pair.urls[0]}{A}/shares", json={"days": 7, "shl_file": "a.b.c.d.e"}, headers=headers, timeout=60
    ).json()
    page = link["url"][link["url"].index(A) :]
    code = link["code"]
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    guess = {"recipient": "Visionneuse", "passcode": wrong}
    answers = _at_once(
        AT_ONCE, lambda n: httpx.post(f"{pair.urls[n % 2]}{page}/manifest", json=guess, timeout=60)
    )
    tested = sorted(r.json()["remainingAttempts"] for r in answers if r.status_code == 401)
    assert tested == [0, 1, 2, 3, 4]  # five codes compared, each counted once
    assert {r.status_code for r in answers} <= {401, 404, 429}  # the rest: stopped link, or limited
    right = httpx.post(f"{pair.urls[1]}{page}/manifest", json=guess | {"passcode": code}, timeout=60)
    assert right.status_code in (404, 429)  # the right code comes too late: the link stopped
