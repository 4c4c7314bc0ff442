"""Every rule of the medical profile's entries, as the app and the server both apply them."""

from datetime import date

import pytest

from sync.protocol.errors import ErrorCode
from sync.protocol.profile import (
    DONATION_CHOICES,
    LIFESTYLE_SECTIONS,
    LIST_SECTIONS,
    MAX_NOTES,
    MAX_TEXT,
    RECORD_SECTIONS,
    SECTIONS,
    audit_c_score,
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
        ("blood_group", {"abo", "rh"}),
        ("hospital_stay", {"place", "reason", "since"}),
        ("disability", {"name"}),
        ("tobacco", {"smoking"}),
        ("alcohol", {"frequency"}),
        ("physical_activity", {"days_per_week"}),
        ("diet", {"diet"}),
        ("sleep", {"hours"}),
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


# --- issue #17: blood group, hospital stays, disabilities, lifestyle habits ------------------------


def test_blood_group_is_abo_and_rh() -> None:
    for abo in ("A", "B", "AB", "O"):
        for rh in ("positive", "negative"):
            assert errors(section="blood_group", abo=abo, rh=rh) == {}
    assert errors(section="blood_group", abo="C", rh="positive") == {"abo": ErrorCode.PROFILE_CHOICE}
    assert errors(section="blood_group", abo="a", rh="positive") == {"abo": ErrorCode.PROFILE_CHOICE}
    assert errors(section="blood_group", abo="O", rh="+") == {"rh": ErrorCode.PROFILE_CHOICE}
    assert errors(section="blood_group", abo="O", rh="negative", date="2027-01-01") == {
        "date": ErrorCode.PROFILE_FUTURE
    }


def test_hospital_stay_place_dates_and_reason() -> None:
    ok = {
        "section": "hospital_stay",
        "place": "CHU de Lyon",
        "reason": "Fracture du col",
        "since": "2024-02-03",
    }
    assert check(ok, TODAY) == {}
    assert check(ok | {"until": "2024-02-10"}, TODAY) == {}
    assert check(ok | {"until": "2024-02-01"}, TODAY) == {"until": ErrorCode.PROFILE_UNTIL_BEFORE_SINCE}
    assert check(ok | {"since": "03/02/2024"}, TODAY) == {"since": ErrorCode.PROFILE_DATE}
    assert check(ok | {"place": "x" * (MAX_TEXT + 1)}, TODAY) == {"place": ErrorCode.PROFILE_TOO_LONG}


def test_disability_and_its_accommodations() -> None:
    ok = {
        "section": "disability",
        "name": "Malvoyance",
        "nature": "visual",
        "accommodations": "Gros caractères",
    }
    assert check(ok, TODAY) == {}
    assert check(ok | {"nature": "invisible"}, TODAY) == {"nature": ErrorCode.PROFILE_CHOICE}
    assert check(ok | {"accommodations": "x" * (MAX_NOTES + 1)}, TODAY) == {
        "accommodations": ErrorCode.PROFILE_TOO_LONG
    }
    assert clean(ok | {"accommodations": "  Gros caractères "})["accommodations"] == "Gros caractères"


def test_numbers_of_lifestyle_habits_are_whole_or_with_one_decimal_in_range() -> None:
    assert errors(section="tobacco", smoking="daily", per_day="12") == {}
    for bad in ("-1", "201", "12.5", "douze", "1e2", "12 cig"):
        assert errors(section="tobacco", smoking="daily", per_day=bad) == {
            "per_day": ErrorCode.PROFILE_NUMBER
        }
    assert errors(section="physical_activity", days_per_week="7", minutes_per_day="1440") == {}
    assert errors(section="physical_activity", days_per_week="8") == {
        "days_per_week": ErrorCode.PROFILE_NUMBER
    }
    assert errors(section="sleep", hours="7,5") == {}
    assert errors(section="sleep", hours="7.5", quality="good") == {}
    assert errors(section="sleep", hours="7.25") == {"hours": ErrorCode.PROFILE_NUMBER}
    assert errors(section="sleep", hours="25") == {"hours": ErrorCode.PROFILE_NUMBER}
    assert clean({"section": "sleep", "hours": " 7,5 "}) == {"section": "sleep", "hours": "7.5"}
    assert errors(section="tobacco", smoking="former", since="2000-01-01", until="1999-01-01") == {
        "until": ErrorCode.PROFILE_UNTIL_BEFORE_SINCE
    }


def test_alcohol_is_the_three_audit_c_questions_and_its_score() -> None:
    answers = {"section": "alcohol", "frequency": "two_to_three_a_week", "drinks": "three_or_four"}
    assert check(answers | {"six_or_more": "monthly"}, TODAY) == {}
    assert check(answers | {"six_or_more": "sometimes"}, TODAY) == {"six_or_more": ErrorCode.PROFILE_CHOICE}
    assert audit_c_score(answers) is None  # the third answer is missing
    assert audit_c_score(answers | {"six_or_more": "monthly"}) == 3 + 1 + 2
    assert audit_c_score({"frequency": "never"}) == 0
    worst = {"frequency": "four_or_more_a_week", "drinks": "ten_or_more", "six_or_more": "daily"}
    assert audit_c_score(worst) == 12


def test_every_new_section_is_worded_in_both_languages() -> None:
    from sync.protocol.i18n import catalogue

    assert set(RECORD_SECTIONS + LIFESTYLE_SECTIONS) <= set(SECTIONS)
    assert not set(RECORD_SECTIONS + LIFESTYLE_SECTIONS) & set(LIST_SECTIONS)  # the lists' screens unchanged
    for lang in ("fr", "en"):
        words = catalogue(lang)
        for section in RECORD_SECTIONS + LIFESTYLE_SECTIONS:
            for key in (
                f"ui.profile.section.{section}",
                f"ui.profile.intro.{section}",
                f"ui.profile.add.{section}",
            ):
                assert words.get(key), (lang, key)
            for spec in fields_of(section):
                assert words.get(f"ui.profile.field.{section}.{spec.name}"), (lang, section, spec.name)
                for choice in spec.choices:
                    assert words.get(f"ui.profile.choice.{spec.name}.{choice}"), (lang, spec.name, choice)
