"""The device side of issue #14: a client function for every account route, the vault surviving a
kill mid-rotation, a device signed out from another one, its key sealed, and the unlock code."""

import json
import os
import shutil
from pathlib import Path

import pytest

from backend_stub.core.clock import FixedClock
from sync.client import AccountClient
from sync.crypto import CryptoError, KdfParams, unwrap_key, wrap_key
from sync.device import DeviceVault, pin_problem
from sync.errors import ApiError, SyncError
from sync.protocol.errors import ErrorCode
from sync.protocol.schemas import Me
from sync.space import HolderSpace
from tests.conftest import PASSWORD, World
from tests.sync.conftest import FAST_KDF

NEW_PASSWORD = "Printemps-2027-vert!"
PIN = "Marguerite 2026"


class Killed(BaseException):
    """The process dies here (not an error the code under test could catch)."""


def _client(world: World, email: str, name: str = "", password: str = PASSWORD) -> AccountClient:
    client = AccountClient(http=world.api)
    client.device_name, client.platform = name, "web"
    challenge = client.login(email, password)
    client.verify_code(challenge.challenge_id, world.last_otp(email))
    return client


def _person(world: World) -> str:
    person = world.enrol()
    world.activate(person)
    return person.email


def test_every_account_route_has_a_client_function(world: World) -> None:
    person = world.enrol()
    world.activate(person)
    laptop = _client(world, person.email, "Firefox sur Linux")
    assert laptop.device_key  # given at this device's first login
    phone = _client(world, person.email, "Téléphone")
    told: list[bool] = []
    phone.on_signed_out = lambda: told.append(True)
    listed = laptop.devices()
    assert {(d.name, d.current) for d in listed} == {("Firefox sur Linux", True), ("Téléphone", False)}
    left = laptop.sign_out_device(next(d.id for d in listed if not d.current))
    assert [d.name for d in left] == ["Firefox sur Linux"]
    with pytest.raises(ApiError) as gone:
        phone.me()
    assert gone.value.code == ErrorCode.DEVICE_SIGNED_OUT and phone.tokens is None and told == [True]

    laptop.change_password(PASSWORD, NEW_PASSWORD)
    challenge = laptop.request_contact_change("email", "nouvelle@exemple.fr", NEW_PASSWORD)
    assert challenge.destination_hint == "n***@e***.fr"
    me = laptop.confirm_contact_change(challenge.challenge_id, world.last_otp("nouvelle@exemple.fr"))
    assert me.email == "nouvelle@exemple.fr"
    with pytest.raises(ApiError) as wrong:
        laptop.request_contact_change("channel", "sms", NEW_PASSWORD)
    assert wrong.value.code == ErrorCode.PHONE_MISSING

    forgot = AccountClient(http=world.api)
    started = forgot.start_password_reset(person.nir, person.vitale)
    world.send_queued()
    forgot.confirm_password_reset(started.challenge_id, world.last_otp("nouvelle@exemple.fr"), PASSWORD)
    with pytest.raises(ApiError):
        laptop.me()  # every device signed out by the reset
    assert _client(world, "nouvelle@exemple.fr").me().email == "nouvelle@exemple.fr"


def test_a_process_killed_mid_rotation_keeps_the_vault_signed_in(
    world: World, tmp_path: Path, clock: FixedClock
) -> None:
    """The server rotated the refresh token, the process died before the vault stored the new
    one: the next launch presents the previous token, and the server's grace gives the same pair."""
    email = _person(world)
    client = _client(world, email)
    first = HolderSpace(tmp_path, "phone", client, kdf=FAST_KDF)
    first.set_pin(client.me(), PIN, PIN)
    me = first.me
    assert me is not None
    first.lock()

    class Dying(HolderSpace):
        def _keep_tokens(self, pair: object) -> None:
            if pair is not None:
                raise Killed  # the server answered; the vault never gets to seal it

    dying = Dying(tmp_path, "phone", AccountClient(http=world.api), kdf=FAST_KDF)
    with pytest.raises(Killed):
        dying.unlock(me.id, PIN)  # resume: the server rotates, the process dies
    assert dying.store is not None
    dying.store.close()

    clock.advance(hours=2)  # relaunched later: nobody used the pair, the grace still holds
    later = HolderSpace(tmp_path, "phone", AccountClient(http=world.api), kdf=FAST_KDF)
    later.unlock(me.id, PIN)
    assert later.online and not later.session_expired
    assert later.store is not None
    later.store.put("note", {"body": "après le redémarrage"})
    assert later.sync().state == "up_to_date"
    later.lock()
    again = HolderSpace(tmp_path, "phone", AccountClient(http=world.api), kdf=FAST_KDF)
    again.unlock(me.id, PIN)  # the pair sealed after the grace works too
    assert again.online and not again.session_expired


def test_a_device_signed_out_from_another_forgets_its_key(world: World, tmp_path: Path) -> None:
    email = _person(world)
    client = _client(world, email, "Tablette")
    tablet = HolderSpace(tmp_path, "tablet", client, kdf=FAST_KDF)
    tablet.set_pin(client.me(), PIN, PIN)
    assert tablet.store is not None
    tablet.store.put("note", {"body": "synchronisée"})
    assert tablet.sync().state == "up_to_date"
    me = tablet.me
    assert me is not None

    laptop = _client(world, email, "Ordinateur")
    laptop.sign_out_device(next(d.id for d in laptop.devices() if d.name == "Tablette"))
    status = tablet.sync()  # its next contact
    assert status.error == ErrorCode.DEVICE_SIGNED_OUT
    assert tablet.signed_out and tablet.store is None and client.tokens is None  # key forgotten
    # What it holds stays sealed by the unlock code; the session is gone until a new login.
    back = HolderSpace(tmp_path, "tablet", AccountClient(http=world.api), kdf=FAST_KDF)
    back.unlock(me.id, PIN)
    assert back.session_expired and not back.online
    assert back.store is not None
    assert [i.data["body"] for i in back.store.items("note")] == ["synchronisée"]


def test_the_device_key_is_sealed_and_spares_its_owner(world: World, tmp_path: Path) -> None:
    email = _person(world)
    client = _client(world, email, "Téléphone")
    space = HolderSpace(tmp_path, "phone", client, kdf=FAST_KDF)
    space.set_pin(client.me(), PIN, PIN)
    assert space.store is not None and space.store.secret("device_key") == client.device_key
    me, key = space.me, client.device_key
    assert me is not None
    space.lock()
    for _ in range(world.ctx.settings.rate_per_account + 1):  # someone guesses the password
        world.api.post("/api/v1/auth/login", json={"email": email, "password": "Pas-le-bon-2026"})
    reopened = HolderSpace(tmp_path, "phone", AccountClient(http=world.api), kdf=FAST_KDF)
    reopened.unlock(me.id, PIN)
    assert reopened.client.device_key == key  # from the vault
    assert reopened.client.login(email, PASSWORD).challenge_id  # the owner is not locked out
    with pytest.raises(ApiError) as elsewhere:
        AccountClient(http=world.api).login(email, PASSWORD)
    assert elsewhere.value.code == ErrorCode.RATE_LIMITED


def _old_vault(tmp_path: Path, me: Me, code: str) -> None:
    """A vault made before issue #14, with a six-digit code."""
    vault = DeviceVault(tmp_path, me.id, "phone", kdf=FAST_KDF)
    vault.folder.mkdir(parents=True)
    key = os.urandom(32)
    vault.keyfile.write_text(json.dumps(wrap_key(key, code, FAST_KDF)))
    store = vault.open_store(key)
    store.set_secret("me", me.model_dump(mode="json"))
    store.put("note", {"body": "d'avant"})
    store.close()


def test_an_old_six_digit_vault_opens_until_its_code_is_changed(world: World, tmp_path: Path) -> None:
    client = _client(world, _person(world))
    me = client.me()
    _old_vault(tmp_path, me, "246810")
    space = HolderSpace(tmp_path, "phone", client, kdf=FAST_KDF)
    space.unlock(me.id, "246810")
    assert space.pin_outdated  # the screens ask for a new code
    with pytest.raises(SyncError) as short:
        space.change_pin("246810", "135790", "135790")
    assert short.value.code == ErrorCode.PIN_SHORT
    with pytest.raises(SyncError) as mismatch:
        space.change_pin("246810", PIN, PIN + "!")
    assert mismatch.value.code == ErrorCode.PIN_MISMATCH
    space.change_pin("246810", PIN, PIN)
    assert not space.pin_outdated
    space.lock()
    again = HolderSpace(tmp_path, "phone", AccountClient(http=world.api), kdf=FAST_KDF)
    with pytest.raises(SyncError):
        again.unlock(me.id, "246810")
    again.unlock(me.id, PIN)
    assert not again.pin_outdated and again.store is not None
    assert [i.data["body"] for i in again.store.items("note")] == ["d'avant"]


def test_a_forgotten_unlock_code_erases_this_copy_and_sync_brings_it_back(
    world: World, tmp_path: Path
) -> None:
    client = _client(world, _person(world))
    space = HolderSpace(tmp_path, "phone", client, kdf=FAST_KDF)
    me = client.me()
    space.set_pin(me, PIN, PIN)
    assert space.store is not None
    space.store.put("note", {"body": "gardée sur le serveur"})
    space.sync()
    space.erase(me.id)  # "J'ai oublié mon code de déverrouillage"
    assert not space.vault(me.id).folder.exists()
    fresh = HolderSpace(tmp_path, "phone", client, kdf=FAST_KDF)
    assert fresh.needs_pin(me)
    fresh.set_pin(me, "Coquelicot 2027", "Coquelicot 2027")
    assert fresh.sync().state == "up_to_date" and fresh.store is not None
    assert [i.data["body"] for i in fresh.store.items("note")] == ["gardée sur le serveur"]


def test_a_copied_device_folder_is_not_opened_by_guessing_offline(tmp_path: Path) -> None:
    """With the product's Argon2id cost (benchmarks/unlock_guess_bench.py: about 4 guesses per second
    per core), the folder copied with its counter reset: the cheap guesses are codes the rules
    refuse, so no vault can have them; the attacker's common guesses fail; and lowering the cost
    written in the keyfile does not help, since it derives another key."""
    documented = KdfParams(iterations=3, lanes=4, memory_kib=64 * 1024)
    assert KdfParams() == documented
    vault = DeviceVault(tmp_path / "phone", "holder", "device")  # the real, default cost
    key = vault.create(PIN)
    copy = tmp_path / "copied"
    shutil.copytree(vault.folder, copy)
    (copy / "attempts.json").unlink(missing_ok=True)  # the counter does not stop a copy
    keyfile = json.loads((copy / "keyfile.json").read_text())
    assert (keyfile["kdf"], keyfile["iterations"], keyfile["lanes"], keyfile["memory_kib"]) == (
        "argon2id",
        3,
        4,
        64 * 1024,
    )
    # Every six-digit code (a day and a half on one core) and every all-digit code are refused.
    assert all(pin_problem(f"{n:06d}") is not None for n in range(0, 1_000_000, 997))
    assert all(pin_problem(f"{n:08d}") == ErrorCode.PIN_DIGITS for n in range(0, 10**8, 99_991))
    common = ["12345678", "azertyuiop", "motdepasse", "Motdepasse1", "soleil2026", "Marguerite"]
    for guess in common:
        with pytest.raises(CryptoError):
            unwrap_key(keyfile, guess)
    cheaper = keyfile | {"iterations": 1, "memory_kib": 1024, "lanes": 1}
    with pytest.raises(CryptoError):
        unwrap_key(cheaper, PIN)  # even the right code: the cost is part of the key
    assert unwrap_key(keyfile, PIN) == key
