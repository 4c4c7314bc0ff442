"""Measurement rules shared by the app and the server: units, refused and unusual values, BMI.

A value outside the refusal range is impossible (1,000 kg, a negative height): refused with a
clear message. A value outside the usual range is possible but rare: the app asks the person to
confirm it before saving. BMI is derived, never stored.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sync.protocol.errors import ErrorCode
from sync.protocol.reference import load_reference


class Verdict(StrEnum):
    """What to do with a typed value."""

    OK = "ok"
    CONFIRM = "confirm"  # unusual: ask "are you sure?"
    REFUSE = "refuse"  # impossible


@dataclass(frozen=True)
class Check:
    """The verdict and the message key that explains it (empty when OK)."""

    verdict: Verdict
    message: str = ""  # an ErrorCode value when refused, a UI prompt key when to confirm
    params: dict[str, Any] | None = None


def kinds() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = load_reference("measurements.json")["kinds"]
    return found


def _one(value: float, spec: dict[str, Any], unit: str) -> Check:
    if not spec["refuse_below"] <= value <= spec["refuse_above"]:
        return Check(
            Verdict.REFUSE,
            "error.measure.impossible",
            {"low": spec["refuse_below"], "high": spec["refuse_above"], "unit": unit},
        )
    if not spec["usual_min"] <= value <= spec["usual_max"]:
        return Check(Verdict.CONFIRM, "ui.measure.unusual", {"value": value, "unit": unit})
    return Check(Verdict.OK)


def check(kind: str, value: float, second: float | None = None) -> Check:
    """Judge a reading; blood pressure takes the diastolic value as `second`."""
    spec = kinds().get(kind)
    if spec is None:
        return Check(Verdict.REFUSE, ErrorCode.MEASURE_KIND.value)
    first = _one(value, spec, spec["unit"])
    if "second" not in spec or first.verdict == Verdict.REFUSE:
        return first
    if second is None:
        return Check(Verdict.REFUSE, ErrorCode.MEASURE_DIASTOLIC_MISSING.value)
    other = _one(second, spec["second"], spec["unit"])
    if other.verdict == Verdict.REFUSE:
        return other
    if second >= value:
        return Check(Verdict.REFUSE, ErrorCode.MEASURE_PRESSURE_ORDER.value)
    return first if first.verdict == Verdict.CONFIRM else other


def bmi(weight_kg: float, height_cm: float) -> float:
    """Body-mass index, rounded to one decimal: weight / height² (height in metres)."""
    metres = height_cm / 100
    return round(weight_kg / (metres * metres), 1)
