"""The sync status the app always shows, without a single control.

SyncBar     runs one sync of the open space at a time and words its status
  SyncLine  what the bar says: a kind, a message key and its values, uploads in flight
"""

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from mobile.shell.vault import VaultState
from sync.protocol.errors import ErrorCode

__all__ = ["SyncBar", "SyncLine"]


@dataclass(frozen=True)
class SyncLine:
    """What the status bar says: a kind (drives colour and icon), a message key and its values."""

    kind: str  # up_to_date | waiting | syncing | offline | reconnect | error
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    pending: int = 0
    uploads: tuple[tuple[str, int], ...] = ()  # (record id, percent) of uploads in flight
    downloads: tuple[int, int] | None = None  # documents fetched for offline use, and how many to


class SyncBar:
    """Runs the space's sync (never two at once for a tab) and words its status."""

    def __init__(self, vault: VaultState) -> None:
        self.vault = vault
        self.running = False
        self.asked = False  # the person asked for this sync (the bar then says it runs)
        self.progress: dict[str, tuple[int, int]] = {}
        self.downloads: tuple[int, int] | None = None  # (done, to do) while documents are fetched
        self._lock = threading.Lock()
        # Asks for a sync soon (set by the launcher's loop; tests call `sync` themselves).
        self.kick: Callable[[], None] = lambda: None
        # Told when an upload moves (set by the launcher to redraw the bar).
        self.on_progress: Callable[[], None] = lambda: None
        # Told after each sync (the emergency card's copy follows the profile's changes).
        self.after_sync: Callable[[], None] = lambda: None

    @contextlib.contextmanager
    def quiet(self, timeout: float = 20) -> Iterator[None]:
        """Wait for a running sync to end (before the vault closes), and hold new ones off."""
        got = self._lock.acquire(timeout=timeout)
        try:
            yield
        finally:
            if got:
                self._lock.release()

    def _progress(self, record_id: str, sent: int, total: int) -> None:
        self.progress[record_id] = (sent, total)
        self.on_progress()

    def _downloaded(self, done: int, total: int) -> None:
        self.downloads = (done, total)
        self.on_progress()

    def sync(self) -> bool:
        """One sync of the open space; False when none is open or one is already running."""
        space = self.vault.space
        if space is None or space.store is None:
            return False
        if not self._lock.acquire(blocking=False):
            return False
        self.running = True
        try:
            space.sync(self._progress, self._downloaded)
            self.after_sync()
        except Exception:  # noqa: BLE001 (the vault closed under a running sync: logout)
            return False
        finally:
            self.running = False
            self.progress.clear()
            self.downloads = None
            self._lock.release()
        return True

    def pending(self) -> int:
        """Changes and document files not yet on the server."""
        space = self.vault.space
        if space is None or space.store is None or space.documents is None:
            return 0
        try:
            return space.store.pending_count() + len(space.documents.pending_uploads())
        except Exception:  # noqa: BLE001 (closed meanwhile)
            return 0

    def line(self, tz: tzinfo | None = None) -> SyncLine | None:
        """The status to show, or None before the vault is open."""
        space = self.vault.space
        if space is None or space.store is None:
            return None
        try:
            status = space.status()
        except Exception:  # noqa: BLE001 (closed meanwhile)
            return None
        pending = self.pending()
        uploads = tuple(
            (rid, min(100, int(sent * 100 / total)) if total else 100)
            for rid, (sent, total) in list(self.progress.items())
        )
        if self.running and self.downloads is not None:  # a long first sync shows how far it is
            done, total = self.downloads
            params = {"done": done, "total": total}
            return SyncLine("syncing", "ui.sync.download", params, pending, uploads, self.downloads)
        if self.running and self.asked:
            return SyncLine("syncing", "ui.sync.running", {}, pending, uploads)
        error = status.error if status else None
        if space.session_expired or error in (ErrorCode.SESSION_EXPIRED, ErrorCode.AUTH_REQUIRED):
            return SyncLine("reconnect", "ui.sync.reconnect", {}, pending)
        if error == ErrorCode.NETWORK:
            return SyncLine("offline", "ui.sync.offline", {}, pending)
        if error:
            return SyncLine("error", error, {}, pending)
        if pending:
            return SyncLine("waiting", "ui.sync.pending", {"count": pending}, pending)
        if status is None or status.last_sync_at is None:
            return SyncLine("waiting", "ui.sync.never", {}, 0)
        moment = status.last_sync_at.astimezone(tz).strftime("%H:%M")
        return SyncLine("up_to_date", "ui.sync.up_to_date", {"time": moment}, 0)
