"""The shell's core against the real server in-process: the vault (unlock code, later launches,
waits after wrong codes) and the sync status it shows."""

from pathlib import Path

import httpx
import pytest

from mobile.app import VaultAppState
from mobile.shell.state import Screen
from mobile.shell.words import error_text, text
from sync.client import AccountClient
from sync.errors import SyncError
from sync.protocol.errors import ErrorCode
from sync.protocol.schemas import SpaceStatus
from tests.mobile.conftest import AppServer
from tests.mobile.record_access.test_state import World
from tests.sync.conftest import FAST_KDF

PIN = "Marguerite 2026"


@pytest.fixture
def world(app_server: AppServer) -> World:
    found = World(app_server, n=7)
    yield found  # type: ignore[misc]
    found.close()


def vault_state(client: AccountClient, root: Path) -> VaultAppState:
    return VaultAppState(client, root, kdf=FAST_KDF)


def signed_in(world: World, root: Path) -> VaultAppState:
    """First login on a new device: the state asks for an unlock code, which is then set."""
    state = vault_state(world.client, root)
    state.launched(None, None)
    state._signed_in(world.me)
    assert state.screen == Screen.PIN_SETUP
    state.vault.pin_form.set("pin", PIN)
    state.vault.pin_form.set("confirm", PIN)
    assert state.set_pin(), state.vault.pin_form.errors
    return state


def offline_client() -> AccountClient:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("offline", request=request)

    return AccountClient(http=httpx.Client(transport=httpx.MockTransport(refuse), base_url="http://test"))


def test_pin_rules_then_home_and_remembered_ids(world: World, tmp_path: Path) -> None:
    state = vault_state(world.client, tmp_path)
    remembered: list[tuple[str, str]] = []
    state.vault.remember = lambda d, h: remembered.append((d, h))
    device = state.launched("../../etc", None)  # an odd id from the browser is replaced
    assert len(device) == 32 and "/" not in device
    state._signed_in(world.me)
    assert state.screen == Screen.PIN_SETUP and state.me is None
    form = state.vault.pin_form
    for pin, confirm, field, code in (
        ("12345", "12345", "pin", ErrorCode.PIN_SHORT),
        ("48291573", "48291573", "pin", ErrorCode.PIN_DIGITS),
        ("abcdefgh", "abcdefgh", "pin", ErrorCode.PIN_SIMPLE),
        (PIN, PIN + "x", "confirm", ErrorCode.PIN_MISMATCH),
    ):
        form.set("pin", pin)
        form.set("confirm", confirm)
        assert not state.set_pin()
        assert form.errors[field].code == code
        assert form.values == {"pin": pin, "confirm": confirm}  # nothing typed is lost
        assert error_text(form.errors[field], "fr") != text(ErrorCode.SERVER_ERROR, "fr")
    form.set("confirm", PIN)
    assert state.set_pin()
    assert state.screen == Screen.HOME and state.me is not None and state.me.id == world.me.id
    assert remembered == [(device, world.me.id)]
    assert state.sync_bar.sync()
    line = state.sync_bar.line()
    assert line is not None and line.kind == "up_to_date"
    assert text(line.key, "fr", **line.params).startswith("À jour · dernière synchronisation ")


def test_unlock_wrong_then_right_on_a_later_launch(
    world: World, app_server: AppServer, tmp_path: Path
) -> None:
    first = signed_in(world, tmp_path)
    device, holder = first.vault.device_id, world.me.id
    first.tab_closed()

    later = vault_state(app_server.client(), tmp_path)
    later.launched(device, holder)
    assert later.screen == Screen.UNLOCK
    later.vault.unlock_form.set("pin", "Pas le bon")
    assert not later.unlock()
    assert later.vault.unlock_form.errors["pin"].code == ErrorCode.PIN_WRONG
    assert later.vault.unlock_form.values["pin"] == ""
    later.vault.unlock_form.set("pin", PIN)
    assert later.unlock()
    assert later.screen == Screen.HOME and later.me and later.me.first_name == "Camille"
    assert later.vault.space and later.vault.space.online and not later.vault.session_expired
    # A new browser (another device id) has no vault: the welcome screen stays.
    other = vault_state(app_server.client(), tmp_path)
    other.launched(None, holder)
    assert other.screen == Screen.WELCOME


def test_pin_wait_after_repeated_wrong_codes(world: World, app_server: AppServer, tmp_path: Path) -> None:
    first = signed_in(world, tmp_path)
    device = first.vault.device_id
    first.tab_closed()
    later = vault_state(app_server.client(), tmp_path)
    later.launched(device, world.me.id)
    codes = []
    for _ in range(5):
        later.vault.unlock_form.set("pin", "Pas le bon")
        assert not later.unlock()
        codes.append(later.vault.unlock_form.errors["pin"])
    assert codes[-1].code == ErrorCode.PIN_WAIT
    assert "seconde" in error_text(codes[-1], "fr")


def test_logout_ends_the_session_and_forgets_this_device(world: World, tmp_path: Path) -> None:
    state = signed_in(world, tmp_path)
    remembered: list[tuple[str, str]] = []
    state.vault.remember = lambda d, h: remembered.append((d, h))
    card_keys: list[str | None] = []
    state.profile.remember_card_key = card_keys.append
    assert state.profile.enable_card()
    device = state.vault.device_id
    assert device is not None and state.vault.space is not None
    folder = state.vault.space.vault(world.me.id).folder
    state.vault.space.store.put("profile_entry", {"section": "vaccinations", "label": "ROR"})  # type: ignore[union-attr]
    assert state.sync_bar.pending() == 1
    assert state.unsent_changes() == 0  # one more try sends it before anything is erased
    refresh = state.client.tokens.refresh_token if state.client.tokens else ""
    assert folder.is_dir() and state.client.device_key

    state.logout()
    assert state.screen == Screen.WELCOME and state.me is None and state.logged_out
    assert not folder.exists()  # the store, the documents and the card's copy went
    assert state.client.tokens is None and state.client.device_key is None
    assert remembered[-1] == (device, "") and card_keys[-1] is None
    assert state.profile.card_key is None
    with pytest.raises(SyncError) as refused:
        world.client.resume(refresh)  # revoked on the server
    assert refused.value.code in (ErrorCode.SESSION_EXPIRED, ErrorCode.AUTH_REQUIRED)
    # A new tab of this browser opens on the welcome screen, not on an unlock.
    again = vault_state(world.client, tmp_path)
    again.launched(device, "")
    assert again.screen == Screen.WELCOME


def test_lock_keeps_the_space_sealed_and_the_session_resumes(world: World, tmp_path: Path) -> None:
    state = signed_in(world, tmp_path)
    state.lock()
    assert state.screen == Screen.UNLOCK and state.me is None and not state.vault.unlocked
    assert state.client.tokens is None  # only the vault holds the session now
    state.vault.unlock_form.set("pin", PIN)
    assert state.unlock()
    assert state.screen == Screen.HOME and not state.vault.session_expired
    assert state.vault.space is not None and state.vault.space.online


def test_logout_of_a_closed_space_leaves_another_persons_copy(world: World, tmp_path: Path) -> None:
    state = signed_in(world, tmp_path)
    assert state.vault.space is not None
    folder = state.vault.space.vault(world.me.id).folder
    state.lock()
    # Someone else signs in on this browser to a closed space (no vault opened), then logs out.
    other = world.me.model_copy(update={"id": "someone-else", "status": SpaceStatus.CLOSED})
    state._signed_in(other)
    assert state.screen == Screen.CLOSED
    state.logout()
    assert state.screen == Screen.WELCOME and folder.is_dir()  # the last holder's copy stays
    assert state.vault.can_unlock()
