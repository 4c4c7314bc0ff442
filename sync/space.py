"""The device's service for one holder: vault, store, sync engine, documents, server session.

The app holds one `HolderSpace` per person using it (per browser tab in web mode). Flow:
after the first login on a device, `set_pin` creates the vault and keeps the refresh token, the
device key and the holder's profile sealed in it; on later launches `unlock` opens the vault with
the PIN and resumes the server session when the network is there, or works offline from the store.

- Killed between the server's rotation of the refresh token and the vault storing the new one,
  the device presents the previous token at its next launch: the server gives back the same pair
  (its grace, services/sessions.py), so the person stays signed in.
- Signed out from another device ("Déconnecter cet appareil"): at its next contact the server
  says `error.auth.device_signed_out`; the vault forgets its key (locks) and its session, and
  `signed_out` tells the screens to ask for a login. What it holds stays sealed by the unlock code.
- A vault made with an older, shorter unlock code still opens; `pin_outdated` then asks the
  screens to have the person choose a new one (`change_pin`).
- Unlock code forgotten: `erase` removes this device's copy; after a login the person chooses a
  new code and the sync brings back everything the server has (what was not sent yet is lost).
"""

import shutil
from pathlib import Path

from sync.client import AccountClient
from sync.crypto import KdfParams
from sync.device import DeviceVault, pin_problem
from sync.documents import Documents, Progress, Uploader
from sync.downloads import Downloader, DownloadProgress, OfflineChoice
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
        self.download_refused: set[str] = set()  # documents the server would not give (downloads.py)
        self.engine: SyncEngine | None = None
        self.me: Me | None = None
        self.online = self.session_expired = False
        self.signed_out = False  # signed out from another device: log in again
        self.pin_outdated = False  # opened with a code the rules no longer accept: offer to change it

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
        self.pin_outdated = pin_problem(pin) is not None
        self._open(vault, key, Me.model_validate(store.secret("me")), store)
        self._resume()
        return self.me  # type: ignore[return-value]

    def change_pin(self, old: str, new: str, confirm: str) -> None:
        """ "Changer mon code de déverrouillage": the same vault key, wrapped by the new code."""
        if new != confirm:
            raise SyncError(ErrorCode.PIN_MISMATCH)
        if self.me is None:
            raise SyncError(ErrorCode.AUTH_REQUIRED)
        self.vault(self.me.id).change_pin(old, new)
        self.pin_outdated = False

    def erase(self, holder_id: str) -> None:
        """ "J'ai oublié mon code de déverrouillage": this device's copy of the space is deleted (the
        server keeps what was synced); after a login, `needs_pin` asks for a new code."""
        self.lock()
        shutil.rmtree(self.vault(holder_id).folder, ignore_errors=True)

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
        except SyncError as exc:
            self.store.set_secret("refresh_token", "")
            self.session_expired = True
            self.signed_out = exc.code == ErrorCode.DEVICE_SIGNED_OUT
            return
        self.store.set_secret("me", self.me.model_dump(mode="json"))
        self.online = True

    def _open(self, vault: DeviceVault, key: bytes, me: Me, store: Store | None = None) -> None:
        self.store = store or vault.open_store(key)
        self.documents = Documents(self.store, vault.files_dir, key)
        self.engine = SyncEngine(self.store, self.client)
        self.me = me
        self.store.set_secret("me", me.model_dump(mode="json"))
        sealed_key = self.store.secret("device_key")
        if self.client.device_key:
            self.store.set_secret("device_key", self.client.device_key)
        elif isinstance(sealed_key, str) and sealed_key:
            self.client.device_key = sealed_key  # the next login says this device is known
        self.client.on_tokens = self._keep_tokens
        self.client.on_signed_out = self._told_signed_out
        self._keep_tokens(self.client.tokens)

    def reconnected(self) -> None:
        """The holder logged in again (password and code) while the vault was open: seal the new
        session and sync again."""
        self.session_expired, self.online = False, True
        self._keep_tokens(self.client.tokens)

    def _keep_tokens(self, pair: TokenPair | None) -> None:
        if self.store is not None and pair is not None:
            self.store.set_secret("refresh_token", pair.refresh_token)
            if pair.device_key:
                self.store.set_secret("device_key", pair.device_key)

    def _told_signed_out(self) -> None:
        """The client heard `device_signed_out`; the vault forgets at the next safe point (`sync`)."""
        self.signed_out = True

    def forget_session(self) -> None:
        """Signed out from another device: the sealed session goes, and the vault key with it (locked)."""
        if self.store is not None:
            self.store.set_secret("refresh_token", "")
        self.session_expired, self.online = True, False
        self.lock()

    def sync(
        self, on_progress: Progress | None = None, on_download: DownloadProgress | None = None
    ) -> SyncStatus:
        """Push, pull, upload, then fetch the documents kept offline that this device lacks (a
        new device's first sync fetches them all, resuming where a cut left it); the status says
        how it went (never raises)."""
        assert self.engine is not None and self.documents is not None and self.store is not None
        if self.client.tokens is None and not self.signed_out:
            self._resume()
            if not self.online:
                code = ErrorCode.SESSION_EXPIRED if self.session_expired else ErrorCode.NETWORK
                self.store.set_meta("last_error", code.value)
                return self.engine.status()
        status = self.engine.sync()
        if status.error is None:
            try:
                Uploader(self.documents, self.client).run(on_progress)
                choice = OfflineChoice.of(self.store)
                downloader = Downloader(self.documents, self.client, choice, self.download_refused)
                downloader.run(on_download, stop=lambda: self.store is None)
            except SyncError as exc:
                self.store.set_meta("last_error", exc.code)
        status = self.engine.status()
        self.online = status.error != ErrorCode.NETWORK.value
        if self.signed_out or status.error == ErrorCode.DEVICE_SIGNED_OUT:
            self.signed_out = True
            self.forget_session()
        return status

    def status(self) -> SyncStatus | None:
        return self.engine.status() if self.engine else None

    def lock(self) -> None:
        """Forget the keys and close the store (logout, or the app going to the background)."""
        self.client.on_tokens = None
        self.client.on_signed_out = None
        if self.store is not None:
            self.store.close()
        self.store = self.documents = self.engine = None
