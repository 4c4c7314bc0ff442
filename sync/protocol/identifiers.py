"""Validators of the three activation identifiers printed on the insurer's letter and card.

Each returns the canonical form (what the server hashes) or raises `InvalidIdentifier` with a
message key the UI translates. They are shared so that the app can tell the person what is
wrong before anything leaves the phone, and the server checks the same rules again.
"""

import re

from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.fr import nir as stdnum_nir

from sync.protocol.errors import ErrorCode

# Characters of the provisional code: no 0/O, 1/I/L, so a code read from paper is typed right.
PROVISIONAL_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PROVISIONAL_CODE_LENGTH = 12
VITALE_SERIAL_MIN_DIGITS = 8
VITALE_SERIAL_MAX_DIGITS = 12

_SEPARATORS = re.compile(r"[\s\-.]")


class InvalidIdentifier(ValueError):
    """An identifier typed by a person does not have the right form; `code` says which rule."""

    def __init__(self, code: ErrorCode) -> None:
        super().__init__(code.value)
        self.code = code


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", value or "").upper()


def normalize_nir(value: str) -> str:
    """Return the 15-character social security number, key checked (Corsica 2A/2B included)."""
    compact = _compact(value)
    if not compact:
        raise InvalidIdentifier(ErrorCode.NIR_EMPTY)
    if len(compact) != 15:
        raise InvalidIdentifier(ErrorCode.NIR_LENGTH)
    try:
        return str(stdnum_nir.validate(compact))
    except InvalidChecksum as exc:
        raise InvalidIdentifier(ErrorCode.NIR_KEY) from exc
    except ValidationError as exc:
        raise InvalidIdentifier(ErrorCode.NIR_FORMAT) from exc


def normalize_vitale_serial(value: str) -> str:
    """Return the Vitale card serial number as digits (spaces allowed when typing)."""
    compact = _compact(value)
    if not compact:
        raise InvalidIdentifier(ErrorCode.VITALE_EMPTY)
    digits = compact.isascii() and compact.isdigit()
    if not digits or not (VITALE_SERIAL_MIN_DIGITS <= len(compact) <= VITALE_SERIAL_MAX_DIGITS):
        raise InvalidIdentifier(ErrorCode.VITALE_FORMAT)
    return compact


def normalize_provisional_code(value: str) -> str:
    """Return the provisional code in capitals without separators (case and dashes ignored)."""
    compact = _compact(value)
    if not compact:
        raise InvalidIdentifier(ErrorCode.CODE_EMPTY)
    if len(compact) != PROVISIONAL_CODE_LENGTH or any(ch not in PROVISIONAL_CODE_ALPHABET for ch in compact):
        raise InvalidIdentifier(ErrorCode.CODE_FORMAT)
    return compact


def format_provisional_code(code: str) -> str:
    """Group the code by four for the letter: easier to read aloud and to copy."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_FRENCH_MOBILE = re.compile(r"^(?:\+33|0033|0)([67]\d{8})$")
_INTERNATIONAL = re.compile(r"^\+[1-9]\d{7,14}$")


def normalize_email(value: str) -> str:
    """Return the e-mail in lower case; the login identifier of the holder."""
    compact = (value or "").strip().lower()
    if len(compact) > 254 or not _EMAIL.match(compact):
        raise InvalidIdentifier(ErrorCode.EMAIL_INVALID)
    return compact


def normalize_phone(value: str) -> str:
    """Return a mobile number in international form (+33...), the only form an SMS gateway takes."""
    compact = _compact(value)
    french = _FRENCH_MOBILE.match(compact)
    if french:
        return "+33" + french.group(1)
    if _INTERNATIONAL.match(compact):
        return compact
    raise InvalidIdentifier(ErrorCode.PHONE_INVALID)


def normalize_rpps(value: str) -> str:
    """Return a professional's RPPS number: 11 digits, the last a Luhn check digit."""
    compact = _compact(value)
    if len(compact) != 11 or not (compact.isascii() and compact.isdigit()):
        raise InvalidIdentifier(ErrorCode.RPPS_FORMAT)
    if not luhn.is_valid(compact):
        raise InvalidIdentifier(ErrorCode.RPPS_KEY)
    return compact
