"""Searching the documents of the record on the device: by words of the title, by type, by date and
by author (issue #17). Pure: the documents the device holds go in (the store's items: id, author,
data), those that match come out, newest first.

Words are matched without case or accents in the title, the description, the type's label (so
"ordonnance" finds a prescription) and the author's name and profession; every word must match.
A document the holder added is "mine" (`mine=True` keeps only those, `False` only the others).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sync.protocol.reference import document_types, professions
from sync.protocol.text import fold

__all__ = ["DocumentQuery", "search_documents"]

HOLDER = "holder"


class DocumentLike(Protocol):
    """What the search reads of a document record (the device store's `Item` is one)."""

    @property
    def id(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class DocumentQuery:
    words: str = ""
    types: frozenset[str] = field(default_factory=frozenset)  # document type codes ({} = any)
    since: date | None = None  # the document's date, both ends included
    until: date | None = None
    author: str = ""  # words of the author's name or profession
    mine: bool | None = None  # True: added by the holder; False: by someone else


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _label(entries: Mapping[str, Any] | None, lang: str) -> str:
    return str(entries.get(lang) or entries.get("fr") or "") if entries else ""


def _author_words(item: DocumentLike, lang: str) -> str:
    data = item.data
    profession = str(data.get("author_profession") or "")
    return fold(f"{data.get('author_name') or ''} {_label(professions().get(profession), lang)} {profession}")


def _matches(item: DocumentLike, query: DocumentQuery, lang: str, type_labels: Mapping[str, str]) -> bool:
    data = item.data
    mine = item.author == HOLDER
    if query.mine is not None and mine != query.mine:
        return False
    if query.types and str(data.get("type") or "other") not in query.types:
        return False
    day = _day(data.get("date"))
    if (query.since and (day is None or day < query.since)) or (
        query.until and (day is None or day > query.until)
    ):
        return False
    authors = _author_words(item, lang)
    if any(w not in authors for w in fold(query.author).split()):
        return False
    kind = type_labels.get(str(data.get("type") or "other"), "")
    words = fold(f"{data.get('title') or ''} {data.get('description') or ''} {kind}") + " " + authors
    return all(w in words for w in fold(query.words).split())


def search_documents(
    items: Iterable[DocumentLike], query: DocumentQuery, lang: str = "fr"
) -> list[DocumentLike]:
    """The documents that match every criterion of `query`, newest first (by their date)."""
    type_labels = {str(t["code"]): _label(t, lang) for t in document_types()}
    found = [i for i in items if _matches(i, query, lang, type_labels)]
    return sorted(found, key=lambda i: (str(i.data.get("date") or ""), i.id), reverse=True)
