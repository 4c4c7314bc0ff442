"""Helpers (aidants), without a single control: "Mes aidants" (invite, invitations, end) and "Les
personnes que j'aide" (answer, switch into their space, attestation, end).

    HelpersState    both lists (from the server, a sealed copy for offline), the invitation
                    form, and the helped person's space the app shows ("" = one's own)
    InviteForm      the helper's identity, the dates and what they may do

Switching swaps the vault's open space for the helped person's `HelpedSpace` (a separate sealed
store, with the helper's tokens plus `X-Space`), as a parent's switch to a child's space does;
the app then rebuilds every feature state for it. A delegation that ended, expired or was
refused leaves nothing on the device: its store is wiped at the next look at the list.
"""

import contextlib
from collections.abc import Callable
from datetime import date

from mobile.shell.spaces import OtherSpaces
from mobile.shell.state import Form, local_error
from mobile.shell.vault import VaultState
from mobile.shell.words import parse_day
from sync.client import AccountClient
from sync.errors import NetworkError, SyncError
from sync.export import delegation_pdf
from sync.helped_spaces import HelpedSpace
from sync.protocol.errors import ErrorCode
from sync.protocol.helpers_schemas import (
    DelegationIn,
    DelegationOut,
    DelegationsOut,
    DelegationStatus,
    dates_problem,
    french_today,
)
from sync.protocol.identifiers import normalize_nir
from sync.protocol.schemas import Me, OtpChannel, SpaceStatus

__all__ = ["HelpersState", "InviteForm"]

LISTS_SECRET = "delegations"  # the last lists from the server, sealed in the person's own store
OPEN = (DelegationStatus.PENDING, DelegationStatus.ACTIVE)
NOTICES = {"accept": "ui.helpers.accepted", "refuse": "ui.helpers.refused", "end": "ui.helpers.ended"}


class InviteForm(Form):
    """ "Donner accès à mon profil": who (as on their card), from when to when, what they may do."""

    fields = ("first_name", "last_name", "birth_date", "nir", "starts_on", "ends_on")

    def __init__(self, client: AccountClient) -> None:
        super().__init__(client)
        self.may_add = False
        self.messages = False
        self.open = False  # the form is shown

    def body(self, today: date) -> DelegationIn | None:
        """The invitation, or None with an error under each field that is wrong."""
        for name in ("first_name", "last_name"):
            if not self.values[name].strip():
                self.errors[name] = local_error("ui.helpers.error.empty")
        days = {name: parse_day(self.values[name]) for name in ("birth_date", "starts_on", "ends_on")}
        for name, day in days.items():
            if day is None:
                self.errors[name] = local_error("ui.helpers.error.day")
        nir = self._check("nir", normalize_nir)
        starts, ends, birth = days["starts_on"], days["ends_on"], days["birth_date"]
        if starts and ends and (problem := dates_problem(starts, ends, today)):
            self.errors["ends_on"] = local_error(problem)
        if self.errors or starts is None or ends is None or birth is None:
            return None
        return DelegationIn(
            first_name=self.values["first_name"].strip(),
            last_name=self.values["last_name"].strip(),
            birth_date=birth,
            nir=nir,
            starts_on=starts,
            ends_on=ends,
            may_add=self.may_add,
            messages=self.messages,
        )


class HelpersState(OtherSpaces):
    """The person's helpers, the people they help, and whose space the app shows."""

    def __init__(
        self, vault: VaultState, client: AccountClient, today: Callable[[], date] = french_today
    ) -> None:
        super().__init__(vault, client)  # `active`: the helped person whose space is shown
        self.today = today
        self.given: list[DelegationOut] = []
        self.received: list[DelegationOut] = []
        self.loaded = self.offline = self.busy = False
        self.notice = ""  # a message key; its {name} is `notice_name`
        self.notice_name = ""
        self.form = InviteForm(client)
        # Called when the list says the space shown can no longer be acted on (ended, expired):
        # the app goes back to one's own space.
        self.on_lost: Callable[[], None] = lambda: None

    # --- the lists ------------------------------------------------------------------------------
    def entered(self) -> None:
        """A screen of helpers opens: load afresh, old messages go (a form being typed stays)."""
        self.loaded, self.offline, self.banner, self.notice = False, False, None, ""

    def load(self) -> bool:
        """Both lists from the server (kept sealed for offline use), else the kept copy; the spaces
        of delegations that no longer let one in are wiped from this device."""
        self.banner, self.offline = None, False
        own = self._self()
        try:
            lists = self.client.delegations()
        except NetworkError:
            self.offline = True
            lists = self._kept()
        except SyncError as err:
            self.banner = err
            lists = self._kept()
        else:
            if own is not None and own.store is not None:
                own.store.set_secret(LISTS_SECRET, lists.model_dump(mode="json"))
            self._wipe_closed(lists)
        self.given, self.received, self.loaded = lists.given, lists.received, True
        if self.active and self.current() is None:
            self.on_lost()
        return self.banner is None and not self.offline

    def _kept(self) -> DelegationsOut:
        own = self._self()
        kept = own.store.secret(LISTS_SECRET) if own and own.store else None
        if isinstance(kept, dict):
            with contextlib.suppress(ValueError):
                return DelegationsOut.model_validate(kept)
        return DelegationsOut(given=[], received=[])

    def _wipe_closed(self, lists: DelegationsOut) -> None:
        """What the server says has ended leaves nothing here (store, files, key)."""
        own = self._self()
        live = {d.helped.id for d in lists.received if d.status == DelegationStatus.ACTIVE}
        gone = {d.helped.id for d in lists.received} - live
        for helped_id in gone:
            space = self.spaces.pop(helped_id, None)
            if space is None and own is not None and own.store is not None and own.me is not None:
                if not own.store.secret(HelpedSpace.KEY_SECRET + helped_id):
                    continue  # never opened on this device
                space = HelpedSpace(own, helped_id)
            if space is not None:
                space.wipe()

    def helping(self) -> list[DelegationOut]:
        """The people whose space one may open today (the switcher's choices)."""
        today = self.today()
        return [d for d in self.received if d.status == DelegationStatus.ACTIVE and d.starts_on <= today]

    def invitations(self) -> list[DelegationOut]:
        return [d for d in self.received if d.status == DelegationStatus.PENDING]

    def my_helpers(self) -> list[DelegationOut]:
        """Those who help me or are invited to (ended ones are told in the notifications)."""
        return [d for d in self.given if d.status in OPEN]

    def current(self) -> DelegationOut | None:
        """The delegation whose space is shown, or None in one's own space."""
        return next((d for d in self.helping() if d.helped.id == self.active), None) if self.active else None

    # --- "Mes aidants" ------------------------------------------------------------------------------
    def start(self) -> None:
        self.form = InviteForm(self.client)
        self.form.open, self.notice = True, ""

    def cancel(self) -> None:
        self.form = InviteForm(self.client)

    def invite(self) -> bool:
        form = self.form
        form.clear_errors()
        body = form.body(self.today())
        if body is None:
            return False
        done: list[DelegationOut] = []
        if not form._call(lambda: done.append(self.client.invite_helper(body))):
            return False
        self.form = InviteForm(self.client)
        self.load()
        self.notice, self.notice_name = "ui.helpers.invited", done[0].helper.first_name
        return True

    def answer(self, delegation_id: str, verb: str) -> bool:
        """accept, refuse (an invitation received) or end (either side)."""
        self.banner = None
        try:
            done = self.client.answer_delegation(delegation_id, verb)
        except SyncError as err:
            self.banner = err
            self.load()
            return False
        self.load()
        other = done.helped if done.helper.id == getattr(self._me(), "id", "") else done.helper
        self.notice, self.notice_name = NOTICES[verb], other.first_name
        return True

    def _me(self) -> Me | None:
        own = self._self()
        return own.me if own is not None else None

    def attestation(self, delegation_id: str, lang: str) -> bytes | None:
        """The attestation PDF of an active delegation one helps in (None if there is none)."""
        found = next((d for d in self.helping() if d.id == delegation_id), None)
        return delegation_pdf.build(found, made=self.today(), lang=lang) if found else None

    # --- the space switcher ---------------------------------------------------------------------
    def switch(self, helped_id: str) -> bool:
        """Act on a helped person's space ("" = one's own): opens its store on first use."""
        found = next((d for d in self.helping() if d.helped.id == helped_id), None)
        if helped_id and found is None:
            self.banner = local_error(ErrorCode.HELPER_ENDED)
            return False
        known = _stand_in(found) if found is not None else None
        return self._enter(helped_id, lambda own: HelpedSpace(own, helped_id), known)

    def close(self) -> None:
        """Back to one's own space and every helped store closed (lock, logout, tab closed)."""
        self.close_spaces()
        self.given, self.received, self.loaded = [], [], False


def _stand_in(d: DelegationOut) -> Me:
    """The helped person's Me until the server gives it (the first open while offline)."""
    return Me(
        id=d.helped.id,
        first_name=d.helped.first_name,
        last_name=d.helped.last_name,
        email="",
        status=SpaceStatus.ACTIVE,
        otp_channel=OtpChannel.EMAIL,
    )
