"""ASGI middleware refusing request bodies over the configured size before they are read whole."""

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.protocol.errors import ErrorCode


class BodySizeLimit:
    """413 with the usual error body when Content-Length, or the streamed body, is too large."""

    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger or {}  # path prefix -> its own limit (upload chunks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = next((n for prefix, n in self.larger.items() if path.startswith(prefix)), self.max_bytes)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _too_large(send)
            return
        seen = 0
        started = rejected = False

        async def limited_receive() -> Message:
            # Past the limit: answer 413 now and tell the app the client went away.
            nonlocal seen, rejected
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit and not rejected:
                    rejected = True
                    if not started:
                        await _too_large(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if rejected:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, limited_receive, guarded_send)


async def _too_large(send: Send) -> None:
    body: dict[str, Any] = {"code": ErrorCode.REQUEST_TOO_LARGE.value, "params": {}}
    await send(
        {"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"application/json")]}
    )
    await send({"type": "http.response.body", "body": json.dumps(body).encode()})
