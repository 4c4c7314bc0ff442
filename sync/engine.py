"""The sync engine: push the outbox, pull the change feed, upload documents, say how it went.

It depends on a transport (the account client, or a fake in tests), a clock and a sleep
function, so tests can run it offline, kill it, and move time. Retries back off exponentially
with jitter and respect the server's Retry-After.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from sync import log_watch
from sync.errors import ApiError, NetworkError, SyncError
from sync.protocol.errors import ErrorCode
from sync.protocol.sync_schemas import MAX_PUSH, Outcome, PullResponse, PushRequest, PushResponse
from sync.store import Store

T = TypeVar("T")
RETRYABLE_STATUS = {429, 502, 503, 504}


class Transport(Protocol):
    """What the engine needs from the server."""

    def push(self, request: PushRequest) -> PushResponse: ...
    def pull(self, cursor: str, limit: int = 500) -> PullResponse: ...


@dataclass(frozen=True)
class SyncStatus:
    """What the app shows at all times."""

    pending: int
    last_sync_at: datetime | None
    error: str | None  # a message key, e.g. "error.network"

    @property
    def state(self) -> str:
        """ "error" when the last try failed, "waiting" with changes queued, else "up_to_date"."""
        if self.error:
            return "error"
        return "waiting" if self.pending else "up_to_date"


@dataclass
class Backoff:
    """Exponential backoff with jitter, capped; the server's Retry-After wins when given."""

    attempts: int = 5
    base: float = 0.5
    cap: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    rng: Callable[[], float] = random.random

    def run(self, call: Callable[[], T]) -> T:
        for attempt in range(self.attempts):
            try:
                return call()
            except (NetworkError, ApiError) as exc:
                if isinstance(exc, ApiError) and exc.status not in RETRYABLE_STATUS:
                    raise
                if attempt == self.attempts - 1:
                    raise
                retry_after = exc.params.get("retry_after")
                delay = float(retry_after) if retry_after else min(self.cap, self.base * 2**attempt)
                self.sleep(delay * (0.5 + self.rng() / 2) if not retry_after else delay)
        raise AssertionError("unreachable")


class SyncEngine:
    """Moves one store's changes to the server and the server's changes to the store."""

    def __init__(
        self,
        store: Store,
        transport: Transport,
        *,
        backoff: Backoff | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        batch_size: int = MAX_PUSH,
        page_size: int = 500,
    ) -> None:
        self.store, self.transport = store, transport
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.batch_size, self.page_size = batch_size, page_size

    def status(self) -> SyncStatus:
        last = self.store.meta("last_sync_at")
        return SyncStatus(
            pending=self.store.pending_count(),
            last_sync_at=datetime.fromisoformat(last) if last else None,
            error=self.store.meta("last_error") or None,
        )

    def sync(self) -> SyncStatus:
        """Push everything queued, then pull until up to date. Never raises: the status says."""
        try:
            refused = self.push_all()
            self.pull_all()
        except SyncError as exc:
            self.store.set_meta("last_error", exc.code)
            return self.status()
        self.store.set_meta("last_error", ErrorCode.SYNC_REJECTED.value if refused else "")
        self.store.set_meta("last_sync_at", self.clock().isoformat())
        return self.status()

    def push_all(self) -> int:
        """Push the whole outbox; returns how many changes the server refused (the status says so)."""
        refused = 0
        while batch := self.store.outbox_batch(self.batch_size):
            request = PushRequest(client_id=self.store.client_id, mutations=batch)
            response = self.backoff.run(lambda: self.transport.push(request))  # noqa: B023 (called at once)
            self.store.acknowledge(response.results)
            refused += sum(r.outcome == Outcome.REJECTED for r in response.results)
        return refused

    def pull_all(self) -> None:
        while True:
            cursor = self.store.cursor()
            page = self.backoff.run(lambda: self.transport.pull(cursor, self.page_size))  # noqa: B023 (called at once)
            self.store.apply_changes(page.changes, page.cursor)
            if page.log_head is not None:
                log_watch.observe(self.store, page.log_head)  # the log was not cut nor rewritten
            if not page.more:
                return
