"""Every rule of the medical profile's entries, as the app and the server both apply them."""

from datetime import date

import pytest

from sync.protocol.errors import ErrorCode
from sync.protocol.profile import (
    DONATION_CHOICES,
    LIST_SECTIONS,
    MAX_NOTES,
    MAX_TEXT,
    check,
    clean,
    fields_of,
    first_error,
    vaccine_codes,
    vaccines,
)

TODAY = date(2026, 11, 24)


def errors(**data: object) -> dict[str, str]:
    return check(dict(data), TODAY)


def test_vaccines_reference_has_the_codes_and_both_labels() -> None:
    expected = {
        "dtp", "dtcap", "hexavalent", "pneumococcus", "meningococcus_c", "meningococcus_b",
        "meningococcus_acwy", "mmr", "hpv", "influenza", "covid19", "hepatitis_b", "zoster", "rsv",
        "bcg", "other",
    }  # fmt: skip
    assert vaccine_codes() == expected
    assert all(v["fr"] and v["en"] for v in vaccines())
    assert "ROR" in next(v["fr"] for v in vaccines() if v["code"] == "mmr")


def test_unknown_or_missing_section_is_refused() -> None:
    assert errors(name="x") == {"section": ErrorCode.PROFILE_SECTION}
    assert errors(section="horoscope") == {"section": ErrorCode.PROFILE_SECTION}
    assert errors(section=["illness"]) == {"section": ErrorCode.PROFILE_SECTION}


@pytest.mark.parametrize(
    ("section", "required"),
    [
        ("illness", {"name", "status"}),
        ("treatment", {"name"}),
        ("allergy", {"substance"}),
        ("vaccination", {"vaccine", "date"}),
        ("family_history", {"relative", "condition"}),
        ("note", {"title"}),
        ("wishes", set()),
        ("contact", {"name", "relation", "phone"}),
    ],
)
def test_required_fields_per_section(section: str, required: set[str]) -> None:
    assert errors(section=section) == dict.fromkeys(required, ErrorCode.PROFILE_REQUIRED)
    blank = {name: "   " for name in required}
    assert errors(section=section, **blank) == dict.fromkeys(required, ErrorCode.PROFILE_REQUIRED)


def test_illness_status_and_dates() -> None:
    ok = {"section": "illness", "name": "Asthme", "status": "current", "since": "2010-03-01"}
    assert check(ok, TODAY) == {}
    assert check(ok | {"status": "past", "until": "2012-01-01"}, TODAY) == {}
    assert check(ok | {"status": "cured"}, TODAY) == {"status": ErrorCode.PROFILE_CHOICE}
    assert check(ok | {"since": "01/03/2010"}, TODAY) == {"since": ErrorCode.PROFILE_DATE}
    assert check(ok | {"since": "2010-02-30"}, TODAY) == {"since": ErrorCode.PROFILE_DATE}
    assert check(ok | {"until": "2009-12-31"}, TODAY) == {"until": ErrorCode.PROFILE_UNTIL_BEFORE_SINCE}
    assert check(ok | {"until": "2010-03-01"}, TODAY) == {}  # the same day is fine


def test_treatment_dates_and_dose() -> None:
    ok = {"section": "treatment", "name": "Levothyrox", "dose": "75 µg le matin"}
    assert check(ok, TODAY) == {}
    assert check(ok | {"since": "2024-05-01", "until": "2024-04-30"}, TODAY) == {
        "until": ErrorCode.PROFILE_UNTIL_BEFORE_SINCE
    }
    assert check(ok | {"until": "later"}, TODAY) == {"until": ErrorCode.PROFILE_DATE}
    assert check(ok | {"dose": "x" * (MAX_TEXT + 1)}, TODAY) == {"dose": ErrorCode.PROFILE_TOO_LONG}


def test_allergy_severity_choices() -> None:
    ok = {"section": "allergy", "substance": "Pénicilline", "reaction": "Urticaire"}
    for severity in ("mild", "moderate", "severe", "life_threatening"):
        assert check(ok | {"severity": severity}, TODAY) == {}
    assert check(ok | {"severity": "deadly"}, TODAY) == {"severity": ErrorCode.PROFILE_CHOICE}


def test_vaccination_vaccine_code_and_date_not_in_the_future() -> None:
    ok = {"section": "vaccination", "vaccine": "dtp", "date": "2026-11-24", "batch": "A12", "by_whom": "Dr X"}
    assert check(ok, TODAY) == {}
    assert check(ok | {"vaccine": "ebola"}, TODAY) == {"vaccine": ErrorCode.PROFILE_VACCINE}
    assert check(ok | {"date": "2026-11-25"}, TODAY) == {"date": ErrorCode.PROFILE_FUTURE}
    assert check(ok | {"date": "24/11/2026"}, TODAY) == {"date": ErrorCode.PROFILE_DATE}


def test_family_history_relatives() -> None:
    ok = {"section": "family_history", "relative": "mother", "condition": "Diabète"}
    for relative in ("mother", "father", "sibling", "grandparent", "child", "other"):
        assert check(ok | {"relative": relative}, TODAY) == {}
    assert check(ok | {"relative": "neighbour"}, TODAY) == {"relative": ErrorCode.PROFILE_CHOICE}


def test_notes_free_text_limit_and_type() -> None:
    ok = {"section": "note", "title": "Régime", "notes": "Sans gluten"}
    assert check(ok, TODAY) == {}
    assert check(ok | {"notes": "x" * (MAX_NOTES + 1)}, TODAY) == {"notes": ErrorCode.PROFILE_TOO_LONG}
    assert check(ok | {"notes": 3}, TODAY) == {"notes": ErrorCode.PROFILE_TOO_LONG}
    assert check(ok | {"title": 42}, TODAY) == {"title": ErrorCode.REQUEST_INVALID}


def test_wishes_donation_choices_and_trusted_phone() -> None:
    for choice in DONATION_CHOICES:
        assert errors(section="wishes", donation=choice) == {}
    assert errors(section="wishes", donation="maybe") == {"donation": ErrorCode.PROFILE_CHOICE}
    assert errors(section="wishes", trusted_name="Léa", trusted_phone="06 12 34 56 78") == {}
    assert errors(section="wishes", trusted_phone="12") == {"trusted_phone": ErrorCode.PHONE_INVALID}
    assert errors(section="wishes", directives="x" * (MAX_NOTES + 1)) == {
        "directives": ErrorCode.PROFILE_TOO_LONG
    }


def test_contact_phone_is_checked_and_normalised() -> None:
    ok = {"section": "contact", "name": "Léa Martin", "relation": "Sœur", "phone": "06 12 34 56 78"}
    assert check(ok, TODAY) == {}
    assert check(ok | {"phone": "0612"}, TODAY) == {"phone": ErrorCode.PHONE_INVALID}
    assert clean(ok)["phone"] == "+33612345678"


def test_clean_keeps_known_fields_trimmed_and_drops_empty_ones() -> None:
    data = {"section": "allergy", "substance": " Arachide ", "reaction": "", "evil": "x", "notes": "  "}
    assert clean(data) == {"section": "allergy", "substance": "Arachide"}
    assert clean({"section": "note", "title": "T", "notes": " texte "}) == {
        "section": "note",
        "title": "T",
        "notes": "texte",
    }


def test_first_error_is_what_the_server_answers() -> None:
    assert first_error({"section": "allergy", "substance": "Latex"}, TODAY) is None
    assert first_error({"section": "allergy"}, TODAY) == ErrorCode.PROFILE_REQUIRED


def test_every_list_section_has_fields_and_messages_exist() -> None:
    from sync.protocol.i18n import catalogue

    for section in LIST_SECTIONS:
        assert fields_of(section)
    for code in ErrorCode:
        if code.value.startswith("error.profile."):
            assert code.value in catalogue("fr") and code.value in catalogue("en")
