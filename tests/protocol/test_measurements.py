"""Measurement ranges, the blood-pressure pair, and the derived BMI."""

import pytest

from sync.protocol.measurements import Verdict, bmi, check, kinds


@pytest.mark.parametrize(
    ("kind", "value", "second", "verdict"),
    [
        ("weight", 72.5, None, Verdict.OK),
        ("weight", 1000, None, Verdict.REFUSE),
        ("weight", -3, None, Verdict.REFUSE),
        ("weight", 260, None, Verdict.CONFIRM),
        ("weight", 1.2, None, Verdict.CONFIRM),  # a premature newborn: possible, rare
        ("height", -170, None, Verdict.REFUSE),
        ("height", 175, None, Verdict.OK),
        ("height", 240, None, Verdict.CONFIRM),
        ("blood_pressure", 125, 80, Verdict.OK),
        ("blood_pressure", 80, 125, Verdict.REFUSE),  # diastolic above systolic
        ("blood_pressure", 125, None, Verdict.REFUSE),
        ("blood_pressure", 220, 110, Verdict.CONFIRM),
        ("blood_pressure", 400, 80, Verdict.REFUSE),
        ("heart_rate", 62, None, Verdict.OK),
        ("heart_rate", 190, None, Verdict.CONFIRM),
        ("heart_rate", 0, None, Verdict.REFUSE),
        ("blood_glucose", 1.05, None, Verdict.OK),
        ("blood_glucose", 4.2, None, Verdict.CONFIRM),
        ("temperature", 37.2, None, Verdict.OK),
        ("temperature", 41, None, Verdict.CONFIRM),
        ("temperature", 50, None, Verdict.REFUSE),
        ("waist", 88, None, Verdict.OK),
        ("unknown", 1, None, Verdict.REFUSE),
    ],
)
def test_ranges(kind: str, value: float, second: float | None, verdict: Verdict) -> None:
    result = check(kind, value, second)
    assert result.verdict == verdict
    assert bool(result.message) == (verdict != Verdict.OK)


def test_every_kind_is_consistent() -> None:
    for code, spec in kinds().items():
        assert spec["refuse_below"] < spec["usual_min"] < spec["usual_max"] < spec["refuse_above"], code
        assert spec["fr"] and spec["en"] and spec["unit"]


def test_bmi() -> None:
    assert bmi(70, 175) == 22.9
    assert bmi(95, 180) == 29.3
