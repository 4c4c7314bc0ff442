"""Start the real server as a subprocess on a free port, for tests that need a separate process."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path) -> dict[str, str]:
    """Environment of a test server: its own data folder, cheap Argon2, development outbox."""
    return os.environ | {
        "ENS_DATA_DIR": str(data_dir),
        "ENS_ENV": "test",
        "ENS_DATABASE_URL": "",
        "ENS_ARGON2_TIME_COST": "1",
        "ENS_ARGON2_MEMORY_KIB": "1024",
        "ENS_ARGON2_PARALLELISM": "1",
    }


@contextmanager
def running(
    command: list[str], health: str, *, cwd: Path, env: dict[str, str], log_path: Path
) -> Iterator[None]:
    """A server process, until `health` answers 200 (its log in `log_path` if it dies first);
    stopped (killed if need be) on exit."""
    log = log_path.open("wb")
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                if httpx.get(health, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                raise RuntimeError(log_path.read_text())
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@contextmanager
def live_server(
    data_dir: Path, env: dict[str, str] | None = None, log_name: str = "server.log", root: Path = ROOT
) -> Iterator[str]:
    """The base URL of a running server. `env` overrides (e.g. ENS_DATABASE_URL: two servers on
    one database, as two workers are); `root` is the checkout whose code runs (a benchmark
    compares another commit's server with this one)."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "backend_stub", "serve", "--port", str(port)]
    environment = server_env(data_dir) | (env or {})
    with running(command, f"{url}/api/v1/health", cwd=root, env=environment, log_path=data_dir / log_name):
        yield url
