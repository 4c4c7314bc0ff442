"""The device service as the app uses it: first login sets a PIN, later launches unlock, offline works."""

from pathlib import Path

import httpx
import pytest

from sync.client import AccountClient
from sync.errors import SyncError
from sync.protocol.errors import ErrorCode
from sync.space import HolderSpace
from tests.conftest import PASSWORD, World
from tests.sync.conftest import FAST_KDF


def _offline_client() -> AccountClient:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no network", request=request)

    return AccountClient(http=httpx.Client(transport=httpx.MockTransport(refuse), base_url="http://x"))


def _logged_in(world: World) -> tuple[AccountClient, str]:
    person = world.enrol()
    world.activate(person)
    client = AccountClient(http=world.api)
    challenge = client.login(person.email, PASSWORD)
    client.verify_code(challenge.challenge_id, world.last_otp(person.email))
    return client, person.email


def test_first_login_then_pin_then_later_launches(world: World, tmp_path: Path) -> None:
    client, _ = _logged_in(world)
    me = client.me()
    first = HolderSpace(tmp_path, "browser-1", client, kdf=FAST_KDF)
    assert first.needs_pin(me)
    with pytest.raises(SyncError) as mismatch:
        first.set_pin(me, "Mimosa-482915", "Mimosa-482916")
    assert mismatch.value.code == ErrorCode.PIN_MISMATCH
    with pytest.raises(SyncError) as simple:
        first.set_pin(me, "abcdefgh", "abcdefgh")
    assert simple.value.code == ErrorCode.PIN_SIMPLE
    first.set_pin(me, "Mimosa-482915", "Mimosa-482915")
    assert first.store is not None
    first.store.put("note", {"body": "Rendez-vous cardiologue"})
    assert first.sync().state == "up_to_date"
    first.lock()
    assert not first.needs_pin(me)

    # Next launch, online: the PIN opens the vault and the server session comes back.
    again = HolderSpace(tmp_path, "browser-1", AccountClient(http=world.api), kdf=FAST_KDF)
    with pytest.raises(SyncError) as wrong:
        again.unlock(me.id, "000000")
    assert wrong.value.code == ErrorCode.PIN_WRONG
    assert again.unlock(me.id, "Mimosa-482915").first_name == "Camille"
    assert again.online and not again.session_expired
    assert again.client.me().id == me.id
    assert [i.data["body"] for i in again.store.items("note")] == ["Rendez-vous cardiologue"]  # type: ignore[union-attr]
    again.lock()

    # Next launch, offline: everything synced is readable, changes wait with a count.
    offline = HolderSpace(tmp_path, "browser-1", _offline_client(), kdf=FAST_KDF)
    assert offline.unlock(me.id, "Mimosa-482915").first_name == "Camille"
    assert not offline.online
    offline.store.put("note", {"body": "Ecrit dans le metro"})  # type: ignore[union-attr]
    offline.engine.backoff.sleep = lambda _s: None  # type: ignore[union-attr]
    status = offline.sync()
    assert (status.state, status.pending, status.error) == ("error", 1, "error.network")
    offline.lock()

    # Back online: the change is sent.
    online = HolderSpace(tmp_path, "browser-1", AccountClient(http=world.api), kdf=FAST_KDF)
    online.unlock(me.id, "Mimosa-482915")
    assert online.sync().state == "up_to_date"
    assert sorted(i.data["body"] for i in online.store.items("note")) == [  # type: ignore[union-attr]
        "Ecrit dans le metro",
        "Rendez-vous cardiologue",
    ]


def test_each_browser_tab_has_its_own_vault(world: World, tmp_path: Path) -> None:
    client, _ = _logged_in(world)
    me = client.me()
    HolderSpace(tmp_path, "tab-a", client, kdf=FAST_KDF).set_pin(me, "Mimosa-482915", "Mimosa-482915")
    assert HolderSpace(tmp_path, "tab-b", client, kdf=FAST_KDF).needs_pin(me)


def test_expired_session_still_opens_the_local_data(world: World, tmp_path: Path) -> None:
    client, _ = _logged_in(world)
    me = client.me()
    space = HolderSpace(tmp_path, "phone", client, kdf=FAST_KDF)
    space.set_pin(me, "Mimosa-482915", "Mimosa-482915")
    space.store.put("note", {"body": "gardé"})  # type: ignore[union-attr]
    space.sync()
    client.logout()  # the server revokes the session; the device keeps only the dead token
    space.lock()
    later = HolderSpace(tmp_path, "phone", AccountClient(http=world.api), kdf=FAST_KDF)
    later.unlock(me.id, "Mimosa-482915")
    assert later.session_expired and not later.online
    assert [i.data["body"] for i in later.store.items("note")] == ["gardé"]  # type: ignore[union-attr]
