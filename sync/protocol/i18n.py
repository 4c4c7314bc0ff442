"""Loader of the translations in `assets/i18n/<lang>/*.json`: French first, English too.

Each area of the product keeps its words in its own file (core.json, profile.json...); a key
may live in one file only, so two files never disagree.

Words that agree with the reader's gender ("Vous êtes majeure") have a variant key: the key
followed by `.female` or `.male` (SEXES), in every language like any key (English usually repeats
the plain text); `translate(..., sex=...)` takes the variant when there is one, the plain key
otherwise. The plain key is the text for a reader whose sex is unknown."""

import json
from functools import cache
from pathlib import Path
from typing import Any

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
SEXES = ("female", "male")  # as `Holder.sex` and `Me.sex` hold them (from the NIR's first digit)


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


def variant_of(key: str) -> str | None:
    """The plain key a gendered variant belongs to ("a.b.female" -> "a.b"), None for a plain key."""
    base, _, suffix = key.rpartition(".")
    return base if suffix in SEXES and base else None


def translate(key: str, lang: str = DEFAULT_LANGUAGE, *, sex: str = "", **params: Any) -> str:
    """The message for `key` in `lang` (its variant for the reader's `sex` when the language has
    one), falling back to French, then to the key itself."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    keys = ([f"{key}.{sex}"] if sex in SEXES else []) + [key]
    text = next(
        (found for code in (lang, DEFAULT_LANGUAGE) for k in keys if (found := catalogue(code).get(k))),
        key,
    )
    return text.format(**params) if params else text
