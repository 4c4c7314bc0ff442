"""The real server as a subprocess that a fault test can SIGKILL and start again on the same data.

`tests/live_server.py` gives a server for a whole `with` block; these tests need to kill it at a
chosen moment and bring it back on the same port and data folder, as a supervisor would after a
crash, so the phone's client keeps its URL. Also: a holder signed in through the CLI and the API,
with every secret they were given, for the tests that look for those secrets in the server's log.
"""

import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from stdnum import luhn

from backend_stub.demo import nir_for
from tests.live_server import ROOT, free_port, server_env
from tests.sync.test_kill import _activate_and_log_in

CODE_RE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\b")
OTP_RE = re.compile(r"\b(\d{6})\b")
PRO_KEY_RE = re.compile(r"\b(pro_[A-Za-z0-9_-]{20,})")
VITALE = "12345678"  # what tests/sync/test_kill.py's helpers use
PASSWORD = "Soleil-d'hiver-2026"


class Server:
    """`python -m backend_stub serve` (or `command`) on a fixed port, its output appended to server.log."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, command: list[str] | None = None):
        data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir, self.port = data_dir, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = server_env(data_dir) | (env or {})
        self.command = command or [sys.executable, "-m", "backend_stub", "serve"]
        self.log_path = data_dir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start and wait until /health answers (fail with the log if it exits)."""
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [*self.command, "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        for _ in range(600):
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(self.log_path.read_text(errors="replace"))
            time.sleep(0.05)
        raise RuntimeError(f"the server did not answer within 30 s:\n{self.log_path.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, requests in flight are cut."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        """SIGTERM (uvicorn finishes and flushes its log), SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def cli(self, *args: str) -> str:
        """A server command (enrol, register-pro...) on the same data and database; its output."""
        done = subprocess.run(
            [sys.executable, "-m", "backend_stub", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def last_message(self) -> dict[str, str]:
        """The newest letter, e-mail or SMS in the development outbox."""
        data: dict[str, str] = json.loads(sorted((self.data_dir / "outbox").glob("*.json"))[-1].read_text())
        return data


@dataclass(frozen=True)
class Holder:
    """A signed-in holder and everything secret they were given or chose."""

    nir: str
    vitale: str
    code: str
    password: str
    otp: str
    tokens: dict[str, str]


def signed_in(server: Server, n: int = 4242) -> Holder:
    """Enrol through the CLI, then activate and log in (password + one-time code) through the API."""
    nir = nir_for(n)
    server.cli(
        "enrol", "--nir", nir, "--vitale", VITALE, "--first-name", "Lina", "--last-name", "Haddad",
        "--birth-date", "1990-02-03",
    )  # fmt: skip
    code = CODE_RE.search(server.last_message()["body"])
    assert code
    with httpx.Client(base_url=f"{server.url}/api/v1", timeout=30) as api:
        tokens = _activate_and_log_in(api, nir, code.group(1), server.data_dir)
    otp = OTP_RE.search(server.last_message()["body"])
    assert otp
    return Holder(nir, VITALE, code.group(1), PASSWORD, otp.group(1), tokens)


def register_pro(server: Server, profession: str = "doctor") -> str:
    """A professional in the directory; their API key."""
    body = "1234567890"
    out = server.cli(
        "register-pro", "--rpps", body + luhn.calc_check_digit(body), "--first-name", "Alex",
        "--last-name", "Durand", "--profession", profession, "--city", "Lyon",
    )  # fmt: skip
    key = PRO_KEY_RE.search(out)
    assert key, out
    return key.group(1)
