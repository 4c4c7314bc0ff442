"""One holder's vault on one device: the PIN-wrapped key, the encrypted store and files.

Folder layout: `<root>/<holder id>/<device id>/` holding `keyfile.json` (salt, KDF cost, the
wrapped vault key), `attempts.json` (wrong-PIN count and when the next try is allowed),
`store.db` and `files/`. Nothing in it is readable without the PIN. In Flet's web mode one
process serves every browser tab: each tab opens its own vault, never a shared one.
"""

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from sync.crypto import CryptoError, KdfParams, unwrap_key, wrap_key
from sync.errors import SyncError
from sync.protocol.errors import ErrorCode
from sync.store import Store

MIN_PIN = 8
_SAFE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
FREE_TRIES = 3
MAX_DELAY = 15 * 60
# Whole codes people pick first (keyboard rows, the word for "password"), spaces and case aside.
_COMMON = {"azertyuiop", "qwertyuiop", "azertyui", "qwertyui", "motdepasse", "password", "iloveyou"}


def pin_problem(pin: str) -> ErrorCode | None:
    """Why a new unlock code would be too easy to guess, or None.

    At least 8 characters and not only digits: the wrapping key comes from the code through
    Argon2id (64 MiB, 3 passes), so each offline guess at a copied device folder costs that much
    (benchmarks/unlock_guess_bench.py measures guesses per second per core; README says how
    long). An all-digit code has at most 10^n values, tried in hours; letters make it years.
    Vaults made with an older, shorter code still open (see `HolderSpace.pin_outdated`)."""
    if len(pin) < MIN_PIN:
        return ErrorCode.PIN_SHORT
    if pin.isdigit():
        return ErrorCode.PIN_DIGITS
    folded = "".join(pin.lower().split())
    steps = {ord(b) - ord(a) for a, b in zip(folded, folded[1:], strict=False)}
    if len(set(folded)) <= 1 or steps in ({1}, {-1}) or folded in _COMMON:
        return ErrorCode.PIN_SIMPLE
    return None


def delay_after(failures: int) -> int:
    """Seconds to wait after `failures` wrong PINs: free tries, then doubling, capped."""
    if failures < FREE_TRIES:
        return 0
    return int(min(MAX_DELAY, 2 ** (failures - FREE_TRIES + 1)))


def _write_json(path: Path, data: dict[str, object]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


class DeviceVault:
    """Creates, unlocks and re-keys the vault of one holder on one device."""

    def __init__(
        self,
        root: Path,
        holder_id: str,
        device_id: str,
        *,
        kdf: KdfParams | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        for part in (holder_id, device_id):  # they name folders: never a path of their own
            if not _SAFE_NAME.fullmatch(part):
                raise ValueError("holder and device ids are letters, digits, '-' or '_'")
        self.folder = root / holder_id / device_id
        self.kdf = kdf or KdfParams()
        self.clock = clock

    @property
    def keyfile(self) -> Path:
        return self.folder / "keyfile.json"

    @property
    def files_dir(self) -> Path:
        return self.folder / "files"

    def exists(self) -> bool:
        return self.keyfile.exists()

    def create(self, pin: str) -> bytes:
        """A new random vault key, wrapped by the PIN. Refuses a PIN too easy to guess."""
        problem = pin_problem(pin)
        if problem:
            raise SyncError(problem)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o700)
        vault_key = os.urandom(32)
        _write_json(self.keyfile, wrap_key(vault_key, pin, self.kdf))
        return vault_key

    def _attempts(self) -> dict[str, float]:
        path = self.folder / "attempts.json"
        return json.loads(path.read_text()) if path.exists() else {"failures": 0, "not_before": 0}

    def unlock(self, pin: str) -> bytes:
        """The vault key; a wrong PIN raises PIN_WRONG with the wait before the next try."""
        attempts = self._attempts()
        wait = attempts["not_before"] - self.clock()
        if wait > 0:
            raise SyncError(ErrorCode.PIN_WAIT, {"wait_seconds": int(wait) + 1})
        try:
            key = unwrap_key(json.loads(self.keyfile.read_text()), pin)
        except CryptoError:
            failures = int(attempts["failures"]) + 1
            delay = delay_after(failures)
            _write_json(
                self.folder / "attempts.json", {"failures": failures, "not_before": self.clock() + delay}
            )
            raise SyncError(ErrorCode.PIN_WRONG, {"wait_seconds": delay}) from None
        _write_json(self.folder / "attempts.json", {"failures": 0, "not_before": 0})
        return key

    def change_pin(self, old: str, new: str) -> None:
        """Re-wrap the same vault key: no data is re-encrypted."""
        problem = pin_problem(new)
        if problem:
            raise SyncError(problem)
        vault_key = self.unlock(old)
        _write_json(self.keyfile, wrap_key(vault_key, new, self.kdf))

    def open_store(self, vault_key: bytes) -> Store:
        return Store(self.folder / "store.db", vault_key)
