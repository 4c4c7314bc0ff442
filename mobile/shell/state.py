"""What the app knows and does, without a single control: screens render it, tests call it.

    AppState            the current screen, the language, the signed-in holder
      ActivationForm    step 1 (three identifiers) and step 2 (login, password, code channel)
      ObjectionForm     the three identifiers, to refuse the space
      NewLetterForm     social security number + Vitale serial, to get a new code
      LoginForm         e-mail + password, then the one-time code
      CloseForm         the password that confirms closing the space

Every method that talks to the server is synchronous (the views run it off the UI thread),
returns True when it worked, and on failure keeps what the person typed and stores the error
under the field it concerns, or in `banner` for the whole form.
"""

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from enum import StrEnum

from sync.client import AccountClient
from sync.errors import SyncError
from sync.protocol.errors import ErrorCode
from sync.protocol.i18n import DEFAULT_LANGUAGE, LANGUAGES
from sync.protocol.identifiers import (
    InvalidIdentifier,
    normalize_email,
    normalize_nir,
    normalize_phone,
    normalize_provisional_code,
    normalize_vitale_serial,
)
from sync.protocol.password import password_is_acceptable, password_rules
from sync.protocol.schemas import (
    ActivationRequest,
    Identifiers,
    LoginChallenge,
    Me,
    NewLetterRequest,
    OtpChannel,
    SpaceStatus,
)
from sync.store import ReadOnlyRecord, Store

__all__ = [
    "SECTIONS",
    "SIGNED_OUT_SCREENS",
    "ActivationForm",
    "AppState",
    "CloseForm",
    "Form",
    "LoginForm",
    "NewLetterForm",
    "ObjectionForm",
    "Screen",
    "local_error",
    "minutes_left",
]


class Screen(StrEnum):
    """Every screen of the app; the router shows the one in `AppState.screen`."""

    WELCOME = "welcome"
    ACTIVATE_IDS = "activate"
    ACTIVATE_LOGIN = "activate-login"
    ACTIVATED = "activated"
    OBJECTION = "objection"
    OBJECTED = "objected"
    NEW_LETTER = "new-letter"
    LETTER_SENT = "letter-sent"
    LOGIN = "login"
    CODE = "code"
    HOME = "home"
    SETTINGS = "settings"
    CLOSED = "closed"
    PROFESSIONALS = "professionals"
    EMERGENCY = "emergency"
    ACCESS_LOG = "access-log"
    ALERTS = "alerts"  # how accesses are told, per channel
    PROFILE_SHARING = "profile-sharing"  # which profile sections professionals read
    NOTIFICATIONS = "notifications"
    PIN_SETUP = "pin-setup"
    UNLOCK = "unlock"
    DOCUMENTS = "documents"
    DOCUMENT_VIEW = "document"
    DOCUMENT_ADD = "document-add"
    # The medical profile (hub) and the screens it leads to.
    PROFILE = "profile"
    MEASUREMENTS = "measurements"
    MEASURE_KIND = "measure-kind"  # one kind's chart and readings
    MEASURE_ADD = "measure-add"
    PROFILE_LIST = "profile-list"
    WISHES = "wishes"
    EMERGENCY_CARD = "emergency-card"
    ADMIN_DATA = "admin-data"
    REIMBURSEMENTS = "reimbursements"
    HEALTH_HISTORY = "health-history"  # "Mon histoire de santé"
    SHARES = "shares"
    # Secure messaging: the conversations, and one conversation.
    MESSAGES = "messages"
    CONVERSATION = "conversation"
    # The health agenda: appointments (list, add / change form) and the prevention reminders.
    AGENDA = "agenda"
    APPOINTMENT = "appointment"
    CHECKUPS = "checkups"
    # "Mon bilan prévention": the key-age questionnaires, and one being answered (or its synthesis).
    QUESTIONNAIRES = "questionnaires"
    QUESTIONNAIRE = "questionnaire"
    # The catalogue of referenced apps (and the connected ones), and an app's consent screen.
    CATALOGUE = "catalogue"
    APP_CONSENT = "app-consent"
    # Everything the space holds as files (FHIR and a PDF summary), and their import.
    EXPORT = "export"
    # A parent's children: the space switcher, activating or refusing a child's space.
    CHILDREN = "children"
    # Helpers (aidants): "Mes aidants", and "Les personnes que j'aide" with their space switcher.
    HELPERS = "helpers"
    HELPED = "helped"
    # The account a person keeps: "Mot de passe oublié ?" from the login screen; in "Paramètres"
    # the password, the e-mail, phone or codes' channel, this device's unlock code, the devices.
    PASSWORD_RESET = "password-reset"
    PASSWORD_CHANGE = "password"
    CONTACT_CHANGE = "contact"
    PIN_CHANGE = "unlock-code"
    DEVICES = "devices"
    # "Mes droits" (issue #18): corrections asked of professionals, research, complaints.
    RIGHTS = "rights"


# The screens of a person not signed in (an address of the space's screens asks to sign in first).
SIGNED_OUT_SCREENS = frozenset(
    {
        Screen.WELCOME,
        Screen.ACTIVATE_IDS,
        Screen.OBJECTION,
        Screen.NEW_LETTER,
        Screen.LOGIN,
        Screen.PASSWORD_RESET,
    }
)

# The sections of the space, in the order of the home screen, and the screen each opens.
SECTIONS: dict[str, Screen] = {
    "documents": Screen.DOCUMENTS,
    "profile": Screen.PROFILE,
    "messages": Screen.MESSAGES,
    "agenda": Screen.AGENDA,
    "children": Screen.CHILDREN,
    "helpers": Screen.HELPERS,
    "professionals": Screen.PROFESSIONALS,
    "access_log": Screen.ACCESS_LOG,
    "catalogue": Screen.CATALOGUE,
    "settings": Screen.SETTINGS,
}

# Which field an error code belongs to (by prefix); anything else goes to the form's banner.
_FIELD_OF_PREFIX: tuple[tuple[str, str], ...] = (
    ("error.code.empty", "code"),
    ("error.code.format", "code"),
    ("error.nir.", "nir"),
    ("error.vitale.", "vitale"),
    ("error.email.", "email"),
    ("error.phone.", "phone"),
    ("error.password.weak", "password"),
    ("ui.error.password.empty", "password"),
    ("ui.error.password.contains_email", "password"),
    ("ui.error.password.wrong", "password"),
    ("ui.error.password.mismatch", "confirm"),
    ("error.otp.invalid", "otp"),
    ("ui.error.otp.empty", "otp"),
)


def local_error(code: str) -> SyncError:
    """An error found on the phone, shaped like the server's so one function words them all."""
    return SyncError(code)


def delete_own(store: Store | None, record_id: str) -> SyncError | None:
    """Delete one of the holder's own records from this device (sync sends the deletion); what to
    show instead when the vault is closed or someone else wrote the record."""
    if store is None:
        return local_error(ErrorCode.AUTH_REQUIRED)
    try:
        store.delete(record_id)
    except ReadOnlyRecord:
        return local_error(ErrorCode.SYNC_READ_ONLY)
    return None


def minutes_left(until: datetime | None, now: datetime | None = None) -> int:
    """Whole minutes until a code's end, as the server said (at least 1; 5 when unknown)."""
    if until is None:
        return 5
    return max(1, round((until - (now or datetime.now(UTC))).total_seconds() / 60))


def _field_of(code: str) -> str | None:
    for prefix, name in _FIELD_OF_PREFIX:
        if code.startswith(prefix):
            return name
    return None


class Form:
    """Values typed by the person, per-field errors, one banner error and a busy flag."""

    fields: tuple[str, ...] = ()

    def __init__(self, client: AccountClient) -> None:
        self.client = client
        self.values: dict[str, str] = dict.fromkeys(self.fields, "")
        self.errors: dict[str, SyncError] = {}
        self.banner: SyncError | None = None
        self.busy = False
        self.revealed: set[str] = set()  # the secret fields shown in clear ("Afficher")

    def set(self, name: str, value: str) -> None:
        """Keep a typed value; its old error goes away as soon as the person corrects it."""
        self.values[name] = value
        self.errors.pop(name, None)

    def fail(self, err: SyncError) -> None:
        """File an error under its field when the form has it, else in the banner."""
        name = _field_of(err.code)
        if name is not None and name in self.values:
            self.errors[name] = err
        else:
            self.banner = err

    def clear_errors(self) -> None:
        self.errors.clear()
        self.banner = None

    def _check(self, name: str, normalize: Callable[[str], str]) -> str:
        try:
            return normalize(self.values[name])
        except InvalidIdentifier as exc:
            self.errors[name] = local_error(exc.code)
            return ""

    def _call(self, action: Callable[[], object]) -> bool:
        try:
            action()
        except SyncError as err:
            self.fail(err)
            return False
        return True

    def _check_new_password(self, identifier: str = "") -> str:
        """A new password in `password`, typed again in `confirm`: an error under each that is
        wrong (a rule of the checklist unmet, the login inside it, two different copies)."""
        password = self.values["password"]
        if not password:
            self.errors["password"] = local_error("ui.error.password.empty")
        elif not all(ok for _, ok in password_rules(password)):
            self.errors["password"] = local_error(ErrorCode.PASSWORD_WEAK)
        elif not password_is_acceptable(password, identifier=identifier):
            self.errors["password"] = local_error("ui.error.password.contains_email")
        if password and self.values["confirm"] != password:
            self.errors["confirm"] = local_error("ui.error.password.mismatch")
        return password


class _IdentifiersMixin(Form):
    def identifiers(self) -> Identifiers | None:
        """The three identifiers in canonical form, or None with an error under each wrong one."""
        code = self._check("code", normalize_provisional_code)
        nir = self._check("nir", normalize_nir)
        vitale = self._check("vitale", normalize_vitale_serial)
        if self.errors:
            return None
        return Identifiers(provisional_code=code, nir=nir, vitale_serial=vitale)


class ActivationForm(_IdentifiersMixin):
    """Activation in two steps; nothing is kept by the server between them."""

    fields = ("code", "nir", "vitale", "email", "password", "confirm", "phone")

    def __init__(self, client: AccountClient) -> None:
        super().__init__(client)
        self.channel = OtpChannel.EMAIL
        self.first_name = ""
        self._checked: Identifiers | None = None

    def check(self) -> bool:
        """Step 1: check the identifiers locally, then with the server; learn the first name."""
        self.clear_errors()
        ids = self.identifiers()
        if ids is None:
            return False

        def ask() -> None:
            self.first_name = self.client.check_identifiers(ids).first_name
            self._checked = ids

        return self._call(ask)

    def rules(self) -> list[tuple[str, bool]]:
        """The live password checklist: (message key, met) for each rule."""
        return password_rules(self.values["password"])

    def set_channel(self, channel: OtpChannel | str) -> None:
        self.channel = OtpChannel(channel)
        self.errors.pop("phone", None)

    def activate(self) -> bool:
        """Step 2: validate the login locally, then open the space."""
        self.clear_errors()
        email = self._check("email", normalize_email)
        password = self._check_new_password(email)
        phone = self._check("phone", normalize_phone) if self.channel == OtpChannel.SMS else None
        ids = self._checked or self.identifiers()
        if self.errors or ids is None:
            return False
        request = ActivationRequest(
            **ids.model_dump(),
            email=email,
            password=password,
            otp_channel=self.channel,
            phone=phone,
        )
        return self._call(lambda: self.client.activate(request))


class ObjectionForm(_IdentifiersMixin):
    """Refusing the space: the identifiers are checked first, then the person confirms."""

    fields = ("code", "nir", "vitale")

    def validate(self) -> bool:
        """Local check before the confirmation dialog opens."""
        self.clear_errors()
        return self.identifiers() is not None

    def submit(self) -> bool:
        self.clear_errors()
        ids = self.identifiers()
        return ids is not None and self._call(lambda: self.client.object_to_creation(ids))


class NewLetterForm(Form):
    """A new provisional code: the answer never says whether the details matched."""

    fields = ("nir", "vitale")

    def submit(self) -> bool:
        self.clear_errors()
        nir = self._check("nir", normalize_nir)
        vitale = self._check("vitale", normalize_vitale_serial)
        if self.errors:
            return False
        request = NewLetterRequest(nir=nir, vitale_serial=vitale)
        return self._call(lambda: self.client.request_new_letter(request))


class LoginForm(Form):
    """E-mail and password, then the one-time code of the challenge."""

    fields = ("email", "password", "otp")

    def __init__(self, client: AccountClient) -> None:
        super().__init__(client)
        self.challenge: LoginChallenge | None = None
        self.resent = False

    def submit(self) -> bool:
        self.clear_errors()
        if not self.values["email"].strip():
            self.errors["email"] = local_error(ErrorCode.EMAIL_INVALID)
        if not self.values["password"]:
            self.errors["password"] = local_error("ui.error.password.empty")
        if self.errors:
            return False

        def ask() -> None:
            self.challenge = self.client.login(self.values["email"].strip(), self.values["password"])
            self.values["otp"] = ""
            self.resent = False

        return self._call(ask)

    def code_minutes(self, now: datetime | None = None) -> int:
        """How long the code is valid, in minutes, as the server said."""
        return minutes_left(self.challenge.expires_at if self.challenge else None, now)

    def verify(self) -> Me | None:
        self.clear_errors()
        self.resent = False
        code = "".join(ch for ch in self.values["otp"] if ch.isdigit())
        if not code:
            self.errors["otp"] = local_error("ui.error.otp.empty")
            return None
        if self.challenge is None:
            self.banner = local_error(ErrorCode.OTP_EXPIRED)
            return None
        challenge_id = self.challenge.challenge_id
        me: list[Me] = []
        self._call(lambda: me.append(self.client.verify_code(challenge_id, code)))
        return me[0] if me else None

    def resend(self) -> bool:
        self.clear_errors()
        self.resent = False
        if self.challenge is None:
            self.banner = local_error(ErrorCode.OTP_EXPIRED)
            return False
        challenge_id = self.challenge.challenge_id

        def ask() -> None:
            self.challenge = self.client.resend_code(challenge_id)
            self.resent = True

        return self._call(ask)


class CloseForm(Form):
    """The password that confirms closing the space."""

    fields = ("password",)

    def submit(self) -> Me | None:
        self.clear_errors()
        if not self.values["password"]:
            self.errors["password"] = local_error("ui.error.password.empty")
            return None
        me: list[Me] = []
        try:
            me.append(self.client.close_space(self.values["password"]))
        except SyncError as err:
            if err.code == ErrorCode.LOGIN_FAILED:  # the only thing that can be wrong here
                self.errors["password"] = local_error("ui.error.password.wrong")
            else:
                self.fail(err)
        return me[0] if me else None


class AppState:
    """One per page session (browser tab): the screen shown, the language, the holder."""

    def __init__(self, client: AccountClient, lang: str = DEFAULT_LANGUAGE) -> None:
        self.client = client
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self.tz: tzinfo | None = None  # the person's zone (mobile/shell/zone.py); None: this device's
        self.on_language: Callable[[str], None] = lambda _lang: None  # told of a switch (to keep it)
        self.screen = Screen.WELCOME
        self.me: Me | None = None
        self.banner: SyncError | None = None  # errors of screens without a form (home, closed)
        self.busy = False
        self.logged_out = False  # "Me déconnecter" was chosen: the welcome screen says what it did
        self._reset_forms()

    def _reset_forms(self) -> None:
        self.activation = ActivationForm(self.client)
        self.objection = ObjectionForm(self.client)
        self.letter = NewLetterForm(self.client)
        self.login = LoginForm(self.client)
        self.closing = CloseForm(self.client)

    # --- navigation and language ------------------------------------------------------------------
    def set_zone(self, tz: tzinfo | None) -> None:
        """Times are shown, read and scheduled in the person's zone from now on."""
        self.tz = tz

    def toggle_language(self) -> None:
        self.lang = "en" if self.lang == "fr" else "fr"
        self.on_language(self.lang)

    def go(self, screen: Screen) -> None:
        """Show a screen; leaving one clears its banner so old errors do not linger."""
        self.banner = None
        if screen == Screen.LOGIN:
            self.login.clear_errors()
        self.screen = screen

    def can_open(self, screen: Screen) -> bool:
        """May an address open `screen` now? The screens of the space once signed in, those before
        signing in otherwise."""
        return (screen not in SIGNED_OUT_SCREENS) == (self.me is not None)

    def back(self) -> None:
        """The way back of each screen (never a dead end)."""
        previous = {
            Screen.ACTIVATE_LOGIN: Screen.ACTIVATE_IDS,
            Screen.CODE: Screen.LOGIN,
            Screen.SETTINGS: Screen.HOME,
            Screen.EMERGENCY: Screen.PROFESSIONALS,
        }
        self.go(previous.get(self.screen, Screen.HOME if self.me else Screen.WELCOME))

    def open_section(self, name: str) -> None:
        self.go(SECTIONS[name])

    # --- activation, objection, new letter --------------------------------------------------------
    def check_identifiers(self) -> bool:
        ok = self.activation.check()
        if ok:
            self.go(Screen.ACTIVATE_LOGIN)
        return ok

    def activate(self) -> bool:
        ok = self.activation.activate()
        if ok:
            email = normalize_email(self.activation.values["email"])
            self.activation = ActivationForm(self.client)  # forget the identifiers and password
            self.login = LoginForm(self.client)
            self.login.set("email", email)
            self.go(Screen.ACTIVATED)
        return ok

    def object_to_creation(self) -> bool:
        ok = self.objection.submit()
        if ok:
            self.objection = ObjectionForm(self.client)
            self.go(Screen.OBJECTED)
        return ok

    def request_new_letter(self) -> bool:
        ok = self.letter.submit()
        if ok:
            self.letter = NewLetterForm(self.client)
            self.go(Screen.LETTER_SENT)
        return ok

    # --- login and the space ----------------------------------------------------------------------
    def submit_login(self) -> bool:
        ok = self.login.submit()
        if ok:
            self.go(Screen.CODE)
        return ok

    def verify_code(self) -> bool:
        me = self.login.verify()
        if me is None:
            if self.login.banner is not None and self.login.banner.code in (
                ErrorCode.OTP_EXPIRED,
                ErrorCode.ACCOUNT_LOCKED,
            ):
                # The challenge is spent: back to the password step, the message stays visible.
                err, self.login.challenge = self.login.banner, None
                self.login.values["otp"] = ""
                self.go(Screen.LOGIN)
                self.login.banner = err
            return False
        self.login.values["password"] = ""
        self.login.values["otp"] = ""
        self._signed_in(me)
        return True

    def _signed_in(self, me: Me) -> None:
        self.me, self.logged_out = me, False
        self.closing = CloseForm(self.client)
        self.go(Screen.CLOSED if me.status == SpaceStatus.CLOSED else Screen.HOME)

    def close_space(self) -> bool:
        me = self.closing.submit()
        if me is None:
            return False
        self._signed_in(me)
        return True

    def reopen_space(self) -> bool:
        self.banner = None
        try:
            me = self.client.reopen_space()
        except SyncError as err:
            if err.code in (ErrorCode.SESSION_EXPIRED, ErrorCode.AUTH_REQUIRED):
                self._signed_out(err)
            else:
                self.banner = err
            return False
        self._signed_in(me)
        return True

    def logout(self) -> None:
        self.client.logout()
        self._signed_out(None)
        self.logged_out = True

    def _signed_out(self, err: SyncError | None) -> None:
        email = self.me.email if self.me else ""
        self.me = None
        self._reset_forms()
        self.login.set("email", email)
        self.go(Screen.WELCOME if err is None else Screen.LOGIN)
        if err is not None:
            self.login.banner = err
