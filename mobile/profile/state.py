"""The medical profile as the holder edits it, without a single control.

    ProfileState        the hub's counts; the list of one section and its add/edit form; the
                        wishes (donation, directives, trusted person) and relatives to notify;
                        the emergency card (on/off, refreshed, readable from the lock screen)
      EntryForm         the fields of one entry being added or changed

Entries live in the encrypted device store (collection "profile_entry") and sync like the rest;
every write asks for a sync. Checks are those of `sync.protocol.profile`, the server's own, so
an entry the app saves is never refused on push. Entries written by a professional show their
author and are read-only. Nothing typed is lost on an error: the message goes under its field.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from mobile.shell.state import Form, delete_own, local_error
from mobile.shell.sync_state import SyncBar
from mobile.shell.vault import VaultState
from mobile.shell.words import parse_day
from sync.device import DeviceVault
from sync.emergency_card import CardFile, key_from_text, new_key_text, same_card, summarise
from sync.errors import SyncError
from sync.export import ips
from sync.export.fhir_export import Snapshot
from sync.protocol.errors import ErrorCode
from sync.protocol.profile import (
    LIFESTYLE_SECTIONS,
    LIST_SECTIONS,
    RECORD_SECTIONS,
    check,
    clean,
    fields_of,
    vaccines,
)
from sync.store import Item, ReadOnlyRecord

__all__ = ["COLLECTION", "HUB_SECTIONS", "EntryForm", "EntryRow", "ProfileState", "iso_day", "shown_day"]

COLLECTION = "profile_entry"
# The sections the hub opens as lists: the six lists, the record's facts, the lifestyle habits.
HUB_SECTIONS: tuple[str, ...] = LIST_SECTIONS + RECORD_SECTIONS + LIFESTYLE_SECTIONS
# A person has one blood group: once given, it is changed, not added again.
ONE_ENTRY = frozenset({"blood_group"})
CARD_SETTING = "emergency_card"  # sealed in the store: is the card on for this device
DATE_KINDS = frozenset({"date", "past_date"})
_FORM_FIELDS = tuple(
    sorted(
        {f.name for section in (*HUB_SECTIONS, "wishes", "contact") for f in fields_of(section)} | {"notes"}
    )
)


def iso_day(value: str) -> str | None:
    """A day typed as dd/mm/yyyy (or dd-mm-yyyy, dd.mm.yyyy) as an ISO day; None if it is not one."""
    day = parse_day(value)
    return day.isoformat() if day else None


def shown_day(value: str) -> str:
    """An ISO day as people write it in France (24/11/2026); other text as it is."""
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


@dataclass(frozen=True)
class EntryRow:
    """One entry as a list shows it."""

    id: str
    section: str
    data: dict[str, Any]
    own: bool
    author_name: str
    author_profession: str
    pending: bool


class EntryForm(Form):
    """The fields of one entry (of any section) being added or changed; dates as typed."""

    fields = _FORM_FIELDS

    def __init__(self, section: str, editing: str | None = None) -> None:
        super().__init__(client=None)  # type: ignore[arg-type]  (a local form: no server call)
        self.section = section
        self.editing = editing  # the record id being changed, None when adding

    def load(self, data: dict[str, Any]) -> None:
        for spec in fields_of(self.section):
            value = str(data.get(spec.name) or "")
            self.values[spec.name] = shown_day(value) if spec.kind in DATE_KINDS else value
        self.values["notes"] = str(data.get("notes") or "")

    def entry(self) -> dict[str, Any] | None:
        """The entry as the protocol wants it (ISO days), or None with errors under the fields."""
        self.clear_errors()
        data: dict[str, Any] = {"section": self.section, "notes": self.values["notes"]}
        for spec in fields_of(self.section):
            value = self.values[spec.name].strip()
            if value and spec.kind in DATE_KINDS:
                day = iso_day(value)
                if day is None:
                    self.errors[spec.name] = local_error(ErrorCode.PROFILE_DATE)
                    continue
                value = day
            data[spec.name] = value
        for name, code in check(data, date.today()).items():
            self.errors.setdefault(name, local_error(code))
        return None if self.errors else clean(data)


class ProfileState:
    """The holder's medical profile on this device."""

    def __init__(self, vault: VaultState, bar: SyncBar) -> None:
        self.vault, self.bar = vault, bar
        self.section = LIST_SECTIONS[0]
        self.form: EntryForm | None = None  # the entry being added or changed
        self.wishes = EntryForm("wishes")
        self.banner: SyncError | None = None
        self.notice = ""  # a message key: what just went well
        self.attending_wanted = False  # the wishes and card screens ask the server for it when opened
        # The emergency card's key, kept in the browser's storage (never in the device folder).
        self.card_key: bytes | None = None
        self.remember_card_key: Callable[[str | None], None] = lambda _key: None
        self.locked_card: dict[str, Any] | None = None  # the card opened from the lock screen
        self._written: dict[str, Any] | None = None

    def fresh(self) -> "ProfileState":
        """A new state for the next holder session; the browser's card key stays known."""
        new = ProfileState(self.vault, self.bar)
        new.card_key, new.remember_card_key = self.card_key, self.remember_card_key
        return new

    # --- reading -------------------------------------------------------------------------------
    def _store(self) -> Any:
        space = self.vault.space
        return None if space is None else space.store

    def _items(self) -> list[Item]:
        store = self._store()
        return [] if store is None else store.items(COLLECTION)

    def counts(self) -> dict[str, int]:
        """Entries per section (the hub says how many each list holds)."""
        found: dict[str, int] = {}
        for item in self._items():
            section = str(item.data.get("section", ""))
            found[section] = found.get(section, 0) + 1
        return found

    @staticmethod
    def _row(item: Item) -> EntryRow:
        d = item.data
        return EntryRow(
            id=item.id,
            section=str(d.get("section", "")),
            data=d,
            own=not item.read_only,
            author_name=str(d.get("author_name") or ""),
            author_profession=str(d.get("author_profession") or ""),
            pending=item.pending,
        )

    def rows(self, section: str | None = None) -> list[EntryRow]:
        """The entries of a section: newest dates first, then by name."""
        section = section or self.section
        rows = [self._row(i) for i in self._items() if i.data.get("section") == section]
        rows.sort(
            key=lambda r: str(r.data.get("name") or r.data.get("substance") or r.data.get("title") or "")
        )
        rows.sort(key=lambda r: str(r.data.get("date") or r.data.get("since") or ""), reverse=True)
        return rows

    def get(self, record_id: str) -> EntryRow | None:
        store = self._store()
        item = None if store is None else store.get(record_id)
        return None if item is None or item.collection != COLLECTION else self._row(item)

    @staticmethod
    def vaccine_label(code: str, lang: str) -> str:
        found = next((v for v in vaccines() if v["code"] == code), None)
        return str(found.get(lang) or found["fr"]) if found else code

    @staticmethod
    def vaccine_choices(lang: str) -> list[tuple[str, str]]:
        return [(v["code"], str(v.get(lang) or v["fr"])) for v in vaccines()]

    # --- the lists -----------------------------------------------------------------------------
    def open_list(self, section: str) -> None:
        self.section = section if section in HUB_SECTIONS else LIST_SECTIONS[0]
        self.form, self.banner, self.notice = None, None, ""

    def start_draft(self, entry: dict[str, Any]) -> None:
        """Open a section's form filled with a drafted entry (e.g. a medicine dispensed), for the
        person to check and save; nothing is written until then."""
        section = str(entry.get("section", ""))
        self.open_list(section)
        self.start_add(self.section)
        if self.form is not None:
            self.form.load(entry)
        self.notice = "ui.profile.drafted"

    def can_add(self, section: str | None = None) -> bool:
        """Whether the list offers "add": a blood group already given is changed instead."""
        section = section or self.section
        return section not in ONE_ENTRY or not self.rows(section)

    def start_add(self, section: str | None = None) -> None:
        self.form = EntryForm(section or self.section)
        self.banner, self.notice = None, ""

    def start_edit(self, record_id: str) -> bool:
        """Open an entry for change; a professional's entry is read-only."""
        self.banner, self.notice = None, ""
        row = self.get(record_id)
        if row is None:
            self.banner = local_error(ErrorCode.NOT_FOUND)
            return False
        if not row.own:
            self.banner = local_error(ErrorCode.SYNC_READ_ONLY)
            return False
        self.form = EntryForm(row.section, editing=record_id)
        self.form.load(row.data)
        return True

    def cancel(self) -> None:
        self.form = None

    def _written_ok(self, notice: str) -> None:
        self.notice = notice
        self.bar.kick()
        self.refresh_card()

    def _put(self, form: EntryForm, record_id: str | None) -> str | None:
        entry = form.entry()
        if entry is None:
            return None
        store = self._store()
        if store is None:
            form.banner = local_error(ErrorCode.AUTH_REQUIRED)
            return None
        try:
            return str(store.put(COLLECTION, entry, record_id=record_id))
        except ReadOnlyRecord:
            form.banner = local_error(ErrorCode.SYNC_READ_ONLY)
            return None

    def save(self) -> bool:
        """Check and write the entry of the form; on an error the form stays with what was typed."""
        form = self.form
        if form is None:
            return False
        if self._put(form, form.editing) is None:
            return False
        self.form = None
        self._written_ok("ui.profile.saved")
        return True

    def delete(self, record_id: str) -> bool:
        """Delete one of the holder's own entries (a professional's is refused)."""
        self.notice = ""
        self.banner = delete_own(self._store(), record_id)
        if self.banner is not None:
            return False
        if self.form is not None and self.form.editing == record_id:
            self.form = None
        self._written_ok("ui.profile.deleted")
        return True

    # --- emergency and wishes --------------------------------------------------------------------
    def _wishes_item(self) -> Item | None:
        return next((i for i in self._items() if i.data.get("section") == "wishes"), None)

    def open_wishes(self) -> None:
        """Load the wishes into their form (what is stored, or nothing yet)."""
        self.wishes = EntryForm("wishes")
        item = self._wishes_item()
        self.wishes.load(item.data if item else {"donation": "unset"})
        self.form, self.banner, self.notice = None, None, ""
        self.attending_wanted = True

    def save_wishes(self) -> bool:
        item = self._wishes_item()
        if self._put(self.wishes, item.id if item else None) is None:
            return False
        self._written_ok("ui.profile.wishes.saved")
        return True

    def documents(self) -> list[tuple[str, str]]:
        """(id, title) of the record's documents, to link advance directives to one of them."""
        store = self._store()
        if store is None:
            return []
        found = [(i.id, str(i.data.get("title") or "")) for i in store.items("document")]
        return sorted(found, key=lambda d: d[1].lower())

    def set_attending(self, name: str) -> None:
        """The server named the attending physician: the card names them too (kept sealed in the
        store, so the card still names them after the next unlock, even offline)."""
        if name != self._setting().get("attending", ""):
            self._set_setting(attending=name)
            self.refresh_card()

    # --- the emergency card -----------------------------------------------------------------------
    def _setting(self) -> dict[str, Any]:
        store = self._store()
        setting = None if store is None else store.secret(CARD_SETTING)
        return setting if isinstance(setting, dict) else {}

    def _set_setting(self, **changes: Any) -> None:
        store = self._store()
        if store is not None:
            store.set_secret(CARD_SETTING, self._setting() | changes)

    def card_enabled(self) -> bool:
        return bool(self._setting().get("enabled"))

    def _card_file(self) -> CardFile | None:
        space, holder = self.vault.space, self.vault.holder_id
        if holder is None:
            return None
        if space is None:
            if self.vault.device_id is None:
                return None
            return CardFile(DeviceVault(self.vault.root, holder, self.vault.device_id).folder)
        return CardFile(space.vault(holder).folder)

    def card(self) -> dict[str, Any]:
        """The card as it is now (what the management screen previews)."""
        space = self.vault.space
        me = None if space is None else space.me
        entries = [i.data for i in self._items()]
        if me is not None:  # drawn from the patient summary, as the PDF and the JSON are (issue #18)
            records = {COLLECTION: self._items()}
            entries = ips.entries_of(ips.bundle(Snapshot(me=me, records=records)))
        return summarise(
            entries,
            today=date.today(),
            holder_name=f"{me.first_name} {me.last_name}" if me else "",
            attending=str(self._setting().get("attending", "")),
        )

    def enable_card(self) -> bool:
        """Turn the card on: keep its sealed copy on this device, its key in the browser."""
        store = self._store()
        if store is None:
            self.banner = local_error(ErrorCode.AUTH_REQUIRED)
            return False
        if self.card_key is None:
            text = new_key_text()
            self.card_key = key_from_text(text)
            self.remember_card_key(text)
        self._set_setting(enabled=True)
        self._written = None
        self.refresh_card()
        self.notice = "ui.profile.card.enabled"
        return True

    def disable_card(self) -> bool:
        """Turn the card off: its copy is deleted at once and the browser forgets its key."""
        store = self._store()
        if store is None:
            self.banner = local_error(ErrorCode.AUTH_REQUIRED)
            return False
        self._set_setting(enabled=False)
        file = self._card_file()
        if file is not None:
            file.delete()
        self.forget_card_key()
        self.notice = "ui.profile.card.disabled"
        return True

    def forget_card_key(self) -> None:
        """The card is off, or the person logged out (its copy went with the device's): the
        browser forgets its key."""
        self.card_key, self._written = None, None
        self.remember_card_key(None)

    def refresh_card(self) -> None:
        """Rewrite the card's copy when the profile changed (no copy at all when the card is off)."""
        if self._store() is None:
            return
        file = self._card_file()
        if file is None:
            return
        if not self.card_enabled():
            file.delete()  # e.g. turned off on this device before a crash: never leave a copy
            return
        if self.card_key is None:  # the browser lost the key (storage cleared): a new one
            text = new_key_text()
            self.card_key = key_from_text(text)
            self.remember_card_key(text)
            self._written = None
        card = self.card()
        if same_card(self._written, card) and file.exists():
            return
        file.write(card, self.card_key)  # type: ignore[arg-type]
        self._written = card

    # --- the card from the lock screen ----------------------------------------------------------
    def card_available_locked(self) -> bool:
        """The unlock screen offers the card: a copy is here and this browser holds its key."""
        file = self._card_file()
        return self.card_key is not None and file is not None and file.exists()

    def open_locked_card(self) -> bool:
        """Read the card without the unlock code (only its own key is needed)."""
        file = self._card_file()
        card = None if file is None or self.card_key is None else file.read(self.card_key)
        self.locked_card = card
        return card is not None
