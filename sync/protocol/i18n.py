"""Loader of the translations in `assets/i18n/<lang>/*.json`: French first, English too.

Each area of the product keeps its words in its own file (core.json, profile.json...); a key
may live in one file only, so two files never disagree.

Messages are ICU MessageFormat (`sync/protocol/message_format.py`): numbers agree through
`{count, plural, ...}`, and words that agree with the reader's gender through
`{sex, select, female {Vous êtes majeure} other {Vous êtes majeur}}`, where `sex` is one of
SEXES or "" (unknown: the `other` case)."""

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date

from sync.protocol.message_format import format_message

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


def translate(
    key: str, lang: str = DEFAULT_LANGUAGE, *, sex: str = "", missing: str | None = None, **params: Any
) -> str:
    """The message for `key` in `lang`, falling back to French, then to the key itself, its
    arguments filled in (an argument not given raises KeyError, or shows as `missing`)."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    return format_message(text, lang, params | {"sex": sex if sex in SEXES else ""}, missing=missing)


def day_text(day: date, lang: str = DEFAULT_LANGUAGE) -> str:
    """A day as the reader writes it: 07/12/2026 in French, 7 Dec 2026 in English; the one way the
    app, its PDF summary and the share pages write a day."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    return format_date(day, "dd/MM/y" if lang == "fr" else "d MMM y", locale=lang)
