"""'Exporter toutes mes données' without a single control: the screen renders it, tests call it.

    ExportState     makes the FHIR file and the PDF summary of the open space (from the vault,
                    plus the access log and authorisations from the server), and imports an
                    export into an empty space (the next sync sends it to the server)

Both files are made on this device: the server never assembles a holder's whole record.
"""

import json
from datetime import date, tzinfo

from mobile.shell.sync_state import SyncBar
from mobile.shell.vault import VaultState
from sync import health_link, qr_image
from sync.errors import NetworkError, SyncError
from sync.export import fhir_export, fhir_import, ips, ips_pdf, pdf_summary
from sync.protocol.errors import ErrorCode
from sync.protocol.i18n import translate
from sync.protocol.record_schemas import ShareCreated
from sync.space import HolderSpace

__all__ = ["MAX_IMPORT_BYTES", "ExportState"]

MAX_IMPORT_BYTES = 128 * 1024 * 1024  # an export carries at most 64 MiB of documents (base64: 86 MiB)
KINDS = {
    "fhir": ("json", "application/fhir+json"),
    "pdf": ("pdf", "application/pdf"),
    # The patient summary in the European exchange format (IPS, EHDS art. 3), and its PDF.
    "ips": ("json", "application/fhir+json"),
    "ips_pdf": ("pdf", "application/pdf"),
}


class ExportState:
    """The export screen's state: busy while a file is made, the last error or success."""

    def __init__(self, vault: VaultState, bar: SyncBar) -> None:
        self.vault, self.bar = vault, bar
        self.busy = False
        self.banner: SyncError | None = None
        self.notice = ""  # a message key: what just went well
        self.notice_params: dict[str, object] = {}
        self.without_bytes: list[str] = []  # documents the last export could not carry
        self.link: ShareCreated | None = None  # the summary's SMART Health Link just made
        self.shlink = ""  # its `shlink:/` (the key is in it: shown once, never stored)

    def _space(self) -> HolderSpace | None:
        space = self.vault.space
        return space if space is not None and space.store is not None and space.me is not None else None

    def can_import(self) -> bool:
        """An import is offered only to an empty space (see `sync.export.fhir_import`)."""
        space = self._space()
        return space is not None and space.store is not None and fhir_import.is_empty(space.store)

    def file_name(self, kind: str, today: date | None = None) -> str:
        stem = "resume-patient" if kind.startswith("ips") else "mon-espace-sante"
        return f"{stem}-{(today or date.today()).isoformat()}.{KINDS[kind][0]}"

    def make(self, kind: str, lang: str, tz: tzinfo | None = None) -> tuple[str, bytes] | None:
        """The file to save ('fhir' or 'pdf'), or None with the reason in `banner`."""
        self.banner, self.notice, self.without_bytes = None, "", []
        space = self._space()
        if space is None or space.store is None or space.me is None:
            self.banner = SyncError(ErrorCode.AUTH_REQUIRED)
            return None
        try:
            snapshot = fhir_export.gather(space.store, space.client, space.me)
            if kind == "pdf":
                content = pdf_summary.build(snapshot, lang, tz)
            elif kind.startswith("ips"):
                summary = ips.bundle(snapshot, lang)
                content = ips_pdf.build(summary) if kind == "ips_pdf" else json.dumps(summary).encode()
            else:
                content = fhir_export.bundle(snapshot, space.documents, space.client, self.without_bytes)
        except NetworkError:
            self.banner = SyncError("error.export.offline")
            return None
        except SyncError as err:
            self.banner = err
            return None
        return self.file_name(kind), content

    def share_summary(self, lang: str, days: int = 7) -> bool:
        """The patient summary as a SMART Health Link: encrypted here, its link and code from the
        server, the key only in the `shlink:/` shown (issue #18 part 2)."""
        self.banner, self.notice, self.link, self.shlink = None, "", None, ""
        space = self._space()
        if space is None or space.store is None or space.me is None or space.client is None:
            self.banner = SyncError(ErrorCode.AUTH_REQUIRED)
            return False
        try:
            snapshot = fhir_export.gather(space.store, None, space.me)
            summary = json.dumps(ips.bundle(snapshot, lang)).encode()
            label = translate("ui.export.shl.label", lang)
            self.link, self.shlink = health_link.share(space.client, summary, days=days, label=label)
        except NetworkError:
            self.banner = SyncError("error.export.offline")
            return False
        except SyncError as err:
            self.banner = err
            return False
        return True

    def link_png(self) -> bytes:
        return qr_image.png(self.shlink)

    def saved(self, name: str) -> None:
        """The file went to the person's device (downloaded, or saved where they chose)."""
        self.notice, self.notice_params = "ui.export.saved", {"name": name}
        if self.without_bytes:
            self.notice = "ui.export.saved.partial"
            self.notice_params |= {"titles": ", ".join(self.without_bytes)}

    def save_failed(self) -> None:
        self.notice, self.banner = "", SyncError("ui.export.save_failed")

    def import_file(self, name: str, data: bytes | None, lang: str = "fr") -> bool:
        """Restore an export into this empty space; the next sync sends it to the server.
        `lang` words the line added to professionals' entries ("Saisi par ... (importé)")."""
        self.banner, self.notice = None, ""
        space = self._space()
        if space is None or space.store is None or space.documents is None:
            self.banner = SyncError(ErrorCode.AUTH_REQUIRED)
            return False
        if data is None or len(data) > MAX_IMPORT_BYTES or not name.lower().endswith(".json"):
            self.banner = SyncError(fhir_import.INVALID)
            return False
        try:
            report = fhir_import.restore(data, space.store, space.documents, lang)
        except SyncError as err:
            self.banner = err
            return False
        except OSError:
            self.banner = SyncError(ErrorCode.STORE_DAMAGED)
            return False
        self.notice = "ui.export.imported"
        self.notice_params = {"count": sum(report.restored.values())}
        self.bar.kick()
        return True
