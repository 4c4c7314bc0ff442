"""The holder's documents on this device, without a single control.

    DocumentsState      the list (filters, search by words of the title, type or author, category,
                        folder; pinned documents first), adding a file, viewing, masking,
                        pinning, filing in the holder's folders, deleting
      DocumentRow       one document as the list shows it
      EarlierVersion    a version its author replaced on the holder's request, still readable
      AddForm           a document being added: title, type, date, and the file picked
      FilterForm        the list's filters: type, from and to dates, and words of the title
      DocumentViewer    a document being read: its bytes, and for a PDF the page shown

Every method is synchronous and calls `sync/` only; the views run the slow ones off the UI
thread. Errors are `SyncError`s whose codes are translation keys, filed under the field they
concern or in a banner, and nothing the person typed is lost on an error.
"""

import base64
import contextlib
import io
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo

from mobile.shell.files import EXTENSIONS, MAX_DOCUMENT_BYTES, sniff_mime
from mobile.shell.state import Form, delete_own, local_error
from mobile.shell.sync_state import SyncBar
from mobile.shell.vault import VaultState
from mobile.shell.words import parse_day
from sync.client import AccountClient
from sync.document_folders import read_folders, write_folders
from sync.downloads import OfflineChoice, keep_fetched, local_file_id
from sync.errors import NetworkError, SyncError
from sync.protocol.document_search import DocumentQuery, search_documents
from sync.protocol.errors import ErrorCode
from sync.protocol.i18n import DEFAULT_LANGUAGE
from sync.protocol.reference import document_categories, document_types, professions
from sync.scan import images_to_pdf
from sync.store import Item, ReadOnlyRecord

IMAGES = ("jpg", "jpeg", "png")  # what a scan's pages may be
MAX_FOLDERS, MAX_FOLDER_NAME = 50, 60

__all__ = [
    "AddForm",
    "DocumentRow",
    "DocumentsState",
    "DocumentViewer",
    "EarlierVersion",
    "describe_author",
]


@dataclass(frozen=True)
class EarlierVersion:
    """A version of a professional's document that its author replaced on the holder's request
    (EHDS art. 6): kept, and readable beside the corrected one."""

    version: int
    title: str
    day: str  # the document's date (ISO)
    until: str  # when it was replaced (ISO instant)

    @classmethod
    def of(cls, data: dict[str, object]) -> "EarlierVersion":
        number = data.get("version")
        return cls(
            version=number if isinstance(number, int) else 0,
            title=str(data.get("title") or ""),
            day=str(data.get("date") or ""),
            until=str(data.get("until") or ""),
        )


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
    pinned: bool = False
    local_file: str = ""  # where its bytes are kept on this device (sync.downloads.local_file_id)
    version: int = 1
    earlier: tuple[EarlierVersion, ...] = ()  # the versions before a correction, newest first


class AddForm(Form):
    """A document being added: title, type, date, and the file picked."""

    fields = ("title", "type", "date", "file")

    def __init__(self, client: AccountClient, tz: tzinfo | None = None) -> None:
        super().__init__(client)
        self.values["date"] = datetime.now(tz).strftime("%d/%m/%Y")  # today, in the person's zone
        self.file_name = ""
        self.file_bytes: bytes | None = None
        self.mime = ""
        self.pages = 0  # pages of a scan (several photos made into one PDF)


class FilterForm(Form):
    """The list's filters: type, from and to dates, and words of the title.

    They are folded behind one "Filtrer" button so that a phone shows the list first; until the
    person opens or closes them, they are open on a wide screen only (`shown` is None).
    """

    fields = ("type", "from", "to", "query", "category", "folder", "folder_name")
    FILTERS = ("query", "type", "category", "folder", "from", "to")

    def __init__(self, client: AccountClient) -> None:
        super().__init__(client)
        self.shown: bool | None = None

    def active(self) -> int:
        """How many filters narrow the list (the button says so while they are folded)."""
        return sum(1 for name in self.FILTERS if self.values[name].strip())

    def is_open(self, wide: bool) -> bool:
        return wide if self.shown is None else self.shown

    def toggle(self, wide: bool) -> None:
        self.shown = not self.is_open(wide)


class DocumentViewer:
    """A document being read: its bytes, and for a PDF the page shown."""

    def __init__(self, row: DocumentRow, earlier: EarlierVersion | None = None) -> None:
        self.row = row
        self.earlier = earlier  # an earlier version being read (None: the document as it stands)
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
        self.tz: tzinfo | None = None  # the person's zone (None: this device's)
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
    def categories(lang: str) -> list[tuple[str, str]]:
        """(code, label) of the list's categories, as the national app groups documents."""
        return [(str(c["code"]), str(c.get(lang) or c["fr"])) for c in document_categories()]

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
            pinned=bool(d.get("pinned")),
            local_file=local_file_id(item),
            version=item.version,
            earlier=tuple(EarlierVersion.of(e) for e in d.get("earlier") or () if isinstance(e, dict)),
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

    def rows(self, lang: str = DEFAULT_LANGUAGE) -> list[DocumentRow]:
        """Pinned documents first, then newest first (by date); filtered by type, category,
        folder, date range, and words found in the title, the type or the author's name and
        profession (`sync.protocol.document_search`)."""
        start, end = self.check_filters()
        values = self.filters.values
        types = {values["type"]} if values["type"] else set()
        if values["category"]:
            in_category = {
                str(t["code"]) for t in document_types() if t.get("category") == values["category"]
            }
            types = types & in_category if types else in_category
            if not types:
                return []
        items = self._store_items()
        if values["folder"]:
            kept = set(self.folders().get(values["folder"], ()))
            items = [i for i in items if i.id in kept]
        query = DocumentQuery(words=values["query"], types=frozenset(types), since=start, until=end)
        found = [self._row(i) for i in search_documents(items, query, lang)]  # type: ignore[arg-type]
        found.sort(key=lambda r: (r.day, r.title), reverse=True)
        return sorted(found, key=lambda r: not r.pinned)

    def get(self, record_id: str) -> DocumentRow | None:
        space = self.vault.space
        item = space.store.get(record_id) if space and space.store else None
        return self._row(item) if item and item.collection == "document" else None

    # --- adding -------------------------------------------------------------------------------------
    def new_document(self) -> None:
        self.add = AddForm(self.vault.client, self.tz)
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

    def choose_scan(self, files: list[tuple[str, bytes | None]]) -> bool:
        """Several photos of pages (JPEG or PNG), in order, made into one PDF: the document to add."""
        form = self.add
        form.errors.pop("file", None)
        form.file_name, form.file_bytes, form.mime, form.pages = "", None, "", 0
        images = [
            data for name, data in files if data is not None and name.rsplit(".", 1)[-1].lower() in IMAGES
        ]
        if not files or len(images) != len(files):
            form.errors["file"] = local_error(ErrorCode.DOCUMENT_FORMAT)
            return False
        try:
            content = images_to_pdf(images)
        except SyncError as err:
            form.errors["file"] = err
            return False
        if len(content) > MAX_DOCUMENT_BYTES:
            form.errors["file"] = SyncError(
                ErrorCode.DOCUMENT_TOO_LARGE, {"max_mb": MAX_DOCUMENT_BYTES // (1024 * 1024)}
            )
            return False
        first = files[0][0].rsplit(".", 1)[0][:200]
        form.file_name, form.file_bytes, form.mime, form.pages = (
            f"{first}.pdf",
            content,
            "application/pdf",
            len(images),
        )
        if not form.values["title"].strip():
            form.values["title"] = first
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
        elif day > datetime.now(self.tz).date():
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
        self.add = AddForm(self.vault.client, self.tz)
        self.notice = "ui.docs.added"
        self.bar.kick()
        return record_id

    # --- masking and deleting -------------------------------------------------------------------
    def _set_flag(self, record_id: str, flag: str, value: bool) -> bool:
        """Change one of the holder's flags of a document (a professional's too: only the flag)."""
        self.banner = None
        space = self.vault.space
        item = space.store.get(record_id) if space and space.store else None
        if item is None or space is None or space.store is None:
            self.banner = local_error(ErrorCode.NOT_FOUND)
            return False
        try:
            space.store.put("document", item.data | {flag: value}, record_id=item.id)
        except ReadOnlyRecord:
            self.banner = local_error(ErrorCode.SYNC_READ_ONLY)
            return False
        self.bar.kick()
        return True

    def set_masked(self, record_id: str, masked: bool) -> bool:
        """Mask or unmask any document from professionals."""
        if not self._set_flag(record_id, "masked", masked):
            return False
        self.notice = "ui.docs.masked.done" if masked else "ui.docs.unmasked.done"
        return True

    def set_pinned(self, record_id: str, pinned: bool) -> bool:
        """Pin a document at the top of the list."""
        if not self._set_flag(record_id, "pinned", pinned):
            return False
        self.notice = "ui.docs.pinned.done" if pinned else "ui.docs.unpinned.done"
        return True

    # --- the holder's folders (sync/document_folders.py) ------------------------------------------------
    def folders(self) -> dict[str, list[str]]:
        """The holder's folders (name -> ids of the documents filed there), by name."""
        space = self.vault.space
        return read_folders(space.store) if space and space.store else {}

    def _save_folders(self, folders: dict[str, list[str]]) -> bool:
        space = self.vault.space
        if space is None or space.store is None:
            self.banner = local_error(ErrorCode.AUTH_REQUIRED)
            return False
        write_folders(space.store, folders)
        self.bar.kick()
        return True

    def create_folder(self) -> bool:
        """A new folder named as typed; a problem goes under the field (empty, too long, used)."""
        name = " ".join(self.filters.values["folder_name"].split())
        folders = self.folders()
        self.filters.errors.pop("folder_name", None)
        problem = ""
        if not name or len(name) > MAX_FOLDER_NAME:
            problem = "ui.docs.folder.error.name"
        elif name.casefold() in {f.casefold() for f in folders}:
            problem = "ui.docs.folder.error.exists"
        elif len(folders) >= MAX_FOLDERS:
            problem = "ui.docs.folder.error.many"
        if problem:
            self.filters.errors["folder_name"] = local_error(problem)
            return False
        if not self._save_folders(folders | {name: []}):
            return False
        self.filters.values["folder_name"] = ""
        self.notice = "ui.docs.folder.created"
        return True

    def folder_of(self, record_id: str) -> str:
        return next((name for name, ids in self.folders().items() if record_id in ids), "")

    def file_in(self, record_id: str, folder: str) -> bool:
        """File a document in one folder ("" takes it out of any)."""
        folders = {name: [i for i in ids if i != record_id] for name, ids in self.folders().items()}
        if folder and folder not in folders:
            self.banner = local_error(ErrorCode.NOT_FOUND)
            return False
        if folder:
            folders[folder].append(record_id)
        if not self._save_folders(folders):
            return False
        self.notice = "ui.docs.folder.filed" if folder else "ui.docs.folder.removed"
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
    def content(self, row: DocumentRow, version: int | None = None) -> bytes:
        """The plaintext (of an earlier version when one is named): from the vault when this device
        has the file, else from the server, then kept sealed in the vault (the next reading works
        offline)."""
        space = self.vault.space
        if space is None or space.documents is None or space.store is None:
            raise local_error(ErrorCode.AUTH_REQUIRED)
        item = space.store.get(row.id)
        if item is not None and version is not None:  # its details as they were: its file, its SHA-256
            before = [
                e
                for e in item.data.get("earlier") or ()
                if isinstance(e, dict) and e.get("version") == version
            ]
            if not before:
                raise local_error(ErrorCode.NOT_FOUND)
            item = replace(item, data=before[0])
        file_id = local_file_id(item) if item is not None else row.file_id
        if file_id and space.documents.path(file_id).exists():
            return b"".join(space.documents.read(file_id))
        try:
            data = self.vault.client.document_content(row.id, version)
        except NetworkError:
            raise local_error("ui.docs.error.offline") from None
        except SyncError as err:
            if err.code in (ErrorCode.AUTH_REQUIRED, ErrorCode.SESSION_EXPIRED):
                raise local_error("ui.docs.error.reconnect") from None
            raise
        if item is not None:
            with contextlib.suppress(OSError):  # the device is full: read now, kept another time
                keep_fetched(space.documents, item, data)  # refused if not the record's bytes
        return data

    def open(self, record_id: str, version: int | None = None) -> bool:
        """Load a document (or one of its earlier versions) for reading: decrypt, or fetch, then
        render its first page."""
        row = self.get(record_id)
        if row is None:
            self.banner = local_error(ErrorCode.NOT_FOUND)
            return False
        earlier = next((e for e in row.earlier if e.version == version), None)
        if version is not None and earlier is None:
            self.banner = local_error(ErrorCode.NOT_FOUND)
            return False
        viewer = self.viewer = DocumentViewer(row, earlier)
        try:
            viewer.load(self.content(row, earlier.version if earlier else None))
        except SyncError as err:
            viewer.error = err
            return False
        except Exception:  # noqa: BLE001 (a damaged file: say so, never a trace)
            viewer.error = local_error(ErrorCode.DOCUMENT_FORMAT)
            return False
        return True

    # --- "Garder hors connexion" -------------------------------------------------------------------
    def held(self, row: DocumentRow | str) -> bool:
        """Whether this device holds the document's bytes (it reads with the network cut)."""
        row = self.get(row) if isinstance(row, str) else row
        space = self.vault.space
        documents = space.documents if space is not None else None
        return row is not None and documents is not None and documents.path(row.local_file).exists()

    def offline_choice(self) -> OfflineChoice:
        space = self.vault.space
        return OfflineChoice() if space is None or space.store is None else OfflineChoice.of(space.store)

    def keep_offline(
        self, *, everything: bool | None = None, category: str = "", folder: str = "", on: bool = True
    ) -> None:
        """Keep every document on this device, or choose categories and folders; fetching runs
        with the sync."""
        space = self.vault.space
        if space is None or space.store is None:
            self.banner = local_error(ErrorCode.AUTH_REQUIRED)
            return
        choice = self.offline_choice()
        categories, folders = set(choice.categories), set(choice.folders)
        if category:
            categories = categories | {category} if on else categories - {category}
        if folder:
            folders = folders | {folder} if on else folders - {folder}
        keep_all = choice.all if everything is None else everything
        OfflineChoice(keep_all, frozenset(categories), frozenset(folders)).save(space.store)
        self.notice = "ui.docs.offline.saved"
        self.bar.kick()

    def turn(self, step: int) -> None:
        viewer = self.viewer
        if viewer is not None and viewer.data is not None and viewer.pages > 1:
            viewer.render(viewer.page + step)


def describe_author(row: DocumentRow, lang: str) -> tuple[str, dict[str, str]]:
    """The key and values of 'Added by you' or 'Added by <name>, <profession>'."""
    if row.own:
        return "ui.docs.author.you", {}
    return "ui.docs.author.pro", {
        "name": row.author_name or "?",
        "profession": DocumentsState.profession_label(row.author_profession, lang),
    }
