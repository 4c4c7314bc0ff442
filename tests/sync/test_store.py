"""The encrypted local store: no plaintext on disk, tamper detection, outbox, schema upgrade."""

import sqlite3
from pathlib import Path

import pytest

from sync.crypto import CryptoError
from sync.device import DeviceVault
from sync.store import SCHEMA_STEPS, SCHEMA_VERSION, Store
from tests.sync.conftest import FAST_KDF

SECRETS = ("Amoxicilline 1g matin et soir", "Allergie arachide severe", "Glycemie a jeun 1.32")


def test_no_plaintext_in_the_database_journal_or_temp_files(vault: DeviceVault) -> None:
    store = vault.open_store(vault.create("Mimosa-482915"))
    for text in SECRETS:
        store.put("note", {"title": text, "body": text * 20})
    store.put("measurement", {"kind": "weight", "value": 71.5, "note": SECRETS[0]})
    store.set_secret("refresh_token", "tok-" + SECRETS[1])
    record = store.put("note", {"body": "temporary " + SECRETS[2]})
    store.delete(record)
    # Read everything back while the WAL still holds the pages.
    assert sorted(i.data["title"] for i in store.items("note")) == sorted(SECRETS)
    raw = b"".join(p.read_bytes() for p in vault.folder.rglob("*") if p.is_file())
    store.close()
    raw += b"".join(p.read_bytes() for p in vault.folder.rglob("*") if p.is_file())
    for text in SECRETS:
        assert text.encode() not in raw
        assert text.encode("utf-16-le") not in raw


def test_swapped_or_tampered_rows_are_refused(store: Store) -> None:
    a = store.put("note", {"body": "A"})
    b = store.put("note", {"body": "B"})
    conn = sqlite3.connect(store.path)
    sealed_b = conn.execute("select sealed from local_record where id=?", (b,)).fetchone()[0]
    conn.execute("update local_record set sealed=? where id=?", (sealed_b, a))
    conn.commit()
    with pytest.raises(CryptoError):
        store.get(a)
    flipped = bytearray(sealed_b)
    flipped[-3] ^= 0xFF
    conn.execute("update local_record set sealed=? where id=?", (bytes(flipped), b))
    conn.commit()
    with pytest.raises(CryptoError):
        store.get(b)


def test_every_write_queues_a_mutation_in_order(store: Store) -> None:
    a = store.put("note", {"body": "v1"})
    b = store.put("measurement", {"kind": "weight", "value": 70})
    store.put("note", {"body": "v2"}, record_id=a)
    store.delete(b)
    assert store.pending_count() == 3  # the delete of `b` supersedes its queued write
    batch = store.outbox_batch(10)
    # The batch stops before the second change of `a` (it must be rebased first); `b`'s delete,
    # queued after it, waits.
    assert [(m.id, m.op) for m in batch] == [(a, "upsert")]
    assert batch[0].data == {"body": "v2"}  # the current content is sent


def test_wrong_key_cannot_read(vault: DeviceVault, tmp_path: Path) -> None:
    store = vault.open_store(vault.create("Mimosa-482915"))
    record = store.put("note", {"body": "x"})
    store.close()
    other = Store(store.path, b"\0" * 32)
    with pytest.raises(CryptoError):
        other.get(record)


def test_schema_upgrade_from_version_one(tmp_path: Path) -> None:
    vault = DeviceVault(tmp_path, "h", "d", kdf=FAST_KDF)
    key = vault.create("Mimosa-482915")
    path = vault.folder / "store.db"
    conn = sqlite3.connect(path)
    for statement in SCHEMA_STEPS[0]:
        conn.execute(statement)
    conn.execute("insert into meta values ('schema_version', '1')")
    conn.commit()
    conn.close()
    store = Store(path, key)
    assert store.meta("schema_version") == str(SCHEMA_VERSION)
    tables = {
        r[0] for r in sqlite3.connect(path).execute("select name from sqlite_master where type='table'")
    }
    assert "local_upload" in tables
    store.put("note", {"body": "after upgrade"})
    assert store.items("note")[0].data == {"body": "after upgrade"}
