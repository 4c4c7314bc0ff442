"""This device's vault, without a single control: the unlock code chosen after the first login,
typed again on a later launch, and the holder's space it opens.

    VaultState      device id, last holder, the open HolderSpace, PIN and unlock forms
      PinForm       the unlock code chosen after the first login, typed twice
      UnlockForm    the unlock code typed on a later launch

Every feature reads its space from here (`vault.space`); a child's space swaps it in.
"""

import re
import uuid
from collections.abc import Callable
from pathlib import Path

from mobile.shell.state import Form, local_error
from sync.client import AccountClient
from sync.crypto import KdfParams
from sync.device import pin_problem
from sync.errors import SyncError
from sync.protocol.errors import ErrorCode
from sync.protocol.schemas import Me
from sync.space import HolderSpace

__all__ = ["PinForm", "UnlockForm", "VaultState"]

# Ids read back from the browser name folders on disk: only plain tokens are accepted.
_DEVICE_ID_RE = re.compile(r"^[0-9a-f]{32}$")
_HOLDER_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def new_device_id() -> str:
    return uuid.uuid4().hex


def valid_device_id(value: object) -> str | None:
    return value if isinstance(value, str) and _DEVICE_ID_RE.match(value) else None


def valid_holder_id(value: object) -> str | None:
    return value if isinstance(value, str) and _HOLDER_ID_RE.match(value) else None


class PinForm(Form):
    """The unlock code chosen after the first login on this device, typed twice."""

    fields = ("pin", "confirm")


class UnlockForm(Form):
    """The unlock code typed on a later launch."""

    fields = ("pin",)


class VaultState:
    """This device's vault for the holder of this tab (one HolderSpace per page session)."""

    def __init__(self, client: AccountClient, root: Path, *, kdf: KdfParams | None = None) -> None:
        self.client, self.root, self.kdf = client, root, kdf
        self.device_id: str | None = None
        self.holder_id: str | None = None  # the last holder who set a PIN in this browser
        self.space: HolderSpace | None = None
        self.pin_form = PinForm(client)
        self.unlock_form = UnlockForm(client)
        # Called with (device id, holder id) to keep them in the browser (set by the launcher).
        self.remember: Callable[[str, str], None] = lambda _device, _holder: None

    def known(self, device_id: object, holder_id: object) -> str:
        """Take the ids kept in the browser; a missing or odd device id is replaced by a new one."""
        self.device_id = valid_device_id(device_id) or new_device_id()
        self.holder_id = valid_holder_id(holder_id)
        return self.device_id

    def _new_space(self) -> HolderSpace:
        if self.device_id is None:
            self.device_id = new_device_id()
        return HolderSpace(self.root, self.device_id, self.client, kdf=self.kdf)

    @property
    def unlocked(self) -> bool:
        return self.space is not None and self.space.store is not None

    def can_unlock(self) -> bool:
        """A vault of the last holder exists on this device: offer the unlock screen."""
        if self.unlocked or self.device_id is None or self.holder_id is None:
            return False
        return self._new_space().vault(self.holder_id).exists()

    def needs_pin(self, me: Me) -> bool:
        return self._new_space().needs_pin(me)

    def set_pin(self, me: Me) -> bool:
        """Create the vault; errors go under the field they concern, the values stay."""
        form = self.pin_form
        form.clear_errors()
        pin, confirm = form.values["pin"], form.values["confirm"]
        problem = pin_problem(pin)
        if problem:
            form.errors["pin"] = local_error(problem)
        elif pin != confirm:
            form.errors["confirm"] = local_error(ErrorCode.PIN_MISMATCH)
        if form.errors:
            return False
        space = self._new_space()
        try:
            space.set_pin(me, pin, confirm)
        except SyncError as err:
            form.banner = err
            return False
        self.space, self.holder_id = space, me.id
        self.pin_form = PinForm(self.client)
        self.remember(self.device_id or "", me.id)
        return True

    def unlock(self) -> Me | None:
        """Open the vault of the last holder with the typed code; the wait shows after wrong tries."""
        form = self.unlock_form
        form.clear_errors()
        if not form.values["pin"]:
            form.errors["pin"] = local_error(ErrorCode.PIN_WRONG)
            return None
        if self.holder_id is None:
            form.banner = local_error(ErrorCode.AUTH_REQUIRED)
            return None
        space = self._new_space()
        try:
            me = space.unlock(self.holder_id, form.values["pin"])
        except SyncError as err:
            form.values["pin"] = ""  # a wrong code is not worth keeping
            if err.code in (ErrorCode.PIN_WRONG, ErrorCode.PIN_WAIT):
                form.errors["pin"] = err
            else:
                form.banner = err
            return None
        self.space = space
        self.unlock_form = UnlockForm(self.client)
        return me

    def open_for(self, me: Me, pin: str) -> Me | None:
        """Unlock the vault of a holder who just logged in with password and code."""
        self.holder_id = me.id
        self.unlock_form.set("pin", pin)
        return self.unlock()

    @property
    def session_expired(self) -> bool:
        return self.space is not None and self.space.session_expired

    def reconnected(self) -> None:
        """The holder logged in again: the client's new tokens are sealed in the open vault."""
        if self.space is not None:
            self.space.reconnected()

    def lock(self) -> None:
        if self.space is not None:
            self.space.lock()
        self.space = None

    def forget(self) -> None:
        """Logged out: this device's copy of the holder's space goes, and the browser forgets who
        used it last (the device id stays: it names the browser, not the account)."""
        self.erase()
        self.holder_id = None
        self.remember(self.device_id or "", "")

    def erase(self) -> None:
        """ "J'ai oublié mon code de déverrouillage": this device's copy of the last holder's space
        goes (the server keeps what was synced); after a login a new code is chosen."""
        if self.holder_id is not None:
            self._new_space().erase(self.holder_id)
        self.lock()
        self.unlock_form = UnlockForm(self.client)
