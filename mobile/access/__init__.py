"""Getting into the space: welcome, activation with the letter's three identifiers, objection, a new
letter, login with a one-time code, the unlock code chosen and typed on this device. Their state
is the shell's core (`shell/state.py`, `shell/vault.py`, `shell/core.py`): every feature stands on it."""
