"""The one message format of every text (app, letters, PDFs, share pages): ICU MessageFormat's
plain, plural and select arguments, with the CLDR plural rules of Babel.

    "{count, plural, one {# document partagé} other {# documents partagés}}"
    "{sex, select, female {Vous êtes majeure} other {Vous êtes majeur}}"
    "Bonjour {first_name}"

Why ICU's syntax: translators know it, and it says plural and gender inside one message, so French
agrees ("1 rappel", "0 rappel", "2 rappels") where English has its own rule. A plural case is
`=N` (that exact number) or a CLDR category (`one`, `many`, `other`...); `#` is the number.
`other` is required and is taken when no case matches (an unknown sex, a category the language has
but the message does not spell out). Unlike full ICU, an apostrophe is always a plain letter
(French has many, and no message needs to quote a brace).
"""

from collections.abc import Mapping
from functools import cache
from typing import Any

from babel import Locale
from babel.numbers import format_decimal

__all__ = ["MessageError", "arguments", "format_message"]


class MessageError(ValueError):
    """A message whose braces or cases are malformed: a bug in a translation file."""


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def _skip_blanks(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _block(text: str, i: int) -> int:
    """The index just after the `}` closing the `{` at `i` (nested braces counted)."""
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j + 1
    raise MessageError(f"unclosed brace in {text!r}")


def _cases(body: str) -> dict[str, str]:
    """`one {…} other {…}` -> {"one": "…", "other": "…"}."""
    cases: dict[str, str] = {}
    i = _skip_blanks(body, 0)
    while i < len(body):
        start = i
        while i < len(body) and not body[i].isspace() and body[i] != "{":
            i += 1
        name = body[start:i]
        i = _skip_blanks(body, i)
        if not name or i >= len(body) or body[i] != "{":
            raise MessageError(f"a case needs a name and a message: {body!r}")
        end = _block(body, i)
        cases[name] = body[i + 1 : end - 1]
        i = _skip_blanks(body, end)
    if "other" not in cases:
        raise MessageError(f"no 'other' case in {body!r}")
    return cases


def _split(argument: str) -> tuple[str, str, str]:
    """`count, plural, one {…}` -> ("count", "plural", "one {…}"); `name` -> ("name", "", "")."""
    parts = argument.split(",", 2)
    name = parts[0].strip()
    kind = parts[1].strip() if len(parts) > 1 else ""
    if kind not in ("", "plural", "select") or (kind and len(parts) < 3):
        raise MessageError(f"unknown argument {argument!r}")
    return name, kind, parts[2] if kind else ""


def _number(value: Any, lang: str) -> str:
    return format_decimal(value, locale=_locale(lang)) if isinstance(value, int | float) else str(value)


def _render(text: str, lang: str, params: Mapping[str, Any], missing: str | None, count: Any) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "#" and count is not None:
            out.append(_number(count, lang))
            i += 1
        elif char == "{":
            end = _block(text, i)
            name, kind, body = _split(text[i + 1 : end - 1])
            if name not in params and missing is None:
                raise KeyError(name)
            value = params.get(name)
            if name not in params:
                out.append(missing or "")
            elif kind == "plural":
                out.append(_plural(body, value, lang, params, missing))
            elif kind == "select":
                cases = _cases(body)
                chosen = cases.get(str(value), cases["other"])
                out.append(_render(chosen, lang, params, missing, count))
            else:
                out.append(str(value))
            i = end
        elif char == "}":
            raise MessageError(f"a closing brace without its opening one in {text!r}")
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _plural(body: str, value: Any, lang: str, params: Mapping[str, Any], missing: str | None) -> str:
    cases = _cases(body)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return _render(cases["other"], lang, params, missing, value)
    exact = f"={int(number)}" if number.is_integer() else ""
    category = _locale(lang).plural_form(abs(int(number)) if number.is_integer() else abs(number))
    chosen = cases.get(exact) or cases.get(category) or cases["other"]
    return _render(chosen, lang, params, missing, value)


def format_message(pattern: str, lang: str, params: Mapping[str, Any], *, missing: str | None = None) -> str:
    """The message with its arguments filled in for `lang`'s grammar. An argument not given raises
    KeyError, or shows as `missing` when one is given (a screen never fails on a word)."""
    if "{" not in pattern and "}" not in pattern:
        return pattern
    return _render(pattern, lang, params, missing, None)


def arguments(pattern: str) -> set[str]:
    """The names of the arguments a message uses, in its cases too (to check two translations)."""
    found: set[str] = set()
    i = 0
    while (i := pattern.find("{", i)) != -1:
        end = _block(pattern, i)
        name, kind, body = _split(pattern[i + 1 : end - 1])
        found.add(name)
        if kind:
            for case in _cases(body).values():
                found |= arguments(case)
        i = end
    return found
