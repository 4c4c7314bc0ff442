"""Document bytes kept on the device, so a document reads with the network cut (issue #17).

A document added on another device, or by a professional, arrives as a metadata record; its
bytes stay on the server until fetched. Fetched once (when read, or by the background download),
they are sealed into the vault like the device's own files (`Documents.seal`, the file's id as
associated data) and checked against the SHA-256 the record names, so the server cannot swap
them. Which documents are kept ahead of reading is the holder's choice ("Garder hors connexion"):
all of them (the default, so a new device's first sync fetches everything), or the documents of
some categories or of some of the holder's folders; a document read once is kept anyway.

    OfflineChoice   what to keep: everything, or some categories and folders; sealed in the store
    local_file_id   the file a document's bytes live in on this device
    Downloader      fetches the missing bytes one document at a time, saying its progress; a cut
                    (network, logout) leaves the documents done kept and the next run goes on
"""

import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sync.document_folders import read_folders
from sync.documents import Documents
from sync.errors import SyncError
from sync.protocol.errors import ErrorCode
from sync.protocol.reference import document_category
from sync.store import Item, Store

__all__ = ["OFFLINE_SETTING", "Downloader", "OfflineChoice", "keep_fetched", "local_file_id"]

OFFLINE_SETTING = "offline_documents"  # sealed in the store: {"all", "categories", "folders"}
_SAFE_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")

DownloadProgress = Callable[[int, int], None]  # documents done, documents to fetch


class ContentTransport(Protocol):
    def document_content(self, record_id: str) -> bytes: ...


@dataclass(frozen=True)
class OfflineChoice:
    """Which documents this device keeps ahead of reading."""

    all: bool = True
    categories: frozenset[str] = field(default_factory=frozenset)
    folders: frozenset[str] = field(default_factory=frozenset)  # names of the holder's folders

    def keeps(self, data: dict[str, Any], folder: str = "") -> bool:
        """Whether a document (its record's data, the folder it is filed in) is kept ahead."""
        category = document_category(str(data.get("type") or "other"))
        return self.all or category in self.categories or (bool(folder) and folder in self.folders)

    @classmethod
    def of(cls, store: Store) -> "OfflineChoice":
        saved = store.secret(OFFLINE_SETTING)
        if not isinstance(saved, dict):
            return cls()
        return cls(
            bool(saved.get("all", True)),
            frozenset(str(c) for c in saved.get("categories", ())),
            frozenset(str(f) for f in saved.get("folders", ())),
        )

    def save(self, store: Store) -> None:
        chosen = {"all": self.all, "categories": sorted(self.categories), "folders": sorted(self.folders)}
        store.set_secret(OFFLINE_SETTING, chosen)


def local_file_id(item: Item) -> str:
    """The file of a document on this device: the one its record names (the device that added it
    chose it), else its record id (a professional's document)."""
    named = str(item.data.get("file_id") or "")
    return named if _SAFE_ID.fullmatch(named) else item.id


def keep_fetched(documents: Documents, item: Item, content: bytes) -> None:
    """Seal bytes fetched from the server into the vault, once checked against the record's
    SHA-256 (a record without one is kept as it came)."""
    expected = str(item.data.get("sha256") or "")
    if expected and hashlib.sha256(content).hexdigest() != expected:
        raise SyncError(ErrorCode.DOCUMENT_FORMAT)
    documents.seal(io.BytesIO(content), local_file_id(item))


class Downloader:
    """Fetches the bytes of the documents this device should keep and does not hold yet."""

    def __init__(
        self,
        documents: Documents,
        transport: ContentTransport,
        choice: OfflineChoice,
        refused: set[str] | None = None,
    ) -> None:
        self.documents, self.transport, self.choice = documents, transport, choice
        # Documents the server would not give (gone, or a file it found altered, which alerts the
        # holder each time it is asked): not asked again by the next runs of this session.
        self.refused = refused if refused is not None else set()

    def missing(self) -> list[Item]:
        """The documents to fetch, newest first (the ones a person most likely opens)."""
        store = self.documents.store
        folder_of = {i: name for name, ids in read_folders(store).items() for i in ids}
        items: Iterable[Item] = store.items("document")
        wanted = [
            i
            for i in items
            if self.choice.keeps(i.data, folder_of.get(i.id, ""))
            and i.id not in self.refused
            and not self.documents.path(local_file_id(i)).exists()
        ]
        return sorted(wanted, key=lambda i: str(i.data.get("date") or ""), reverse=True)

    def run(
        self, on_progress: DownloadProgress | None = None, stop: Callable[[], bool] = lambda: False
    ) -> int:
        """Fetch every missing document, one after the other; returns how many were kept. A
        network error ends the run (what is done stays done); a document the server does not
        give (deleted, or its bytes refused) is left in `refused`, not asked again."""
        todo = self.missing()
        done = 0
        for item in todo:
            if stop():
                break
            try:
                keep_fetched(self.documents, item, self.transport.document_content(item.id))
            except SyncError as err:
                if err.code in (ErrorCode.NETWORK, ErrorCode.AUTH_REQUIRED, ErrorCode.SESSION_EXPIRED):
                    raise
                self.refused.add(item.id)
                continue
            done += 1
            if on_progress:
                on_progress(done, len(todo))
        return done
