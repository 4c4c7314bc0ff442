"""Showing another person's space: a minor child's (mobile/children) or that of someone one helps
(mobile/helpers). The open space of the vault is swapped for the other's sealed copy (and its
`X-Space` client); one's own comes back on "Mon espace", a lock or a logout.

    OtherSpaces     the spaces opened on this device, the one shown ("" = one's own), the swap
"""

from collections.abc import Callable

from mobile.shell.state import local_error
from mobile.shell.vault import VaultState
from sync.child_spaces import ChildSpace
from sync.client import AccountClient
from sync.errors import SyncError
from sync.protocol.errors import ErrorCode
from sync.protocol.schemas import Me
from sync.space import HolderSpace

__all__ = ["OtherSpaces"]


class OtherSpaces:
    """The swap between one's own space and others' (a feature state builds on it)."""

    def __init__(self, vault: VaultState, client: AccountClient) -> None:
        self.vault, self.client = vault, client  # one's own client (never another space's view)
        self.banner: SyncError | None = None
        self.active = ""  # whose space is shown ("" = one's own)
        self.own: HolderSpace | None = None  # one's own space while another's is shown
        self.spaces: dict[str, ChildSpace] = {}

    def _self(self) -> HolderSpace | None:
        return self.own or self.vault.space

    def _enter(self, space_id: str, make: Callable[[HolderSpace], ChildSpace], known: Me | None) -> bool:
        """Show `space_id` ("" = one's own), opening its store on first use (`known` stands in
        for the other's Me until the server gives it)."""
        self.banner = None
        own = self._self()
        if own is None or own.store is None:
            self.banner = local_error(ErrorCode.AUTH_REQUIRED)
            return False
        if not space_id or known is None:
            self._show(own, self.client, "")
            return True
        space = self.spaces.get(space_id)
        if space is None or space.store is None:
            space = make(own)
            try:
                space.open(known)
            except (OSError, SyncError):
                self.banner = local_error(ErrorCode.STORE_DAMAGED)
                return False
            self.spaces[space_id] = space
        self._show(space, space.client, space_id)
        return True

    def _show(self, space: HolderSpace, client: AccountClient, space_id: str) -> None:
        if space_id and self.own is None:
            self.own = self.vault.space
        self.vault.space, self.vault.client = space, client
        if not space_id:
            self.own = None
        self.active = space_id

    def close_spaces(self) -> None:
        """Back to one's own space and every other store closed (lock, logout, tab closed)."""
        if self.own is not None:
            self._show(self.own, self.client, "")
        for space in self.spaces.values():
            space.lock()
        self.spaces.clear()
