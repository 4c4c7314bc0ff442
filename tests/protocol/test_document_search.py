"""Searching the record's documents by title, type, date and author (issue #17)."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sync.protocol.document_search import DocumentQuery, search_documents


@dataclass(frozen=True)
class Doc:
    id: str
    author: str
    data: dict[str, Any] = field(default_factory=dict)


DOCS = [
    Doc("d1", "holder", {"title": "Radio du genou", "type": "imaging_report", "date": "2026-03-02"}),
    Doc(
        "d2",
        "professional:p1",
        {
            "title": "Ordonnance Levothyrox",
            "type": "prescription",
            "date": "2026-05-10",
            "author_name": "Claire Dubois",
            "author_profession": "doctor",
        },
    ),
    Doc(
        "d3",
        "holder",
        {
            "title": "ordonnance",
            "type": "prescription",
            "date": "2025-11-20",
            "author_name": "Hélène Écuyer",
            "author_profession": "midwife",
            "from_message": "m1",
        },
    ),
    Doc("d4", "holder", {"title": "Compte rendu d'hôpital", "type": "hospital_report", "date": "2024-01-15"}),
]


def ids(query: DocumentQuery, lang: str = "fr") -> list[str]:
    return [d.id for d in search_documents(DOCS, query, lang)]


def test_everything_newest_first_without_criteria() -> None:
    assert ids(DocumentQuery()) == ["d2", "d1", "d3", "d4"]


def test_words_in_the_title_the_type_label_or_the_author_without_case_or_accents() -> None:
    assert ids(DocumentQuery(words="HOPITAL")) == ["d4"]
    assert ids(DocumentQuery(words="ordonnance")) == ["d2", "d3"]  # titles, and the type's label
    assert ids(DocumentQuery(words="medicaments")) == ["d2", "d3"]  # "Ordonnance de médicaments"
    assert ids(DocumentQuery(words="prescription"), "en") == ["d2", "d3"]
    assert ids(DocumentQuery(words="dubois levothyrox")) == ["d2"]  # every word
    assert ids(DocumentQuery(words="genou hopital")) == []


def test_type_date_and_author_filters() -> None:
    assert ids(DocumentQuery(types=frozenset({"prescription", "imaging_report"}))) == ["d2", "d1", "d3"]
    assert ids(DocumentQuery(since=date(2025, 11, 20), until=date(2026, 3, 2))) == ["d1", "d3"]
    assert ids(DocumentQuery(author="ecuyer")) == ["d3"]
    assert ids(DocumentQuery(author="sage-femme")) == ["d3"]  # the profession's label
    assert ids(DocumentQuery(author="doctor"), "en") == ["d2"]
    assert ids(DocumentQuery(mine=True)) == ["d1", "d3", "d4"]
    assert ids(DocumentQuery(mine=False)) == ["d2"]
    assert ids(DocumentQuery(words="ordonnance", mine=True, since=date(2025, 1, 1))) == ["d3"]


def test_a_document_without_a_date_is_left_out_of_a_date_range_only() -> None:
    undated = [*DOCS, Doc("d5", "holder", {"title": "Carnet", "type": "other"})]
    assert [d.id for d in search_documents(undated, DocumentQuery(words="carnet"))] == ["d5"]
    assert [d.id for d in search_documents(undated, DocumentQuery(since=date(2000, 1, 1)))] == [
        "d2",
        "d1",
        "d3",
        "d4",
    ]
