"""Hashing of passwords, identifiers, codes and tokens.

- Passwords: Argon2id (memory-hard), parameters from settings.
- Identifiers (NIR, Vitale serial), provisional and one-time codes: HMAC-SHA256 keyed with the
  server secret. They are looked up by equality, so they need a deterministic digest; the key
  keeps a stolen database from being reversed by brute force of the small NIR space.
- Session tokens: random 256-bit values; only their SHA-256 is stored, so a database leak gives
  no usable token.
"""

import hashlib
import hmac
import os
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from backend_stub.core.config import Settings


class Hasher:
    """Everything keyed by the server secret, built once from settings."""

    def __init__(self, settings: Settings) -> None:
        self._key = settings.secret_key.encode()
        self._passwords = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
        # Verified when the account does not exist, so that timing does not reveal it.
        self._dummy_hash = self._passwords.hash(secrets.token_urlsafe(16))
        # Each check takes 64 MiB and all cores for ~50 ms: running more at once than there are
        # cores only makes every login in flight finish late together (and eats memory).
        self._slots = threading.BoundedSemaphore(settings.argon2_max_concurrent or os.cpu_count() or 1)

    def digest(self, purpose: str, value: str) -> str:
        """HMAC of a value for one purpose (purposes never share digests)."""
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def hash_password(self, password: str) -> str:
        with self._slots:
            return self._passwords.hash(password)

    def verify_password(self, password_hash: str | None, password: str) -> bool:
        """Constant work whether or not the account exists."""
        try:
            with self._slots:
                return self._passwords.verify(password_hash or self._dummy_hash, password) and (
                    password_hash is not None
                )
        except (VerificationError, InvalidHashError):
            return False


def token_digest(token: str) -> str:
    """What the database keeps of a bearer token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two digests."""
    return hmac.compare_digest(a, b)
