"""A minor child's space on the parent's device: its own sealed store, opened by the parent's unlock.

Folder layout, inside the parent's vault folder: `children/<child id>/<device id>/` holding the
child's `store.db` and `files/`. The child's store is sealed with a random key of its own, kept as a
sealed secret of the parent's store (so only the parent's PIN opens it, and one child's store never
reads another's). The child's client is the parent's `for_space` view: the parent's tokens, the
child's data. There is no PIN or session of the child's own.
"""

import base64
import os

from sync.device import DeviceVault
from sync.documents import Documents
from sync.engine import SyncEngine
from sync.errors import SyncError
from sync.protocol.errors import ErrorCode
from sync.protocol.schemas import Me, TokenPair
from sync.space import HolderSpace

KEY_SECRET = "child_key."  # + the child's id, in the parent's store


class ChildSpace(HolderSpace):
    """The same services as the parent's space (store, engine, documents), for one child."""

    FOLDER = "children"  # under the parent's vault folder
    KEY_SECRET = KEY_SECRET

    def __init__(self, parent: HolderSpace, child_id: str) -> None:
        if parent.store is None or parent.me is None:
            raise SyncError(ErrorCode.AUTH_REQUIRED)
        super().__init__(parent.root, parent.device_id, parent.client.for_space(child_id), kdf=parent.kdf)
        self.parent, self.child_id = parent, child_id
        self._parent_folder = parent.vault(parent.me.id).folder

    def vault(self, holder_id: str | None = None) -> DeviceVault:
        """The child's folder under the parent's (whatever holder the caller names)."""
        return DeviceVault(self._parent_folder / self.FOLDER, self.child_id, self.device_id, kdf=self.kdf)

    def _key(self) -> bytes:
        """The child's store key: made once, sealed in the parent's store."""
        assert self.parent.store is not None
        name = self.KEY_SECRET + self.child_id
        kept = self.parent.store.secret(name)
        if isinstance(kept, str) and kept:
            return base64.b64decode(kept)
        key = os.urandom(32)
        self.parent.store.set_secret(name, base64.b64encode(key).decode())
        return key

    def open(self, known: Me) -> None:
        """Open the child's store (created on first use); `known` stands in for the child's Me until
        the server gives it (offline first open)."""
        vault = self.vault()
        vault.folder.mkdir(parents=True, exist_ok=True)
        vault.folder.chmod(0o700)
        key = self._key()
        self.store = vault.open_store(key)
        self.documents = Documents(self.store, vault.files_dir, key)
        self.engine = SyncEngine(self.store, self.client)
        kept = self.store.secret("me")
        self.me = Me.model_validate(kept) if isinstance(kept, dict) else known
        self.online, self.session_expired = self.parent.online, self.parent.session_expired
        self.refresh_me()

    def refresh_me(self) -> None:
        """The child's Me from the server (birth date and sex drive the check-up reminders)."""
        if self.store is None or self.client.tokens is None:
            return
        try:
            self.me = self.client.me()
        except SyncError:
            return  # offline or refused: the sealed copy stays
        self.store.set_secret("me", self.me.model_dump(mode="json"))

    def _resume(self) -> None:
        """The session is the parent's: resume theirs."""
        self.parent._resume()
        self.online, self.session_expired = self.parent.online, self.parent.session_expired

    def reconnected(self) -> None:
        self.parent.reconnected()
        self.session_expired, self.online = False, True

    def forget_session(self) -> None:
        """Signed out from another device: the parent's vault forgets its session and key, this
        space locks with it."""
        self.parent.forget_session()
        self.lock()

    def _keep_tokens(self, pair: TokenPair | None) -> None:
        """The parent's vault keeps the tokens; the child's store never holds them."""
