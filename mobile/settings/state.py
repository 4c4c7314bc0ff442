"""What "Paramètres" changes in the account a person keeps, without a single control.

    PasswordForm    the current password, then the new one with its live checklist
    ContactForm     a new e-mail or phone, or where login codes go: the password, then the code
                    sent there (to the new address or number, or to the channel chosen)
    PinChangeForm   this device's unlock code: the current one (unless it was just typed at an
                    unlock that found it too short for today's rules), the new one twice
    SettingsState   the three, and the confirmation the settings screen shows after a change

Every change acts on the signed-in person's own login (never a child's space), so the forms
talk through the holder's own client. On a failure what was typed stays and the error goes under
its field; the server decides anyway (rules, rate limits) and says why with an error code.
"""

from datetime import datetime

from mobile.shell.state import Form, local_error, minutes_left
from mobile.shell.vault import VaultState
from sync.child_spaces import ChildSpace
from sync.client import AccountClient
from sync.device import pin_problem
from sync.errors import SyncError
from sync.protocol.account_schemas import ContactChallenge
from sync.protocol.errors import ErrorCode
from sync.protocol.identifiers import normalize_email, normalize_phone
from sync.protocol.password import password_rules
from sync.protocol.schemas import Me, OtpChannel
from sync.space import HolderSpace

__all__ = ["CONTACT_KINDS", "ContactForm", "PasswordForm", "PinChangeForm", "SettingsState", "own_space"]

CONTACT_KINDS = ("email", "phone", "channel")

# Errors of the server that belong under a field of these forms (the shell's prefixes do the rest).
_FIELD_OF_CODE: dict[str, str] = {
    ErrorCode.PASSWORD_WRONG: "current",
    ErrorCode.EMAIL_TAKEN: "value",
    ErrorCode.EMAIL_INVALID: "value",
    ErrorCode.PHONE_INVALID: "value",
    ErrorCode.PHONE_MISSING: "value",
    ErrorCode.OTP_INVALID: "otp",
    ErrorCode.PIN_WRONG: "old",
    ErrorCode.PIN_WAIT: "old",
}


def own_space(vault: VaultState) -> HolderSpace | None:
    """The signed-in person's own open space, even while a child's space is shown: the unlock
    code and the account are theirs."""
    space = vault.space
    own = space.parent if isinstance(space, ChildSpace) else space
    return own if own is not None and own.store is not None else None


class _AccountForm(Form):
    def fail(self, err: SyncError) -> None:
        name = _FIELD_OF_CODE.get(err.code)
        if name == "current" and "current" not in self.values:
            name = "password"  # the password asked again before a contact change
        if name is not None and name in self.values:
            self.errors[name] = err
        else:
            super().fail(err)


class PasswordForm(_AccountForm):
    """ "Changer mon mot de passe": the other devices are signed out, this one stays signed in."""

    fields = ("current", "password", "confirm")

    def rules(self) -> list[tuple[str, bool]]:
        """The live checklist of the new password: (message key, met) for each rule."""
        return password_rules(self.values["password"])

    def submit(self, email: str) -> bool:
        self.clear_errors()
        current = self.values["current"]
        if not current:
            self.errors["current"] = local_error("ui.error.password.empty")
        new = self._check_new_password(email)
        if "password" not in self.errors and new == current:
            self.errors["password"] = local_error("ui.account.password.error.same")
        if self.errors:
            return False
        return self._call(lambda: self.client.change_password(current, new))


class ContactForm(_AccountForm):
    """A new e-mail (`kind` "email"), a new mobile number ("phone"), or where login codes go
    ("channel", `value` "email" or "sms"): the password first, then the code sent there."""

    fields = ("value", "password", "otp")

    def __init__(self, client: AccountClient, kind: str = "email", me: Me | None = None) -> None:
        super().__init__(client)
        self.kind = kind if kind in CONTACT_KINDS else "email"
        self.challenge: ContactChallenge | None = None
        if self.kind == "channel" and me is not None:  # the other channel is the one to choose
            other = OtpChannel.EMAIL if me.otp_channel == OtpChannel.SMS else OtpChannel.SMS
            self.values["value"] = other.value
        self._current = me

    def _new_value(self) -> str:
        """The new e-mail, number or channel in canonical form, or "" with an error under it."""
        if self.kind == "email":
            return self._check("value", normalize_email)
        if self.kind == "phone":
            return self._check("value", normalize_phone)
        value = self.values["value"]
        if value not in (OtpChannel.EMAIL, OtpChannel.SMS):
            self.errors["value"] = local_error("ui.account.channel.error.choose")
            return ""
        if self._current is not None and value == self._current.otp_channel:
            self.errors["value"] = local_error("ui.account.channel.error.same")
            return ""
        return value

    def send(self) -> bool:
        """Step 1: the new value and the password; a code goes to the new contact."""
        self.clear_errors()
        value = self._new_value()
        password = self.values["password"]
        if not password:
            self.errors["password"] = local_error("ui.error.password.empty")
        if self.errors:
            return False

        def ask() -> None:
            self.challenge = self.client.request_contact_change(self.kind, value, password)
            self.values["password"] = self.values["otp"] = ""  # not kept longer than needed

        return self._call(ask)

    def confirm(self) -> Me | None:
        """Step 2: the code received; the account as it now is. A spent or expired code goes back
        to step 1 (the message says why, the new value is still there)."""
        self.clear_errors()
        code = "".join(ch for ch in self.values["otp"] if ch.isdigit())
        if not code:
            self.errors["otp"] = local_error("ui.error.otp.empty")
            return None
        if self.challenge is None:
            self.banner = local_error(ErrorCode.OTP_EXPIRED)
            return None
        challenge_id = self.challenge.challenge_id
        me: list[Me] = []
        if not self._call(lambda: me.append(self.client.confirm_contact_change(challenge_id, code))):
            if self.banner is not None and self.banner.code == ErrorCode.OTP_EXPIRED:
                self.restart()
                self.banner = local_error(ErrorCode.OTP_EXPIRED)
            return None
        return me[0]

    def code_minutes(self, now: datetime | None = None) -> int:
        """How long the code is valid, in minutes, as the server said."""
        return minutes_left(self.challenge.expires_at if self.challenge else None, now)

    def restart(self) -> None:
        """Back to step 1 (a new code is asked with the password again)."""
        self.challenge = None
        self.values["otp"] = ""
        self.clear_errors()


class PinChangeForm(_AccountForm):
    """ "Changer mon code de déverrouillage" on this device: the same vault key, wrapped by the
    new code. `outdated`: the code just typed at unlock is too easy for today's rules, so the
    app asks for a new one at once, without asking again for the one just typed."""

    fields = ("old", "pin", "confirm")

    def __init__(self, vault: VaultState, outdated_pin: str = "") -> None:
        super().__init__(vault.client)
        self.vault = vault
        self.outdated = bool(outdated_pin)
        self.values["old"] = outdated_pin

    def submit(self) -> bool:
        self.clear_errors()
        old, pin, confirm = self.values["old"], self.values["pin"], self.values["confirm"]
        if not old:
            self.errors["old"] = local_error("ui.account.pin.error.old_empty")
        problem = pin_problem(pin)
        if problem:
            self.errors["pin"] = local_error(problem)
        elif pin == old:
            self.errors["pin"] = local_error("ui.account.pin.error.same")
        elif pin != confirm:
            self.errors["confirm"] = local_error(ErrorCode.PIN_MISMATCH)
        if self.errors:
            return False
        space = own_space(self.vault)
        if space is None:
            self.banner = local_error(ErrorCode.AUTH_REQUIRED)
            return False
        try:
            space.change_pin(old, pin, confirm)
        except SyncError as err:
            if err.code in (ErrorCode.PIN_WRONG, ErrorCode.PIN_WAIT):
                self.values["old"] = ""  # a wrong code is not worth keeping
            self.fail(err)
            return False
        return True


class SettingsState:
    """The account's changes, and the confirmation of the last one (a message key, or "")."""

    def __init__(self, client: AccountClient, vault: VaultState) -> None:
        self.client, self.vault = client, vault
        self.password = PasswordForm(client)
        self.contact = ContactForm(client)
        self.pin = PinChangeForm(vault)
        self.notice = ""

    # --- opening a form: a fresh one, the last confirmation put away ---------------------------------
    def start_password(self) -> None:
        self.password, self.notice = PasswordForm(self.client), ""

    def start_contact(self, kind: str, me: Me | None) -> None:
        self.contact, self.notice = ContactForm(self.client, kind, me), ""

    def start_pin(self, outdated_pin: str = "") -> None:
        self.pin, self.notice = PinChangeForm(self.vault, outdated_pin), ""

    def leave(self) -> None:
        """The person left a form's screen: what was typed there (passwords, codes) is forgotten."""
        self.password, self.contact = PasswordForm(self.client), ContactForm(self.client)
        self.pin = PinChangeForm(self.vault)

    # --- the changes ------------------------------------------------------------------------------
    def change_password(self, email: str) -> bool:
        if not self.password.submit(email):
            return False
        self.password, self.notice = PasswordForm(self.client), "ui.account.password.done"
        return True

    def confirm_contact(self) -> Me | None:
        """The code received: the account as it now is, also sealed in this device's vault (so
        the next launch without a network shows it)."""
        kind = self.contact.kind
        me = self.contact.confirm()
        if me is None:
            return None
        space = own_space(self.vault)
        if space is not None and space.store is not None:
            space.me = me
            space.store.set_secret("me", me.model_dump(mode="json"))
        self.contact = ContactForm(self.client)
        self.notice = {
            "email": "ui.account.email.done",
            "phone": "ui.account.phone.done",
            "channel": "ui.account.channel.done",
        }[kind]
        return me

    def change_pin(self) -> bool:
        if not self.pin.submit():
            return False
        self.pin, self.notice = PinChangeForm(self.vault), "ui.account.pin.done"
        return True
