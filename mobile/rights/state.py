"""A person's rights as the holder uses them, without a single control.

    RightsState       the correction requests and their status, the research choice and its
                      history, the complaints sent; the two forms below
      CorrectionForm  "Demander une correction" of one entry a professional wrote
      ComplaintForm   a complaint to the authority, about an access-log line or in general

All of it is held by the server (the author answers there, the cohort is drawn there): each call
may fail with a `NetworkError`, said plainly with a way to retry. The texts are checked with the
server's own rules before sending; nothing typed is lost on an error.
"""

from datetime import tzinfo

from mobile.shell.online import Online
from mobile.shell.state import Form, local_error
from sync import qr_image
from sync.client import AccountClient
from sync.protocol.rights_schemas import (
    ComplaintCreate,
    ComplaintOut,
    HealthCardOut,
    HealthCorrectionCreate,
    HealthCorrectionOut,
    ResearchOut,
    complaint_problem,
    note_problem,
)

__all__ = ["ComplaintForm", "CorrectionForm", "RightsState"]


class CorrectionForm(Form):
    """What is wrong in one entry, in the holder's words (`label` names the entry on screen)."""

    fields = ("note",)

    def __init__(self, client: AccountClient, record_id: str, label: str) -> None:
        super().__init__(client)
        self.record_id, self.label = record_id, label


class ComplaintForm(Form):
    """The complaint's text; `access_seq` the access-log line it is about (None: in general)."""

    fields = ("text",)

    def __init__(self, client: AccountClient, access_seq: int | None = None) -> None:
        super().__init__(client)
        self.access_seq = access_seq


class RightsState(Online):
    """Everything "Mes droits" shows and sends."""

    def __init__(self, client: AccountClient) -> None:
        super().__init__(client)
        self.corrections: list[HealthCorrectionOut] = []
        self.research: ResearchOut | None = None
        self.complaints: list[ComplaintOut] = []
        self.correction_form: CorrectionForm | None = None
        self.complaint_form: ComplaintForm | None = None
        self.card: HealthCardOut | None = None  # the signed vaccination record, once asked for
        self.tz: tzinfo | None = None  # the person's zone: the complaint's access line is dated in it

    def entered(self) -> None:
        """The screen opens: load afresh, forget old messages (a form being typed stays)."""
        self.loaded, self.offline, self.banner, self.notice = False, False, None, None

    def load(self) -> bool:
        def ask() -> None:
            self.corrections = self.client.health_corrections()
            self.research = self.client.research_choice()
            self.complaints = self.client.complaints()
            self.loaded = True

        return self._call(ask)

    # --- corrections -------------------------------------------------------------------------------
    def start_correction(self, record_id: str, label: str) -> None:
        self.correction_form = CorrectionForm(self.client, record_id, label)
        self.notice = None

    def open_request(self, record_id: str) -> HealthCorrectionOut | None:
        """The request still waiting for its author about this entry, if any."""
        return next((c for c in self.corrections if c.record_id == record_id and c.status == "open"), None)

    def send_correction(self) -> bool:
        form = self.correction_form
        if form is None:
            return False
        form.clear_errors()
        note = form.values["note"]
        if problem := note_problem(note):
            form.errors["note"] = local_error(problem)
            return False
        sent: list[HealthCorrectionOut] = []
        request = HealthCorrectionCreate(record_id=form.record_id, note=note)
        if not self._call(lambda: sent.append(self.client.ask_health_correction(request))):
            return False
        self.corrections = [sent[0], *self.corrections]
        self.correction_form = None
        self.notice = ("ui.rights.correction.sent", {})
        return True

    # --- research ----------------------------------------------------------------------------------
    @property
    def opted_out(self) -> bool:
        return self.research is not None and self.research.opted_out

    def set_research(self, opted_out: bool) -> bool:
        """Opt out (no reason asked) or back in; the server keeps the history."""

        def ask() -> None:
            self.research = self.client.set_research_choice(opted_out)

        if not self._call(ask):
            return False
        self.notice = (f"ui.rights.research.{'out' if opted_out else 'in'}.done", {})
        return True

    # --- the signed vaccination record ------------------------------------------------------------
    def load_card(self) -> bool:
        """Ask the server to sign the vaccinations as they stand (a SMART Health Card)."""

        def ask() -> None:
            self.card = self.client.health_card()

        return self._call(ask)

    def card_png(self) -> bytes:
        """The card's QR code as a PNG (the `shc:/` digits in numeric mode)."""
        assert self.card is not None
        return qr_image.png(self.card.qr)

    # --- complaints --------------------------------------------------------------------------------
    def start_complaint(self, access_seq: int | None = None) -> None:
        self.complaint_form = ComplaintForm(self.client, access_seq)
        self.notice = None

    def send_complaint(self) -> bool:
        form = self.complaint_form
        if form is None:
            return False
        form.clear_errors()
        text = form.values["text"]
        if problem := complaint_problem(text):
            form.errors["text"] = local_error(problem)
            return False
        sent: list[ComplaintOut] = []
        zone = str(getattr(self.tz, "key", ""))  # an IANA zone names itself; the device's own: ""
        complaint = ComplaintCreate(text=text, access_seq=form.access_seq, zone=zone)
        if not self._call(lambda: sent.append(self.client.complain(complaint))):
            return False
        self.complaints = [sent[0], *self.complaints]
        self.complaint_form = None
        self.notice = ("ui.rights.complaint.sent", {"authority": sent[0].authority})
        return True
