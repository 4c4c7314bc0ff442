"""Errors the app's screens receive from `sync`.

SyncError            base: has `code` (an ErrorCode, the translation key) and `params`
  ApiError           the server said no (rule, validation, rate limit): show its message
  NetworkError       the server could not be reached: the app stays usable offline
"""

from typing import Any

from sync.protocol.errors import ErrorCode


class SyncError(Exception):
    """A failure with a message key the UI translates, and the values that fill it."""

    def __init__(self, code: ErrorCode | str, params: dict[str, Any] | None = None) -> None:
        super().__init__(str(code))
        self.code = str(code)
        self.params = params or {}


class ApiError(SyncError):
    """The server refused the request; `status` is the HTTP status."""

    def __init__(self, code: str, params: dict[str, Any], status: int) -> None:
        super().__init__(code, params)
        self.status = status


class NetworkError(SyncError):
    """No answer from the server (offline, timeout, server down)."""

    def __init__(self) -> None:
        super().__init__(ErrorCode.NETWORK)
