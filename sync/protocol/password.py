"""Password rules, shown one by one as the person types, and checked again by the server."""

from collections.abc import Callable
from dataclasses import dataclass

MIN_LENGTH = 12
MAX_LENGTH = 128


@dataclass(frozen=True)
class PasswordRule:
    """One rule: a message key for the checklist and the test the password must pass."""

    key: str
    check: Callable[[str], bool]


_RULES: tuple[PasswordRule, ...] = (
    PasswordRule("password.rule.length", lambda p: MIN_LENGTH <= len(p) <= MAX_LENGTH),
    PasswordRule("password.rule.lower", lambda p: any(c.islower() for c in p)),
    PasswordRule("password.rule.upper", lambda p: any(c.isupper() for c in p)),
    PasswordRule("password.rule.digit", lambda p: any(c.isdigit() for c in p)),
    PasswordRule("password.rule.symbol", lambda p: any(not c.isalnum() for c in p)),
)


def password_rules(password: str) -> list[tuple[str, bool]]:
    """Each rule's message key with whether `password` already meets it (for the live checklist)."""
    return [(rule.key, rule.check(password)) for rule in _RULES]


def password_is_acceptable(password: str, *, identifier: str = "") -> bool:
    """True when every rule holds and the password does not contain the login identifier."""
    if not all(rule.check(password) for rule in _RULES):
        return False
    local_part = identifier.split("@", 1)[0].lower()
    return not (len(local_part) >= 4 and local_part in password.lower())
