"""The person's address in web mode, as `scripts/run` configures it: the server believes the
X-Forwarded-For of the Flet app server's address (ENS_TRUSTED_PROXIES) and of no other caller.

A real server process, so the setting comes from the environment as in production; the other
caller is the same machine seen from 127.0.0.2 (the whole 127/8 is loopback on Linux)."""

import re
from pathlib import Path

import httpx

from tests.live_server import ROOT, live_server

LIMIT = 3


def _run_setting() -> str:
    """The value `scripts/run` gives ENS_TRUSTED_PROXIES unless it is already set."""
    found = re.search(
        r"ENS_TRUSTED_PROXIES=\$\{ENS_TRUSTED_PROXIES:-([^}]*)\}", (ROOT / "scripts/run").read_text()
    )
    assert found, "scripts/run sets ENS_TRUSTED_PROXIES"
    return found.group(1)


def _logins(http: httpx.Client, url: str, forwarded: str, n: int) -> list[int]:
    """`n` logins of unknown accounts (only the per-client bucket counts) claiming `forwarded`."""
    return [
        http.post(
            f"{url}/api/v1/auth/login",
            json={"email": f"inconnu{forwarded}-{k}@exemple.fr", "password": "Pas-le-bon-2026"},
            headers={"X-Forwarded-For": forwarded},
        ).status_code
        for k in range(n)
    ]


def test_the_forwarded_address_is_believed_from_the_app_server_only(tmp_path: Path) -> None:
    assert _run_setting() == "127.0.0.1"
    env = {"ENS_TRUSTED_PROXIES": _run_setting(), "ENS_RATE_PER_CLIENT": str(LIMIT)}
    with (
        live_server(tmp_path, env) as url,
        httpx.Client(timeout=10) as app_server,
        httpx.Client(timeout=10, transport=httpx.HTTPTransport(local_address="127.0.0.2")) as stranger,
    ):
        # From the app server: each person has their own bucket.
        assert _logins(app_server, url, "198.51.100.7", LIMIT + 1) == [401] * LIMIT + [429]
        assert _logins(app_server, url, "198.51.100.8", 1) == [401]
        # From anywhere else the header is ignored: one bucket for the caller, whatever it claims.
        assert _logins(stranger, url, "198.51.100.9", LIMIT) == [401] * LIMIT
        assert _logins(stranger, url, "198.51.100.10", 1) == [429]
