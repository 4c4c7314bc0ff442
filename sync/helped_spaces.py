"""The space of someone one helps (an aidant's copy), on the helper's device: a separate sealed
store, like a child's (sync/child_spaces.py), under `helped/<their id>/<device id>/`, opened with
the helper's unlock and their tokens plus `X-Space`. When the delegation ends it is wiped: the
files, the store and its key are gone from the device."""

import shutil

from sync.child_spaces import ChildSpace


class HelpedSpace(ChildSpace):
    """A helper's copy of the helped person's space."""

    FOLDER = "helped"
    KEY_SECRET = "helped_key."  # + the helped person's id, in the helper's store

    def wipe(self) -> None:
        """The delegation ended: close the store, delete its folder and forget its key."""
        self.lock()
        folder = self.vault().folder.parent  # every device's copy of this person on this profile
        shutil.rmtree(folder, ignore_errors=True)
        if self.parent.store is not None:
            self.parent.store.set_secret(self.KEY_SECRET + self.child_id, "")
