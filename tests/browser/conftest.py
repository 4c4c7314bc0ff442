"""The real server and the real app as subprocesses, and headless Chromium to use the app.

Skipped when Debian's chromium is missing. Screenshots of every step go to
`artifacts/screenshots/` (gitignored).
"""

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from backend_stub.demo import nir_for
from sync.client import AccountClient
from sync.protocol.schemas import ActivationRequest
from tests.live_server import ROOT, free_port

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "artifacts" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "Tournesol-bleu-2026!"
# Marks of every browser test: a canvas UI on a loaded 2-core machine can miss a frame, so a failed
# test runs again (up to twice) on a fresh server and app before it counts as failed.
BROWSER = [pytest.mark.browser, pytest.mark.flaky(reruns=2, reruns_delay=2)]
LETTER_CODE_RE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\b")
OTP_RE = re.compile(r"\b(\d{6})\b")
SERVER_ENV = {
    "ENS_ENV": "test",
    "ENS_ARGON2_TIME_COST": "1",
    "ENS_ARGON2_MEMORY_KIB": "1024",
    "ENS_ARGON2_PARALLELISM": "1",
}


def wait_http(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} not up after {timeout}s:\n{log.read_text(errors='replace')}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass
class Stack:
    """Where the API and the app listen, the outbox, and the logs of both processes."""

    data_dir: Path
    api_url: str
    app_url: str
    app_log: Path
    env: dict[str, str] = field(default_factory=dict)
    server: subprocess.Popen[bytes] | None = None  # the API's process, to cut the network

    def cut_network(self) -> None:
        """The app's server can no longer be reached: its process stops."""
        assert self.server is not None
        stop(self.server)

    @property
    def outbox(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def devices(self) -> Path:
        """Where the app keeps the device vaults (ENS_DEVICE_DIR)."""
        return self.data_dir / "devices"

    def messages(self, to: str) -> list[dict[str, str]]:
        found = []
        for path in sorted(self.outbox.glob("*.json"), reverse=True):
            data = json.loads(path.read_text(encoding="utf-8"))
            if data["to"] == to:
                found.append(data)
        return found

    def enrol(
        self,
        *,
        nir: str,
        vitale: str,
        first_name: str,
        email: str,
        birth_date: str = "1985-05-01",
        parent_nir: str = "",
    ) -> str:
        """Enrol one person with the server's command; returns the provisional code of the letter
        (a minor's letter goes to the parent named by `parent_nir`, at `email`)."""
        subprocess.run(
            [
                sys.executable,
                "-m",
                "backend_stub",
                "enrol",
                "--nir",
                nir,
                "--vitale",
                vitale,
                "--first-name",
                first_name,
                "--last-name",
                "Martin",
                "--birth-date",
                birth_date,
                "--email",
                email,
                *(["--parent-nir", parent_nir] if parent_nir else []),
            ],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=60,
        )
        match = LETTER_CODE_RE.search(self.messages(email)[0]["body"])
        assert match
        return match.group(1)

    def activate(self, n: int, first_name: str, email: str) -> str:
        """Enrol person `n` (their letter goes to lettre<n>@example.fr) and activate their space
        through the API with `email` and PASSWORD; returns their social security number."""
        nir, vitale = nir_for(n), f"{10000000 + n}"
        code = self.enrol(nir=nir, vitale=vitale, first_name=first_name, email=f"lettre{n}@example.fr")
        client = AccountClient(self.api_url)
        try:
            client.activate(
                ActivationRequest(
                    provisional_code=code, nir=nir, vitale_serial=vitale, email=email, password=PASSWORD
                )
            )
        finally:
            client.close()
        return nir

    def enrol_child(self, n: int, first_name: str, parent_n: int, birth_date: str) -> tuple[str, str, str]:
        """Enrol minor `n`, attached to person `parent_n` (enrolled by `activate`), whose letters
        go to lettre<parent_n>@example.fr; returns the child's code, NIR and Vitale serial."""
        nir, vitale = nir_for(n), f"{10000000 + n}"
        email, parent = f"lettre{parent_n}@example.fr", nir_for(parent_n)
        born = {"birth_date": birth_date, "parent_nir": parent}
        code = self.enrol(nir=nir, vitale=vitale, first_name=first_name, email=email, **born)
        return code, nir, vitale

    def wait_otp(self, to: str, count: int = 1, timeout: float = 20) -> str:
        """The code of the `count`-th one-time code sent to `to` (waits for it to arrive)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            codes = [m for m in self.messages(to) if m.get("kind") == "otp"]
            if len(codes) >= count:
                match = OTP_RE.search(codes[0]["body"])
                assert match
                return match.group(1)
            time.sleep(0.2)
        raise AssertionError(f"no code for {to}")


@pytest.fixture  # one server and app per test: a rerun starts clean
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    data_dir = tmp_path_factory.mktemp("browser-data")
    env = os.environ | SERVER_ENV | {"ENS_DATA_DIR": str(data_dir)}
    api_port, app_port = free_port(), free_port()
    api_log, app_log = data_dir / "server.log", data_dir / "app.log"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with api_log.open("wb") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "backend_stub", "serve", "--port", str(api_port)],
                env=env  # where consent screens open; where share links point
                | {
                    "ENS_PUBLIC_APP_URL": f"http://127.0.0.1:{app_port}",
                    "ENS_PUBLIC_API_URL": f"http://127.0.0.1:{api_port}",
                },
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        processes.append(server)
        api_url = f"http://127.0.0.1:{api_port}"
        wait_http(f"{api_url}/api/v1/health", server, api_log)
        app_env = env | {
            "ENS_API_URL": api_url,
            "ENS_APP_PORT": str(app_port),
            "ENS_APP_VIEW": "web",
            "ENS_APP_HOST": "127.0.0.1",
            "ENS_DEVICE_DIR": str(data_dir / "devices"),
            "ENS_SYNC_EVERY": "5",
        }
        with app_log.open("wb") as out:
            app = subprocess.Popen(
                [sys.executable, "-m", "mobile"], env=app_env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
            )
        processes.append(app)
        app_url = f"http://127.0.0.1:{app_port}"
        wait_http(app_url, app, app_log)
        yield Stack(data_dir, api_url, app_url, app_log, env, server)
        assert "Traceback" not in app_log.read_text(errors="replace"), app_log.read_text(errors="replace")
    finally:
        for process in reversed(processes):
            stop(process)


@dataclass
class Browser:
    page: object
    errors: list[str]


@pytest.fixture
def browser_zone() -> str | None:
    """The browser's time zone (None: the machine's); a test module overrides it to check that
    times follow the person's zone, not the app server's."""
    return None


@pytest.fixture
async def browser_page(stack: Stack, browser_zone: str | None) -> AsyncIterator[Browser]:
    from playwright.async_api import async_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page(
                viewport={"width": 412, "height": 860}, locale="fr-FR", timezone_id=browser_zone
            )
            page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
            page.on(
                "console",
                lambda msg: (
                    errors.append(f"console: {msg.text}")
                    if msg.type == "error" and "ERR_NAME_NOT_RESOLVED" not in msg.text
                    else None
                ),
            )
            page.set_default_timeout(30_000)
            await page.goto(stack.app_url)
            await page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
            await page.evaluate("document.querySelector('flt-semantics-placeholder').click()")
            yield Browser(page, errors)
        finally:
            await browser.close()
