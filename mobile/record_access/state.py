"""The shared record's rules as the holder sees them, without a single control.

    RecordState             one per signed-in holder (see `record_of`)
      ProfessionalsState    my professionals, search, authorise / revoke / block, attending physician
      EmergencyState        the two emergency switches (rule 7) and the third (masked documents
                            readable in an emergency, issue #17), saved at once
      AlertsState           how accesses are told, per channel (first access only or every one)
      SharingState          which profile sections professionals may read
      AccessLogState        who accessed the record, filtered, newest first, by pages
      NotificationsState    first accesses, emergency accesses, new documents; the unread count

These screens need the server (it alone decides who may see what): every call may fail with a
`NetworkError`, kept in `offline` so the screen can say so plainly and offer to retry. Other
failures go to `banner`, or under the field they concern. What the person typed is never dropped.
Methods are synchronous (the views run them off the UI loop) and return True when they worked.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol

from mobile.shell.online import Online
from mobile.shell.words import display_name, error_text, format_datetime, parse_day, profession_label, text
from sync.client import AccountClient
from sync.errors import SyncError
from sync.protocol.alerts import CHANNELS, AlertSettings
from sync.protocol.record_schemas import (
    AccessEntryOut,
    AccessLogPage,
    EmergencySettings,
    GrantOut,
    NotificationOut,
    ProfessionalOut,
    ProfileSharing,
    SectionSharing,
)
from sync.protocol.reference import professions, profile_sections

__all__ = [
    "LOG_KINDS",
    "PERIODS",
    "AccessLogState",
    "AlertsState",
    "EmergencyState",
    "EntryText",
    "NotificationsState",
    "ProfessionalsState",
    "RecordState",
    "SharingState",
    "grant_status",
    "record_of",
    "until_for",
]

_A_MOMENT = timedelta(seconds=1)
# Authorisation periods offered, in the order shown.
PERIODS: tuple[str, ...] = ("1m", "6m", "1y", "date", "forever")
# Kinds of access the log can be filtered by ("" = all): a mode, or the refused attempts.
LOG_KINDS: tuple[str, ...] = ("", "attending", "authorised", "care_team", "emergency", "regulator", "refused")
# Someone acting on the holder's space from their own: a helper, or a measure's representative.
HELPER_MODES = ("helper", "tutelle", "curatelle", "habilitation")
MODES = (
    "attending",
    "authorised",
    "care_team",
    "emergency",
    "regulator",
    "normal",
    "share",
    "message",
    "guardian",  # a parent acting on their minor child's space
    *HELPER_MODES,  # a helper, or the representative of a legal protection measure
    "operator",  # the insurer's agent, deciding what the holder asked for
)
# Refusal codes the log may hold, worded for the holder (the API's messages speak to professionals).
REFUSALS = (
    "blocked",
    "consent_required",
    "document_not_readable",
    "ended",
    "emergency_refused",
    "not_authorised",
    "not_regulator",
    "patient_not_found",
    "profile_not_readable",
    "profile_not_writable",
    "reason_required",
    "regulator_refused",
    "revoked",
    "share_code",
)


def _local_error(code: str) -> SyncError:
    return SyncError(code)


def _local_midnight(day: date, tz: tzinfo | None) -> datetime:
    """The start of `day` in local time (`tz`, or the device's), as an aware UTC moment."""
    naive = datetime.combine(day, time())
    local = naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()
    return local.astimezone(UTC)


def _add_months(moment: datetime, months: int) -> datetime:
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    for day in (moment.day, 30, 29, 28):  # 31 January + 1 month = 28/29 February
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def until_for(period: str, day_text: str, now: datetime, tz: tzinfo | None = None) -> datetime | None:
    """The end of an authorisation: None for good; raises SyncError for a wrong or past date.

    A chosen date is included: the authorisation ends at the following local midnight.
    """
    if period == "forever":
        return None
    if period == "1m":
        return _add_months(now, 1)
    if period == "6m":
        return _add_months(now, 6)
    if period == "1y":
        return _add_months(now, 12)
    if period != "date":
        raise _local_error("ui.pros.period.error")
    if not day_text.strip():
        raise _local_error("ui.pros.until.empty")
    day = parse_day(day_text)
    if day is None:
        raise _local_error("ui.pros.until.format")
    end = _local_midnight(day + timedelta(days=1), tz)
    if end <= now:
        raise _local_error("ui.pros.until.past")
    return end


def grant_status(grant: GrantOut, now: datetime) -> str:
    """blocked, revoked, expired, care_team or authorised: what the list says of a professional."""
    if grant.blocked:
        return "blocked"
    if grant.revoked_at is not None:
        return "revoked"
    if grant.kind == "holder" and grant.until is not None and grant.until <= now:
        return "expired"
    return "care_team" if grant.kind == "care_team" else "authorised"


def profile_words(sections: str, action: str, lang: str) -> str:
    """'votre profil médical (allergies, traitements)': what a professional read of it, or
    'une information à votre profil médical (allergies)' for what they added."""
    key = "ui.admin.log.profile.write" if action == "write" else "ui.admin.log.profile"
    known = [s for s in sections.split(",") if s in profile_sections()]
    if not known:
        return text(f"{key}.all", lang)
    names = ", ".join(text(f"ui.admin.log.section.{s}", lang) for s in known)
    return text(key, lang, sections=names)


# --- professionals --------------------------------------------------------------------------------


class ProfessionalsState(Online):
    """The holder's professionals, the directory search and the decisions about each one."""

    def __init__(self, client: AccountClient) -> None:
        super().__init__(client)
        self.grants: list[GrantOut] = []
        self.query = ""
        self.query_error: SyncError | None = None
        self.results: list[ProfessionalOut] | None = None  # None = no search made yet
        self.authorising: str | None = None  # the professional whose period is being chosen
        self.authorising_where = "list"  # under their card in the list, or in the search results
        self.period = "1y"
        self.until_text = ""
        self.until_error: SyncError | None = None
        self._names: dict[str, str] = {}
        # The card the last action's outcome (notice or error) is shown in, next to what was done:
        # (professional id, "list" or "search"); None: at the top (loading, searching).
        self.acted_on: tuple[str, str] | None = None

    # reading
    def load(self) -> bool:
        def ask() -> None:
            self._set_grants(self.client.my_professionals())
            self.loaded = True

        self.acted_on = None
        return self._call(ask)

    def aim(self, professional_id: str, where: str = "list") -> None:
        """The card an action starts from: its progress, then its outcome, are drawn there (the
        screen says it before the call, the action again in case it was called alone)."""
        self.acted_on = (professional_id, where)

    def _act(self, professional_id: str, action: Callable[[], object], where: str = "list") -> bool:
        self.aim(professional_id, where)
        return self._call(action)

    def outcome_in(self, professional_id: str, where: str) -> bool:
        """Whether this card shows the last action's outcome (notice, error or progress)."""
        return self.acted_on == (professional_id, where)

    def _set_grants(self, grants: list[GrantOut]) -> None:
        self.grants = grants
        for grant in grants:
            self._remember(grant.professional)

    def _remember(self, pro: ProfessionalOut) -> None:
        self._names[pro.id] = display_name(f"{pro.first_name} {pro.last_name}", pro.profession)

    def name_of(self, professional_id: str) -> str:
        return self._names.get(professional_id, "")

    def grant_of(self, professional_id: str) -> GrantOut | None:
        return next((g for g in self.grants if g.professional.id == professional_id), None)

    def attending(self) -> GrantOut | None:
        return next((g for g in self.grants if g.attending), None)

    # search
    def set_query(self, value: str) -> None:
        self.query = value
        self.query_error = None

    def search(self) -> bool:
        self.query_error = None
        text = self.query.strip()
        if len(text) < 2:
            self.query_error = _local_error("ui.pros.search.empty")
            return False

        def ask() -> None:
            self.results = self.client.search_professionals(text)
            for pro in self.results:
                self._remember(pro)

        self.acted_on = None
        return self._call(ask)

    # authorising, with a period
    def start_authorise(self, professional_id: str, where: str = "list") -> None:
        """Open the period choice for one professional, under their card in the list or the search."""
        self.authorising = professional_id
        self.authorising_where = where
        self.period = "1y"
        self.until_error = None
        self.notice, self.banner, self.acted_on = None, None, None

    def cancel_authorise(self) -> None:
        self.authorising = None
        self.until_error = None

    def set_period(self, period: str) -> None:
        self.period = period if period in PERIODS else "1y"
        self.until_error = None

    def set_until(self, value: str) -> None:
        self.until_text = value
        self.until_error = None

    def authorise(self, now: datetime | None = None, tz: tzinfo | None = None) -> bool:
        """Authorise the chosen professional for the chosen period (or for good)."""
        pid = self.authorising
        if pid is None:
            return False
        self.until_error = None
        try:
            until = until_for(self.period, self.until_text, now or datetime.now(UTC), tz)
        except SyncError as err:
            self.until_error = err
            return False

        def ask() -> None:
            self._set_grants(self.client.authorise(pid, until))

        if not self._act(pid, ask, self.authorising_where):
            return False
        self.authorising = None
        self.until_text = ""
        if until is None:
            self.notice = ("ui.pros.done.authorised_forever", {"name": self.name_of(pid)})
        else:  # the last day included (an end at midnight is shown as the day before)
            self.notice = ("ui.pros.done.authorised", {"name": self.name_of(pid), "until": until - _A_MOMENT})
        return True

    # ending access
    def revoke(self, professional_id: str) -> bool:
        ok = self._act(professional_id, lambda: self._set_grants(self.client.revoke(professional_id)))
        if ok:
            self.notice = ("ui.pros.done.revoked", {"name": self.name_of(professional_id)})
        return ok

    def block(self, professional_id: str) -> bool:
        ok = self._act(
            professional_id, lambda: self._set_grants(self.client.revoke(professional_id, block=True))
        )
        if ok:
            self.authorising = None if self.authorising == professional_id else self.authorising
            self.notice = ("ui.pros.done.blocked", {"name": self.name_of(professional_id)})
        return ok

    def unblock(self, professional_id: str) -> bool:
        ok = self._act(professional_id, lambda: self._set_grants(self.client.unblock(professional_id)))
        if ok:
            self.notice = ("ui.pros.done.unblocked", {"name": self.name_of(professional_id)})
        return ok

    # attending physician
    def can_be_attending(self, professional: ProfessionalOut) -> bool:
        grant = self.grant_of(professional.id)
        return professional.profession == "doctor" and not (grant is not None and grant.blocked)

    def set_attending(self, professional_id: str | None) -> bool:
        """Choose a doctor as attending physician (authorised for good too), or clear the choice."""
        previous = self.attending()
        acted = professional_id or (previous.professional.id if previous else "")
        ok = self._act(acted, lambda: self._set_grants(self.client.set_attending(professional_id)))
        if ok:
            if professional_id is None:
                name = self.name_of(previous.professional.id) if previous else ""
                self.notice = ("ui.pros.done.attending_cleared", {"name": name})
            else:
                self.notice = ("ui.pros.done.attending", {"name": self.name_of(professional_id)})
        return ok


# --- emergency switches ---------------------------------------------------------------------------


class EmergencyState(Online):
    """Rule 7's two switches; a change is saved at once and undone on screen if it failed."""

    SWITCHES = ("emergency_access", "regulator_access", "masked_in_emergency")

    def __init__(self, client: AccountClient) -> None:
        super().__init__(client)
        self.settings: EmergencySettings | None = None
        self.saving: str | None = None  # the switch being saved

    def load(self) -> bool:
        def ask() -> None:
            self.settings = self.client.emergency_settings()
            self.loaded = True

        return self._call(ask)

    def value(self, name: str) -> bool:
        return bool(getattr(self.settings, name)) if self.settings is not None else False

    def change(self, name: str, value: bool) -> None:
        """Show the new position at once (before `save` runs off the UI loop)."""
        if self.settings is None or name not in self.SWITCHES:
            return
        self._before = self.settings
        self.settings = self.settings.model_copy(update={name: value})
        self.saving = name

    def save(self) -> bool:
        """Send what `change` set; on failure the switch goes back to where it was."""
        name, wanted = self.saving, self.settings
        if name is None or wanted is None:
            return False

        def ask() -> None:
            self.settings = self.client.set_emergency_settings(wanted)

        ok = self._call(ask)
        if ok:
            self.notice = (f"ui.emergency.saved.{name}.{'on' if self.value(name) else 'off'}", {})
        else:
            self.settings = self._before
        self.saving = None
        return ok

    def set(self, name: str, value: bool) -> bool:
        """`change` then `save`, for callers that need no redraw in between (tests)."""
        self.change(name, value)
        return self.save()


# --- alerts and what professionals read of the profile (issue #17) ---------------------------------


class AlertsState(Online):
    """How accesses are told, per channel: first access only or every access (off for e-mail and
    SMS); emergency accesses are always told. Each change is saved at once."""

    def __init__(self, client: AccountClient) -> None:
        super().__init__(client)
        self.settings: AlertSettings | None = None

    def load(self) -> bool:
        def ask() -> None:
            self.settings = self.client.alert_settings()
            self.loaded = True

        return self._call(ask)

    def choices(self, channel: str) -> tuple[str, ...]:
        """What a channel offers: the in-app one cannot be off."""
        return ("first", "every") if channel == "in_app" else ("off", "first", "every")

    def set(self, channel: str, value: str) -> bool:
        """Save one channel's choice; on failure the screen keeps what the server holds."""
        if self.settings is None or channel not in CHANNELS or value not in self.choices(channel):
            return False
        wanted = self.settings.model_copy(update={channel: value})

        def ask() -> None:
            self.settings = self.client.set_alert_settings(wanted)

        ok = self._call(ask)
        if ok:
            self.notice = ("ui.alerts.saved", {})
        return ok


class SharingState(Online):
    """Which sections of the medical profile professionals may read (on top of what their
    profession may read); the national app's defaults until the holder chooses."""

    def __init__(self, client: AccountClient) -> None:
        super().__init__(client)
        self.sharing: ProfileSharing | None = None

    def load(self) -> bool:
        def ask() -> None:
            self.sharing = self.client.profile_sharing()
            self.loaded = True

        return self._call(ask)

    def sections(self) -> list[SectionSharing]:
        return [] if self.sharing is None else self.sharing.sections

    def set(self, section: str, shared: bool) -> bool:
        if section not in {s.section for s in self.sections()}:
            return False

        def ask() -> None:
            self.sharing = self.client.set_profile_sharing({section: shared})

        ok = self._call(ask)
        if ok:
            self.notice = ("ui.sharing.saved.on" if shared else "ui.sharing.saved.off", {})
        return ok


# --- access log -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryText:
    """One log line in words."""

    who: str  # 'Dr Alex Durand'
    profession: str  # 'Médecin'
    what: str  # 'A consulté votre liste de documents'
    when: str  # '24/11/2026 à 14:05'
    how: str  # 'Mode : accès en urgence'
    refused: bool
    refusal: str  # why it was refused, in words ('' when allowed)
    reason: str  # the reason an emergency access stated ('' otherwise)


class AccessLogState(Online):
    """The access log with its filters and the 'see more' cursor."""

    def __init__(self, client: AccountClient, page_size: int | None = None) -> None:
        super().__init__(client)
        self.page_size = page_size  # None: the server's default page
        self.entries: list[AccessEntryOut] = []
        self.next_before: int | None = None
        self.professional_id = ""
        self.kind = ""
        self.since_text = ""
        self.until_text = ""
        self.errors: dict[str, SyncError] = {}
        self.actors: dict[str, tuple[str, str]] = {}  # id -> (name, profession code)
        self._pros_known = False
        self.tz: tzinfo | None = None
        # 'Signaler cet accès': the line being reported, the note typed, and the block choice.
        self.reporting: int | None = None
        self.report_note = ""
        self.report_block = False

    # filters
    def set_professional(self, professional_id: str) -> None:
        self.professional_id = professional_id or ""

    def set_kind(self, kind: str) -> None:
        self.kind = kind if kind in LOG_KINDS else ""

    def set_date(self, name: str, value: str) -> None:
        if name == "since":
            self.since_text = value
        else:
            self.until_text = value
        self.errors.pop(name, None)

    def clear_filters(self) -> None:
        self.professional_id = self.kind = self.since_text = self.until_text = ""
        self.errors.clear()

    def filtered(self) -> bool:
        return bool(self.professional_id or self.kind or self.since_text.strip() or self.until_text.strip())

    def _filters(self) -> dict[str, str] | None:
        self.errors.clear()
        found: dict[str, str] = {}
        days: dict[str, date] = {}
        for name, value in (("since", self.since_text), ("until", self.until_text)):
            if not value.strip():
                continue
            day = parse_day(value)
            if day is None:
                self.errors[name] = _local_error("ui.log.date.format")
            else:
                days[name] = day
        if "since" in days and "until" in days and days["until"] < days["since"]:
            self.errors["until"] = _local_error("ui.log.date.order")
        if self.errors:
            return None
        if "since" in days:
            found["since"] = _local_midnight(days["since"], self.tz).isoformat()
        if "until" in days:  # the day itself is included
            found["until"] = _local_midnight(days["until"] + timedelta(days=1), self.tz).isoformat()
        if self.professional_id:
            found["professional_id"] = self.professional_id
        if self.kind == "refused":
            found["outcome"] = "refused"
        elif self.kind:
            found["mode"] = self.kind
        if self.page_size is not None:
            found["limit"] = str(self.page_size)
        return found

    # loading
    def _fetch(self, filters: dict[str, str], before: int | None) -> AccessLogPage:
        page = self.client.access_log(before=before, **filters)
        for entry in page.entries:
            self.actors.setdefault(entry.actor_id, (entry.actor_name, entry.profession))
        return page

    def load(self) -> bool:
        """The first page with the current filters (replaces what is shown)."""
        filters = self._filters()
        if filters is None:
            return False

        def ask() -> None:
            if not self._pros_known:
                for grant in self.client.my_professionals():
                    pro = grant.professional
                    name = f"{pro.first_name} {pro.last_name}"
                    self.actors.setdefault(pro.id, (name, pro.profession))
                self._pros_known = True
            page = self._fetch(filters, None)
            self.entries, self.next_before = page.entries, page.next_before
            self.loaded = True

        return self._call(ask)

    def more(self) -> bool:
        """The next page ('Voir plus'), added below."""
        if self.next_before is None:
            return False
        filters = self._filters()
        if filters is None:
            return False
        before = self.next_before

        def ask() -> None:
            page = self._fetch(filters, before)
            self.entries = self.entries + page.entries
            self.next_before = page.next_before

        return self._call(ask)

    # reporting a suspicious access
    def start_report(self, seq: int) -> None:
        self.reporting, self.report_note, self.report_block = seq, "", False
        self.banner, self.notice = None, None

    def cancel_report(self) -> None:
        self.reporting = None

    @staticmethod
    def can_block(entry: AccessEntryOut) -> bool:
        """Only a health professional can be blocked here (an app is disconnected from its screen)."""
        return entry.profession in professions()

    def send_report(self) -> bool:
        """Report the line being reported; it shows as reported, and the form closes. On failure
        the note stays typed."""
        seq, block = self.reporting, self.report_block
        if seq is None:
            return False

        def ask() -> None:
            self.client.report_access(seq, self.report_note, block=block)
            flag = {"reported": True}
            self.entries = [e.model_copy(update=flag) if e.seq == seq else e for e in self.entries]
            self.reporting = None

        ok = self._call(ask)
        if ok:
            self.notice = ("ui.report.sent_blocked" if block else "ui.report.sent", {})
        return ok

    def actor_choices(self, lang: str) -> list[tuple[str, str]]:
        """(id, 'Dr Alex Durand (Médecin)') for the professional filter, by name."""
        choices = [
            (pid, f"{display_name(name, prof)} ({profession_label(prof, lang)})")
            for pid, (name, prof) in self.actors.items()
        ]
        return sorted(choices, key=lambda c: c[1].lower())

    @staticmethod
    def describe(entry: AccessEntryOut, lang: str, tz: tzinfo | None = None) -> EntryText:
        """One entry in words: who, what, when, how, and why it was refused or the stated reason."""
        if entry.action == "list":
            what = text("ui.log.what.list", lang)
        elif entry.target == "profile":  # the medical profile: the sections concerned, in words
            what = profile_words(entry.target_title, entry.action, lang)
        elif entry.target == "conversation":  # a conversation read, or written in, by a professional
            kind = "write" if entry.action == "write" else "read"
            what = text(f"ui.log.what.conversation.{kind}", lang, title=entry.target_title)
        elif entry.mode in HELPER_MODES and entry.target.startswith("/"):  # a request, not an item
            what = text(f"ui.log.what.space.{'write' if entry.action == 'write' else 'read'}", lang)
        elif entry.target_title:
            what = text("ui.log.what.title", lang, title=entry.target_title)
        else:
            what = text("ui.log.what.document", lang)
        action = entry.action if entry.action in ("list", "read", "write") else "read"
        refused = entry.outcome == "refused"
        sentence = text(f"ui.log.action.{action}.{'refused' if refused else 'allowed'}", lang, what=what)
        if entry.target == "administrative":  # the insurer decided a correction the holder asked for
            field = text(f"ui.admin.field.{entry.target_title}", lang)
            sentence = text(f"ui.log.administrative.{entry.detail}", lang, field=field)
        mode = entry.mode if entry.mode in MODES else "normal"
        refusal = reason = ""
        if refused:
            suffix = entry.detail.removeprefix("error.access.")
            if suffix in REFUSALS:
                refusal = text(f"ui.log.refusal.{suffix}", lang)
            elif entry.detail:
                refusal = error_text(SyncError(entry.detail), lang)
        elif entry.mode in ("emergency", "regulator"):
            reason = entry.detail
        return EntryText(
            who=display_name(entry.actor_name, entry.profession),
            profession=profession_label(entry.profession, lang),
            what=sentence,
            when=format_datetime(entry.at, lang, tz),
            how=text("ui.log.how", lang, mode=text(f"ui.log.mode.{mode}", lang)),
            refused=refused,
            refusal=refusal,
            reason=reason,
        )


# --- notifications --------------------------------------------------------------------------------

NOTIFICATION_KINDS = (
    "first_access",
    "emergency_access",
    "regulator_access",
    "document_added",
    "profile_entry_added",
    "share_opened",
    "correction_accepted",
    "correction_rejected",
    "new_message",
    # A correction asked of a professional (issue #18): answered, or a document's corrected version.
    "health_correction_accepted",
    "health_correction_refused",
    "document_correction_accepted",
    # The account a person keeps (issue #14): told in the app as well as by e-mail and SMS.
    "new_device",
    "session_reuse",
    "password_changed",
    "password_reset",
    "email_changed",
    "phone_changed",
    "channel_changed",
)


class NotificationsState(Online):
    """The holder's notifications, newest first, and how many are unread (the bell)."""

    def __init__(self, client: AccountClient) -> None:
        super().__init__(client)
        self.items: list[NotificationOut] = []

    @property
    def unread(self) -> int:
        return sum(1 for n in self.items if not n.read)

    def refresh(self) -> bool:
        def ask() -> None:
            items = self.client.notifications()
            self.items = sorted(items, key=lambda n: n.at, reverse=True)
            self.loaded = True

        return self._call(ask)

    def mark_read(self, notification_id: str) -> bool:
        """Mark one as read (at once on screen; back to unread if the server did not get it)."""
        found = next((n for n in self.items if n.id == notification_id), None)
        if found is None or found.read:
            return found is not None
        index = self.items.index(found)
        self.items[index] = found.model_copy(update={"read": True})
        ok = self._call(lambda: self.client.mark_notification_read(notification_id))
        if not ok:
            self.items[index] = found
        return ok

    def beyond(self, kinds: frozenset[str], left: int = 0) -> list[str]:
        """The unread notices of `kinds` that reading has answered: all but the `left` newest (as
        many as the messages still unread; a notice says nothing of which message it was)."""
        unread = [n.id for n in self.items if not n.read and n.kind in kinds]  # newest first
        return unread[max(left, 0) :]

    def read_all(self, notification_ids: list[str]) -> bool:
        """Mark these read, as `mark_read` does for one: what the person opened answered them."""
        return all([self.mark_read(i) for i in notification_ids])

    @staticmethod
    def describe(item: NotificationOut, lang: str) -> str:
        """'Dr Alex Durand (Médecin) a consulté votre dossier pour la première fois', and so on."""
        params = item.params
        profession = str(params.get("profession", ""))
        values = {
            "name": display_name(str(params.get("name", "")), profession),
            "profession": profession_label(profession, lang),
            "reason": str(params.get("reason", "")),
        }
        kind = item.kind if item.kind in NOTIFICATION_KINDS else "other"
        return text(f"ui.notif.kind.{kind}", lang, **values)


# --- all of it, per holder ------------------------------------------------------------------------


class RecordState:
    """Everything above for one signed-in holder; forgotten when another holder signs in."""

    def __init__(self, client: AccountClient, holder_id: str = "") -> None:
        self.holder_id = holder_id
        self.professionals = ProfessionalsState(client)
        self.emergency = EmergencyState(client)
        self.alerts = AlertsState(client)
        self.sharing = SharingState(client)
        self.log = AccessLogState(client)
        self.notifications = NotificationsState(client)
        self.view_seen = ""  # the shared-record screen drawn last ("" once another one is shown)
        self.bell_seen = ""  # the screen the app bar saw last (the count is refreshed on home)


class _HasClient(Protocol):
    client: AccountClient
    me: Any
    tz: tzinfo | None


def record_of(app: _HasClient) -> RecordState:
    """The `RecordState` kept on the app's state, new for each holder who signs in."""
    holder_id = str(getattr(app.me, "id", "") or "")
    found: RecordState | None = getattr(app, "_record_state", None)
    if found is None or found.holder_id != holder_id:
        found = RecordState(app.client, holder_id)
        app._record_state = found  # type: ignore[attr-defined]
    found.log.tz = app.tz  # the log's days are the person's
    return found
