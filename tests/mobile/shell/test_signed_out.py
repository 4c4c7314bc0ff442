"""A device signed out from another one ("Déconnecter cet appareil"), as the app sees it: at its
next contact with the server it is back at the login screen, saying why, its vault locked and its
session forgotten; what it holds still opens with the unlock code, offline."""

from pathlib import Path

import pytest

from mobile.app import VaultAppState
from mobile.shell.state import Screen
from mobile.shell.words import error_text
from sync.errors import ApiError
from sync.protocol.errors import ErrorCode
from tests.mobile.conftest import APP_PASSWORD, AppServer
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import PIN, signed_in, vault_state


@pytest.fixture
def world(app_server: AppServer) -> World:
    found = World(app_server, n=41)
    yield found  # type: ignore[misc]
    found.close()


def sign_out_the_tab(world: World, server: AppServer) -> None:
    """From a laptop: "Déconnecter cet appareil" on the tab's device (the only other one)."""
    laptop = server.client()
    challenge = laptop.login(world.me.email, APP_PASSWORD)
    laptop.verify_code(challenge.challenge_id, server.last_otp(world.me.email))
    laptop.sign_out_device(next(d.id for d in laptop.devices() if not d.current))


@pytest.fixture
def tab(world: World, tmp_path: Path) -> VaultAppState:
    return signed_in(world, tmp_path)


def test_at_its_next_sync_the_device_is_back_at_the_login_screen(
    world: World, app_server: AppServer, tab: VaultAppState, tmp_path: Path
) -> None:
    locked: list[bool] = []
    tab.on_locked = lambda: locked.append(True)
    assert not tab.signed_out_elsewhere()  # nothing heard yet
    sign_out_the_tab(world, app_server)
    assert tab.screen == Screen.HOME  # nothing happens until the device talks to the server
    assert tab.sync_bar.sync()  # its next contact
    assert tab.signed_out_elsewhere()
    assert tab.screen == Screen.LOGIN and tab.me is None and locked == [True]
    assert not tab.vault.unlocked and tab.client.tokens is None
    banner = tab.login.banner
    assert banner is not None and banner.code == ErrorCode.DEVICE_SIGNED_OUT
    assert "déconnecté" in error_text(banner, "fr")
    assert tab.login.values["email"] == world.me.email
    assert not tab.signed_out_elsewhere()  # said once

    # The unlock code still opens what is kept here, offline: the session is gone for good.
    tab.back()
    assert tab.screen == Screen.UNLOCK
    tab.vault.unlock_form.set("pin", PIN)
    assert tab.unlock()
    assert tab.vault.session_expired
    with pytest.raises(ApiError):
        tab.client.me()


def test_heard_by_a_screen_before_the_sync(
    world: World, app_server: AppServer, tab: VaultAppState, tmp_path: Path
) -> None:
    sign_out_the_tab(world, app_server)
    tab.go(Screen.DEVICES)
    assert not tab.devices.load()  # "Appareils connectés" opened on the signed-out device
    assert tab.devices.banner is not None and tab.devices.banner.code == ErrorCode.DEVICE_SIGNED_OUT
    space = tab.vault.space
    assert space is not None and space.store is not None
    assert tab.signed_out_elsewhere()
    assert tab.screen == Screen.LOGIN and not tab.vault.unlocked
    again = vault_state(app_server.client(), tmp_path)
    again.launched(tab.vault.device_id, world.me.id)
    again.vault.unlock_form.set("pin", PIN)
    assert again.unlock() and again.vault.session_expired  # the sealed session was forgotten
