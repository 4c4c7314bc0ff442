"""Share links as the holder makes them: pick documents, a duration and who it is for; see, stop.

The link and its code come back once, when the link is made (the server keeps digests only), so
the screen shows them until the holder says they have noted them.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from mobile.shell.online import Online
from mobile.shell.state import local_error
from sync.client import AccountClient
from sync.protocol.record_schemas import ShareCreated, ShareOut

DURATIONS = (1, 7, 30)  # days offered


class Document(Protocol):
    """What a share reads of a document of the vault (the documents' own rows, handed over by the
    composition root)."""

    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def day(self) -> str: ...  # ISO date

    @property
    def pending(self) -> bool: ...


class SharesState(Online):
    """The choice being made, the link just made, and the holder's links."""

    def __init__(self, client: AccountClient, rows: Callable[[], list[Document]]) -> None:
        super().__init__(client)
        self._rows = rows  # the documents of the vault, as the documents screen lists them
        self.selected: list[str] = []
        self.days = 7
        self.label = ""
        self.created: ShareCreated | None = None
        self.links: list[ShareOut] = []

    def enter(self) -> None:
        """Opening the screen: the list is read afresh, old messages go."""
        self.loaded, self.offline, self.banner, self.notice = False, False, None, None

    def documents(self) -> list[Document]:
        """What can be shared: documents already on the server (a pending one is not yet)."""
        return [row for row in self._rows() if not row.pending]

    def toggle(self, record_id: str, chosen: bool) -> None:
        if chosen and record_id not in self.selected:
            self.selected.append(record_id)
        elif not chosen and record_id in self.selected:
            self.selected.remove(record_id)
        self.banner = None

    def set_days(self, days: int) -> None:
        self.days = days if days in DURATIONS else 7

    def load(self) -> bool:
        def ask() -> None:
            self.links = self.client.shares()
            self.loaded = True

        return self._call(ask)

    def create(self) -> bool:
        """Make the link; on success the choice is cleared and the link and code are shown."""
        shareable = {row.id for row in self.documents()}
        chosen = [record_id for record_id in self.selected if record_id in shareable]
        if not chosen:
            self.banner = local_error("ui.share.error.none")
            return False

        def ask() -> None:
            self.created = self.client.create_share(chosen, self.days, self.label.strip())
            self.links = self.client.shares()
            self.selected, self.label = [], ""

        return self._call(ask)

    def noted(self) -> None:
        """The holder wrote the link and code down: they are not shown again."""
        self.created = None

    def revoke(self, share_id: str) -> bool:
        def ask() -> None:
            stopped = self.client.revoke_share(share_id)
            self.links = [stopped if link.id == share_id else link for link in self.links]
            self.notice = ("ui.share.stopped", {})

        return self._call(ask)

    def title_of(self, record_id: str) -> str:
        return next((row.title for row in self._rows() if row.id == record_id), "")

    @staticmethod
    def status(link: ShareOut, now: datetime) -> str:
        """active, stopped or expired: the word shown next to a link."""
        if link.revoked:
            return "stopped"
        return "expired" if link.expires_at <= now else "active"
