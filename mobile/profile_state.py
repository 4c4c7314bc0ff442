"""The medical profile as the holder edits it, without a single control.

    ProfileState        the hub's counts, the list of one section, its add/edit form
                        (later: the wishes, relatives to notify and the emergency card)

Entries live in the encrypted device store (collection "profile_entry") and sync like the
rest; every write asks for a sync. Checks are those of `sync.protocol.profile`, the server's
own, so an entry the app saves is never refused on push.
"""

from typing import TYPE_CHECKING

from sync.protocol.profile import LIST_SECTIONS
from sync.store import Item

if TYPE_CHECKING:  # space_state attaches this state: import its types for checking only
    from mobile.space_state import SyncBar, VaultState

__all__ = ["COLLECTION", "ProfileState"]

COLLECTION = "profile_entry"


class ProfileState:
    """The holder's medical profile on this device."""

    def __init__(self, vault: "VaultState", bar: "SyncBar") -> None:
        self.vault, self.bar = vault, bar
        self.section = LIST_SECTIONS[0]

    def _items(self) -> list[Item]:
        space = self.vault.space
        if space is None or space.store is None:
            return []
        return space.store.items(COLLECTION)

    def counts(self) -> dict[str, int]:
        """Entries per section (the hub says how many each list holds)."""
        found: dict[str, int] = {}
        for item in self._items():
            section = str(item.data.get("section", ""))
            found[section] = found.get(section, 0) + 1
        return found

    def open_list(self, section: str) -> None:
        self.section = section if section in LIST_SECTIONS else LIST_SECTIONS[0]

    def open_wishes(self) -> None:
        """Nothing to prepare yet."""

    def card_enabled(self) -> bool:
        return False
