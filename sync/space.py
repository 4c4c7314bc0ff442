"""The device's service for one holder: vault, store, sync engine, documents, server session.

The app holds one `HolderSpace` per person using it (per browser tab in web mode). Flow:
after the first login on a device, `set_pin` creates the vault and keeps the refresh token and
the holder's profile sealed in it; on later launches `unlock` opens the vault with the PIN and
resumes the server session when the network is there, or works offline from the store.
"""

from pathlib import Path

from sync.client import AccountClient
from sync.crypto import KdfParams
from sync.device import DeviceVault
from sync.documents import Documents, Progress, Uploader
from sync.engine import SyncEngine, SyncStatus
from sync.errors import NetworkError, SyncError
from sync.protocol.errors import ErrorCode
from sync.protocol.schemas import Me, TokenPair
from sync.store import Store


class HolderSpace:
    """Everything the screens need once a holder is known on this device."""

    def __init__(
        self, root: Path, device_id: str, client: AccountClient, *, kdf: KdfParams | None = None
    ) -> None:
        self.root, self.device_id, self.client = root, device_id, client
        self.kdf = kdf or KdfParams()
        self.store: Store | None = None
        self.documents: Documents | None = None
        self.engine: SyncEngine | None = None
        self.me: Me | None = None
        self.online = self.session_expired = False

    def vault(self, holder_id: str) -> DeviceVault:
        return DeviceVault(self.root, holder_id, self.device_id, kdf=self.kdf)

    def needs_pin(self, me: Me) -> bool:
        """True after the first login on this device: the person must choose an unlock code."""
        return not self.vault(me.id).exists()

    def set_pin(self, me: Me, pin: str, confirm: str) -> None:
        """Create this device's vault for a signed-in holder."""
        if pin != confirm:
            raise SyncError(ErrorCode.PIN_MISMATCH)
        vault = self.vault(me.id)
        self._open(vault, vault.create(pin), me)
        self.online = True

    def unlock(self, holder_id: str, pin: str) -> Me:
        """Open the vault; resume the server session when the network is there, else work offline.

        `session_expired` tells the app to ask for a login (password and code) before syncing."""
        vault = self.vault(holder_id)
        key = vault.unlock(pin)
        store = vault.open_store(key)
        self._open(vault, key, Me.model_validate(store.secret("me")), store)
        self._resume()
        return self.me  # type: ignore[return-value]

    def _resume(self) -> None:
        """Reopen the server session from the sealed refresh token; offline keeps `online` False."""
        assert self.store is not None
        refresh = self.store.secret("refresh_token")
        self.online = self.session_expired = False
        if not (isinstance(refresh, str) and refresh):
            self.session_expired = True
            return
        try:
            self.me = self.client.resume(refresh)  # the new pair is sealed by `_keep_tokens`
        except NetworkError:
            return
        except SyncError:
            self.store.set_secret("refresh_token", "")
            self.session_expired = True
            return
        self.store.set_secret("me", self.me.model_dump(mode="json"))
        self.online = True

    def _open(self, vault: DeviceVault, key: bytes, me: Me, store: Store | None = None) -> None:
        self.store = store or vault.open_store(key)
        self.documents = Documents(self.store, vault.files_dir, key)
        self.engine = SyncEngine(self.store, self.client)
        self.me = me
        self.store.set_secret("me", me.model_dump(mode="json"))
        self.client.on_tokens = self._keep_tokens
        self._keep_tokens(self.client.tokens)

    def reconnected(self) -> None:
        """The holder logged in again (password and code) while the vault was open: seal the new
        session and sync again."""
        self.session_expired, self.online = False, True
        self._keep_tokens(self.client.tokens)

    def _keep_tokens(self, pair: TokenPair | None) -> None:
        if self.store is not None and pair is not None:
            self.store.set_secret("refresh_token", pair.refresh_token)

    def sync(self, on_progress: Progress | None = None) -> SyncStatus:
        """Push, pull and upload; the status says how it went (never raises)."""
        assert self.engine is not None and self.documents is not None and self.store is not None
        if self.client.tokens is None:
            self._resume()
            if not self.online:
                code = ErrorCode.SESSION_EXPIRED if self.session_expired else ErrorCode.NETWORK
                self.store.set_meta("last_error", code.value)
                return self.engine.status()
        status = self.engine.sync()
        if status.error is None:
            try:
                Uploader(self.documents, self.client).run(on_progress)
            except SyncError as exc:
                self.store.set_meta("last_error", exc.code)
        self.online = self.engine.status().error != ErrorCode.NETWORK.value
        return self.engine.status()

    def status(self) -> SyncStatus | None:
        return self.engine.status() if self.engine else None

    def lock(self) -> None:
        """Forget the keys and close the store (logout, or the app going to the background)."""
        self.client.on_tokens = None
        if self.store is not None:
            self.store.close()
        self.store = self.documents = self.engine = None
