"""Loader of the translations in `assets/i18n/<lang>/*.json`: French first, English too.

Each area of the product keeps its words in its own file (core.json, profile.json...); a key
may live in one file only, so two files never disagree."""

import json
from functools import cache
from pathlib import Path
from typing import Any

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language, read once."""
    data: dict[str, str] = {}
    for path in sorted((ASSETS_DIR / "i18n" / lang).glob("*.json")):
        part: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        twice = data.keys() & part.keys()
        if twice:
            raise ValueError(f"{path.name} repeats keys of another file: {sorted(twice)[:5]}")
        data.update(part)
    return data


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **params: Any) -> str:
    """The message for `key` in `lang`, falling back to French, then to the key itself."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    return text.format(**params) if params else text
