"""ASGI middleware putting the browser's safety headers on every answer of the server.

Every answer: `nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`, and a Content
Security Policy that allows nothing (`default-src 'none'`, `frame-ancestors 'none'`): JSON and
files need nothing, and a page that does (the share page's inline style) sends its own policy,
built by `page_policy` with the hash of exactly that style, never `'unsafe-inline'`. Over HTTPS
(the scheme uvicorn reports, from the proxy's header when it is trusted) also HSTS for two years.
The interactive API docs exist only outside production (`main.py`) and keep no policy, since
they load their scripts from a CDN.
"""

import base64
import hashlib

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NOTHING = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
HSTS = "max-age=63072000; includeSubDomains"


def page_policy(style: str) -> str:
    """The policy of a server-made page: its one inline style (by hash), forms posted to itself."""
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    return (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    """Adds the headers an answer did not set itself; `bare` paths (the docs) get no policy."""

    def __init__(self, app: ASGIApp, bare: tuple[str, ...] = ()) -> None:
        self.app, self.bare = app, bare

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https, bare = scope.get("scheme") == "https", scope.get("path", "") in self.bare

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if not bare:
                    headers.setdefault("Content-Security-Policy", NOTHING)
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, with_headers)
