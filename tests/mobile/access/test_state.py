"""The login side against the real server in-process: "Mot de passe oublié ?" in two steps, the
login screen's confirmation, and "J'ai oublié mon code de déverrouillage"."""

from pathlib import Path

import pytest

from backend_stub.services import message_queue
from mobile.access.state import AccessState, ResetForm
from mobile.shell.state import Screen
from mobile.shell.words import error_text, text
from sync.errors import ApiError
from sync.protocol.errors import ErrorCode
from tests.mobile.conftest import APP_PASSWORD, AppServer
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import PIN, signed_in, vault_state

NEW_PASSWORD = "Printemps-vert-2027?"


@pytest.fixture
def world(app_server: AppServer) -> World:
    found = World(app_server, n=21)
    yield found  # type: ignore[misc]
    found.close()


def reset_code(server: AppServer, to: str) -> str:
    """The server sends the reset code after its answer (queued): what its sender then does."""
    message_queue.drain(ctx=server.ctx)
    return server.last_otp(to)


def test_a_forgotten_password_is_reset_with_the_numbers_and_a_code(
    world: World, app_server: AppServer
) -> None:
    access = AccessState(app_server.client())
    access.start_reset()
    form = access.reset
    form.set("nir", world.nir[:-2] + "00")
    form.set("vitale", "12")
    assert not form.start()
    assert {"nir", "vitale"} <= set(form.errors) and form.challenge is None
    assert form.values["vitale"] == "12"  # nothing lost
    form.set("nir", world.nir)
    form.set("vitale", f"{10000000 + 21}")
    assert form.start() and form.challenge is not None
    assert 1 <= form.code_minutes() <= 5
    code = reset_code(app_server, world.me.email)

    for otp, password, confirm, field, key in (
        ("", "", "", "otp", "ui.error.otp.empty"),
        (code, "court", "court", "password", ErrorCode.PASSWORD_WEAK),
        (code, NEW_PASSWORD, NEW_PASSWORD + "x", "confirm", "ui.error.password.mismatch"),
        (f"{(int(code) + 1) % 1_000_000:06d}", NEW_PASSWORD, NEW_PASSWORD, "otp", ErrorCode.OTP_INVALID),
        (code, "Camille21-bleu!", "Camille21-bleu!", "password", ErrorCode.PASSWORD_WEAK),  # the server
    ):
        for name, value in (("otp", otp), ("password", password), ("confirm", confirm)):
            form.set(name, value)
        assert not access.confirm_reset()
        assert form.errors[field].code == key, (field, form.errors)
        assert error_text(form.errors[field], "fr") != text(ErrorCode.SERVER_ERROR, "fr")
        assert form.values["password"] == password and access.notice == ""
    form.set("password", NEW_PASSWORD)
    form.set("confirm", NEW_PASSWORD)
    assert all(ok for _, ok in form.rules())
    assert access.confirm_reset()
    assert access.notice == "ui.reset.done"
    assert access.reset.challenge is None and access.reset.values["password"] == ""  # forgotten
    with pytest.raises(ApiError) as ended:
        world.client.me()
    assert ended.value.code == ErrorCode.SESSION_EXPIRED  # every device signed out
    assert world.client.login(world.me.email, NEW_PASSWORD).challenge_id


def test_numbers_that_match_nobody_get_the_same_answer_and_a_spent_code_starts_again(
    world: World, app_server: AppServer
) -> None:
    form = ResetForm(app_server.client())
    form.set("nir", world.nir)
    form.set("vitale", "99999999")  # not this person's card
    assert form.start() and form.challenge is not None  # nothing says whether a space exists
    form.set("vitale", f"{10000000 + 21}")
    assert form.start()
    code = reset_code(app_server, world.me.email)
    app_server.clock.advance(minutes=6)
    for name, value in (("otp", code), ("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)):
        form.set(name, value)
    assert not form.confirm()
    assert form.challenge is None and form.banner is not None and form.banner.code == ErrorCode.OTP_EXPIRED
    assert form.values["nir"] == world.nir and form.values["otp"] == ""  # ask again with one tap
    form.set("otp", code)
    assert not form.confirm() and form.banner is not None and form.banner.code == ErrorCode.OTP_EXPIRED


def test_the_login_screen_says_its_confirmation_once(
    world: World, app_server: AppServer, tmp_path: Path
) -> None:
    state = vault_state(app_server.client(), tmp_path)
    state.go(Screen.LOGIN)
    state.access.notice = "ui.reset.done"
    state.go(Screen.LOGIN)
    assert state.access.notice == "ui.reset.done"
    state.login.set("email", world.me.email)
    state.login.set("password", APP_PASSWORD)
    assert state.submit_login() and state.screen == Screen.CODE
    assert state.access.notice == ""
    state.go(Screen.PASSWORD_RESET)
    state.access.reset.set("nir", world.nir)
    state.back()
    assert state.screen == Screen.LOGIN
    assert state.access.reset.values["nir"] == ""  # what was typed there is forgotten


def test_a_forgotten_unlock_code_erases_this_copy_then_the_sync_brings_it_back(
    world: World, app_server: AppServer, tmp_path: Path
) -> None:
    first = signed_in(world, tmp_path)
    assert first.vault.space is not None and first.vault.space.store is not None
    first.vault.space.store.put("note", {"body": "gardée sur le serveur"})
    assert first.sync_bar.sync()
    device = first.vault.device_id
    first.tab_closed()

    later = vault_state(app_server.client(), tmp_path)
    later.launched(device, world.me.id)
    assert later.screen == Screen.UNLOCK
    later.forget_unlock_code()
    assert later.screen == Screen.LOGIN and later.access.notice == "ui.unlock.forgot.done"
    assert not later.vault.can_unlock() and not (tmp_path / world.me.id / str(device)).exists()
    later.back()
    assert later.screen != Screen.UNLOCK  # nothing left to unlock here
    later.go(Screen.LOGIN)
    later.login.set("email", world.me.email)
    later.login.set("password", APP_PASSWORD)
    assert later.submit_login()
    later.login.set("otp", app_server.last_otp(world.me.email))
    assert later.verify_code() and later.screen == Screen.PIN_SETUP  # a new code, then the data
    later.vault.pin_form.set("pin", "Coquelicot 2027")
    later.vault.pin_form.set("confirm", "Coquelicot 2027")
    assert later.set_pin() and later.sync_bar.sync()
    assert later.vault.space is not None and later.vault.space.store is not None
    assert [i.data["body"] for i in later.vault.space.store.items("note")] == ["gardée sur le serveur"]


def test_signed_in_already_a_forgotten_unlock_code_asks_a_new_one_at_once(
    world: World, app_server: AppServer, tmp_path: Path
) -> None:
    first = signed_in(world, tmp_path)
    device = first.vault.device_id
    first.tab_closed()
    later = vault_state(app_server.client(), tmp_path)
    later.launched(device, world.me.id)
    later.other_account()  # from the unlock screen: log in by password and code
    later.login.set("email", world.me.email)
    later.login.set("password", APP_PASSWORD)
    assert later.submit_login()
    later.login.set("otp", app_server.last_otp(world.me.email))
    assert later.verify_code() and later.screen == Screen.UNLOCK  # the vault here asks its code
    later.forget_unlock_code()
    assert later.screen == Screen.PIN_SETUP and later.access.notice == ""
    later.vault.pin_form.set("pin", PIN + "!")
    later.vault.pin_form.set("confirm", PIN + "!")
    assert later.set_pin() and later.screen == Screen.HOME
