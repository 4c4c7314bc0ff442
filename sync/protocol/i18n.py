"""Loader of the translations in `assets/i18n/<lang>/*.json`: French first, English too.

Each area of the product keeps its words in its own file (core.json, profile.json...); a key
may live in one file only, so two files never disagree.

Messages are ICU MessageFormat (`sync/protocol/message_format.py`): numbers agree through
`{count, plural, ...}`, and words that agree with the reader's gender through
`{sex, select, female {Vous êtes majeure} other {Vous êtes majeur}}`, where `sex` is one of
SEXES or "" (unknown: the `other` case)."""

import json
from datetime import date, datetime, tzinfo
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_time

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


def long_day_text(day: date, lang: str = DEFAULT_LANGUAGE) -> str:
    """A day written out, as letters, e-mails and share pages print it for their reader:
    7 décembre 2026 (fr), 7 December 2026 (en)."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    if lang == "fr" and day.day == 1:  # the first of the month is written 1er in French
        return "1er " + format_date(day, "MMMM y", locale=lang)
    return format_date(day, "d MMMM y", locale=lang)


def moment_text(at: datetime, tz: tzinfo, lang: str = DEFAULT_LANGUAGE) -> str:
    """A moment in the reader's zone, written out: 7 décembre 2026 à 14:30."""
    local = at.astimezone(tz)
    clock = format_time(local, "HH:mm", locale=lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    return translate("ui.datetime", lang, date=long_day_text(local.date(), lang), time=clock)
