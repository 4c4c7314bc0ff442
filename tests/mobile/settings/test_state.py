"""What "Paramètres" changes, against the real server in-process: the password (the other devices
signed out), the e-mail, the phone and the codes' channel (a code to the new contact), and this
device's unlock code (also asked anew after an unlock with a code today's rules refuse)."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mobile.app import VaultAppState
from mobile.settings.state import ContactForm, PasswordForm, SettingsState, own_space
from mobile.shell.state import Screen, minutes_left
from mobile.shell.vault import VaultState
from mobile.shell.words import error_text, text
from sync.client import AccountClient
from sync.crypto import wrap_key
from sync.device import DeviceVault
from sync.errors import ApiError, SyncError
from sync.protocol.errors import ErrorCode
from sync.protocol.schemas import OtpChannel
from tests.mobile.conftest import APP_PASSWORD, AppServer
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import PIN, signed_in, vault_state
from tests.sync.conftest import FAST_KDF

NEW_PASSWORD = "Printemps-vert-2027?"


@pytest.fixture
def world(app_server: AppServer) -> World:
    found = World(app_server, n=11)
    yield found  # type: ignore[misc]
    found.close()


def other_device(server: AppServer, email: str, password: str = APP_PASSWORD) -> AccountClient:
    """The same person signed in on a second device."""
    client = server.client()
    challenge = client.login(email, password)
    client.verify_code(challenge.challenge_id, server.last_otp(email))
    return client


def settings_of(world: World, tmp_path: Path) -> SettingsState:
    return SettingsState(world.client, VaultState(world.client, tmp_path, kdf=FAST_KDF))


def worded(err: SyncError) -> bool:
    """The error has words of its own in both languages (never the generic server message)."""
    return all(error_text(err, lang) != text(ErrorCode.SERVER_ERROR, lang) for lang in ("fr", "en"))


def test_the_password_is_checked_here_then_changed_and_the_other_devices_signed_out(
    world: World, app_server: AppServer, tmp_path: Path
) -> None:
    phone = other_device(app_server, world.me.email)
    settings = settings_of(world, tmp_path)
    settings.start_password()
    form = settings.password
    for current, new, confirm, field, code in (
        ("", "", "", "current", "ui.error.password.empty"),
        (APP_PASSWORD, "court", "court", "password", ErrorCode.PASSWORD_WEAK),
        (
            APP_PASSWORD,
            "Camille11-secret!",
            "Camille11-secret!",
            "password",
            "ui.error.password.contains_email",
        ),
        (APP_PASSWORD, APP_PASSWORD, APP_PASSWORD, "password", "ui.account.password.error.same"),
        (APP_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "confirm", "ui.error.password.mismatch"),
        ("Pas-le-bon-2026!", NEW_PASSWORD, NEW_PASSWORD, "current", ErrorCode.PASSWORD_WRONG),  # the server
    ):
        for name, value in (("current", current), ("password", new), ("confirm", confirm)):
            form.set(name, value)
        assert not settings.change_password(world.me.email)
        assert form.errors[field].code == code, (field, form.errors)
        assert worded(form.errors[field])
        assert form.values == {"current": current, "password": new, "confirm": confirm}  # nothing lost
        assert settings.notice == ""
    assert [ok for _, ok in PasswordForm(world.client).rules()] == [False] * 5
    form.set("current", APP_PASSWORD)
    form.set("confirm", NEW_PASSWORD)
    assert all(ok for _, ok in form.rules())
    settings.leave()  # gone to another screen and back: nothing typed is kept
    assert settings.password.values == {"current": "", "password": "", "confirm": ""}
    form = settings.password
    form.set("current", APP_PASSWORD)
    form.set("password", NEW_PASSWORD)
    form.set("confirm", NEW_PASSWORD)
    assert settings.change_password(world.me.email)
    assert settings.notice == "ui.account.password.done"
    assert settings.password.values == {"current": "", "password": "", "confirm": ""}  # forgotten
    assert world.client.me().email == world.me.email  # this device stays signed in
    with pytest.raises(ApiError) as ended:
        phone.me()
    assert ended.value.code == ErrorCode.SESSION_EXPIRED  # the other one is signed out
    assert other_device(app_server, world.me.email, NEW_PASSWORD).me().id == world.me.id


def test_a_new_email_is_proven_by_a_code_sent_there(
    world: World, app_server: AppServer, tmp_path: Path
) -> None:
    state = signed_in(world, tmp_path)  # the vault open: the new account is sealed in it
    settings = state.settings
    settings.start_contact("email", state.me)
    form = settings.contact
    assert form.kind == "email" and form.challenge is None
    taken = World(app_server, n=12).me.email
    for value, password, field, code in (
        ("pas-une-adresse", "", "value", ErrorCode.EMAIL_INVALID),
        ("nouvelle@exemple.fr", "", "password", "ui.error.password.empty"),
        ("nouvelle@exemple.fr", "Pas-le-bon-2026!", "password", ErrorCode.PASSWORD_WRONG),  # the server
        (taken, APP_PASSWORD, "value", ErrorCode.EMAIL_TAKEN),  # said once the password is right
    ):
        form.set("value", value)
        form.set("password", password)
        assert not form.send()
        assert form.errors[field].code == code, (field, form.errors)
        assert worded(form.errors[field])
        assert form.values["value"] == value and form.values["password"] == password
    form.set("value", " Nouvelle@Exemple.fr ")
    form.set("password", APP_PASSWORD)
    assert form.send()
    assert form.challenge is not None and form.challenge.destination_hint == "n***@e***.fr"
    assert form.values["password"] == ""  # not kept once the code is on its way
    assert 1 <= form.code_minutes() <= 5
    assert settings.confirm_contact() is None and form.errors["otp"].code == "ui.error.otp.empty"
    code = app_server.last_otp("nouvelle@exemple.fr")
    form.set("otp", f"{(int(code) + 1) % 1_000_000:06d}")
    assert settings.confirm_contact() is None
    assert form.errors["otp"].code == ErrorCode.OTP_INVALID and worded(form.errors["otp"])
    form.set("otp", code[:3] + " " + code[3:])  # typed with a space
    me = settings.confirm_contact()
    assert me is not None and me.email == "nouvelle@exemple.fr"
    assert settings.notice == "ui.account.email.done"
    space = own_space(state.vault)
    assert space is not None and space.store is not None
    assert space.store.secret("me")["email"] == "nouvelle@exemple.fr"  # the next offline launch knows it
    assert settings.contact.challenge is None


def test_a_phone_then_codes_by_sms(world: World, app_server: AppServer, tmp_path: Path) -> None:
    settings = settings_of(world, tmp_path)
    settings.start_contact("channel", world.me)
    form = settings.contact
    assert form.values["value"] == OtpChannel.SMS  # the other channel is offered
    form.set("password", APP_PASSWORD)
    assert not form.send()
    assert form.errors["value"].code == ErrorCode.PHONE_MISSING and worded(form.errors["value"])
    form.set("value", OtpChannel.EMAIL)
    assert not form.send() and form.errors["value"].code == "ui.account.channel.error.same"
    form.set("value", "pigeon")
    assert not form.send() and form.errors["value"].code == "ui.account.channel.error.choose"

    settings.start_contact("phone", world.me)
    form = settings.contact
    form.set("value", "12 34")
    form.set("password", APP_PASSWORD)
    assert not form.send() and form.errors["value"].code == ErrorCode.PHONE_INVALID
    form.set("value", "06 12 34 56 78")
    assert form.send()
    form.set("otp", app_server.last_otp("+33612345678"))
    me = settings.confirm_contact()
    assert me is not None and me.phone == "+33612345678" and me.otp_channel == OtpChannel.EMAIL
    assert settings.notice == "ui.account.phone.done"

    settings.start_contact("channel", me)
    form = settings.contact
    assert settings.notice == "" and form.values["value"] == OtpChannel.SMS
    form.set("password", APP_PASSWORD)
    assert form.send()
    app_server.clock.advance(minutes=6)  # the code expires: back to the first step, said plainly
    form.set("otp", app_server.last_otp("+33612345678"))
    assert settings.confirm_contact() is None
    assert form.challenge is None and form.banner is not None and form.banner.code == ErrorCode.OTP_EXPIRED
    assert form.values["value"] == OtpChannel.SMS  # the choice is still there
    form.set("password", APP_PASSWORD)
    assert form.send()
    form.set("otp", app_server.last_otp("+33612345678"))
    me = settings.confirm_contact()
    assert me is not None and me.otp_channel == OtpChannel.SMS
    assert settings.notice == "ui.account.channel.done"
    challenge = world.client.login(me.email, APP_PASSWORD)
    assert challenge.channel == OtpChannel.SMS  # the next login's code goes by SMS


def test_an_unknown_kind_is_an_email_and_restart_goes_back_to_the_first_step(world: World) -> None:
    form = ContactForm(world.client, "fax", world.me)
    assert form.kind == "email"
    form.set("value", "nouvelle@exemple.fr")
    form.set("otp", "123")
    assert form.confirm() is None and form.banner is not None  # no code asked yet
    form.restart()
    assert form.values == {"value": "nouvelle@exemple.fr", "password": "", "otp": ""}
    assert form.banner is None and form.code_minutes() == 5


def test_the_unlock_code_changes_on_this_device(world: World, app_server: AppServer, tmp_path: Path) -> None:
    state = signed_in(world, tmp_path)
    settings = state.settings
    settings.start_pin()
    form = settings.pin
    assert not form.outdated
    for old, new, confirm, field, code in (
        ("", "Coquelicot 2027", "Coquelicot 2027", "old", "ui.account.pin.error.old_empty"),
        (PIN, "court", "court", "pin", ErrorCode.PIN_SHORT),
        (PIN, "20272027", "20272027", "pin", ErrorCode.PIN_DIGITS),
        (PIN, PIN, PIN, "pin", "ui.account.pin.error.same"),
        (PIN, "Coquelicot 2027", "Coquelicot", "confirm", ErrorCode.PIN_MISMATCH),
    ):
        for name, value in (("old", old), ("pin", new), ("confirm", confirm)):
            form.set(name, value)
        assert not settings.change_pin()
        assert form.errors[field].code == code and worded(form.errors[field])
        assert form.values == {"old": old, "pin": new, "confirm": confirm}
    form.set("old", "Pas le bon code")
    form.set("confirm", "Coquelicot 2027")
    assert not settings.change_pin()
    assert form.errors["old"].code == ErrorCode.PIN_WRONG and form.values["old"] == ""  # not kept
    form.set("old", PIN)
    assert settings.change_pin() and settings.notice == "ui.account.pin.done"
    device = state.vault.device_id
    state.tab_closed()
    later = vault_state(app_server.client(), tmp_path)
    later.launched(device, world.me.id)
    later.vault.unlock_form.set("pin", PIN)
    assert not later.unlock()
    later.vault.unlock_form.set("pin", "Coquelicot 2027")
    assert later.unlock() and later.screen == Screen.HOME


def test_a_closed_vault_cannot_change_its_code(world: World, tmp_path: Path) -> None:
    settings = settings_of(world, tmp_path)
    for name, value in (("old", PIN), ("pin", "Coquelicot 2027"), ("confirm", "Coquelicot 2027")):
        settings.pin.set(name, value)
    assert not settings.change_pin() and settings.pin.banner is not None
    assert settings.pin.banner.code == ErrorCode.AUTH_REQUIRED


def test_an_outdated_unlock_code_is_replaced_right_after_the_unlock(
    world: World, app_server: AppServer, tmp_path: Path
) -> None:
    """A vault made before issue #14 with six digits opens, then a new code is asked plainly,
    without typing the old one again; "Plus tard" leaves it for the next unlock."""
    first = signed_in(world, tmp_path)
    device = first.vault.device_id
    assert device is not None
    first.tab_closed()
    vault = DeviceVault(tmp_path, world.me.id, device, kdf=FAST_KDF)  # wrapped again, the old way
    key = vault.unlock(PIN)
    vault.keyfile.write_text(json.dumps(wrap_key(key, "246810", FAST_KDF)))

    def unlocked(code: str) -> VaultAppState:
        state = vault_state(app_server.client(), tmp_path)
        state.launched(device, world.me.id)
        state.vault.unlock_form.set("pin", code)
        assert state.unlock()
        return state

    later = unlocked("246810")
    assert later.screen == Screen.PIN_CHANGE and later.me is not None
    form = later.settings.pin
    assert form.outdated and form.values["old"] == "246810"
    later.back()  # "Plus tard"
    assert later.screen == Screen.HOME
    assert later.settings.pin.values["old"] == "" and not later.settings.pin.outdated  # forgotten
    later.tab_closed()
    again = unlocked("246810")
    assert again.screen == Screen.PIN_CHANGE  # asked again
    form = again.settings.pin
    form.set("pin", "Coquelicot 2027")
    form.set("confirm", "Coquelicot 2027")
    assert again.settings.change_pin()
    again.tab_closed()
    assert unlocked("Coquelicot 2027").screen == Screen.HOME  # no longer asked


def test_minutes_left() -> None:
    now = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    assert minutes_left(None, now) == 5
    assert minutes_left(now + timedelta(seconds=290), now) == 5
    assert minutes_left(now - timedelta(minutes=3), now) == 1
