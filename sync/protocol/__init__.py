"""Pure code both ends share: wire schemas, validators and loaders of the reference data.

Nothing here touches the network, a database or the UI, so the server can import it.
"""

from sync.protocol.errors import ErrorCode
from sync.protocol.i18n import translate
from sync.protocol.identifiers import (
    InvalidIdentifier,
    normalize_email,
    normalize_nir,
    normalize_phone,
    normalize_provisional_code,
    normalize_vitale_serial,
)
from sync.protocol.password import PasswordRule, password_is_acceptable, password_rules

__all__ = [
    "ErrorCode",
    "InvalidIdentifier",
    "PasswordRule",
    "normalize_email",
    "normalize_nir",
    "normalize_phone",
    "normalize_provisional_code",
    "normalize_vitale_serial",
    "password_is_acceptable",
    "password_rules",
    "translate",
]
