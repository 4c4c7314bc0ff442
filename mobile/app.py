"""The composition root's app state: the shell's core plus every feature's state, without a control.

    VaultAppState   ShellState plus each feature's state, built anew for the space the vault
                    shows (at start, after a lock, after a switch to a child's space), and the
                    ways between the features' screens

This is the only module that imports every feature's state; features never import each other.
"""

from datetime import tzinfo
from pathlib import Path
from typing import Any

from mobile.access.state import AccessState
from mobile.administrative.state import AdminState, ReimbursementsState
from mobile.agenda.state import AgendaState
from mobile.catalogue.state import CatalogueState
from mobile.children.state import FamilyState
from mobile.devices.naming import ThisDevice
from mobile.devices.state import DevicesState
from mobile.documents.state import DocumentsState
from mobile.export.state import ExportState
from mobile.health_history.state import HistoryState
from mobile.helpers.state import HelpersState
from mobile.measurements.state import MeasureState
from mobile.messages.state import MessagesState
from mobile.profile.state import ProfileState
from mobile.questionnaires.state import QuestionnaireState
from mobile.record_access.state import ProfessionalsState, RecordState, record_of
from mobile.rights.state import RightsState
from mobile.settings.state import SettingsState
from mobile.shares.state import SharesState
from mobile.shell.core import ShellState
from mobile.shell.state import Screen, local_error
from sync.client import AccountClient
from sync.crypto import KdfParams
from sync.protocol.errors import ErrorCode
from sync.protocol.i18n import DEFAULT_LANGUAGE

__all__ = ["VaultAppState"]

# The screens of "Paramètres" where a password or a code is typed.
_ACCOUNT_FORMS = frozenset({Screen.PASSWORD_CHANGE, Screen.CONTACT_CHANGE, Screen.PIN_CHANGE})


class VaultAppState(ShellState):
    """ShellState with the features: documents, profile, agenda, messages, children's spaces..."""

    def __init__(
        self,
        client: AccountClient,
        root: Path,
        lang: str = DEFAULT_LANGUAGE,
        *,
        kdf: KdfParams | None = None,
    ) -> None:
        super().__init__(client, root, lang, kdf=kdf)
        self.profile = ProfileState(self.vault, self.sync_bar)  # the holder's own: it keeps the card key
        self.sync_bar.after_sync = lambda: self.profile.refresh_card()
        self.catalogue = CatalogueState(client)  # referenced apps, connected apps, an app's consent
        self.family = FamilyState(self.vault, client)  # the children's spaces and the space switcher
        self.family.on_lost = self._space_lost
        self.helpers = HelpersState(self.vault, client)  # helpers, those one helps, their spaces
        self.helpers.on_lost = self._helped_lost
        self._own_profile: ProfileState | None = None  # the parent's, while a child's space is shown
        self.access = AccessState(client)  # "Mot de passe oublié ?" and the login screen's confirmation
        self.this_device = ThisDevice()  # what this device calls itself at login (set by the launcher)
        self._fresh_states()  # documents, shares, measurements, agenda, messages, export...

    @property
    def professionals(self) -> ProfessionalsState:
        """The profile names the attending physician as "Mes professionnels de santé" knows it."""
        return record_of(self).professionals

    # --- navigation ------------------------------------------------------------------------------
    def open_section(self, name: str) -> None:
        if name == "documents":
            self.docs.banner, self.docs.notice = None, ""
            self.go(Screen.DOCUMENTS)
        else:
            super().open_section(name)

    def go(self, screen: Screen) -> None:
        """Screens of the insurer's data load afresh each time they are opened."""
        if screen == Screen.HOME and self.vault.unlocked and self.catalogue.take_request():
            screen = Screen.APP_CONSENT  # an app asking to connect waited for the sign-in: consent first
        if screen != self.screen and screen == Screen.CATALOGUE:
            self.catalogue.entered()
        if screen != self.screen and screen == Screen.CHILDREN:
            self.family.entered()
        if screen != self.screen and screen in (Screen.HELPERS, Screen.HELPED):
            self.helpers.entered()
        if screen != self.screen and screen == Screen.ADMIN_DATA:
            self.admin.entered()
        elif screen != self.screen and screen == Screen.REIMBURSEMENTS:
            self.reimbursements.entered()
        elif screen != self.screen and screen == Screen.HEALTH_HISTORY:
            self.history.entered()
        if screen != self.screen and screen == Screen.RIGHTS:
            self.rights.entered()
            self.rights_from = self.screen  # back goes where "Mes droits" was opened from
        if screen != self.screen and screen == Screen.DEVICES:
            self.devices = DevicesState(self.client)  # listed afresh each time
        if screen != Screen.LOGIN:
            self.access.notice = ""  # the login screen's confirmation is said once
        if screen != self.screen and self.screen in _ACCOUNT_FORMS:
            self.settings.leave()  # passwords and codes typed there are forgotten
        if screen != self.screen and self.screen == Screen.PASSWORD_RESET:
            self.access.leave()
        super().go(screen)

    def open_document(self, record_id: str) -> None:
        self.docs.viewer = None
        self.docs.notice = ""
        self.go(Screen.DOCUMENT_VIEW)
        self.docs.open(record_id)

    def add_to_profile(self, entry: dict[str, Any]) -> None:
        """An item of "Mon histoire de santé" drafts a profile entry: its list opens on the form."""
        self.profile.start_draft(entry)
        self.go(Screen.PROFILE_LIST)

    def ask_correction(self, record_id: str, label: str) -> None:
        """ "Demander une correction" on a professional's entry: its form opens in "Mes droits"."""
        self.go(Screen.RIGHTS)
        self.rights.start_correction(record_id, label)

    def complain_about(self, seq: int) -> None:
        """A complaint from a line of the access log: its form opens in "Mes droits"."""
        self.go(Screen.RIGHTS)
        self.rights.start_complaint(seq)

    def back(self) -> None:
        previous = {
            Screen.DOCUMENTS: Screen.HOME,
            Screen.DOCUMENT_VIEW: Screen.DOCUMENTS,
            Screen.DOCUMENT_ADD: Screen.DOCUMENTS,
            Screen.SHARES: Screen.DOCUMENTS,
            Screen.PROFILE: Screen.HOME,
            Screen.MEASUREMENTS: Screen.PROFILE,
            Screen.MEASURE_KIND: Screen.MEASUREMENTS,
            Screen.MEASURE_ADD: Screen.MEASURE_KIND,
            Screen.PROFILE_LIST: Screen.PROFILE,
            Screen.WISHES: Screen.PROFILE,
            Screen.EMERGENCY_CARD: Screen.PROFILE if self.vault.unlocked else Screen.UNLOCK,
            Screen.ADMIN_DATA: Screen.PROFILE,
            Screen.REIMBURSEMENTS: Screen.PROFILE,
            Screen.HEALTH_HISTORY: Screen.PROFILE,
            Screen.AGENDA: Screen.HOME,
            Screen.APPOINTMENT: Screen.AGENDA,
            Screen.CHECKUPS: Screen.AGENDA,
            Screen.QUESTIONNAIRES: Screen.AGENDA,
            Screen.QUESTIONNAIRE: Screen.QUESTIONNAIRES,
            Screen.MESSAGES: Screen.HOME,
            Screen.CONVERSATION: Screen.MESSAGES,
            Screen.EXPORT: Screen.SETTINGS,
            Screen.CHILDREN: Screen.HOME,
            Screen.HELPERS: Screen.HOME,
            Screen.HELPED: Screen.HELPERS,
            Screen.PASSWORD_RESET: Screen.LOGIN,
            Screen.PASSWORD_CHANGE: Screen.SETTINGS,
            Screen.CONTACT_CHANGE: Screen.SETTINGS,
            Screen.PIN_CHANGE: Screen.HOME if self.settings.pin.outdated else Screen.SETTINGS,
            Screen.DEVICES: Screen.SETTINGS,
            Screen.RIGHTS: self.rights_from,
            Screen.ALERTS: Screen.PROFESSIONALS,
            Screen.PROFILE_SHARING: Screen.PROFESSIONALS,
        }
        if self.screen in previous:
            self.go(previous[self.screen])
        else:
            super().back()

    # --- the account: login, unlock ---------------------------------------------------------------
    def submit_login(self) -> bool:
        """This device names itself in the person's language ("Appareils connectés")."""
        self.client.device_name = self.this_device.name(self.lang)
        self.client.platform = self.this_device.platform
        return super().submit_login()

    def unlock(self) -> bool:
        """Opened with a code today's rules find too easy: a new one is asked at once."""
        typed = self.vault.unlock_form.values["pin"]
        if not super().unlock():
            return False
        space = self.vault.space
        if space is not None and space.pin_outdated:
            self.settings.start_pin(outdated_pin=typed)
            self.go(Screen.PIN_CHANGE)
        return True

    def forget_unlock_code(self) -> None:
        super().forget_unlock_code()
        if self.screen == Screen.LOGIN:
            self.access.notice = "ui.unlock.forgot.done"

    # --- the features' states -------------------------------------------------------------------
    def logout(self) -> None:
        super().logout()
        self.profile.forget_card_key()  # the card's copy was in the device folder, now erased

    def _close_spaces(self) -> None:
        self.family.close()  # back to the parent's own space, the children's stores closed
        self.helpers.close()  # and the helped persons' stores

    def _fresh_states(self) -> None:
        """Every feature state anew for the space the vault shows (lock, or a switch of space):
        the online ones talk through that space's client (a child's adds `X-Space`)."""
        client = self.vault.client
        self.docs = DocumentsState(self.vault, self.sync_bar)
        self.shares = SharesState(client, lambda: self.docs.rows())
        self.profile = self._fresh_profile()
        self.measures = MeasureState(self.vault, self.sync_bar)
        self.admin = AdminState(client)
        self.reimbursements = ReimbursementsState(client)
        self.history = HistoryState(client)
        self.agenda = AgendaState(self.vault, self.sync_bar)
        self.questionnaires = QuestionnaireState(self.vault, self.sync_bar)
        self.messages = MessagesState(self.vault, self.sync_bar)
        self.catalogue = CatalogueState(client, self.catalogue.pending_id)  # the request waits on
        self.export = ExportState(self.vault, self.sync_bar)
        self._record_state = RecordState(client, str(getattr(self.me, "id", "") or ""))
        # The account is the signed-in person's own, even in a child's space: their own client.
        self.settings = SettingsState(self.client, self.vault)
        self.devices = DevicesState(self.client)
        self.rights = RightsState(client)
        self.rights_from = Screen.SETTINGS
        self.set_zone(self.tz)

    def set_zone(self, tz: tzinfo | None) -> None:
        """The features that compute times (reminders, filters by day, forms) use the zone too."""
        super().set_zone(tz)
        self.agenda.tz = self.measures.tz = self.docs.tz = self.rights.tz = tz

    def _fresh_profile(self) -> ProfileState:
        """The browser's emergency-card key is the parent's: a child's space never sees nor
        forgets it (the lock screen opens the parent's card only)."""
        own = self._own_profile or self.profile
        if self.family.active or self.helpers.active:
            self._own_profile = own
            fresh = ProfileState(self.vault, self.sync_bar)
            fresh.remember_card_key = lambda _key: None
            return fresh
        self._own_profile = None
        return own.fresh()

    # --- family: the space switcher ---------------------------------------------------------------
    def close_space(self) -> bool:
        """Closing is for one's own space only: in a child's space it is refused, nothing is sent."""
        if self.family.active or self.helpers.active:
            self.closing.clear_errors()
            self.closing.banner = local_error("ui.family.error.close_child")
            return False
        return super().close_space()

    def _space_lost(self) -> None:
        """The child shown can no longer be acted on: back to one's own space, and say why."""
        if self.switch_space(""):
            self.banner = local_error("ui.family.error.not_active")

    def sync_children(self) -> None:
        """The sync loop's spare turn: the children's spaces opened here but not shown sync too;
        the space of someone one helps that the server now refuses is left (and wiped)."""
        space = self.vault.space if self.helpers.active else None
        status = space.status() if space is not None and space.store is not None else None
        if status is not None and status.error == ErrorCode.HELPER_ENDED:
            self.helpers.load()  # the list says it ended: back to one's own space
        with self.sync_bar.quiet(timeout=1):
            self.family.sync_others()

    def switch_space(self, child_id: str) -> bool:
        """Act on a child's space ("" = one's own): every screen's state is rebuilt for it."""
        with self.sync_bar.quiet():
            ok = (not self.helpers.active or self.helpers.switch("")) and self.family.switch(child_id)
        if ok:
            self._fresh_states()
            self.go(Screen.HOME)
            self.sync_bar.kick()
        return ok

    # --- helpers: the space of someone one helps ------------------------------------------------
    def _helped_lost(self) -> None:
        """The delegation shown ended (or expired): back to one's own space, and say why."""
        if self.switch_helped(""):
            self.banner = local_error("ui.helped.lost")

    def switch_helped(self, helped_id: str) -> bool:
        """Act on the space of someone one helps ("" = one's own): every state is rebuilt for it."""
        with self.sync_bar.quiet():
            ok = (not self.family.active or self.family.switch("")) and self.helpers.switch(helped_id)
        if ok:
            self._fresh_states()
            self.go(Screen.HOME)
            self.sync_bar.kick()
        return ok
