"""Rules of the medical profile's entries, shared by the app (form checks) and the server (push).

Every entry is one record of the collection "profile_entry" whose data is
`{"section": ..., <fields>..., "notes": ...}`. The six lists of the profile (illnesses,
treatments, allergies, vaccinations, family history, notes), the emergency part (the holder's
wishes: organ donation, advance directives, trusted person; relatives to notify), the record's
facts of issue #17 (blood group, hospital stays, disabilities and their accommodations) and the
lifestyle habits (tobacco, alcohol as the three AUDIT-C questions, physical activity, diet,
sleep) are sections of it. `check` answers, per field, the i18n key of what is wrong, so the app shows each
message under its field and the server refuses the same things with the same words.

Dates travel as ISO days (YYYY-MM-DD); the app turns what the person typed (dd/mm/yyyy) into
that before checking.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sync.protocol.errors import ErrorCode
from sync.protocol.identifiers import InvalidIdentifier, normalize_phone
from sync.protocol.reference import load_reference

__all__ = [
    "DONATION_CHOICES",
    "EMERGENCY_SECTIONS",
    "LIFESTYLE_SECTIONS",
    "LIST_SECTIONS",
    "RECORD_SECTIONS",
    "MAX_NOTES",
    "MAX_TEXT",
    "SECTIONS",
    "Field",
    "audit_c_score",
    "check",
    "clean",
    "fields_of",
    "first_error",
    "vaccine_codes",
    "vaccines",
]

MAX_TEXT = 200  # a name, a dose, a substance: one line
MAX_NOTES = 5000  # free text (notes, advance directives)

# The lists of the profile, in the order of the hub.
LIST_SECTIONS: tuple[str, ...] = ("illness", "treatment", "allergy", "vaccination", "family_history", "note")
# The emergency part: one "wishes" record, and one "contact" record per relative to notify.
EMERGENCY_SECTIONS: tuple[str, ...] = ("wishes", "contact")
# Facts of the record the national app also keeps (issue #17).
RECORD_SECTIONS: tuple[str, ...] = ("blood_group", "hospital_stay", "disability")
# Lifestyle habits, one entry per habit (the latest tells where the person stands).
LIFESTYLE_SECTIONS: tuple[str, ...] = ("tobacco", "alcohol", "physical_activity", "diet", "sleep")
SECTIONS: tuple[str, ...] = LIST_SECTIONS + EMERGENCY_SECTIONS + RECORD_SECTIONS + LIFESTYLE_SECTIONS

# In France everyone is presumed a donor (presumed consent) unless registered on the national
# refusal register; the holder may confirm it, refuse all or some organs and tissues, or not say.
DONATION_CHOICES: tuple[str, ...] = ("unset", "donor", "refuse_some", "refuse_all")
RELATIVES: tuple[str, ...] = ("mother", "father", "sibling", "grandparent", "child", "other")
# The AUDIT-C questions (WHO AUDIT, questions 1 to 3), each answer worth 0 to 4 points in order.
ALCOHOL_FREQUENCY = (
    "never",
    "monthly_or_less",
    "two_to_four_a_month",
    "two_to_three_a_week",
    "four_or_more_a_week",
)
ALCOHOL_DRINKS = ("one_or_two", "three_or_four", "five_or_six", "seven_to_nine", "ten_or_more")
ALCOHOL_SIX_OR_MORE = ("never", "less_than_monthly", "monthly", "weekly", "daily")


@dataclass(frozen=True)
class Field:
    """One field of a section: its kind drives the check and the form's control."""

    name: str
    kind: str  # text | long_text | date | past_date | choice | vaccine | phone | number
    required: bool = False
    choices: tuple[str, ...] = ()
    low: float = 0  # a number's range, and its decimals (0: a whole number)
    high: float = 0
    decimals: int = 0


_FIELDS: dict[str, tuple[Field, ...]] = {
    "illness": (
        Field("name", "text", required=True),
        Field("status", "choice", required=True, choices=("current", "past")),
        Field("since", "date"),
        Field("until", "date"),
    ),
    "treatment": (
        Field("name", "text", required=True),
        Field("dose", "text"),
        Field("since", "date"),
        Field("until", "date"),
    ),
    "allergy": (
        Field("substance", "text", required=True),
        Field("reaction", "text"),
        Field("severity", "choice", choices=("mild", "moderate", "severe", "life_threatening")),
    ),
    "vaccination": (
        Field("vaccine", "vaccine", required=True),
        Field("date", "past_date", required=True),
        Field("batch", "text"),
        Field("by_whom", "text"),
    ),
    "family_history": (
        Field("relative", "choice", required=True, choices=RELATIVES),
        Field("condition", "text", required=True),
    ),
    "note": (Field("title", "text", required=True),),
    "wishes": (
        Field("donation", "choice", choices=DONATION_CHOICES),
        Field("donation_details", "long_text"),
        Field("directives", "long_text"),
        Field("directives_document", "text"),
        Field("trusted_name", "text"),
        Field("trusted_phone", "phone"),
    ),
    "contact": (
        Field("name", "text", required=True),
        Field("relation", "text", required=True),
        Field("phone", "phone", required=True),
    ),
    "blood_group": (
        Field("abo", "choice", required=True, choices=("A", "B", "AB", "O")),
        Field("rh", "choice", required=True, choices=("positive", "negative")),
        Field("date", "past_date"),  # when it was determined (the blood group card's date)
    ),
    "hospital_stay": (
        Field("place", "text", required=True),
        Field("reason", "text", required=True),
        Field("since", "date", required=True),
        Field("until", "date"),
    ),
    "disability": (
        Field("name", "text", required=True),
        Field("nature", "choice", choices=("motor", "visual", "hearing", "cognitive", "psychic", "other")),
        Field("accommodations", "long_text"),  # what helps: access, communication, care
        Field("since", "date"),
    ),
    "tobacco": (
        Field("smoking", "choice", required=True, choices=("never", "former", "occasional", "daily")),
        Field("per_day", "number", low=0, high=200),  # cigarettes (or equivalents) a day
        Field("since", "date"),
        Field("until", "date"),  # the day they stopped
    ),
    "alcohol": (
        Field("frequency", "choice", required=True, choices=ALCOHOL_FREQUENCY),
        Field("drinks", "choice", choices=ALCOHOL_DRINKS),
        Field("six_or_more", "choice", choices=ALCOHOL_SIX_OR_MORE),
    ),
    "physical_activity": (
        Field("days_per_week", "number", required=True, low=0, high=7),
        Field("minutes_per_day", "number", low=0, high=1440),
        Field("activities", "text"),
    ),
    "diet": (
        Field(
            "diet",
            "choice",
            required=True,
            choices=(
                "varied",
                "vegetarian",
                "vegan",
                "no_pork",
                "gluten_free",
                "low_salt",
                "diabetic",
                "other",
            ),
        ),
        Field("details", "text"),
    ),
    "sleep": (
        Field("hours", "number", required=True, low=0, high=24, decimals=1),
        Field("quality", "choice", choices=("good", "fair", "poor")),
    ),
}


def fields_of(section: str) -> tuple[Field, ...]:
    """The fields of a section (without the free-text "notes" every entry may have)."""
    return _FIELDS.get(section, ())


def vaccines() -> list[dict[str, str]]:
    """The vaccines of `assets/reference/vaccines.json`: code, French and English labels."""
    found: list[dict[str, str]] = load_reference("vaccines.json")["vaccines"]
    return found


def vaccine_codes() -> frozenset[str]:
    return frozenset(v["code"] for v in vaccines())


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def number(spec: Field, value: str) -> float | None:
    """A number as typed ("7,5" or "7.5"), None when it is not one or is outside the field's range."""
    whole, _, decimals = value.replace(",", ".").partition(".")
    if not whole.isdigit() or (decimals and not (decimals.isdigit() and len(decimals) <= spec.decimals)):
        return None
    found = float(f"{whole}.{decimals or 0}")
    return found if spec.low <= found <= spec.high else None


def _check_field(spec: Field, value: str, today: date) -> str | None:
    """The error key of one non-empty value, or None."""
    if spec.kind in ("text", "vaccine", "choice") and len(value) > MAX_TEXT:
        return ErrorCode.PROFILE_TOO_LONG.value
    if spec.kind == "long_text" and len(value) > MAX_NOTES:
        return ErrorCode.PROFILE_TOO_LONG.value
    if spec.kind == "choice" and value not in spec.choices:
        return ErrorCode.PROFILE_CHOICE.value
    if spec.kind == "vaccine" and value not in vaccine_codes():
        return ErrorCode.PROFILE_VACCINE.value
    if spec.kind in ("date", "past_date"):
        day = _day(value)
        if day is None:
            return ErrorCode.PROFILE_DATE.value
        if spec.kind == "past_date" and day > today:
            return ErrorCode.PROFILE_FUTURE.value
    if spec.kind == "phone":
        try:
            normalize_phone(value)
        except InvalidIdentifier as exc:
            return str(exc.code)
    if spec.kind == "number" and number(spec, value) is None:
        return ErrorCode.PROFILE_NUMBER.value
    return None


def check(data: dict[str, Any], today: date) -> dict[str, str]:
    """Field name -> error key for everything wrong in an entry; empty when it may be saved."""
    section = data.get("section")
    if not isinstance(section, str) or section not in _FIELDS:
        return {"section": ErrorCode.PROFILE_SECTION.value}
    errors: dict[str, str] = {}
    for spec in fields_of(section):
        raw = data.get(spec.name)
        if raw is not None and not isinstance(raw, str):
            errors[spec.name] = ErrorCode.REQUEST_INVALID.value
            continue
        value = _text(data, spec.name)
        if not value:
            if spec.required:
                errors[spec.name] = ErrorCode.PROFILE_REQUIRED.value
            continue
        problem = _check_field(spec, value, today)
        if problem:
            errors[spec.name] = problem
    notes = data.get("notes")
    if notes is not None and (not isinstance(notes, str) or len(notes) > MAX_NOTES):
        errors["notes"] = ErrorCode.PROFILE_TOO_LONG.value
    since, until = _day(_text(data, "since")), _day(_text(data, "until"))
    if since and until and until < since and "until" not in errors:
        errors["until"] = ErrorCode.PROFILE_UNTIL_BEFORE_SINCE.value
    return errors


def first_error(data: dict[str, Any], today: date) -> str | None:
    """The first problem of an entry (what the server answers when it refuses a push)."""
    errors = check(data, today)
    return next(iter(errors.values()), None)


_NORMALIZE: dict[str, Callable[[str], str]] = {
    "phone": normalize_phone,
    "number": lambda v: v.replace(",", "."),
}


def clean(data: dict[str, Any]) -> dict[str, Any]:
    """The entry as stored: known fields only, trimmed, phones in international form, empty
    optional fields left out. Call it on an entry `check` accepted."""
    section = str(data["section"])
    out: dict[str, Any] = {"section": section}
    for spec in fields_of(section):
        value = _text(data, spec.name)
        if value:
            normalize = _NORMALIZE.get(spec.kind)
            out[spec.name] = normalize(value) if normalize else value
    notes = data.get("notes")
    if isinstance(notes, str) and notes.strip():
        out["notes"] = notes.strip()
    return out


def audit_c_score(data: dict[str, Any]) -> int | None:
    """The AUDIT-C score (0 to 12) of an "alcohol" entry, None until its three answers are given.

    Each answer is worth its place in the question's choices (0 to 4); "never" drinking answers
    the two others (0 each)."""
    answers = (
        (ALCOHOL_FREQUENCY, _text(data, "frequency")),
        (ALCOHOL_DRINKS, _text(data, "drinks")),
        (ALCOHOL_SIX_OR_MORE, _text(data, "six_or_more")),
    )
    if answers[0][1] == "never":
        return 0
    if any(value not in choices for choices, value in answers):
        return None
    return sum(choices.index(value) for choices, value in answers)
