"""The holder's own document folders (issue #17), kept as one record of the synced "setting"
collection, `{"kind": "document_folders", "folders": {name: [document ids]}}`, so every device of
the person sees them; a document is in one folder at most. The app files documents with them and
the background download keeps the folders the holder chose to keep offline."""

from sync.store import Item, Store

__all__ = ["FOLDERS", "folders_item", "read_folders", "write_folders"]

FOLDERS = "document_folders"


def folders_item(store: Store) -> Item | None:
    return next((i for i in store.items("setting") if i.data.get("kind") == FOLDERS), None)


def read_folders(store: Store) -> dict[str, list[str]]:
    """The folders by name: name -> ids of the documents filed there."""
    item = folders_item(store)
    found = item.data.get("folders") if item is not None else None
    if not isinstance(found, dict):
        return {}
    return {str(k): [str(i) for i in v] for k, v in sorted(found.items()) if isinstance(v, list)}


def write_folders(store: Store, folders: dict[str, list[str]]) -> None:
    item = folders_item(store)
    data = {"kind": FOLDERS, "folders": folders}
    store.put("setting", data, record_id=item.id if item is not None else None)
