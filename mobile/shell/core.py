"""The app state's shared core, without a single control: the signed-in holder's device vault.

    ShellState      AppState plus the device vault: PIN on first login, unlock later, lock on
                    logout or when the tab closes; the sync bar of the open space
    SpaceApp        what every feature's screens may use of it; each feature's screens name
                    the rest they need (their own state) in a protocol that extends this one

The composition root (`mobile/app.py`) adds the features: it builds their states in
`_fresh_states` (at start, after a lock, after a switch of space) and closes what they opened
besides the vault in `_close_spaces`.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from mobile.shell.state import AppState, Screen, local_error
from mobile.shell.sync_state import SyncBar
from mobile.shell.vault import PinForm, UnlockForm, VaultState
from sync.child_spaces import ChildSpace
from sync.client import AccountClient
from sync.crypto import KdfParams
from sync.errors import SyncError
from sync.protocol.errors import ErrorCode
from sync.protocol.i18n import DEFAULT_LANGUAGE
from sync.protocol.schemas import Me, SpaceStatus

__all__ = ["ShellState", "SpaceApp"]


class SpaceApp(Protocol):
    """The app state as a feature's screens see it: the language, the holder, the way between
    screens, the vault and its sync bar (a feature never imports the composition root)."""

    lang: str
    me: Me | None
    vault: VaultState
    sync_bar: SyncBar

    def go(self, screen: Screen) -> None: ...

    def back(self) -> None: ...


class ShellState(AppState):
    """AppState whose signed-in holder works in an encrypted vault on this device."""

    def __init__(
        self,
        client: AccountClient,
        root: Path,
        lang: str = DEFAULT_LANGUAGE,
        *,
        kdf: KdfParams | None = None,
    ) -> None:
        self.vault = VaultState(client, root, kdf=kdf)
        self.sync_bar = SyncBar(self.vault)
        self._pending_me: Me | None = None  # logged in, vault not open yet
        # Told when the vault opens or closes (the launcher starts and stops the sync loop).
        self.on_unlocked: Callable[[], None] = lambda: None
        self.on_locked: Callable[[], None] = lambda: None
        super().__init__(client, lang)

    # --- launch -------------------------------------------------------------------------------------
    def launched(self, device_id: object, holder_id: object) -> str:
        """The ids kept in the browser are known: offer to unlock when the vault is here."""
        device = self.vault.known(device_id, holder_id)
        if self.screen == Screen.WELCOME and self.vault.can_unlock():
            self.go(Screen.UNLOCK)
        return device

    def _signed_in(self, me: Me) -> None:
        vault = self.vault
        if me.status == SpaceStatus.CLOSED or vault.unlocked and vault.holder_id == me.id:
            if vault.unlocked:
                vault.reconnected()
            super()._signed_in(me)
            if me.status != SpaceStatus.CLOSED:
                self.on_unlocked()
            return
        if vault.unlocked:  # another holder signs in on this tab: close the previous vault
            self._lock()
        self.me = None  # signed in only once the vault is open
        if vault.needs_pin(me):
            self._pending_me = me
            vault.pin_form = PinForm(self.client)
            self.go(Screen.PIN_SETUP)
        else:  # this holder's vault is on this device: its code opens it
            self._pending_me = me
            vault.holder_id = me.id
            vault.unlock_form = UnlockForm(self.client)
            self.go(Screen.UNLOCK)

    def set_pin(self) -> bool:
        me = self._pending_me or self.me
        if me is None:
            self.go(Screen.WELCOME)
            return False
        if not self.vault.set_pin(me):
            return False
        self._pending_me = None
        super()._signed_in(me)
        self.on_unlocked()
        return True

    def unlock(self) -> bool:
        me = self.vault.unlock()
        if me is None:
            return False
        pending, self._pending_me = self._pending_me, None
        if pending is not None:
            self.vault.reconnected()
            me = pending
        super()._signed_in(me)
        self.on_unlocked()
        return True

    def other_account(self) -> None:
        """From the unlock screen: log in with another account (or the same one, by password)."""
        if self._pending_me is not None:
            self._pending_me = None
            self.client.logout()
        self.go(Screen.LOGIN)

    def forget_unlock_code(self) -> None:
        """ "J'ai oublié mon code de déverrouillage": this device's copy is erased. Already signed in
        (password and code just typed), a new unlock code is chosen at once; else log in first."""
        pending, self._pending_me = self._pending_me, None
        self.vault.erase()
        if pending is not None:
            self._signed_in(pending)  # no vault any more: the new unlock code is asked
        else:
            self.go(Screen.LOGIN)

    def signed_out_elsewhere(self) -> bool:
        """Was this device signed out from another one ("Déconnecter cet appareil")? Checked after
        each sync: its vault forgets its session and key, and the login screen says why."""
        space = self.vault.space
        own = space.parent if isinstance(space, ChildSpace) else space  # a child's space is shown
        if space is None or own is None or not (space.signed_out or own.signed_out):
            return False
        if space.store is not None:
            space.forget_session()  # heard by a screen's call, before the sync did it
        self._lock()
        self._pending_me = None
        self._signed_out(local_error(ErrorCode.DEVICE_SIGNED_OUT))
        return True

    def leave_pin_setup(self) -> None:
        """Log out instead of choosing a code (nothing is kept on this device)."""
        self._pending_me = None
        self.client.logout()
        self._signed_out(None)

    def reconnect(self) -> None:
        """The session ended: log in again (password and code), then the same vault syncs."""
        email = self.me.email if self.me else ""
        self.go(Screen.LOGIN)
        self.login.set("email", email)

    # --- navigation ------------------------------------------------------------------------------
    def back(self) -> None:
        if self.screen == Screen.LOGIN and self.me is None and self.vault.can_unlock():
            self.go(Screen.UNLOCK)
        else:
            super().back()

    # --- leaving ------------------------------------------------------------------------------------
    def _lock(self) -> None:
        self.on_locked()
        with self.sync_bar.quiet():
            self._close_spaces()
            self.vault.lock()
        self._fresh_states()

    def _close_spaces(self) -> None:
        """Close the spaces opened besides the vault's own before it locks (none in the shell)."""

    def _fresh_states(self) -> None:
        """Every feature's state anew for the space the vault shows (none in the shell)."""

    def lock(self) -> None:
        """ "Verrouiller": the keys leave memory, the session stays sealed in the vault; the unlock
        code opens the space again (and resumes the session when online)."""
        self._lock()
        self._pending_me = None
        self.me = None
        self.client.tokens = None  # the sealed refresh token resumes the session at the unlock
        self._reset_forms()
        self.go(Screen.UNLOCK if self.vault.can_unlock() else Screen.WELCOME)

    def unsent_changes(self) -> int:
        """What logging out would lose: the open space's changes and files not on the server
        yet, after one more try to send them."""
        if self.sync_bar.pending():
            self.sync_bar.sync()
        return self.sync_bar.pending()

    def logout(self) -> None:
        """ "Me déconnecter": the server ends this session (its tokens are revoked) and this device
        forgets the account: its copy of the space (store, documents, children's and helped
        persons' copies, the emergency card), its device key and the holder kept in the browser.

        Why erase rather than keep the copy sealed: a person signs out to leave a device (a shared
        computer, a phone given back or sold); a health copy left behind, even sealed, can be
        guessed at offline by whoever keeps the device, and nothing on it is needed any more, as
        the server holds everything sent. Keeping it here is what "Verrouiller" is for. What was
        not sent is lost: the screen says so and asks first (`unsent_changes`)."""
        me = self.me
        self._lock()
        self._pending_me = None
        super().logout()  # the server revokes the session; the tokens are forgotten
        if me is not None and self.vault.holder_id == me.id:  # not another person's copy
            self.vault.forget()
        self.client.device_key = None

    def _signed_out(self, err: SyncError | None) -> None:
        if err is not None and self.vault.unlocked:
            # The server session ended but the vault is open: keep working on local data.
            if self.vault.space is not None:
                self.vault.space.session_expired = True
            self.banner = err
            return
        super()._signed_out(err)

    def tab_closed(self) -> None:
        """The tab closes: stop syncing and forget the keys."""
        self._lock()
