"""The base of every state that needs the server, without a single control.

Only the server decides who may see what, so these parts of the app (the shared record's
screens, administrative data, shares, the catalogue) call it each time they open: a call may
fail with a `NetworkError`, kept in `offline` so the screen can say so plainly and offer to
retry; other failures go to `banner`.
"""

from collections.abc import Callable
from typing import Any

from sync.client import AccountClient
from sync.errors import NetworkError, SyncError

__all__ = ["Online"]


class Online:
    """A part of the app that needs the server: busy flag, banner, offline flag, success notice."""

    def __init__(self, client: AccountClient) -> None:
        self.client = client
        self.busy = False
        self.loaded = False
        self.offline = False
        self.banner: SyncError | None = None
        self.notice: tuple[str, dict[str, Any]] | None = None  # message key and its values

    def _call(self, action: Callable[[], object]) -> bool:
        self.banner, self.offline, self.notice = None, False, None
        try:
            action()
        except NetworkError as err:
            self.offline = True
            self.banner = err
            return False
        except SyncError as err:
            self.banner = err
            return False
        return True
