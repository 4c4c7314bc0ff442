"""The app's state logic against the real server in-process: what each screen does and shows."""

from datetime import UTC, datetime, timedelta, timezone

from backend_stub.demo import nir_for
from mobile.shell.state import ActivationForm, AppState, Screen
from mobile.shell.words import error_text
from sync.client import AccountClient
from sync.errors import ApiError, NetworkError, SyncError
from sync.protocol.errors import ErrorCode
from sync.protocol.schemas import OtpChannel, SpaceStatus
from tests.mobile.conftest import APP_PASSWORD, AppServer, Person


def fill_identifiers(form: ActivationForm, person: Person, **override: str) -> None:
    values = {"code": person.code, "nir": person.nir, "vitale": person.vitale} | override
    for name, value in values.items():
        form.set(name, value)


def activate(state: AppState, person: Person, email: str = "camille.martin@example.fr") -> None:
    fill_identifiers(state.activation, person)
    assert state.check_identifiers(), state.activation.banner
    state.activation.set("email", email)
    state.activation.set("password", APP_PASSWORD)
    state.activation.set("confirm", APP_PASSWORD)
    assert state.activate(), (state.activation.errors, state.activation.banner)


def log_in(server: AppServer, state: AppState, email: str = "camille.martin@example.fr") -> None:
    state.go(Screen.LOGIN)
    state.login.set("email", email)
    state.login.set("password", APP_PASSWORD)
    assert state.submit_login(), (state.login.errors, state.login.banner)
    state.login.set("otp", server.last_otp(email))
    assert state.verify_code(), (state.login.errors, state.login.banner)


# --- activation -------------------------------------------------------------------------------------


def test_local_validation_puts_each_error_under_its_field_and_keeps_values(app_server: AppServer) -> None:
    state = app_server.state()
    state.go(Screen.ACTIVATE_IDS)
    form = state.activation
    form.set("code", "abc")
    form.set("nir", "185057500000148")  # wrong key
    form.set("vitale", "")
    assert not state.check_identifiers()
    assert form.errors["code"].code == ErrorCode.CODE_FORMAT
    assert form.errors["nir"].code == ErrorCode.NIR_KEY
    assert form.errors["vitale"].code == ErrorCode.VITALE_EMPTY
    assert form.banner is None
    assert form.values == form.values | {"code": "abc", "nir": "185057500000148", "vitale": ""}
    assert state.screen == Screen.ACTIVATE_IDS
    assert "clé" in error_text(form.errors["nir"], "fr")
    # Correcting a field removes its error only.
    form.set("nir", "185057500000147")
    assert "nir" not in form.errors and "code" in form.errors


def test_wrong_identifiers_show_one_message_and_keep_what_was_typed(app_server: AppServer) -> None:
    person = app_server.enrol(1)
    state = app_server.state()
    state.go(Screen.ACTIVATE_IDS)
    fill_identifiers(state.activation, person, vitale="99999999")
    assert not state.check_identifiers()
    assert state.activation.banner is not None
    assert state.activation.banner.code == ErrorCode.IDENTIFIERS_MISMATCH
    assert state.activation.values["vitale"] == "99999999"
    assert state.activation.values["code"] == person.code
    assert state.screen == Screen.ACTIVATE_IDS


def test_activation_then_login_with_code_opens_home(app_server: AppServer) -> None:
    person = app_server.enrol(2, first_name="Nabil")
    state = app_server.state()
    state.go(Screen.ACTIVATE_IDS)
    fill_identifiers(state.activation, person, code=person.code.lower().replace("-", " "))
    assert state.check_identifiers()
    assert state.screen == Screen.ACTIVATE_LOGIN
    assert state.activation.first_name == "Nabil"

    state.activation.set("email", "Nabil@Example.fr")
    state.activation.set("password", APP_PASSWORD)
    state.activation.set("confirm", APP_PASSWORD)
    assert state.activate()
    assert state.screen == Screen.ACTIVATED
    assert state.activation.values["password"] == ""  # nothing sensitive lingers
    state.go(Screen.LOGIN)
    assert state.login.values["email"] == "nabil@example.fr"  # prefilled

    state.login.set("password", APP_PASSWORD)
    assert state.submit_login()
    assert state.screen == Screen.CODE
    challenge = state.login.challenge
    assert challenge is not None and challenge.channel == OtpChannel.EMAIL
    assert challenge.destination_hint.startswith("n***@")
    assert 4 <= state.login.code_minutes() <= 5
    state.login.set("otp", app_server.last_otp("nabil@example.fr"))
    assert state.verify_code()
    assert state.screen == Screen.HOME
    assert state.me is not None and state.me.first_name == "Nabil"
    assert state.login.values["password"] == ""


def test_activation_step2_local_checks(app_server: AppServer) -> None:
    person = app_server.enrol(3)
    state = app_server.state()
    fill_identifiers(state.activation, person)
    assert state.check_identifiers()
    form = state.activation
    assert [ok for _, ok in form.rules()] == [False] * 5
    form.set("email", "pas-un-email")
    form.set("password", "court")
    form.set("confirm", "autre")
    form.set_channel(OtpChannel.SMS)
    form.set("phone", "12")
    assert not state.activate()
    assert form.errors["email"].code == ErrorCode.EMAIL_INVALID
    assert form.errors["password"].code == ErrorCode.PASSWORD_WEAK
    assert form.errors["confirm"].code == "ui.error.password.mismatch"
    assert form.errors["phone"].code == ErrorCode.PHONE_INVALID
    assert form.values["email"] == "pas-un-email" and form.values["phone"] == "12"
    assert state.screen == Screen.ACTIVATE_LOGIN

    form.set("password", "Abcdefgh-1234")
    assert [key for key, _ in form.rules()] == [
        "password.rule.length",
        "password.rule.lower",
        "password.rule.upper",
        "password.rule.digit",
        "password.rule.symbol",
    ]
    assert all(ok for _, ok in form.rules())
    form.set("email", "abcdefgh@example.fr")
    form.set("confirm", "Abcdefgh-1234")
    form.set("phone", "06 12 34 56 78")
    assert not state.activate()
    assert form.errors["password"].code == "ui.error.password.contains_email"

    form.set("password", APP_PASSWORD)
    form.set("confirm", APP_PASSWORD)
    assert state.activate()
    state.login.set("password", APP_PASSWORD)
    assert state.submit_login()
    assert state.login.challenge is not None
    assert state.login.challenge.channel == OtpChannel.SMS
    assert app_server.last_otp("+33612345678")


def test_email_taken_goes_under_email(app_server: AppServer) -> None:
    first, second = app_server.enrol(4), app_server.enrol(5)
    activate(app_server.state(), first, "meme@example.fr")
    state = app_server.state()
    fill_identifiers(state.activation, second)
    assert state.check_identifiers()
    state.activation.set("email", "meme@example.fr")
    state.activation.set("password", APP_PASSWORD)
    state.activation.set("confirm", APP_PASSWORD)
    assert not state.activate()
    assert state.activation.errors["email"].code == ErrorCode.EMAIL_TAKEN
    assert state.activation.values["password"] == APP_PASSWORD


# --- login and codes --------------------------------------------------------------------------------


def test_wrong_login_keeps_the_email(app_server: AppServer) -> None:
    person = app_server.enrol(6)
    state = app_server.state()
    activate(state, person)
    state.go(Screen.LOGIN)
    state.login.set("password", "Mauvais-mot-2026")
    assert not state.submit_login()
    assert state.login.banner is not None and state.login.banner.code == ErrorCode.LOGIN_FAILED
    assert state.login.values["email"] == "camille.martin@example.fr"
    assert state.screen == Screen.LOGIN
    empty = app_server.state()
    empty.go(Screen.LOGIN)
    assert not empty.submit_login()
    assert set(empty.login.errors) == {"email", "password"}


def test_wrong_code_says_attempts_left_then_locks_with_local_time(app_server: AppServer) -> None:
    person = app_server.enrol(7)
    state = app_server.state()
    activate(state, person)
    state.login.set("password", APP_PASSWORD)
    assert state.submit_login()
    right = app_server.last_otp("camille.martin@example.fr")
    wrong = "000000" if right != "000000" else "111111"
    state.login.set("otp", wrong)
    assert not state.verify_code()
    err = state.login.errors["otp"]
    assert err.code == ErrorCode.OTP_INVALID and err.params["attempts_left"] == 4
    assert error_text(err, "fr") == "Code incorrect. Il vous reste 4 essais."
    assert state.login.values["otp"] == wrong
    assert state.screen == Screen.CODE
    for _ in range(4):
        state.login.set("otp", wrong)
        assert not state.verify_code()
    # Locked: back to the password step, the message says until when, in local time.
    assert state.screen == Screen.LOGIN
    assert state.login.banner is not None and state.login.banner.code == ErrorCode.ACCOUNT_LOCKED
    until = datetime.fromisoformat(state.login.banner.params["until"])
    assert until - app_server.clock.now() == timedelta(minutes=15)
    local = until.astimezone()
    assert local.strftime("%d/%m/%Y à %H:%M") in error_text(state.login.banner, "fr")
    assert f"{local.day} {local:%b %Y} at {local:%H:%M}" in error_text(state.login.banner, "en")
    assert state.login.values["email"] == "camille.martin@example.fr"


def test_resend_is_throttled_then_sends_a_new_code(app_server: AppServer) -> None:
    person = app_server.enrol(8)
    state = app_server.state()
    activate(state, person)
    state.login.set("password", APP_PASSWORD)
    assert state.submit_login()
    state.login.set("otp", "12")
    assert not state.login.resend()
    assert state.login.banner is not None and state.login.banner.code == ErrorCode.OTP_RESEND_TOO_SOON
    assert "secondes" in error_text(state.login.banner, "fr")
    assert state.login.values["otp"] == "12"
    app_server.clock.advance(seconds=61)
    assert state.login.resend()
    assert state.login.resent and state.login.banner is None
    state.login.set("otp", app_server.last_otp("camille.martin@example.fr"))
    assert state.verify_code()
    assert state.screen == Screen.HOME


# --- the space ---------------------------------------------------------------------------------------


def test_sections_close_reopen_logout(app_server: AppServer) -> None:
    person = app_server.enrol(9)
    state = app_server.state()
    activate(state, person)
    log_in(app_server, state)
    state.open_section("children")  # every section has its screen now (the last one: "Mes enfants")
    assert state.screen == Screen.CHILDREN
    state.back()
    assert state.screen == Screen.HOME
    state.open_section("settings")
    assert state.screen == Screen.SETTINGS

    state.closing.set("password", "pas-le-bon")
    assert not state.close_space()
    assert state.closing.errors["password"].code == "ui.error.password.wrong"
    assert state.closing.values["password"] == "pas-le-bon"
    state.closing.set("password", APP_PASSWORD)
    assert state.close_space()
    assert state.screen == Screen.CLOSED
    assert state.me is not None and state.me.status == SpaceStatus.CLOSED
    assert state.me.purge_after is not None
    assert state.me.purge_after.year == app_server.clock.now().year + 10

    assert state.reopen_space()
    assert state.screen == Screen.HOME and state.me.status == SpaceStatus.ACTIVE

    state.logout()
    assert state.screen == Screen.WELCOME and state.me is None
    assert state.client.tokens is None


def test_login_to_a_closed_space_shows_the_closed_screen(app_server: AppServer) -> None:
    person = app_server.enrol(10)
    state = app_server.state()
    activate(state, person)
    log_in(app_server, state)
    state.closing.set("password", APP_PASSWORD)
    assert state.close_space()
    state.logout()
    assert state.login.values["email"] == "camille.martin@example.fr"
    log_in(app_server, state)
    assert state.screen == Screen.CLOSED
    state.logout()
    assert state.screen == Screen.WELCOME


# --- objection and new letter ------------------------------------------------------------------------


def test_objection_then_already_objected(app_server: AppServer) -> None:
    person = app_server.enrol(11)
    state = app_server.state()
    state.go(Screen.OBJECTION)
    state.objection.set("code", person.code)
    state.objection.set("nir", "1")
    assert not state.objection.validate()
    assert state.objection.errors["nir"].code == ErrorCode.NIR_LENGTH
    state.objection.set("nir", person.nir)
    state.objection.set("vitale", person.vitale)
    assert state.objection.validate()
    assert state.object_to_creation()
    assert state.screen == Screen.OBJECTED
    again = app_server.state()
    for name, value in (("code", person.code), ("nir", person.nir), ("vitale", person.vitale)):
        again.objection.set(name, value)
    assert not again.object_to_creation()
    assert again.objection.banner is not None
    assert again.objection.banner.code == ErrorCode.ALREADY_OBJECTED


def test_new_letter_never_says_whether_it_matched(app_server: AppServer) -> None:
    person = app_server.enrol(12)
    state = app_server.state()
    state.go(Screen.NEW_LETTER)
    state.letter.set("nir", person.nir)
    state.letter.set("vitale", "abc")
    assert not state.request_new_letter()
    assert state.letter.errors["vitale"].code == ErrorCode.VITALE_FORMAT
    state.letter.set("vitale", person.vitale)
    assert state.request_new_letter()
    assert state.screen == Screen.LETTER_SENT
    stranger = app_server.state()
    stranger.letter.set("nir", nir_for(999))
    stranger.letter.set("vitale", "12345678")
    assert stranger.request_new_letter()
    assert stranger.screen == Screen.LETTER_SENT


# --- messages ---------------------------------------------------------------------------------------


def test_error_text_derives_the_parameters_messages_need() -> None:
    paris_winter = timezone(timedelta(hours=1))
    locked = ApiError(ErrorCode.ACCOUNT_LOCKED, {"until": "2026-11-24T13:05:00+00:00"}, 423)
    assert error_text(locked, "fr", tz=paris_winter).endswith("jusqu'à 24/11/2026 à 14:05.")
    assert "24 Nov 2026 at 14:05" in error_text(locked, "en", tz=paris_winter)
    assert "24/11/2026 à 13:05" in error_text(locked, "fr", tz=UTC)

    def minutes(seconds: object) -> str:
        return error_text(ApiError(ErrorCode.RATE_LIMITED, {"retry_after": seconds}, 429), "fr")

    assert minutes(61) == "Trop de tentatives. Réessayez dans 2 minutes."
    assert "dans 10 minutes" in minutes(600)
    assert "dans 1 minute" in minutes(5)
    assert "dans 1 minute" in minutes(None)
    assert "4 essais" in error_text(ApiError(ErrorCode.OTP_INVALID, {"attempts_left": 4}, 401), "fr")
    assert "42" in error_text(ApiError(ErrorCode.OTP_RESEND_TOO_SOON, {"retry_after": 42}, 429), "en")
    assert "connexion" in error_text(NetworkError(), "fr")
    # A code this version does not know, or a missing parameter, still gives a sentence.
    assert error_text(ApiError("error.from.the.future", {}, 400), "fr") == error_text(
        SyncError(ErrorCode.SERVER_ERROR), "fr"
    )
    assert "{" not in error_text(ApiError(ErrorCode.OTP_INVALID, {}, 401), "fr")


def test_network_error_is_shown_and_values_kept() -> None:
    state = AppState(AccountClient("http://127.0.0.1:9"))  # nothing listens there
    state.login.set("email", "a@example.fr")
    state.login.set("password", "x")
    assert not state.submit_login()
    assert state.login.banner is not None and state.login.banner.code == ErrorCode.NETWORK
    assert state.login.values == {"email": "a@example.fr", "password": "x", "otp": ""}
    state.client.close()


def test_each_state_has_its_own_session(app_server: AppServer) -> None:
    person = app_server.enrol(13)
    one, two = app_server.state(), app_server.state()
    activate(one, person)
    log_in(app_server, one)
    assert one.client.tokens is not None
    assert two.client.tokens is None and two.me is None and two.screen == Screen.WELCOME


def test_language_switch() -> None:
    state = AppState(AccountClient("http://127.0.0.1:9"))
    assert state.lang == "fr"
    state.toggle_language()
    assert state.lang == "en"
    state.toggle_language()
    assert state.lang == "fr"
    assert AppState(state.client, lang="de").lang == "fr"
    state.client.close()


def test_numbers_in_messages_are_written_the_french_way() -> None:
    err = SyncError("error.measure.impossible", {"low": 0.3, "high": 300.0, "unit": "kg"})
    assert "0,3" in error_text(err, "fr") and "300" in error_text(err, "fr")
    assert "0.3" in error_text(err, "en")
