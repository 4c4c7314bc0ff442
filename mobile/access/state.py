"""The login side's own state, without a single control: "Mot de passe oublié ?" and the
confirmation the login screen shows afterwards.

    ResetForm     social security number and Vitale serial, then the code received and the new
                  password (the same rules as at activation, on a live checklist)
    AccessState   the reset form, and the confirmation of the login screen (a message key)

The first step's answer is the same whether or not the numbers matched (the server tells no
one whether a space exists): the screen says "if", never "we found you".
"""

from datetime import datetime

from mobile.shell.state import Form, local_error, minutes_left
from sync.client import AccountClient
from sync.protocol.account_schemas import ResetChallenge
from sync.protocol.errors import ErrorCode
from sync.protocol.identifiers import normalize_nir, normalize_vitale_serial
from sync.protocol.password import password_rules

__all__ = ["AccessState", "ResetForm"]


class ResetForm(Form):
    """ "Mot de passe oublié ?" in two steps; every device is signed out at the end."""

    fields = ("nir", "vitale", "otp", "password", "confirm")

    def __init__(self, client: AccountClient) -> None:
        super().__init__(client)
        self.challenge: ResetChallenge | None = None

    def start(self) -> bool:
        """Step 1: the two numbers; if they match a space, a code goes where login codes go."""
        self.clear_errors()
        nir = self._check("nir", normalize_nir)
        vitale = self._check("vitale", normalize_vitale_serial)
        if self.errors:
            return False

        def ask() -> None:
            self.challenge = self.client.start_password_reset(nir, vitale)
            self.values["otp"] = ""

        return self._call(ask)

    def code_minutes(self, now: datetime | None = None) -> int:
        """How long the code is valid, in minutes, as the server said."""
        return minutes_left(self.challenge.expires_at if self.challenge else None, now)

    def rules(self) -> list[tuple[str, bool]]:
        """The live checklist of the new password: (message key, met) for each rule."""
        return password_rules(self.values["password"])

    def confirm(self) -> bool:
        """Step 2: the code and the new password. A spent or expired code goes back to step 1
        (the message says why; the numbers are still there to ask for a new code)."""
        self.clear_errors()
        code = "".join(ch for ch in self.values["otp"] if ch.isdigit())
        if not code:
            self.errors["otp"] = local_error("ui.error.otp.empty")
        password = self._check_new_password()
        if self.errors:
            return False
        if self.challenge is None:
            self.banner = local_error(ErrorCode.OTP_EXPIRED)
            return False
        challenge_id = self.challenge.challenge_id
        if self._call(lambda: self.client.confirm_password_reset(challenge_id, code, password)):
            return True
        if self.banner is not None and self.banner.code == ErrorCode.OTP_EXPIRED:
            self.restart()
            self.banner = local_error(ErrorCode.OTP_EXPIRED)
        return False

    def restart(self) -> None:
        """Back to step 1, the numbers kept (a new code is asked)."""
        self.challenge = None
        self.values["otp"] = ""
        self.clear_errors()


class AccessState:
    """ "Mot de passe oublié ?", and the confirmation the login screen shows once (a message key)."""

    def __init__(self, client: AccountClient) -> None:
        self.client = client
        self.reset = ResetForm(client)
        self.notice = ""

    def start_reset(self) -> None:
        """A fresh form (the login screen's confirmation put away)."""
        self.reset, self.notice = ResetForm(self.client), ""

    def leave(self) -> None:
        """The person left "Mot de passe oublié ?": what was typed there is forgotten."""
        self.reset = ResetForm(self.client)

    def confirm_reset(self) -> bool:
        """The new password is set: the form forgets it; the login screen says to use it."""
        if not self.reset.confirm():
            return False
        self.reset, self.notice = ResetForm(self.client), "ui.reset.done"
        return True
