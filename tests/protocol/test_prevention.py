"""The prevention calendar for the people of issue #6, and how records move the reminders."""

from datetime import date

import pytest

from backend_stub.demo import nir_for
from sync.protocol.prevention import (
    CheckupMark,
    Person,
    Reminder,
    Status,
    Vaccination,
    add_duration,
    due_items,
    item,
    items,
    last_birthday,
    marks_from,
    sex_from_nir,
    vaccinations_from,
)
from sync.protocol.reference import load_reference
from tests.conftest import World, bearer

TODAY = date(2026, 11, 24)
NEWBORN = Person(date(2026, 11, 20), "male")
GIRL_12 = Person(date(2014, 5, 10), "female")
WOMAN_26 = Person(date(2000, 3, 10), "female")
MAN_52 = Person(date(1974, 6, 2), "male")
WOMAN_67 = Person(date(1959, 2, 14), "female")


def by_item(reminders: list[Reminder]) -> dict[str, Reminder]:
    return {r.item: r for r in reminders}


def summary(reminders: list[Reminder]) -> dict[str, tuple[Status, date | None]]:
    return {r.item: (r.status, r.due) for r in reminders}


# --- the data ---------------------------------------------------------------------------------------


def test_the_calendar_is_complete_and_worded_in_both_languages() -> None:
    entries = items()
    assert len([e for e in entries if e["category"] == "child_exam"]) == 20
    dental = sorted(int(e["id"].split("_")[1][:-1]) for e in entries if e["category"] == "dental")
    assert dental == [3, 6, 9, 12, 15, 18, 21, 24]
    codes = {v["code"] for v in load_reference("vaccines.json")["vaccines"]}
    for entry in entries:
        assert (
            entry["label"]["fr"] and entry["label"]["en"] and entry["reason"]["fr"] and entry["reason"]["en"]
        )
        assert set(entry.get("vaccines", ())) <= codes, entry["id"]
    assert "Calendrier des vaccinations" in load_reference("prevention.json")["_about"]


def test_durations_and_sex_from_the_social_security_number() -> None:
    assert add_duration(date(2026, 1, 31), "1m") == date(2026, 2, 28)
    assert add_duration(date(2024, 2, 29), "1y") == date(2025, 2, 28)
    assert add_duration(date(2026, 1, 1), "2w") == date(2026, 1, 15)
    with pytest.raises(ValueError):
        add_duration(date(2026, 1, 1), "2 years")
    assert sex_from_nir(nir_for(1, sex=1)) == "male"
    assert sex_from_nir(nir_for(1, sex=2)) == "female"
    assert sex_from_nir("") == ""


# --- the five people -------------------------------------------------------------------------------


def test_newborn_two_first_examinations_then_the_two_month_vaccines() -> None:
    assert summary(due_items(NEWBORN, TODAY)) == {
        "child_exam_8d": (Status.DUE, date(2026, 11, 20)),
        "child_exam_2w": (Status.UPCOMING, date(2026, 11, 28)),
    }
    first = by_item(due_items(NEWBORN, TODAY))["child_exam_8d"]
    assert first.until == date(2026, 11, 27)  # within the 8 days after birth

    at_two_months = summary(due_items(NEWBORN, date(2027, 1, 22)))
    assert at_two_months["vac_hexavalent"] == (Status.DUE, date(2027, 1, 20))
    assert at_two_months["vac_pneumococcus"] == (Status.DUE, date(2027, 1, 20))
    assert at_two_months["child_exam_2m"] == (Status.DUE, date(2027, 1, 20))
    assert at_two_months["vac_meningococcus_b"] == (Status.UPCOMING, date(2027, 2, 20))
    assert at_two_months["child_exam_2w"][0] == Status.OVERDUE  # missed, still worth doing


def test_a_recorded_infant_dose_moves_the_next_one() -> None:
    given = [Vaccination("hexavalent", date(2027, 1, 22))]
    hexa = by_item(due_items(NEWBORN, date(2027, 1, 25), given))["vac_hexavalent"]
    assert (hexa.status, hexa.dose, hexa.doses, hexa.due) == (Status.DONE, 2, 3, date(2027, 3, 20))
    assert hexa.last_done == date(2027, 1, 22)
    assert by_item(due_items(NEWBORN, date(2027, 3, 1), given))["vac_hexavalent"].status == Status.UPCOMING

    late = [Vaccination("hexavalent", date(2027, 3, 1))]  # first dose given late: the second waits a month
    hexa = by_item(due_items(NEWBORN, date(2027, 3, 5), late))["vac_hexavalent"]
    assert (hexa.dose, hexa.due) == (2, date(2027, 4, 1))


def test_girl_of_12() -> None:
    found = summary(due_items(GIRL_12, TODAY))
    assert found == {
        "vac_mmr": (Status.DUE, date(2026, 5, 10)),  # missed long ago: due now, from her birthday
        "child_exam_11y": (Status.DUE, date(2025, 5, 10)),
        "vac_dtcap_11y": (Status.DUE, date(2025, 5, 10)),
        "vac_hpv": (Status.DUE, date(2025, 5, 10)),
        "vac_meningococcus_acwy_teen": (Status.DUE, date(2025, 5, 10)),
        "dental_12y": (Status.DUE, date(2026, 5, 10)),
    }
    # Windows still open keep their own dates: 11 to 13 for the exam, HPV and ACWY.
    assert by_item(due_items(GIRL_12, TODAY))["child_exam_11y"].until == date(2028, 5, 9)
    assert by_item(due_items(GIRL_12, TODAY))["vac_mmr"].since_long
    overdue = by_item(due_items(GIRL_12, date(2015, 8, 1)))["vac_mmr"]  # a few weeks late: its real dates
    assert (overdue.status, overdue.due, overdue.since_long) == (Status.OVERDUE, date(2015, 5, 10), False)


def test_girl_of_12_reacts_to_recorded_vaccinations() -> None:
    given = [
        Vaccination("mmr", date(2015, 5, 12)),
        Vaccination("mmr", date(2015, 10, 1)),
        Vaccination("hpv", date(2026, 9, 1)),
        Vaccination("meningococcus_acwy", date(2026, 9, 1)),
    ]
    found = by_item(due_items(GIRL_12, TODAY, given))
    assert "vac_mmr" not in found
    hpv = found["vac_hpv"]
    assert (hpv.status, hpv.dose, hpv.due) == (Status.DONE, 2, date(2027, 3, 1))  # 6 months later
    assert found["vac_meningococcus_acwy_teen"].status == Status.DONE
    assert by_item(due_items(GIRL_12, date(2027, 2, 15), given))["vac_hpv"].status == Status.UPCOMING


def test_woman_of_26() -> None:
    # Due since her 25th birthday, more than a year ago: due now, from her 26th. HPV catch-up runs
    # until 26 years inclusive (HAS, 13 May 2025).
    assert summary(due_items(WOMAN_26, TODAY)) == {
        "cervical_screening": (Status.DUE, date(2026, 3, 10)),
        "vac_dtp_adult": (Status.DUE, date(2026, 3, 10)),
        "vac_hpv": (Status.DUE, date(2026, 3, 10)),
    }
    # At 24 she was offered her prevention check-up (18-25) and, soon, the booster at 25.
    at_24 = summary(due_items(WOMAN_26, date(2025, 2, 20)))
    assert at_24["prevention_check_18_25"] == (Status.DUE, date(2018, 3, 10))
    assert at_24["vac_dtp_adult"] == (Status.UPCOMING, date(2025, 3, 10))
    assert at_24["cervical_screening"] == (Status.UPCOMING, date(2025, 3, 10))


def test_woman_of_26_cervical_screening_moves_with_each_test() -> None:
    one = [CheckupMark("cervical_screening", "done", date(2025, 4, 1))]
    cervical = by_item(due_items(WOMAN_26, TODAY, marks=one))["cervical_screening"]
    assert (cervical.status, cervical.due, cervical.until) == (
        Status.OVERDUE,
        date(2026, 4, 1),  # a second cytology one year after the first
        date(2026, 10, 1),
    )
    two = one + [CheckupMark("cervical_screening", "done", date(2026, 11, 1))]
    cervical = by_item(due_items(WOMAN_26, TODAY, marks=two))["cervical_screening"]
    assert (cervical.status, cervical.due) == (Status.DONE, date(2029, 11, 1))  # then 3 years later
    hpv_test = two + [CheckupMark("cervical_screening", "done", date(2030, 6, 1))]  # at 30: HPV test
    cervical = by_item(due_items(WOMAN_26, date(2030, 7, 1), marks=hpv_test))["cervical_screening"]
    assert cervical.due == date(2035, 6, 1)  # then every 5 years

    booster = by_item(due_items(WOMAN_26, TODAY, [Vaccination("dtcap", date(2026, 7, 1))]))["vac_dtp_adult"]
    assert (booster.status, booster.due) == (Status.DONE, date(2045, 3, 10))  # next at 45


def test_a_dose_recorded_as_an_adult_does_not_revive_childhood_items() -> None:
    found = by_item(due_items(MAN_52, TODAY, [Vaccination("dtp", date(2026, 11, 1))]))
    assert set(found) == {"vac_dtp_adult", "colorectal_screening"}  # the dTP counts for nothing else
    assert found["vac_dtp_adult"].status == Status.DONE


def test_man_of_52() -> None:
    # The 45-year booster and the screening from 50, nothing recorded: due now, from his birthday.
    assert summary(due_items(MAN_52, TODAY)) == {
        "vac_dtp_adult": (Status.DUE, date(2026, 6, 2)),
        "colorectal_screening": (Status.DUE, date(2026, 6, 2)),
    }


def test_man_of_52_done_screening_and_booster_move_the_next_ones() -> None:
    marks = [CheckupMark("colorectal_screening", "done", date(2025, 1, 15))]
    given = [Vaccination("dtp", date(2024, 6, 10))]
    assert summary(due_items(MAN_52, TODAY, given, marks)) == {}  # nothing due, done long ago
    assert summary(due_items(MAN_52, date(2027, 1, 1), given, marks)) == {
        "colorectal_screening": (Status.UPCOMING, date(2027, 1, 15)),
    }
    late = by_item(due_items(MAN_52, date(2027, 8, 1), given, marks))["colorectal_screening"]
    assert (late.status, late.until) == (Status.OVERDUE, date(2027, 7, 15))
    booster = by_item(due_items(MAN_52, date(2039, 5, 15), given, marks))["vac_dtp_adult"]
    assert (booster.status, booster.due) == (Status.UPCOMING, date(2039, 6, 2))  # at 65


def test_woman_of_67() -> None:
    birthday = date(2026, 2, 14)
    assert summary(due_items(WOMAN_67, TODAY)) == {
        "breast_screening": (Status.DUE, birthday),
        "colorectal_screening": (Status.DUE, birthday),
        "vac_dtp_adult": (Status.DUE, birthday),
        "vac_pneumococcus_adult": (Status.DUE, birthday),
        "vac_zoster": (Status.DUE, birthday),
        "vac_influenza": (Status.DUE, date(2026, 10, 15)),
        "vac_covid19": (Status.DUE, date(2026, 10, 15)),
    }
    flu = by_item(due_items(WOMAN_67, TODAY))["vac_influenza"]
    assert flu.until == date(2027, 1, 31)  # the end of the campaign
    assert "vac_influenza" not in summary(due_items(WOMAN_67, date(2026, 6, 1)))  # out of season


def test_woman_of_67_reacts_to_vaccinations_and_a_mammogram() -> None:
    given = [Vaccination("influenza", date(2026, 10, 20)), Vaccination("zoster", date(2026, 10, 1))]
    marks = [CheckupMark("breast_screening", "done", date(2026, 3, 2))]
    found = by_item(due_items(WOMAN_67, TODAY, given, marks))
    assert (found["vac_influenza"].status, found["vac_influenza"].due) == (Status.DONE, date(2027, 10, 15))
    assert not found["vac_influenza"].since_long
    zoster = found["vac_zoster"]
    assert (zoster.status, zoster.dose, zoster.due) == (Status.UPCOMING, 2, date(2026, 12, 1))
    assert "breast_screening" not in found  # next one in March 2028
    assert summary(due_items(WOMAN_67, date(2028, 2, 10), given, marks))["breast_screening"] == (
        Status.UPCOMING,
        date(2028, 3, 2),
    )


def test_dismissed_reminders_hide_until_their_next_occurrence() -> None:
    marks = [
        CheckupMark("dental_12y", "dismissed", TODAY),
        CheckupMark("vac_hpv", "dismissed", TODAY),
    ]
    found = by_item(due_items(GIRL_12, TODAY, marks=marks))
    assert "dental_12y" not in found and "vac_hpv" not in found
    after_dose = by_item(due_items(GIRL_12, date(2027, 6, 1), [Vaccination("hpv", date(2026, 12, 1))], marks))
    assert after_dose["vac_hpv"].dose == 2  # a new dose brings the next one back

    skip = [CheckupMark("breast_screening", "dismissed", TODAY)]
    assert "breast_screening" not in by_item(due_items(WOMAN_67, TODAY, marks=skip))
    assert (
        by_item(due_items(WOMAN_67, date(2028, 11, 24), marks=skip))["breast_screening"].status == Status.DUE
    )


def test_sex_specific_items_need_a_known_sex() -> None:
    unknown = Person(WOMAN_67.birth, "")
    assert "breast_screening" not in by_item(due_items(unknown, TODAY))
    assert "colorectal_screening" in by_item(due_items(unknown, TODAY))


def test_every_reminder_says_why_in_french_and_english() -> None:
    breast = by_item(due_items(WOMAN_67, TODAY))["breast_screening"]
    assert breast.reason("fr") == "Dépistage du cancer du sein recommandé tous les 2 ans de 50 à 74 ans."
    assert breast.reason("en") == "Breast cancer screening recommended every 2 years from 50 to 74."
    for person in (NEWBORN, GIRL_12, WOMAN_26, MAN_52, WOMAN_67):
        for reminder in due_items(person, TODAY):
            assert reminder.label("fr") != reminder.label("en") and reminder.reason("en")


def test_records_of_the_device_store_become_vaccinations_and_marks() -> None:
    profile = [
        {"section": "vaccination", "vaccine": "hpv", "date": "2026-09-01", "notes": ""},
        {"section": "allergy", "name": "pollen"},
        {"section": "vaccination", "vaccine": "mmr", "date": "not a date"},
    ]
    assert vaccinations_from(profile) == [Vaccination("hpv", date(2026, 9, 1))]
    checkups = [
        {"item": "dental_12y", "state": "done", "date": "2026-06-01"},
        {"item": "x", "state": "maybe"},
    ]
    assert marks_from(checkups) == [CheckupMark("dental_12y", "done", date(2026, 6, 1))]


def test_me_carries_birth_date_and_sex(world: World) -> None:
    person = world.enrol(nir=nir_for(77, sex=2, born=date(1959, 2, 14)), birth_date="1959-02-14")
    world.activate(person)
    me = world.api.get("/api/v1/me", headers=bearer(world.login(person))).json()
    assert (me["birth_date"], me["sex"]) == ("1959-02-14", "female")


# --- issue #17: pneumococcus from 65, HPV catch-up to 26, dates that matter to the person ------------

MAN_66 = Person(date(1960, 9, 1), "male")
WOMAN_70 = Person(date(1956, 4, 20), "female")
GIRL_15 = Person(date(2011, 6, 1), "female")
BOY_15 = Person(date(2011, 6, 1), "male")
WOMAN_52 = Person(date(1974, 6, 15), "female")


def test_man_of_66_one_pneumococcal_dose_from_65() -> None:
    pneumo = by_item(due_items(MAN_66, TODAY))["vac_pneumococcus_adult"]
    assert (pneumo.status, pneumo.due, pneumo.dose, pneumo.doses) == (Status.DUE, date(2026, 9, 1), 1, 1)
    assert pneumo.since_long  # due since 65, more than a year: due now, from his 66th birthday
    assert pneumo.vaccines == ("pneumococcus",)
    assert "65 ans et plus" in pneumo.reason("fr") and "65" in pneumo.reason("en")
    # At 65 and a few months, the reminder has its real date.
    fresh = by_item(due_items(MAN_66, date(2025, 11, 24)))["vac_pneumococcus_adult"]
    assert (fresh.status, fresh.due, fresh.since_long) == (Status.DUE, date(2025, 9, 1), False)
    # One dose from 65 is all: done, then gone (no booster established).
    dose = [Vaccination("pneumococcus", date(2026, 10, 2))]
    assert by_item(due_items(MAN_66, TODAY, dose))["vac_pneumococcus_adult"].status == Status.DONE
    assert "vac_pneumococcus_adult" not in by_item(due_items(MAN_66, date(2027, 6, 1), dose))
    # Nothing before 65 for him: the reminder does not exist at 64.
    assert "vac_pneumococcus_adult" not in by_item(due_items(MAN_66, date(2025, 7, 1)))
    assert "vac_pneumococcus_adult" in {e["id"] for e in items()}


def test_woman_of_70_pneumococcus_counts_only_a_dose_from_65() -> None:
    assert by_item(due_items(WOMAN_70, TODAY))["vac_pneumococcus_adult"].status == Status.DUE
    infant_and_risk = [
        Vaccination("pneumococcus", date(1956, 7, 1)),
        Vaccination("pneumococcus", date(2016, 3, 1)),
    ]
    assert by_item(due_items(WOMAN_70, TODAY, infant_and_risk))["vac_pneumococcus_adult"].status == Status.DUE
    at_68 = [Vaccination("pneumococcus", date(2024, 5, 2))]
    assert "vac_pneumococcus_adult" not in by_item(due_items(WOMAN_70, TODAY, at_68))
    # Everything she sees with nothing recorded is dated this year at the earliest.
    for reminder in due_items(WOMAN_70, TODAY):
        assert reminder.due is not None and reminder.due >= date(2026, 4, 20), reminder


@pytest.mark.parametrize("teen", [GIRL_15, BOY_15], ids=["girl", "boy"])
def test_hpv_catch_up_from_15_is_three_doses_for_girls_and_boys(teen: Person) -> None:
    hpv = by_item(due_items(teen, TODAY))["vac_hpv"]
    assert (hpv.status, hpv.due, hpv.dose, hpv.doses) == (Status.DUE, date(2026, 6, 1), 1, 3)
    first = [Vaccination("hpv", date(2026, 7, 1))]
    hpv = by_item(due_items(teen, TODAY, first))["vac_hpv"]
    assert (hpv.status, hpv.dose, hpv.due) == (Status.DUE, 2, date(2026, 9, 1))  # 2 months later
    two = first + [Vaccination("hpv", date(2026, 9, 3))]
    hpv = by_item(due_items(teen, TODAY, two))["vac_hpv"]
    assert (hpv.status, hpv.dose, hpv.due) == (Status.DONE, 3, date(2027, 1, 3))  # 6 months after the 1st
    three = two + [Vaccination("hpv", date(2027, 1, 5))]
    assert by_item(due_items(teen, date(2027, 2, 1), three))["vac_hpv"].status == Status.DONE
    assert "vac_hpv" not in by_item(due_items(teen, date(2027, 9, 1), three))
    # Started at 14: the two-dose schedule of 11-14 goes on.
    early = [Vaccination("hpv", date(2025, 9, 1))]
    hpv = by_item(due_items(teen, TODAY, early))["vac_hpv"]
    assert (hpv.dose, hpv.doses, hpv.due) == (2, 2, date(2026, 3, 1))
    complete = early + [Vaccination("hpv", date(2026, 4, 1))]
    assert by_item(due_items(teen, date(2026, 5, 1), complete))["vac_hpv"].status == Status.DONE
    assert "vac_hpv" not in by_item(due_items(teen, TODAY, complete))  # two doses were enough


def test_hpv_catch_up_runs_until_26_inclusive() -> None:
    assert by_item(due_items(GIRL_15, date(2038, 5, 31)))["vac_hpv"].status == Status.DUE  # 26 and 364 days
    assert "vac_hpv" not in by_item(due_items(GIRL_15, date(2038, 6, 1)))  # 27th birthday
    assert "vac_hpv" not in by_item(due_items(BOY_15, date(2038, 6, 1)))
    assert "26 ans révolus" in item("vac_hpv")["reason"]["fr"]
    assert "13 May 2025" in load_reference("prevention.json")["_about"]


def test_a_52_year_old_with_nothing_recorded_sees_nothing_dated_decades_back() -> None:
    found = due_items(WOMAN_52, TODAY)
    assert {r.item for r in found} == {
        "breast_screening",
        "cervical_screening",
        "colorectal_screening",
        "vac_dtp_adult",
    }
    for reminder in found:  # cervical screening used to say "due since 15/06/1999"
        assert (reminder.status, reminder.due, reminder.since_long) == (Status.DUE, date(2026, 6, 15), True)
        assert reminder.until is None
    assert summary(due_items(MAN_52, TODAY)) == {
        "vac_dtp_adult": (Status.DUE, date(2026, 6, 2)),
        "colorectal_screening": (Status.DUE, date(2026, 6, 2)),
    }
    # Once done, the next one is dated from what was recorded, as before.
    marks = [CheckupMark("colorectal_screening", "done", date(2026, 7, 1))]
    done = by_item(due_items(WOMAN_52, TODAY, marks=marks))["colorectal_screening"]
    assert (done.status, done.due, done.since_long) == (Status.DONE, date(2028, 7, 1), False)


def test_last_birthday() -> None:
    assert last_birthday(date(1974, 6, 15), date(2026, 11, 24)) == date(2026, 6, 15)
    assert last_birthday(date(1974, 12, 15), date(2026, 11, 24)) == date(2025, 12, 15)
    assert last_birthday(date(2000, 2, 29), date(2026, 3, 1)) == date(2026, 2, 28)
    assert last_birthday(date(2000, 2, 29), date(2028, 2, 29)) == date(2028, 2, 29)
