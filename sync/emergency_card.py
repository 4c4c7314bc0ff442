"""The emergency card: a summary of the profile a rescuer can read from the app's lock screen.

Off by default. When the holder turns it on, a copy of the card is kept in the device folder
(`<root>/<holder>/<device>/emergency_card.enc`) so the unlock screen can show it WITHOUT the
unlock code; turning it off deletes that copy at once.

Why this key: the vault key cannot open the card (it is only there after the unlock code), and a
key derived from nothing secret would be a key next to the lock. So the card is sealed with
AES-256-GCM under its own random 256-bit key that is NOT kept in the device folder: the app keeps
it where it keeps the device id, in the browser's storage (Flet's SharedPreferences; localStorage
in web mode, the platform's preferences on a phone). Copying the data folder (a backup, the web
server's disk, another account of the machine) yields only ciphertext; whoever holds this very
browser or phone can read the card, which is what the holder asked for by turning it on. The
card holds nothing the holder did not choose to show rescuers, and no identifier (no social
security number, no e-mail). The associated data names the holder and device folders, so a
card file cannot be moved to another holder's folder.
"""

import contextlib
import json
import os
import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sync.crypto import Cipher, CryptoError

__all__ = ["CARD_FILE", "CardFile", "key_from_text", "new_key_text", "same_card", "summarise"]

CARD_FILE = "emergency_card.enc"
# Allergies most relevant to a rescuer come first: the severest, then drugs and blood products.
_SEVERITY_ORDER = {"life_threatening": 0, "severe": 1, "moderate": 2, "mild": 3}


def new_key_text() -> str:
    """A new random card key, as text for the browser's storage."""
    return secrets.token_hex(32)


def key_from_text(value: object) -> bytes | None:
    """The key read back from the browser's storage, or None when it is missing or malformed."""
    if not isinstance(value, str) or len(value) != 64:
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        return None


class CardFile:
    """The sealed copy of the card in one holder's device folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / CARD_FILE
        self._aad = f"emergency_card|{folder.parent.name}|{folder.name}".encode()

    def exists(self) -> bool:
        return self.path.exists()

    def write(self, card: dict[str, Any], key: bytes) -> None:
        """Seal and replace the card in one step (a reader never sees half a card)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        sealed = Cipher(key).seal_json(card, self._aad)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_bytes(sealed)
        os.replace(tmp, self.path)

    def read(self, key: bytes) -> dict[str, Any] | None:
        """The card, or None when there is none or the key does not open it."""
        try:
            sealed = self.path.read_bytes()
            card = Cipher(key).open_json(sealed, self._aad)
        except (OSError, CryptoError, ValueError):
            return None
        return card if isinstance(card, dict) else None

    def delete(self) -> None:
        """Remove the card now: its bytes are overwritten before the file goes."""
        with contextlib.suppress(FileNotFoundError):
            size = self.path.stat().st_size
            with self.path.open("r+b") as handle:
                handle.write(b"\0" * size)
                handle.flush()
                os.fsync(handle.fileno())
            self.path.unlink()


def _current(entry: dict[str, Any], today: date) -> bool:
    """A treatment with no end date, or one ending today or later."""
    until = str(entry.get("until") or "")
    try:
        return not until or date.fromisoformat(until) >= today
    except ValueError:
        return True


def summarise(
    entries: Iterable[dict[str, Any]],
    *,
    today: date,
    holder_name: str,
    attending: str = "",
) -> dict[str, Any]:
    """What the card shows, from the profile entries' data: allergies (severest first), current
    treatments, current illnesses, the trusted person and relatives to notify, the donation choice
    and the attending physician. Only the fields a rescuer needs are copied."""
    by_section: dict[str, list[dict[str, Any]]] = {}
    for data in entries:
        by_section.setdefault(str(data.get("section", "")), []).append(data)
    allergies = sorted(
        (
            {
                "substance": a.get("substance", ""),
                "reaction": a.get("reaction", ""),
                "severity": a.get("severity", ""),
            }
            for a in by_section.get("allergy", [])
        ),
        key=lambda a: (_SEVERITY_ORDER.get(str(a["severity"]), 4), str(a["substance"]).lower()),
    )
    treatments = sorted(
        (
            {"name": t.get("name", ""), "dose": t.get("dose", "")}
            for t in by_section.get("treatment", [])
            if _current(t, today)
        ),
        key=lambda t: str(t["name"]).lower(),
    )
    illnesses = sorted(
        str(i.get("name", "")) for i in by_section.get("illness", []) if i.get("status") == "current"
    )
    wishes = next(iter(by_section.get("wishes", [])), {})
    contacts = [
        {"name": c.get("name", ""), "relation": c.get("relation", ""), "phone": c.get("phone", "")}
        for c in sorted(by_section.get("contact", []), key=lambda c: str(c.get("name", "")).lower())
    ]
    if wishes.get("trusted_name"):
        trusted = {
            "name": wishes["trusted_name"],
            "relation": "trusted",
            "phone": wishes.get("trusted_phone", ""),
        }
        contacts.insert(0, trusted)
    return {
        "holder": holder_name,
        "allergies": allergies,
        "treatments": treatments,
        "illnesses": illnesses,
        "contacts": contacts,
        "donation": wishes.get("donation", "unset"),
        "attending": attending,
        "made_at": datetime.now(UTC).isoformat(timespec="minutes"),
    }


def _content(card: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in card.items() if k != "made_at"}, sort_keys=True)


def same_card(a: dict[str, Any] | None, b: dict[str, Any]) -> bool:
    """Two cards with the same content (the time they were made aside): no rewrite needed."""
    return a is not None and _content(a) == _content(b)
