"""The holder's space on this device, without a single control: vault, sync status, documents.

    VaultAppState       AppState plus the device vault: PIN on first login, unlock later
      VaultState        device id, last holder, the open HolderSpace, PIN and unlock forms
      SyncBar           runs one sync at a time and words the status the app always shows
      DocumentsState    the list (filters, search), adding a file, viewing, masking, deleting

Every method is synchronous and calls `sync/` only; the views run the slow ones off the UI
thread. Errors are `SyncError`s whose codes are translation keys, filed under the field they
concern or in a banner, and nothing the person typed is lost on an error.
"""

import base64
import contextlib
import io
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from mobile.administrative.state import AdminState, ReimbursementsState
from mobile.agenda.state import AgendaState
from mobile.catalogue.state import CatalogueState
from mobile.children.state import FamilyState
from mobile.export.state import ExportState
from mobile.measurements.state import MeasureState
from mobile.messages import state as messages_state  # the module: it reads this one's file checks
from mobile.profile.state import ProfileState
from mobile.record_access.state import RecordState
from mobile.shares.state import SharesState
from mobile.shell.state import AppState, Form, Screen, delete_own, local_error
from sync.client import AccountClient
from sync.crypto import KdfParams
from sync.device import pin_problem
from sync.errors import NetworkError, SyncError
from sync.protocol.errors import ErrorCode
from sync.protocol.i18n import DEFAULT_LANGUAGE
from sync.protocol.reference import document_types, professions
from sync.protocol.schemas import Me, SpaceStatus
from sync.space import HolderSpace
from sync.store import Item, ReadOnlyRecord

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "AddForm",
    "DocumentRow",
    "DocumentsState",
    "DocumentViewer",
    "SyncBar",
    "SyncLine",
    "VaultAppState",
    "VaultState",
    "parse_day",
    "sniff_mime",
]

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# What the bytes must start with: the file's name or the browser's word is not trusted.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG", "image/png"),
)
EXTENSIONS = ("pdf", "jpg", "jpeg", "png")
# Ids read back from the browser name folders on disk: only plain tokens are accepted.
_DEVICE_ID_RE = re.compile(r"^[0-9a-f]{32}$")
_HOLDER_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def sniff_mime(data: bytes) -> str | None:
    """The document's type from its first bytes (PDF, JPEG, PNG), or None."""
    for magic, mime in MAGIC:
        if data.startswith(magic):
            return mime
    return None


def parse_day(value: str) -> date | None:
    """A day typed as dd/mm/yyyy (also dd-mm-yyyy or dd.mm.yyyy); None when it is not one."""
    match = re.fullmatch(r"\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*", value)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def new_device_id() -> str:
    return uuid.uuid4().hex


def valid_device_id(value: object) -> str | None:
    return value if isinstance(value, str) and _DEVICE_ID_RE.match(value) else None


def valid_holder_id(value: object) -> str | None:
    return value if isinstance(value, str) and _HOLDER_ID_RE.match(value) else None


# --- the vault ----------------------------------------------------------------------------------


class PinForm(Form):
    """The unlock code chosen after the first login on this device, typed twice."""

    fields = ("pin", "confirm")


class UnlockForm(Form):
    """The unlock code typed on a later launch."""

    fields = ("pin",)


class VaultState:
    """This device's vault for the holder of this tab (one HolderSpace per page session)."""

    def __init__(self, client: AccountClient, root: Path, *, kdf: KdfParams | None = None) -> None:
        self.client, self.root, self.kdf = client, root, kdf
        self.device_id: str | None = None
        self.holder_id: str | None = None  # the last holder who set a PIN in this browser
        self.space: HolderSpace | None = None
        self.pin_form = PinForm(client)
        self.unlock_form = UnlockForm(client)
        # Called with (device id, holder id) to keep them in the browser (set by the launcher).
        self.remember: Callable[[str, str], None] = lambda _device, _holder: None

    def known(self, device_id: object, holder_id: object) -> str:
        """Take the ids kept in the browser; a missing or odd device id is replaced by a new one."""
        self.device_id = valid_device_id(device_id) or new_device_id()
        self.holder_id = valid_holder_id(holder_id)
        return self.device_id

    def _new_space(self) -> HolderSpace:
        if self.device_id is None:
            self.device_id = new_device_id()
        return HolderSpace(self.root, self.device_id, self.client, kdf=self.kdf)

    @property
    def unlocked(self) -> bool:
        return self.space is not None and self.space.store is not None

    def can_unlock(self) -> bool:
        """A vault of the last holder exists on this device: offer the unlock screen."""
        if self.unlocked or self.device_id is None or self.holder_id is None:
            return False
        return self._new_space().vault(self.holder_id).exists()

    def needs_pin(self, me: Me) -> bool:
        return self._new_space().needs_pin(me)

    def set_pin(self, me: Me) -> bool:
        """Create the vault; errors go under the field they concern, the values stay."""
        form = self.pin_form
        form.clear_errors()
        pin, confirm = form.values["pin"], form.values["confirm"]
        problem = pin_problem(pin)
        if problem:
            form.errors["pin"] = local_error(problem)
        elif pin != confirm:
            form.errors["confirm"] = local_error(ErrorCode.PIN_MISMATCH)
        if form.errors:
            return False
        space = self._new_space()
        try:
            space.set_pin(me, pin, confirm)
        except SyncError as err:
            form.banner = err
            return False
        self.space, self.holder_id = space, me.id
        self.pin_form = PinForm(self.client)
        self.remember(self.device_id or "", me.id)
        return True

    def unlock(self) -> Me | None:
        """Open the vault of the last holder with the typed code; the wait shows after wrong tries."""
        form = self.unlock_form
        form.clear_errors()
        if not form.values["pin"]:
            form.errors["pin"] = local_error(ErrorCode.PIN_WRONG)
            return None
        if self.holder_id is None:
            form.banner = local_error(ErrorCode.AUTH_REQUIRED)
            return None
        space = self._new_space()
        try:
            me = space.unlock(self.holder_id, form.values["pin"])
        except SyncError as err:
            form.values["pin"] = ""  # a wrong code is not worth keeping
            if err.code in (ErrorCode.PIN_WRONG, ErrorCode.PIN_WAIT):
                form.errors["pin"] = err
            else:
                form.banner = err
            return None
        self.space = space
        self.unlock_form = UnlockForm(self.client)
        return me

    def open_for(self, me: Me, pin: str) -> Me | None:
        """Unlock the vault of a holder who just logged in with password and code."""
        self.holder_id = me.id
        self.unlock_form.set("pin", pin)
        return self.unlock()

    @property
    def session_expired(self) -> bool:
        return self.space is not None and self.space.session_expired

    def reconnected(self) -> None:
        """The holder logged in again: the client's new tokens are sealed in the open vault."""
        if self.space is not None:
            self.space.reconnected()

    def lock(self) -> None:
        if self.space is not None:
            self.space.lock()
        self.space = None


# --- the sync status ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncLine:
    """What the status bar says: a kind (drives colour and icon), a message key and its values."""

    kind: str  # up_to_date | waiting | syncing | offline | reconnect | error
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    pending: int = 0
    uploads: tuple[tuple[str, int], ...] = ()  # (record id, percent) of uploads in flight


class SyncBar:
    """Runs the space's sync (never two at once for a tab) and words its status."""

    def __init__(self, vault: VaultState) -> None:
        self.vault = vault
        self.running = False
        self.asked = False  # the person asked for this sync (the bar then says it runs)
        self.progress: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()
        # Asks for a sync soon (set by the launcher's loop; tests call `sync` themselves).
        self.kick: Callable[[], None] = lambda: None
        # Told when an upload moves (set by the launcher to redraw the bar).
        self.on_progress: Callable[[], None] = lambda: None
        # Told after each sync (the emergency card's copy follows the profile's changes).
        self.after_sync: Callable[[], None] = lambda: None

    @contextlib.contextmanager
    def quiet(self, timeout: float = 20) -> Iterator[None]:
        """Wait for a running sync to end (before the vault closes), and hold new ones off."""
        got = self._lock.acquire(timeout=timeout)
        try:
            yield
        finally:
            if got:
                self._lock.release()

    def _progress(self, record_id: str, sent: int, total: int) -> None:
        self.progress[record_id] = (sent, total)
        self.on_progress()

    def sync(self) -> bool:
        """One sync of the open space; False when none is open or one is already running."""
        space = self.vault.space
        if space is None or space.store is None:
            return False
        if not self._lock.acquire(blocking=False):
            return False
        self.running = True
        try:
            space.sync(self._progress)
            self.after_sync()
        except Exception:  # noqa: BLE001 (the vault closed under a running sync: logout)
            return False
        finally:
            self.running = False
            self.progress.clear()
            self._lock.release()
        return True

    def pending(self) -> int:
        """Changes and document files not yet on the server."""
        space = self.vault.space
        if space is None or space.store is None or space.documents is None:
            return 0
        try:
            return space.store.pending_count() + len(space.documents.pending_uploads())
        except Exception:  # noqa: BLE001 (closed meanwhile)
            return 0

    def line(self, tz: tzinfo | None = None) -> SyncLine | None:
        """The status to show, or None before the vault is open."""
        space = self.vault.space
        if space is None or space.store is None:
            return None
        try:
            status = space.status()
        except Exception:  # noqa: BLE001 (closed meanwhile)
            return None
        pending = self.pending()
        uploads = tuple(
            (rid, min(100, int(sent * 100 / total)) if total else 100)
            for rid, (sent, total) in list(self.progress.items())
        )
        if self.running and self.asked:
            return SyncLine("syncing", "ui.sync.running", {}, pending, uploads)
        error = status.error if status else None
        if space.session_expired or error in (ErrorCode.SESSION_EXPIRED, ErrorCode.AUTH_REQUIRED):
            return SyncLine("reconnect", "ui.sync.reconnect", {}, pending)
        if error == ErrorCode.NETWORK:
            return SyncLine("offline", "ui.sync.offline", {}, pending)
        if error:
            return SyncLine("error", error, {}, pending)
        if pending:
            return SyncLine("waiting", "ui.sync.pending", {"count": pending}, pending)
        if status is None or status.last_sync_at is None:
            return SyncLine("waiting", "ui.sync.never", {}, 0)
        moment = status.last_sync_at.astimezone(tz).strftime("%H:%M")
        return SyncLine("up_to_date", "ui.sync.up_to_date", {"time": moment}, 0)


# --- documents ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentRow:
    """One document as the list shows it."""

    id: str
    title: str
    type: str
    day: str  # ISO date
    masked: bool
    own: bool
    author_name: str
    author_profession: str
    pending: bool
    mime: str
    file_id: str


class AddForm(Form):
    """A document being added: title, type, date, and the file picked."""

    fields = ("title", "type", "date", "file")

    def __init__(self, client: AccountClient) -> None:
        super().__init__(client)
        self.values["date"] = date.today().strftime("%d/%m/%Y")
        self.file_name = ""
        self.file_bytes: bytes | None = None
        self.mime = ""


class FilterForm(Form):
    """The list's filters: type, from and to dates, and words of the title."""

    fields = ("type", "from", "to", "query")


class DocumentViewer:
    """A document being read: its bytes, and for a PDF the page shown."""

    def __init__(self, row: DocumentRow) -> None:
        self.row = row
        self.data: bytes | None = None
        self.error: SyncError | None = None
        self.page = 0
        self.pages = 0
        self.png: bytes | None = None  # the image shown (the file itself, or the PDF page)
        self.busy = False

    def load(self, data: bytes) -> None:
        self.data = data
        if self.row.mime == "application/pdf" or sniff_mime(data) == "application/pdf":
            import pypdfium2 as pdfium

            pdf = pdfium.PdfDocument(data)
            try:
                self.pages = len(pdf)
            finally:
                pdf.close()
            self.render(0)
        else:
            self.pages, self.png = 1, data

    def render(self, index: int) -> None:
        """Render a PDF page to PNG (at about 150 dpi, enough to read on a phone)."""
        import pypdfium2 as pdfium

        assert self.data is not None
        index = max(0, min(index, self.pages - 1))
        pdf = pdfium.PdfDocument(self.data)
        try:
            bitmap = pdf[index].render(scale=2)
            out = io.BytesIO()
            bitmap.to_pil().save(out, format="PNG")
        finally:
            pdf.close()
        self.page, self.png = index, out.getvalue()

    @property
    def b64(self) -> str:
        return base64.b64encode(self.png or b"").decode()


class DocumentsState:
    """The holder's documents on this device; writes go through the store and ask for a sync."""

    def __init__(self, vault: VaultState, bar: SyncBar) -> None:
        self.vault, self.bar = vault, bar
        self.filters = FilterForm(vault.client)
        self.add = AddForm(vault.client)
        self.viewer: DocumentViewer | None = None
        self.banner: SyncError | None = None
        self.notice = ""  # a message key: what just went well
        self.busy = False

    # --- reference data -------------------------------------------------------------------------
    @staticmethod
    def type_label(code: str, lang: str) -> str:
        for t in document_types():
            if t["code"] == code:
                return str(t.get(lang) or t["fr"])
        return code

    @staticmethod
    def holder_types(lang: str) -> list[tuple[str, str]]:
        """(code, label) of the types the holder may pick, in the file's order."""
        return [(t["code"], str(t.get(lang) or t["fr"])) for t in document_types() if t.get("holder")]

    @staticmethod
    def all_types(lang: str) -> list[tuple[str, str]]:
        return [(t["code"], str(t.get(lang) or t["fr"])) for t in document_types()]

    @staticmethod
    def profession_label(code: str, lang: str) -> str:
        entry = professions().get(code)
        return str(entry.get(lang) or entry["fr"]) if entry else code

    # --- the list --------------------------------------------------------------------------------
    def _store_items(self) -> list[Item]:
        space = self.vault.space
        if space is None or space.store is None:
            return []
        return space.store.items("document")

    @staticmethod
    def _row(item: Item) -> DocumentRow:
        d = item.data
        return DocumentRow(
            id=item.id,
            title=str(d.get("title") or ""),
            type=str(d.get("type") or ""),
            day=str(d.get("date") or item.updated_at[:10]),
            masked=bool(d.get("masked")),
            own=not item.read_only,
            author_name=str(d.get("author_name") or ""),
            author_profession=str(d.get("author_profession") or ""),
            pending=item.pending,
            mime=str(d.get("mime") or ""),
            file_id=str(d.get("file_id") or ""),
        )

    def check_filters(self) -> tuple[date | None, date | None]:
        """The date range; a date that is not dd/mm/yyyy gets an error under its field."""
        bounds: list[date | None] = []
        for name in ("from", "to"):
            raw = self.filters.values[name].strip()
            day = parse_day(raw) if raw else None
            if raw and day is None:
                self.filters.errors[name] = local_error("ui.docs.error.date")
            else:
                self.filters.errors.pop(name, None)
            bounds.append(day)
        start, end = bounds
        if start and end and start > end:
            self.filters.errors["to"] = local_error("ui.docs.error.range")
            end = None
        return start, end

    def rows(self) -> list[DocumentRow]:
        """Documents newest first (by date), filtered by type, date range and title words."""
        start, end = self.check_filters()
        kind = self.filters.values["type"]
        words = self.filters.values["query"].strip().casefold().split()
        found = []
        for row in map(self._row, self._store_items()):
            if kind and row.type != kind:
                continue
            try:
                day = date.fromisoformat(row.day[:10])
            except ValueError:
                day = None
            if start and (day is None or day < start):
                continue
            if end and (day is None or day > end):
                continue
            if words and not all(w in row.title.casefold() for w in words):
                continue
            found.append(row)
        return sorted(found, key=lambda r: (r.day, r.title), reverse=True)

    def get(self, record_id: str) -> DocumentRow | None:
        space = self.vault.space
        item = space.store.get(record_id) if space and space.store else None
        return self._row(item) if item and item.collection == "document" else None

    # --- adding -------------------------------------------------------------------------------------
    def new_document(self) -> None:
        self.add = AddForm(self.vault.client)
        self.notice = ""

    def choose_file(self, name: str, data: bytes | None) -> bool:
        """Keep a picked file when it is a PDF, JPEG or PNG under the size limit."""
        form = self.add
        form.errors.pop("file", None)
        form.file_name, form.file_bytes, form.mime = name, None, ""
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if data is None or ext not in EXTENSIONS:
            form.errors["file"] = local_error(ErrorCode.DOCUMENT_FORMAT)
            return False
        if len(data) > MAX_DOCUMENT_BYTES:
            form.errors["file"] = SyncError(
                ErrorCode.DOCUMENT_TOO_LARGE, {"max_mb": MAX_DOCUMENT_BYTES // (1024 * 1024)}
            )
            return False
        mime = sniff_mime(data)
        if mime is None:
            form.errors["file"] = local_error(ErrorCode.DOCUMENT_FORMAT)
            return False
        form.file_bytes, form.mime = data, mime
        if not form.values["title"].strip():
            form.values["title"] = name.rsplit(".", 1)[0][:200]
        return True

    def submit(self) -> str | None:
        """Encrypt the file into the vault and queue the document; returns its record id."""
        form = self.add
        form.clear_errors()
        title = form.values["title"].strip()
        if not title:
            form.errors["title"] = local_error("ui.docs.error.title")
        if form.values["type"] not in {code for code, _ in self.holder_types(DEFAULT_LANGUAGE)}:
            form.errors["type"] = local_error("ui.docs.error.type")
        day = parse_day(form.values["date"])
        if day is None:
            form.errors["date"] = local_error("ui.docs.error.date")
        elif day > date.today():
            form.errors["date"] = local_error("ui.docs.error.future")
        if form.file_bytes is None:
            form.errors["file"] = local_error("ui.docs.error.file")
        space = self.vault.space
        if form.errors or day is None or form.file_bytes is None:
            return None
        if space is None or space.documents is None:
            form.banner = local_error(ErrorCode.AUTH_REQUIRED)
            return None
        metadata = {
            "title": title[:200],
            "type": form.values["type"],
            "date": day.isoformat(),
            "mime": form.mime,
            "masked": False,
            "description": "",
        }
        try:
            record_id = space.documents.add(io.BytesIO(form.file_bytes), metadata)
        except (OSError, SyncError) as exc:
            form.banner = exc if isinstance(exc, SyncError) else local_error(ErrorCode.STORE_DAMAGED)
            return None
        self.add = AddForm(self.vault.client)
        self.notice = "ui.docs.added"
        self.bar.kick()
        return record_id

    # --- masking and deleting -------------------------------------------------------------------
    def set_masked(self, record_id: str, masked: bool) -> bool:
        """Mask or unmask any document (a professional's too: only this flag changes)."""
        self.banner = None
        space = self.vault.space
        item = space.store.get(record_id) if space and space.store else None
        if item is None or space is None or space.store is None:
            self.banner = local_error(ErrorCode.NOT_FOUND)
            return False
        try:
            space.store.put("document", item.data | {"masked": masked}, record_id=item.id)
        except ReadOnlyRecord:
            self.banner = local_error(ErrorCode.SYNC_READ_ONLY)
            return False
        self.notice = "ui.docs.masked.done" if masked else "ui.docs.unmasked.done"
        self.bar.kick()
        return True

    def delete(self, record_id: str) -> bool:
        """Delete one of the holder's own documents (a professional's is refused)."""
        space = self.vault.space
        self.banner = delete_own(space.store if space else None, record_id)
        if self.banner is not None:
            return False
        self.notice = "ui.docs.deleted"
        self.viewer = None
        self.bar.kick()
        return True

    # --- reading ----------------------------------------------------------------------------------
    def content(self, row: DocumentRow) -> bytes:
        """The plaintext: from the vault when this device has the file, else from the server."""
        space = self.vault.space
        if space is None or space.documents is None:
            raise local_error(ErrorCode.AUTH_REQUIRED)
        if row.file_id and space.documents.path(row.file_id).exists():
            return b"".join(space.documents.read(row.file_id))
        try:
            return self.vault.client.document_content(row.id)
        except NetworkError:
            raise local_error("ui.docs.error.offline") from None
        except SyncError as err:
            if err.code in (ErrorCode.AUTH_REQUIRED, ErrorCode.SESSION_EXPIRED):
                raise local_error("ui.docs.error.reconnect") from None
            raise

    def open(self, record_id: str) -> bool:
        """Load a document for reading (decrypt, or fetch, then render its first page)."""
        row = self.get(record_id)
        if row is None:
            self.banner = local_error(ErrorCode.NOT_FOUND)
            return False
        viewer = self.viewer = DocumentViewer(row)
        try:
            viewer.load(self.content(row))
        except SyncError as err:
            viewer.error = err
            return False
        except Exception:  # noqa: BLE001 (a damaged file: say so, never a trace)
            viewer.error = local_error(ErrorCode.DOCUMENT_FORMAT)
            return False
        return True

    def turn(self, step: int) -> None:
        viewer = self.viewer
        if viewer is not None and viewer.data is not None and viewer.pages > 1:
            viewer.render(viewer.page + step)


# --- the app state with a vault ------------------------------------------------------------------


class VaultAppState(AppState):
    """AppState whose signed-in holder works in an encrypted vault on this device."""

    def __init__(
        self,
        client: AccountClient,
        root: Path,
        lang: str = DEFAULT_LANGUAGE,
        *,
        kdf: KdfParams | None = None,
    ) -> None:
        self.vault = VaultState(client, root, kdf=kdf)
        self.sync_bar = SyncBar(self.vault)
        self.profile = ProfileState(self.vault, self.sync_bar)  # the holder's own: it keeps the card key
        self.sync_bar.after_sync = lambda: self.profile.refresh_card()
        self.catalogue = CatalogueState(client)  # referenced apps, connected apps, an app's consent
        self.family = FamilyState(self.vault, client)  # the children's spaces and the space switcher
        self.family.on_lost = self._space_lost
        self._own_profile: ProfileState | None = None  # the parent's, while a child's space is shown
        self._pending_me: Me | None = None  # logged in, vault not open yet
        # Told when the vault opens or closes (the launcher starts and stops the sync loop).
        self.on_unlocked: Callable[[], None] = lambda: None
        self.on_locked: Callable[[], None] = lambda: None
        super().__init__(client, lang)
        self._fresh_states()  # documents, shares, measurements, agenda, messages, export...

    # --- launch -------------------------------------------------------------------------------------
    def launched(self, device_id: object, holder_id: object) -> str:
        """The ids kept in the browser are known: offer to unlock when the vault is here."""
        device = self.vault.known(device_id, holder_id)
        if self.screen == Screen.WELCOME and self.vault.can_unlock():
            self.go(Screen.UNLOCK)
        return device

    def _signed_in(self, me: Me) -> None:
        vault = self.vault
        if me.status == SpaceStatus.CLOSED or vault.unlocked and vault.holder_id == me.id:
            if vault.unlocked:
                vault.reconnected()
            super()._signed_in(me)
            if me.status != SpaceStatus.CLOSED:
                self.on_unlocked()
            return
        if vault.unlocked:  # another holder signs in on this tab: close the previous vault
            self._lock()
        self.me = None  # signed in only once the vault is open
        if vault.needs_pin(me):
            self._pending_me = me
            vault.pin_form = PinForm(self.client)
            self.go(Screen.PIN_SETUP)
        else:  # this holder's vault is on this device: its code opens it
            self._pending_me = me
            vault.holder_id = me.id
            vault.unlock_form = UnlockForm(self.client)
            self.go(Screen.UNLOCK)

    def set_pin(self) -> bool:
        me = self._pending_me or self.me
        if me is None:
            self.go(Screen.WELCOME)
            return False
        if not self.vault.set_pin(me):
            return False
        self._pending_me = None
        super()._signed_in(me)
        self.on_unlocked()
        return True

    def unlock(self) -> bool:
        me = self.vault.unlock()
        if me is None:
            return False
        pending, self._pending_me = self._pending_me, None
        if pending is not None:
            self.vault.reconnected()
            me = pending
        super()._signed_in(me)
        self.on_unlocked()
        return True

    def other_account(self) -> None:
        """From the unlock screen: log in with another account (or the same one, by password)."""
        if self._pending_me is not None:
            self._pending_me = None
            self.client.logout()
        self.go(Screen.LOGIN)

    def leave_pin_setup(self) -> None:
        """Log out instead of choosing a code (nothing is kept on this device)."""
        self._pending_me = None
        self.client.logout()
        self._signed_out(None)

    def reconnect(self) -> None:
        """The session ended: log in again (password and code), then the same vault syncs."""
        email = self.me.email if self.me else ""
        self.go(Screen.LOGIN)
        self.login.set("email", email)

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
        if screen != self.screen and screen == Screen.ADMIN_DATA:
            self.admin.entered()
        elif screen != self.screen and screen == Screen.REIMBURSEMENTS:
            self.reimbursements.entered()
        super().go(screen)

    def open_document(self, record_id: str) -> None:
        self.docs.viewer = None
        self.docs.notice = ""
        self.go(Screen.DOCUMENT_VIEW)
        self.docs.open(record_id)

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
            Screen.AGENDA: Screen.HOME,
            Screen.APPOINTMENT: Screen.AGENDA,
            Screen.CHECKUPS: Screen.AGENDA,
            Screen.MESSAGES: Screen.HOME,
            Screen.CONVERSATION: Screen.MESSAGES,
            Screen.EXPORT: Screen.SETTINGS,
            Screen.CHILDREN: Screen.HOME,
        }
        if self.screen in previous:
            self.go(previous[self.screen])
        elif self.screen == Screen.LOGIN and self.me is None and self.vault.can_unlock():
            self.go(Screen.UNLOCK)
        else:
            super().back()

    # --- leaving ------------------------------------------------------------------------------------
    def _lock(self) -> None:
        self.on_locked()
        with self.sync_bar.quiet():
            self.family.close()  # back to the parent's own space, the children's stores closed
            self.vault.lock()
        self._fresh_states()

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
        self.agenda = AgendaState(self.vault, self.sync_bar)
        self.messages = messages_state.MessagesState(self.vault, self.sync_bar)
        self.catalogue = CatalogueState(client, self.catalogue.pending_id)  # the request waits on
        self.export = ExportState(self.vault, self.sync_bar)
        self._record_state = RecordState(client, str(getattr(self.me, "id", "") or ""))

    def _fresh_profile(self) -> ProfileState:
        """The browser's emergency-card key is the parent's: a child's space never sees nor
        forgets it (the lock screen opens the parent's card only)."""
        own = self._own_profile or self.profile
        if self.family.active:
            self._own_profile = own
            fresh = ProfileState(self.vault, self.sync_bar)
            fresh.remember_card_key = lambda _key: None
            return fresh
        self._own_profile = None
        return own.fresh()

    # --- family: the space switcher ---------------------------------------------------------------
    def close_space(self) -> bool:
        """Closing is for one's own space only: in a child's space it is refused, nothing is sent."""
        if self.family.active:
            self.closing.clear_errors()
            self.closing.banner = local_error("ui.family.error.close_child")
            return False
        return super().close_space()

    def _space_lost(self) -> None:
        """The child shown can no longer be acted on: back to one's own space, and say why."""
        if self.switch_space(""):
            self.banner = local_error("ui.family.error.not_active")

    def sync_children(self) -> None:
        """The sync loop's spare turn: the children's spaces opened here but not shown sync too."""
        with self.sync_bar.quiet(timeout=1):
            self.family.sync_others()

    def switch_space(self, child_id: str) -> bool:
        """Act on a child's space ("" = one's own): every screen's state is rebuilt for it."""
        with self.sync_bar.quiet():
            ok = self.family.switch(child_id)
        if ok:
            self._fresh_states()
            self.go(Screen.HOME)
            self.sync_bar.kick()
        return ok

    def logout(self) -> None:
        self._lock()
        self._pending_me = None
        super().logout()
        if self.vault.can_unlock():
            self.go(Screen.UNLOCK)

    def _signed_out(self, err: SyncError | None) -> None:
        if err is not None and self.vault.unlocked:
            # The server session ended but the vault is open: keep working on local data.
            if self.vault.space is not None:
                self.vault.space.session_expired = True
            self.banner = err
            return
        super()._signed_out(err)

    def tab_closed(self) -> None:
        """The tab closes: stop syncing and forget the keys."""
        self._lock()


def describe_author(row: DocumentRow, lang: str) -> tuple[str, dict[str, str]]:
    """The key and values of 'Added by you' or 'Added by <name>, <profession>'."""
    if row.own:
        return "ui.docs.author.you", {}
    return "ui.docs.author.pro", {
        "name": row.author_name or "?",
        "profession": DocumentsState.profession_label(row.author_profession, lang),
    }


def now_local(tz: tzinfo | None = None) -> datetime:
    return datetime.now(tz)
