"""Vault key wrapping, PIN rules and delays, record sealing, chunked document encryption."""

import io
import os

import pytest

from sync.crypto import CHUNK, Cipher, CryptoError, decrypt_chunks, encrypt_stream
from sync.device import DeviceVault, delay_after, pin_problem
from sync.errors import SyncError
from sync.protocol.errors import ErrorCode
from tests.sync.conftest import FAST_KDF


def test_pin_rules() -> None:
    assert pin_problem("12345") == ErrorCode.PIN_SHORT
    assert pin_problem("482915") == ErrorCode.PIN_SHORT  # six digits: guessed offline in hours
    assert pin_problem("48291573") == ErrorCode.PIN_DIGITS
    assert pin_problem("aaaaaaaa") == ErrorCode.PIN_SIMPLE
    assert pin_problem("abcdefgh") == ErrorCode.PIN_SIMPLE
    assert pin_problem("hgfedcba") == ErrorCode.PIN_SIMPLE
    assert pin_problem("AZERTY uiop") == ErrorCode.PIN_SIMPLE
    assert pin_problem(" " * 8) == ErrorCode.PIN_SIMPLE
    assert pin_problem("87654321a") is None  # a letter breaks the run
    assert pin_problem("Mimosa-482915") is None
    assert pin_problem("une phrase de passe") is None


def test_wrong_pin_gets_a_growing_delay(tmp_path) -> None:  # type: ignore[no-untyped-def]
    now = [1000.0]
    vault = DeviceVault(tmp_path, "h", "d", kdf=FAST_KDF, clock=lambda: now[0])
    key = vault.create("Mimosa-482915")
    waits = []
    for _ in range(5):
        with pytest.raises(SyncError) as err:
            vault.unlock("000001")
        assert err.value.code == ErrorCode.PIN_WRONG
        waits.append(err.value.params["wait_seconds"])
        with pytest.raises(SyncError) as early:
            if waits[-1]:
                vault.unlock("Mimosa-482915")  # even the right PIN must wait
            else:
                raise SyncError(ErrorCode.PIN_WAIT)
        assert early.value.code == ErrorCode.PIN_WAIT
        now[0] += waits[-1]
    assert waits == [0, 0, 2, 4, 8]
    assert vault.unlock("Mimosa-482915") == key
    assert delay_after(30) == 15 * 60


def test_change_pin_rewraps_only_the_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    vault = DeviceVault(tmp_path, "h", "d", kdf=FAST_KDF)
    key = vault.create("Mimosa-482915")
    store = vault.open_store(key)
    store.put("note", {"body": "tension 13/8"})
    store.close()
    vault.change_pin("Mimosa-482915", "Lilas-739164")
    with pytest.raises(SyncError):
        vault.unlock("Mimosa-482915")
    again = vault.open_store(vault.unlock("Lilas-739164"))
    assert [i.data["body"] for i in again.items("note")] == ["tension 13/8"]


def test_keyfile_holds_no_key_in_clear(tmp_path) -> None:  # type: ignore[no-untyped-def]
    vault = DeviceVault(tmp_path, "h", "d", kdf=FAST_KDF)
    key = vault.create("Mimosa-482915")
    raw = vault.keyfile.read_bytes()
    assert key.hex().encode() not in raw and key not in raw


def test_sealed_values_are_bound_to_their_place() -> None:
    cipher = Cipher(os.urandom(32))
    sealed = cipher.seal(b"allergie penicilline", b"local_record|a|1")
    assert sealed.startswith(b"v1:")
    assert cipher.open(sealed, b"local_record|a|1") == b"allergie penicilline"
    with pytest.raises(CryptoError):
        cipher.open(sealed, b"local_record|b|1")
    tampered = bytearray(sealed)
    tampered[-1] ^= 1
    with pytest.raises(CryptoError):
        cipher.open(bytes(tampered), b"local_record|a|1")


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17])
def test_document_round_trip(size: int) -> None:
    key, data = os.urandom(32), os.urandom(size)
    encrypted = io.BytesIO()
    assert encrypt_stream(io.BytesIO(data), encrypted, key, "file1") == size
    encrypted.seek(0)
    assert b"".join(decrypt_chunks(encrypted, key, "file1")) == data
    encrypted.seek(0)
    if size > CHUNK:
        assert b"".join(decrypt_chunks(encrypted, key, "file1", start=1)) == data[CHUNK:]


def test_document_tampering_truncation_and_moves_are_detected() -> None:
    key, data = os.urandom(32), os.urandom(2 * CHUNK + 5)
    encrypted = io.BytesIO()
    encrypt_stream(io.BytesIO(data), encrypted, key, "file1")
    blob = encrypted.getvalue()
    flipped = bytearray(blob)
    flipped[100] ^= 1
    truncated = blob[: 11 + 2 * (CHUNK + 16)]  # drop the last chunk: the new last one lacks its flag
    for bad, file_id in ((bytes(flipped), "file1"), (truncated, "file1"), (blob, "file2")):
        with pytest.raises(CryptoError):
            b"".join(decrypt_chunks(io.BytesIO(bad), key, file_id))


@pytest.mark.parametrize(("holder", "device"), [("../etc", "d"), ("h", "../../x"), ("h", ""), ("h/..", "d")])
def test_ids_never_become_paths(tmp_path, holder: str, device: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        DeviceVault(tmp_path, holder, device, kdf=FAST_KDF)
