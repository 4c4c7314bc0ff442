"""Administrative data and reimbursements as the holder sees them, without a single control.

    AdminState            the data the insurer holds, the correction form, the requests and their status
    ReimbursementsState   one year of reimbursements by month with totals, and a search
    euros / month_label   amounts and months in the person's language (French: 1 234,56 €)

Both need the server (the insurer holds these data, the device does not keep them): a call may
fail with a `NetworkError`, said plainly with a way to retry. Nothing typed is lost on an error;
the form's errors go under the field they concern, worded like the server's.
"""

from datetime import date

from mobile.shell.online import Online
from mobile.shell.state import Form
from mobile.shell.words import text
from sync.client import AccountClient
from sync.errors import SyncError
from sync.protocol.admin_schemas import (
    CORRECTABLE,
    AdministrativeData,
    CorrectionCreate,
    CorrectionOut,
    correction_problems,
    normalize_value,
)
from sync.protocol.errors import ErrorCode
from sync.protocol.record_schemas import ReimbursementMonth, ReimbursementYear

__all__ = [
    "FIELDS",
    "AdminState",
    "CorrectionForm",
    "ReimbursementsState",
    "euros",
    "month_label",
]

# The fields shown, in the order of the screen (the same as those one may ask to correct).
FIELDS: tuple[str, ...] = tuple(CORRECTABLE)
NBSP = "\u00a0"


def euros(cents: int, lang: str) -> str:
    """'1 234,56 €' in French (spaces between thousands), '€1,234.56' in English."""
    whole, rest = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    if lang == "en":
        return f"{sign}€{whole:,}.{rest:02d}"
    return f"{sign}{whole:,}".replace(",", NBSP) + f",{rest:02d}{NBSP}€"


def month_label(month: str, lang: str) -> str:
    """'2026-11' -> 'novembre 2026' / 'November 2026'."""
    try:
        year, number = (int(part) for part in month.split("-"))
    except ValueError:
        return month
    return f"{text(f'ui.reimb.month.{number}', lang)} {year}"


class CorrectionForm(Form):
    """A correction being asked: which field, the right value, an optional note."""

    fields = ("field", "value", "note")

    def __init__(self, client: AccountClient, field: str = "postal_address") -> None:
        super().__init__(client)
        self.values["field"] = field if field in CORRECTABLE else FIELDS[0]


class AdminState(Online):
    """The holder's administrative data, the correction form and the requests already sent."""

    def __init__(self, client: AccountClient) -> None:
        super().__init__(client)
        self.data: AdministrativeData | None = None
        self.requests: list[CorrectionOut] = []
        self.form: CorrectionForm | None = None  # None: the form is closed

    def entered(self) -> None:
        """The screen opens: load afresh, forget old messages (a form being typed stays)."""
        self.loaded, self.offline, self.banner, self.notice = False, False, None, None

    def load(self) -> bool:
        def ask() -> None:
            self.data = self.client.administrative_data()
            self.requests = self.client.correction_requests()
            self.loaded = True

        return self._call(ask)

    def value_of(self, field: str, lang: str) -> str:
        """A field as the insurer holds it, in words ('non renseigné' when empty)."""
        if self.data is None:
            return ""
        value = getattr(self.data, field, None)
        if isinstance(value, date):
            return value.strftime("%d/%m/%Y")
        return str(value) if value else text("ui.admin.empty", lang)

    def open_form(self, field: str = "postal_address") -> None:
        self.form = CorrectionForm(self.client, field)
        self.notice = None

    def close_form(self) -> None:
        self.form = None

    def pending(self, field: str) -> bool:
        return any(r.field == field and r.status == "open" for r in self.requests)

    def submit(self, today: date | None = None) -> bool:
        """Check as the server will, then send; errors go under their field, the values stay."""
        form = self.form
        if form is None:
            return False
        form.errors.clear()
        field, value, note = form.values["field"], form.values["value"], form.values["note"]
        problems = correction_problems(field, value, note, today or date.today())
        for name, (code, params) in problems.items():
            form.errors[name] = SyncError(code, dict(params))
        same = self.data is not None and normalize_value(field, value) == _plain(self.data, field)
        if not problems and same:
            form.errors["value"] = SyncError(ErrorCode.ADMIN_SAME_VALUE)
        if form.errors:
            return False
        sent: list[CorrectionOut] = []
        request = CorrectionCreate(field=field, value=value, note=note)
        ok = self._call(lambda: sent.append(self.client.request_correction(request)))
        if not ok:
            self._file_under_field(form)
            return False
        self.requests = [sent[0], *self.requests]
        self.form = None
        self.notice = ("ui.admin.sent", {})
        return True

    def _file_under_field(self, form: CorrectionForm) -> None:
        """A server refusal about one field goes under it (the banner keeps network problems)."""
        err = self.banner
        fields = err.params.get("fields") if err is not None and not self.offline else None
        if err is not None and isinstance(fields, list) and fields and fields[0] in form.values:
            params = {k: v for k, v in err.params.items() if k != "fields"}
            form.errors[str(fields[0])] = SyncError(err.code, params)
            self.banner = None

    @staticmethod
    def status_words(request: CorrectionOut, lang: str) -> str:
        return text(f"ui.admin.status.{request.status.value}", lang)


def _plain(data: AdministrativeData, field: str) -> str:
    value = getattr(data, field, None)
    return value.isoformat() if isinstance(value, date) else str(value or "")


class ReimbursementsState(Online):
    """One year of reimbursements, by month with totals; a search over care and professional."""

    def __init__(self, client: AccountClient, year: int | None = None) -> None:
        super().__init__(client)
        self.year = year or date.today().year
        self.query = ""
        self.shown_query = ""  # the search the data on screen answers
        self.data: ReimbursementYear | None = None

    def entered(self) -> None:
        self.loaded, self.offline, self.banner, self.notice = False, False, None, None

    def load(self) -> bool:
        query = self.query.strip()

        def ask() -> None:
            self.data = self.client.reimbursements(self.year, query)
            self.shown_query = query
            self.loaded = True

        return self._call(ask)

    def set_query(self, value: str) -> None:
        self.query = value[:100]

    def clear_query(self) -> None:
        self.query = ""

    def step_year(self, step: int) -> None:
        """Previous (-1) or next (+1) year; never after this year."""
        self.year = min(date.today().year, self.year + step)

    @property
    def months(self) -> list[ReimbursementMonth]:
        return self.data.months if self.data is not None else []

    @property
    def can_go_forward(self) -> bool:
        return self.year < date.today().year
