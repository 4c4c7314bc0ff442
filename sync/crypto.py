"""Device crypto: a random vault key per device, wrapped by a key derived from the PIN.

    PIN --Argon2id(salt)--> wrapping key --AES-256-GCM--> vault key (random, 256 bits)
    vault key --AES-256-GCM, associated data = where the bytes belong--> every health value
    vault key --HKDF(file id)--> file key --AES-256-GCM per chunk--> document files

Every sealed value starts with a version tag (`v1:`) so the format can change later. Changing
the PIN re-wraps only the vault key; nothing else is re-encrypted.
"""

import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = b"v1:"
NONCE = 12
CHUNK = 1 << 20  # 1 MiB of plaintext per document chunk


class CryptoError(Exception):
    """Bytes that do not decrypt: wrong key, or data that was changed or moved."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost; the defaults take 100-500 ms on a 2-core machine (RFC 9106 second profile)."""

    iterations: int = 3
    lanes: int = 4
    memory_kib: int = 64 * 1024


def derive_key(secret: str, salt: bytes, params: KdfParams) -> bytes:
    kdf = Argon2id(
        salt=salt, length=32, iterations=params.iterations, lanes=params.lanes, memory_cost=params.memory_kib
    )
    return kdf.derive(secret.encode("utf-8"))


# Compact UTF-8 JSON, bound once: `json.dumps`/`json.loads` with options build an encoder per call
# and sniff the bytes' encoding, half the cost of opening a small record (issue #21).
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_decode = json.JSONDecoder().decode


class Cipher:
    """AES-256-GCM with associated data and a version tag."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE)
        return VERSION + nonce + self._aead.encrypt(nonce, plaintext, VERSION + aad)

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        if not sealed.startswith(VERSION):
            raise CryptoError("unknown format")
        start = len(VERSION)
        try:
            return self._aead.decrypt(sealed[start : start + NONCE], sealed[start + NONCE :], VERSION + aad)
        except InvalidTag as exc:
            raise CryptoError("does not decrypt") from exc

    def seal_json(self, value: object, aad: bytes) -> bytes:
        return self.seal(_encode(value).encode(), aad)

    def open_json(self, sealed: bytes, aad: bytes) -> object:
        return _decode(self.open(sealed, aad).decode())


def wrap_key(vault_key: bytes, secret: str, params: KdfParams) -> dict[str, object]:
    """The keyfile content: salt, KDF cost and the wrapped vault key (nothing usable without the PIN)."""
    salt = os.urandom(16)
    wrapped = Cipher(derive_key(secret, salt, params)).seal(vault_key, b"vault-key")
    return {
        "version": 1,
        "kdf": "argon2id",
        "salt": salt.hex(),
        "iterations": params.iterations,
        "lanes": params.lanes,
        "memory_kib": params.memory_kib,
        "wrapped": wrapped.hex(),
    }


def unwrap_key(keyfile: dict[str, object], secret: str) -> bytes:
    """The vault key, or CryptoError when the PIN is wrong."""
    params = KdfParams(
        int(keyfile["iterations"]),
        int(keyfile["lanes"]),  # type: ignore[call-overload]
        int(keyfile["memory_kib"]),
    )  # type: ignore[call-overload]
    key = derive_key(secret, bytes.fromhex(str(keyfile["salt"])), params)
    return Cipher(key).open(bytes.fromhex(str(keyfile["wrapped"])), b"vault-key")


def file_key(vault_key: bytes, file_id: str) -> bytes:
    """A key per document file, so chunk nonces never repeat across files."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"file:" + file_id.encode()).derive(
        vault_key
    )


def _chunk_nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def _chunk_aad(file_id: str, index: int, last: bool) -> bytes:
    return f"{file_id}|{index}|{int(last)}".encode()


def encrypt_stream(source: BinaryIO, target: BinaryIO, vault_key: bytes, file_id: str) -> int:
    """Encrypt `source` into `target` chunk by chunk, never holding the whole file; returns its size.

    Layout: `v1:` + 8-byte nonce prefix, then per chunk its sealed bytes (plaintext + 16-byte tag).
    Nonce = prefix + chunk counter; associated data = file id, counter and a last-chunk flag, so
    chunks cannot be reordered, dropped from the end, or moved to another file.
    """
    aead = AESGCM(file_key(vault_key, file_id))
    prefix = os.urandom(8)
    target.write(VERSION + prefix)
    size, index = 0, 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        target.write(aead.encrypt(_chunk_nonce(prefix, index), chunk, _chunk_aad(file_id, index, last)))
        size += len(chunk)
        if last:
            return size
        chunk, index = following, index + 1


def decrypt_chunks(source: BinaryIO, vault_key: bytes, file_id: str, start: int = 0) -> Iterator[bytes]:
    """Yield the plaintext chunks of an encrypted file from chunk `start` (to resume an upload);
    CryptoError if anything was altered."""
    aead = AESGCM(file_key(vault_key, file_id))
    head = source.read(len(VERSION) + 8)
    if not head.startswith(VERSION) or len(head) != len(VERSION) + 8:
        raise CryptoError("unknown format")
    prefix = head[len(VERSION) :]
    index = start
    source.seek(len(head) + start * (CHUNK + 16))
    sealed = source.read(CHUNK + 16)
    while True:
        following = source.read(CHUNK + 16)
        last = not following
        try:
            yield aead.decrypt(_chunk_nonce(prefix, index), sealed, _chunk_aad(file_id, index, last))
        except InvalidTag as exc:
            raise CryptoError("document chunk does not decrypt") from exc
        if last:
            return
        sealed, index = following, index + 1
