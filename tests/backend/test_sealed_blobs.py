"""Documents at rest on the server: sealed per document, readable only with the master key, rotatable."""

import hashlib
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from pydantic import ValidationError

from backend_stub.core.config import Settings
from backend_stub.sealed_blobs import MasterKeyError, MasterKeys, SealedBlobStore

MARKER = b"Compte rendu: diabete de type 2, HbA1c 7,2 %. " * 200


def store(folder: Path, *entries: str) -> SealedBlobStore:
    return SealedBlobStore(folder, MasterKeys.parse(",".join(entries)))


def read(blobs: SealedBlobStore, key: str) -> bytes:
    with blobs.open(key) as handle:
        return handle.read()


def test_written_in_pieces_read_back_whole_and_never_plain_on_disk(tmp_path: Path) -> None:
    blobs = store(tmp_path, MasterKeys.generate("k1"))
    half = len(MARKER) // 2
    assert blobs.write_at("doc1", 0, MARKER[:half]) == half
    assert blobs.write_at("doc1", half, MARKER[half:]) == len(MARKER)
    assert blobs.size("doc1") == len(MARKER)
    assert read(blobs, "doc1") == MARKER
    assert blobs.sha256("doc1") == hashlib.sha256(MARKER).hexdigest()
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == 2  # the sealed document and its wrapped key
    assert not any(b"diabete" in p.read_bytes() or b"HbA1c" in p.read_bytes() for p in files)


def test_a_retried_piece_replaces_what_followed_its_offset(tmp_path: Path) -> None:
    blobs = store(tmp_path, MasterKeys.generate("k1"))
    blobs.write_at("doc", 0, b"first ")
    blobs.write_at("doc", 6, b"lost try")
    blobs.write_at("doc", 6, b"second")
    assert read(blobs, "doc") == b"first second"
    with pytest.raises(ValueError, match="segment boundary"):
        blobs.write_at("doc", 3, b"x")


def test_tampered_or_moved_bytes_are_refused(tmp_path: Path) -> None:
    blobs = store(tmp_path, MasterKeys.generate("k1"))
    blobs.write_at("aa1", 0, b"one")
    blobs.write_at("aa2", 0, b"two")
    path = tmp_path / "aa" / "aa1"
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(InvalidTag):
        read(blobs, "aa1")
    # Another document's bytes under this name do not open with this name's key either.
    path.write_bytes((tmp_path / "aa" / "aa2").read_bytes())
    with pytest.raises(InvalidTag):
        read(blobs, "aa1")


def test_rotation_rewraps_keys_so_the_old_master_key_can_go(tmp_path: Path) -> None:
    old, new = MasterKeys.generate("k1"), MasterKeys.generate("k2")
    store(tmp_path, old).write_at("doc", 0, MARKER)
    sealed_before = (tmp_path / "do" / "doc").read_bytes()
    with pytest.raises(MasterKeyError, match="k1"):
        read(store(tmp_path, new), "doc")
    assert store(tmp_path, new, old).rewrap() == (1, 0)
    assert store(tmp_path, new, old).rewrap() == (0, 1)
    assert read(store(tmp_path, new), "doc") == MARKER
    assert (tmp_path / "do" / "doc").read_bytes() == sealed_before  # the document is not re-encrypted


def test_delete_removes_the_key_too(tmp_path: Path) -> None:
    blobs = store(tmp_path, MasterKeys.generate("k1"))
    blobs.write_at("doc", 0, b"x")
    blobs.delete("doc")
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


@pytest.mark.parametrize("entry", ["", "k1", "k1:short", ":" + MasterKeys.generate("x").split(":")[1]])
def test_malformed_master_keys_are_refused(entry: str) -> None:
    with pytest.raises(MasterKeyError):
        MasterKeys.parse(entry)


def test_production_requires_master_keys(tmp_path: Path) -> None:
    common = {
        "env": "production",
        "data_dir": tmp_path,
        "secret_key": "s" * 40,
        "email_sender": "smtp",
        "sms_sender": "http",
    }
    with pytest.raises(ValidationError, match="ENS_MASTER_KEYS"):
        Settings(**common)
    assert Settings(**common, master_keys=MasterKeys.generate("p1")).master_keys.startswith("p1:")
    assert not (tmp_path / "master.keys").exists()
