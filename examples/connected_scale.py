"""A command-line "connected scale": an example referenced app of the catalogue.

It connects to a person's space the standard way (OAuth 2.0 authorisation code with PKCE, for a
native app: RFC 8252), then sends weight readings. It knows nothing of the server's code: only
its public URLs.

    python examples/connected_scale.py connect --weight 72.4 --weight 72.1
        prints the address to open in the browser where the person signs in and approves,
        waits for the answer on a loopback address, gets a token, saves it, sends the readings
    python examples/connected_scale.py push --weight 71.8
        sends readings with the saved token (refused once the person revoked the access)
"""

import argparse
import http.server
import json
import os
import secrets
import socket
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
from authlib.integrations.httpx_client import OAuth2Client

CLIENT_ID = "balance-exemple"
SCOPE = "measurements.write measurements.read"
REFUSALS = {
    "error.catalogue.token_invalid": "Access refused: the person revoked it, or it expired. Connect again.",
    "error.catalogue.app_suspended": "Access refused: this app is suspended from the catalogue.",
    "error.catalogue.scope_missing": "Access refused: the person did not allow adding measurements.",
}


class _Callback(http.server.BaseHTTPRequestHandler):
    """Receives the browser's redirect with the code (or the refusal), once."""

    answer: str | None = None
    received = threading.Event()

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        if urlsplit(self.path).path != "/callback":
            self.send_response(404)
            self.end_headers()
            return
        type(self).answer = self.path
        refused = "error=" in self.path
        page = "Accès refusé. / Access refused." if refused else "C'est fait : vous pouvez fermer cette page."
        body = f"<!doctype html><meta charset=utf-8><title>Balance</title><h1>{page}</h1>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        type(self).received.set()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: the query string holds the code."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def connect(api: str, token_file: Path, timeout: float) -> dict[str, str]:
    """Ask the person for access through their browser; the token is saved for later runs."""
    port = _free_port()
    redirect_uri = f"http://127.0.0.1:{port}/callback"
    server = http.server.HTTPServer(("127.0.0.1", port), _Callback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    verifier = secrets.token_urlsafe(64)
    client = OAuth2Client(
        client_id=CLIENT_ID,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    url, state = client.create_authorization_url(f"{api}/api/v1/oauth/authorize", code_verifier=verifier)
    print("Open this address in your browser to connect the scale to your space:", flush=True)
    print(f"AUTHORIZE {url}", flush=True)
    try:
        if not _Callback.received.wait(timeout):
            sys.exit("No answer from the browser in time.")
    finally:
        server.shutdown()
    answer = f"http://127.0.0.1:{port}{_Callback.answer}"
    query = parse_qs(urlsplit(answer).query)
    if query.get("state") != [state]:
        sys.exit("The answer does not match this request (state differs): ignored.")
    if "error" in query:
        sys.exit(f"The person refused the connection ({query['error'][0]}).")
    token = client.fetch_token(
        f"{api}/api/v1/oauth/token", authorization_response=answer, code_verifier=verifier
    )
    saved = {"api": api, "access_token": token["access_token"], "expires_in": str(token.get("expires_in"))}
    token_file.write_text(json.dumps(saved))
    os.chmod(token_file, 0o600)
    print(f"Connected. Token saved in {token_file}.", flush=True)
    return saved


def push(saved: dict[str, str], weights: list[float]) -> int:
    """Send each reading; 0 when all were accepted, 3 after a refusal."""
    headers = {"Authorization": f"Bearer {saved['access_token']}"}
    with httpx.Client(base_url=saved["api"], headers=headers, timeout=10) as http:
        for value in weights:
            body = {"kind": "weight", "value": value, "at": datetime.now(UTC).isoformat()}
            response = http.post("/api/v1/app-api/measurements", json=body)
            if response.status_code == 200:
                print(f"SENT {value} kg", flush=True)
                continue
            is_json = response.headers.get("content-type", "").startswith("application/json")
            code = str(response.json().get("code", "")) if is_json else ""
            print(f"REFUSED {value} kg: {REFUSALS.get(code, code or response.status_code)}", flush=True)
            return 3
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="An example connected scale for Mon espace santé.")
    parser.add_argument("command", choices=("connect", "push"))
    parser.add_argument("--weight", type=float, action="append", default=[], help="kg; repeat for several")
    parser.add_argument("--api", default=os.environ.get("ENS_API_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--token-file", type=Path, default=Path("data/connected-scale-token.json"))
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the browser")
    args = parser.parse_args(argv)
    if args.command == "connect":
        args.token_file.parent.mkdir(parents=True, exist_ok=True)
        saved = connect(args.api.rstrip("/"), args.token_file, args.timeout)
    else:
        if not args.token_file.exists():
            sys.exit("Not connected yet: run `connect` first.")
        saved = json.loads(args.token_file.read_text())
    return push(saved, args.weight) if args.weight else 0


if __name__ == "__main__":
    sys.exit(main())
