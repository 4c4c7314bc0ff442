"""Loaders of the reference data in `assets/reference/`: document types and the access matrix
(document types and profile sections each profession reads)."""

import json
from functools import cache
from typing import Any

from sync.protocol.i18n import ASSETS_DIR

ALL_TYPES = "*"


@cache
def load_reference(name: str) -> dict[str, Any]:
    """One file of `assets/reference/`, read once."""
    data: dict[str, Any] = json.loads((ASSETS_DIR / "reference" / name).read_text(encoding="utf-8"))
    return data


def document_types() -> list[dict[str, Any]]:
    """Every document type: code, French and English labels, whether the holder may pick it."""
    types: list[dict[str, Any]] = load_reference("document_types.json")["types"]
    return types


def document_categories() -> list[dict[str, Any]]:
    """The headings of the document list (code, French and English labels), in order."""
    found: list[dict[str, Any]] = load_reference("document_types.json")["categories"]
    return found


def document_category(type_code: str) -> str:
    """The category a document type is filed under ("other" for a type not listed)."""
    return next((str(t["category"]) for t in document_types() if t["code"] == type_code), "other")


def document_type_codes() -> frozenset[str]:
    return frozenset(t["code"] for t in document_types())


def professions() -> dict[str, dict[str, Any]]:
    """Profession code -> labels and readable types."""
    found: dict[str, dict[str, Any]] = load_reference("access_matrix.json")["professions"]
    return found


def readable_types(profession: str, specialty: str = "") -> frozenset[str]:
    """The document types a profession (and specialty) may read; empty for an unknown one."""
    matrix = load_reference("access_matrix.json")
    entry = matrix["specialties"].get(f"{profession}/{specialty}") or matrix["professions"].get(profession)
    if entry is None:
        return frozenset()
    types = frozenset(entry["types"])
    return document_type_codes() if ALL_TYPES in types else types


def profile_sections() -> tuple[str, ...]:
    """The sections of the medical profile a professional may ever be given ('measurement' included)."""
    return tuple(load_reference("access_matrix.json")["profile_sections"])


def shared_by_default() -> frozenset[str]:
    """The profile sections professionals may read until the holder chooses otherwise."""
    return frozenset(load_reference("access_matrix.json")["shared_by_default"])


def shared_sections(choices: dict[str, bool]) -> frozenset[str]:
    """The sections the holder shares: their choices, the defaults for the rest."""
    return frozenset(s for s in profile_sections() if choices.get(s, s in shared_by_default()))


def readable_sections(profession: str, specialty: str = "") -> frozenset[str]:
    """The profile sections a profession (and specialty) may read; never the holder's personal notes."""
    matrix = load_reference("access_matrix.json")
    entry = matrix["specialties"].get(f"{profession}/{specialty}") or matrix["professions"].get(profession)
    if entry is None:
        return frozenset()
    sections = frozenset(entry.get("profile", []))
    found = frozenset(profile_sections()) if ALL_TYPES in sections else sections
    return found - frozenset(matrix["personal_sections"])
