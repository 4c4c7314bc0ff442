"""The health agenda on this device, without a single control: appointments, check-up reminders,
and the notifications both give, all computed here so they work offline.

    AgendaState         appointments (add, change, cancel, upcoming / past), their reminders,
                        the iCalendar export, the prevention reminders (mark done, dismiss) and
                        the device's notices for the bell
      AppointmentForm   date, time, professional, place, reason, notes, as typed
      DoneForm          the day a check-up was done

Appointments are `appointment` records of the encrypted store (wall-clock date and time, as on
the appointment card); done or dismissed check-ups are `checkup` records; a vaccination marked
done becomes a `profile_entry` vaccination, which moves the next dose. Which notices were read
or already pushed to the phone's notification centre is kept sealed in the store too.
A notification outside the app never carries health content: only "you have a reminder".
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from mobile.shell.state import Form, local_error
from mobile.shell.sync_state import SyncBar
from mobile.shell.vault import VaultState
from mobile.shell.words import parse_day, parse_time, text
from sync.errors import SyncError
from sync.protocol.agenda_records import REMINDERS, TEXT_LIMITS
from sync.protocol.calendar_export import CalendarEvent, to_ics
from sync.protocol.errors import ErrorCode
from sync.protocol.prevention import (
    DISMISSED,
    DONE,
    Person,
    Reminder,
    Status,
    due_items,
    marks_from,
    vaccinations_from,
)
from sync.protocol.prevention import (
    item as calendar_item,
)
from sync.protocol.profile import check as check_entry
from sync.store import Item, ReadOnlyRecord

__all__ = [
    "DELAYS",
    "AgendaState",
    "Appointment",
    "AppointmentForm",
    "DeviceNotice",
    "DoneForm",
    "parse_time",
    "plyer_notify",
]

# Reminder delays offered before an appointment, in the order shown (names: agenda_records).
_DURATIONS = (None, timedelta(hours=1), timedelta(days=1), timedelta(days=2), timedelta(weeks=1))
DELAYS: dict[str, timedelta | None] = dict(zip(REMINDERS, _DURATIONS, strict=True))
SEEN_KEY, PUSHED_KEY = "agenda_seen", "agenda_pushed"
KEEP_IDS = 400  # read / pushed ids remembered (the oldest are forgotten)
NEUTRAL_TITLE, NEUTRAL_TEXT = "ui.agenda.local.title", "ui.agenda.local.text"


def plyer_notify(title: str, message: str) -> bool:
    """A notification through the platform (plyer); False where there is none (web, headless)."""
    try:
        from plyer import notification

        notification.notify(title=title, message=message, app_name=title, timeout=10)
    except Exception:  # noqa: BLE001 (no backend on this platform: the bell still shows it)
        return False
    return True


@dataclass(frozen=True)
class Appointment:
    """One appointment as the lists show it."""

    id: str
    day: date
    at: time
    professional: str
    place: str
    reason: str
    notes: str
    reminder: str  # a key of DELAYS
    cancelled: bool
    pending: bool
    own: bool = True  # False: written by a connected app (read-only to the holder)

    def start(self, tz: tzinfo | None = None) -> datetime:
        """The moment it starts, aware (local time of `tz`, or the device's)."""
        naive = datetime.combine(self.day, self.at)
        return naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()

    def reminder_at(self, tz: tzinfo | None = None) -> datetime | None:
        delay = DELAYS.get(self.reminder)
        return None if delay is None or self.cancelled else self.start(tz) - delay


@dataclass(frozen=True)
class DeviceNotice:
    """A notice computed on this device: an appointment soon, or a check-up that became due."""

    id: str
    kind: str  # "appointment" or "checkup"
    at: datetime  # when it fired
    target: str  # the appointment id or the check-up item
    key: str  # message key of the in-app text
    params: dict[str, str]
    read: bool = False

    def describe(self, lang: str) -> str:
        """The in-app text (inside the vault, so it may name the check-up or the professional)."""
        params = dict(self.params)
        if self.kind == "checkup":
            labels = calendar_item(self.target)["label"]
            params["label"] = labels.get(lang) or labels["fr"]
        elif params.get("professional"):
            params["who"] = text("ui.agenda.with", lang, who=params["professional"])
        else:
            params["who"] = text("ui.agenda.for_reason", lang, reason=params.get("reason", ""))
        return text(self.key, lang, **params)


class AppointmentForm(Form):
    """An appointment being added or changed, as typed (nothing is lost on an error)."""

    fields = ("date", "time", "professional", "place", "reason", "notes")

    def __init__(self, editing: str | None = None) -> None:
        super().__init__(client=None)  # type: ignore[arg-type]  (a local form: no server call)
        self.editing = editing
        self.reminder = "1d"


class DoneForm(Form):
    """The day a check-up (or a vaccination) was done."""

    fields = ("date",)

    def __init__(self, item: str) -> None:
        super().__init__(client=None)  # type: ignore[arg-type]
        self.item = item


class AgendaState:
    """The agenda of the holder whose vault is open on this device."""

    def __init__(
        self,
        vault: VaultState,
        bar: SyncBar,
        *,
        clock: Callable[[], datetime] | None = None,
        tz: tzinfo | None = None,
    ) -> None:
        self.vault, self.bar = vault, bar
        self.clock = clock or (lambda: datetime.now().astimezone())
        self.tz = tz
        self.tab = "upcoming"  # or "past"
        self.form: AppointmentForm | None = None
        self.done_form: DoneForm | None = None
        self.banner: SyncError | None = None
        self.notice = ""  # a message key: what just went well
        self.notice_params: dict[str, str] = {}  # its values (the exported file's name)
        # Pushes a notification outside the app (set where the platform has them; never on the web).
        self.local_notify: Callable[[str, str], bool] | None = None
        self.local_tried = False  # the platform was offered once (the view sets `local_notify`)
        self._lock = threading.Lock()

    # --- the store -------------------------------------------------------------------------------
    def _store(self) -> Any:
        space = self.vault.space
        return None if space is None else space.store

    def _items(self, collection: str) -> list[Item]:
        store = self._store()
        return [] if store is None else store.items(collection)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.now().astimezone(self.tz).date()

    # --- appointments ---------------------------------------------------------------------------
    def _row(self, item: Item) -> Appointment | None:
        """An appointment of the app (wall-clock date and time), or of a connected app (an aware
        `start` and a `title`, read-only here)."""
        d = item.data
        try:
            if d.get("date"):
                day = date.fromisoformat(str(d["date"]))
                at = parse_time(str(d.get("time") or "")) or time(0, 0)
            else:
                local = datetime.fromisoformat(str(d.get("start"))).astimezone(self.tz)
                day, at = local.date(), local.time().replace(second=0, microsecond=0)
        except ValueError:
            return None
        reminder = str(d.get("reminder") or "none")
        return Appointment(
            id=item.id,
            day=day,
            at=at,
            professional=str(d.get("professional") or ""),
            place=str(d.get("place") or ""),
            reason=str(d.get("reason") or d.get("title") or ""),
            notes=str(d.get("notes") or ""),
            reminder=reminder if reminder in DELAYS else "none",
            cancelled=d.get("status") == "cancelled",
            pending=item.pending,
            own=not item.read_only,
        )

    def appointments(self) -> list[Appointment]:
        rows = [row for row in map(self._row, self._items("appointment")) if row is not None]
        return sorted(rows, key=lambda a: (a.day, a.at, a.id))

    def get(self, appointment_id: str) -> Appointment | None:
        return next((a for a in self.appointments() if a.id == appointment_id), None)

    def upcoming(self) -> list[Appointment]:
        """From the soonest; an appointment stays here until it has started."""
        now = self.now()
        return [a for a in self.appointments() if a.start(self.tz) >= now]

    def past(self) -> list[Appointment]:
        """The most recent first."""
        now = self.now()
        return [a for a in reversed(self.appointments()) if a.start(self.tz) < now]

    def set_tab(self, tab: str) -> None:
        self.tab = tab if tab in ("upcoming", "past") else "upcoming"

    def start_add(self) -> None:
        self.form = AppointmentForm()
        self.banner, self.notice = None, ""

    def start_edit(self, appointment_id: str) -> bool:
        found = self.get(appointment_id)
        if found is None:
            self.banner = local_error(ErrorCode.NOT_FOUND)
            return False
        form = AppointmentForm(editing=found.id)
        form.values.update(
            date=found.day.strftime("%d/%m/%Y"),
            time=found.at.strftime("%H:%M"),
            professional=found.professional,
            place=found.place,
            reason=found.reason,
            notes=found.notes,
        )
        form.reminder = found.reminder
        self.form = form
        self.banner, self.notice = None, ""
        return True

    def close_form(self) -> None:
        self.form = None

    def set_reminder(self, delay: str) -> None:
        if self.form is not None and delay in DELAYS:
            self.form.reminder = delay

    def _checked(self, form: AppointmentForm) -> dict[str, Any] | None:
        """The record's data, or None with an error under each wrong field."""
        form.clear_errors()
        values = {k: v.strip() for k, v in form.values.items()}
        day = parse_day(values["date"]) if values["date"] else None
        if not values["date"]:
            form.errors["date"] = local_error("ui.agenda.error.date_empty")
        elif day is None:
            form.errors["date"] = local_error("ui.agenda.error.date")
        at = parse_time(values["time"]) if values["time"] else None
        if not values["time"]:
            form.errors["time"] = local_error("ui.agenda.error.time_empty")
        elif at is None:
            form.errors["time"] = local_error("ui.agenda.error.time")
        if not values["professional"] and not values["reason"]:
            form.errors["professional"] = local_error("ui.agenda.error.who_or_why")
        for name, limit in TEXT_LIMITS.items():
            if len(values[name]) > limit:
                form.errors[name] = SyncError("ui.agenda.error.too_long", {"max": limit})
        if form.errors or day is None or at is None:
            return None
        start = datetime.combine(day, at)
        start = start.replace(tzinfo=self.tz) if self.tz is not None else start.astimezone()
        if start < self.now() and form.editing is None:
            form.errors["date"] = local_error("ui.agenda.error.past")
            return None
        return {
            # What connected apps read (sync/protocol/apps.py): a title and an aware start.
            "title": values["reason"] or values["professional"],
            "start": start.astimezone(UTC).isoformat(),
            "date": day.isoformat(),
            "time": at.strftime("%H:%M"),
            "professional": values["professional"],
            "place": values["place"],
            "reason": values["reason"],
            "notes": values["notes"],
            "reminder": form.reminder if form.reminder in DELAYS else "none",
            "status": "planned",
        }

    def save(self) -> str | None:
        """Write the appointment being added or changed; returns its id."""
        form = self.form
        if form is None:
            return None
        data = self._checked(form)
        store = self._store()
        if data is None:
            return None
        if store is None:
            form.banner = local_error(ErrorCode.AUTH_REQUIRED)
            return None
        try:
            record_id = store.put("appointment", data, record_id=form.editing)
        except ReadOnlyRecord:
            form.banner = local_error(ErrorCode.SYNC_READ_ONLY)
            return None
        self.notice = "ui.agenda.saved" if form.editing else "ui.agenda.added"
        self.form = None
        self.tab = "upcoming" if self.get(record_id) in self.upcoming() else "past"
        self.bar.kick()
        return record_id

    def cancel(self, appointment_id: str) -> bool:
        """Cancel an appointment: it stays in the lists, marked cancelled, with no reminder."""
        self.banner = None
        store = self._store()
        item = store.get(appointment_id) if store is not None else None
        if item is None or item.collection != "appointment":
            self.banner = local_error(ErrorCode.NOT_FOUND)
            return False
        try:
            store.put("appointment", item.data | {"status": "cancelled"}, record_id=item.id)
        except ReadOnlyRecord:  # a connected app's appointment
            self.banner = local_error(ErrorCode.SYNC_READ_ONLY)
            return False
        self.notice = "ui.agenda.cancelled"
        self.bar.kick()
        return True

    # --- iCalendar -----------------------------------------------------------------------------------
    def export(self, lang: str, appointment_id: str | None = None) -> tuple[str, bytes]:
        """The file name and the .ics bytes of one appointment, or of all of them."""
        chosen = [a for a in self.appointments() if appointment_id in (None, a.id)]
        events = []
        for a in chosen:
            summary = a.reason or text("ui.agenda.ics.summary", lang)
            if a.professional:
                summary = f"{summary} – {a.professional}" if a.reason else f"{summary} {a.professional}"
            events.append(
                CalendarEvent(
                    uid=a.id,
                    start=a.start(self.tz),
                    summary=summary,
                    location=a.place,
                    description=a.notes,
                    cancelled=a.cancelled,
                    alarm_before=DELAYS.get(a.reminder),
                    alarm_text=text(NEUTRAL_TEXT, lang),
                )
            )
        one = appointment_id is not None and len(chosen) == 1
        name = f"rendez-vous-{chosen[0].day.isoformat()}.ics" if one else "agenda-sante.ics"
        return name, to_ics(events, self.now())

    # --- prevention reminders ------------------------------------------------------------------------
    def person(self) -> Person | None:
        """The holder's birth date and sex (from the server's profile); None when unknown."""
        space = self.vault.space
        me = getattr(space, "me", None)
        birth = getattr(me, "birth_date", None)
        return Person(birth, str(getattr(me, "sex", "") or "")) if birth else None

    def reminders(self) -> list[Reminder]:
        person = self.person()
        if person is None:
            return []
        vaccinations = vaccinations_from(i.data for i in self._items("profile_entry"))
        marks = marks_from(i.data for i in self._items("checkup"))
        return due_items(person, self.today(), vaccinations, marks)

    def start_done(self, item: str) -> None:
        self.done_form = DoneForm(item)
        self.done_form.values["date"] = self.today().strftime("%d/%m/%Y")
        self.banner, self.notice = None, ""

    def mark_done(self) -> bool:
        """Record the check-up (or vaccination) as done on the typed day; the next one moves."""
        form = self.done_form
        if form is None:
            return False
        form.clear_errors()
        day = parse_day(form.values["date"])
        if day is None:
            form.errors["date"] = local_error("ui.agenda.error.date")
        elif day > self.today():
            form.errors["date"] = local_error("ui.agenda.error.future")
        store = self._store()
        if form.errors or day is None:
            return False
        if store is None:
            form.banner = local_error(ErrorCode.AUTH_REQUIRED)
            return False
        reminder = next((r for r in self.reminders() if r.item == form.item), None)
        if reminder is not None and reminder.vaccines:
            entry = {
                "section": "vaccination",
                "vaccine": reminder.vaccines[0],
                "date": day.isoformat(),
                "batch": "",
                "by_whom": "",
                "notes": "",
            }
            problems = check_entry(entry, self.today())  # the profile's own rules (the server's too)
            if problems:
                form.errors["date"] = local_error(next(iter(problems.values())))
                return False
            store.put("profile_entry", entry)
        else:
            store.put("checkup", {"item": form.item, "state": DONE, "date": day.isoformat()})
        self.done_form = None
        self.notice = "ui.checkups.done.saved"
        self.bar.kick()
        return True

    def dismiss(self, item: str) -> bool:
        """Hide a reminder until its next occurrence."""
        store = self._store()
        if store is None:
            self.banner = local_error(ErrorCode.AUTH_REQUIRED)
            return False
        store.put("checkup", {"item": item, "state": DISMISSED, "date": self.today().isoformat()})
        self.notice = "ui.checkups.dismissed"
        self.bar.kick()
        return True

    # --- the device's notices --------------------------------------------------------------------------
    def notices(self) -> list[DeviceNotice]:
        """What the bell lists from this device, newest first: reminders of appointments whose
        reminder time has come (until they start), and check-ups that are due or overdue."""
        now = self.now()
        store = self._store()
        if store is None:
            return []
        seen = set(self._ids(SEEN_KEY))
        found: list[DeviceNotice] = []
        for a in self.appointments():
            fire = a.reminder_at(self.tz)
            if fire is None or not fire <= now < a.start(self.tz):
                continue
            nid = f"appointment:{a.id}:{a.day.isoformat()}T{a.at.strftime('%H:%M')}:{a.reminder}"
            params = {
                "date": a.day.strftime("%d/%m/%Y"),
                "time": a.at.strftime("%H:%M"),
                "professional": a.professional,
                "reason": a.reason,
            }
            found.append(DeviceNotice(nid, "appointment", fire, a.id, "ui.agenda.notice.appointment", params))
        for r in self.reminders():
            if r.status not in (Status.DUE, Status.OVERDUE) or r.due is None:
                continue
            nid = f"checkup:{r.item}:{r.due.isoformat()}:{r.dose}"
            fire = datetime.combine(r.due, time(9, 0)).replace(tzinfo=now.tzinfo)
            found.append(DeviceNotice(nid, "checkup", min(fire, now), r.item, "ui.agenda.notice.checkup", {}))
        found = [
            DeviceNotice(n.id, n.kind, n.at, n.target, n.key, n.params, read=n.id in seen) for n in found
        ]
        return sorted(found, key=lambda n: n.at, reverse=True)

    def unread(self) -> int:
        try:
            return sum(1 for n in self.notices() if not n.read)
        except Exception:  # noqa: BLE001 (the vault closed meanwhile: nothing to count)
            return 0

    def _ids(self, key: str) -> list[str]:
        store = self._store()
        value = store.secret(key) if store is not None else None
        return [str(v) for v in value] if isinstance(value, list) else []

    def _remember(self, key: str, ids: list[str]) -> None:
        store = self._store()
        if store is None or not ids:
            return
        with self._lock:
            known = self._ids(key)
            store.set_secret(key, (known + [i for i in ids if i not in known])[-KEEP_IDS:])

    def mark_read(self, notice_id: str) -> None:
        self._remember(SEEN_KEY, [notice_id])

    def push_local(self, lang: str) -> int:
        """Send the newly fired notices to the platform's notification centre, each once, with
        a text that says nothing about health; returns how many were sent."""
        if self.local_notify is None:
            return 0
        pushed = set(self._ids(PUSHED_KEY))
        fresh = [n.id for n in self.notices() if not n.read and n.id not in pushed]
        if not fresh:
            return 0
        if not self.local_notify(text(NEUTRAL_TITLE, lang), text(NEUTRAL_TEXT, lang)):
            self.local_notify = None  # no notification centre here: stop trying
            return 0
        self._remember(PUSHED_KEY, fresh)
        return len(fresh)
