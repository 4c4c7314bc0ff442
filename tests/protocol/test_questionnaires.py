"""The key-age questionnaires ("Mon bilan prévention"): the data, the walk with its branches, the
checks the app and the server share, and the synthesis."""

from datetime import date

import pytest

from sync.protocol import questionnaires as qn
from sync.protocol.errors import ErrorCode
from sync.protocol.prevention import item as calendar_item
from sync.protocol.reference import load_reference

NEVER_SMOKED_SOBER = {
    "diet_fruit_veg": "five_or_more",
    "physical_activity": "three_or_four",
    "sitting": "four_to_seven",
    "sleep": "well",
    "tobacco": "never",
    "alcohol_frequency": "never",
}


def walk(questionnaire: qn.Questionnaire, choose: dict[str, object]) -> list[str]:
    """Answer question after question as the app does; the ids asked, in order."""
    answers: dict[str, object] = {}
    seen = []
    while (question := qn.next_question(questionnaire, answers)) is not None:
        seen.append(question.id)
        answers[question.id] = choose.get(question.id, _first(question))
    return seen


def _first(question: qn.Question) -> object:
    if question.type == "number":
        return str(question.low)
    if question.type == "text":
        return None
    options = question.offered("female")
    return [options[0].code] if question.type == "multiple" else options[0].code


def test_the_four_questionnaires_load_with_their_sources_and_reminders() -> None:
    assert [qn.load(i).ages for i in qn.IDS] == [(18, 25), (45, 50), (60, 65), (70, 75)]
    assert "Mon bilan prévention" in load_reference("questionnaires/questions.json")["_about"]
    assert "pourquoidocteur" in load_reference("questionnaires/questions.json")["_about"]
    for questionnaire in map(qn.load, qn.IDS):
        assert calendar_item(questionnaire.calendar_item)["category"] == "prevention_check"
        assert questionnaire.title["fr"] and questionnaire.title["en"]
        for question in questionnaire.questions:
            assert question.text["fr"] and question.text["en"], question.id
            assert question.theme in questionnaire.themes
            assert all(o.text["fr"] and o.text["en"] for o in question.options)
            if question.when:  # a branch depends on a question asked before it
                earlier = [q.id for q in questionnaire.questions[: questionnaire.questions.index(question)]]
                assert question.when["question"] in earlier
    with pytest.raises(KeyError):
        qn.load("bilan_30_35")


def test_the_questionnaire_of_the_persons_age_band() -> None:
    today = date(2026, 11, 24)
    assert qn.for_age(date(2008, 11, 24), today).id == "bilan_18_25"  # 18 today
    assert qn.for_age(date(2000, 11, 25), today).id == "bilan_18_25"  # 25 until tomorrow
    assert qn.for_age(date(2000, 11, 24), today) is None  # 26 today
    assert qn.for_age(date(1978, 1, 1), today).id == "bilan_45_50"
    assert qn.for_age(date(1963, 1, 1), today).id == "bilan_60_65"
    assert qn.for_age(date(1951, 1, 1), today).id == "bilan_70_75"
    assert qn.for_age(date(1940, 1, 1), today) is None


def test_branches_skip_what_does_not_concern_the_person() -> None:
    young = qn.load("bilan_18_25")
    sober = walk(young, NEVER_SMOKED_SOBER)
    assert "tobacco_quit" not in sober and "alcohol_drinks" not in sober and "alcohol_six" not in sober
    smoker = walk(young, NEVER_SMOKED_SOBER | {"tobacco": "daily", "alcohol_frequency": "monthly_or_less"})
    assert smoker.index("tobacco_quit") == smoker.index("tobacco") + 1
    assert {"alcohol_drinks", "alcohol_six"} <= set(smoker)
    assert len(smoker) == len(sober) + 3


def test_a_changed_answer_drops_the_answers_of_a_closed_branch() -> None:
    young = qn.load("bilan_18_25")
    answers = NEVER_SMOKED_SOBER | {"tobacco": "daily", "tobacco_quit": "yes"}
    assert qn.clean(young, answers)["tobacco_quit"] == "yes"
    changed = answers | {"tobacco": "former"}
    assert "tobacco_quit" not in qn.clean(young, changed)
    assert qn.problems(young, changed) == {"tobacco_quit": ErrorCode.QUESTIONNAIRE_ANSWER}


def test_each_answer_is_checked() -> None:
    elder = qn.load("bilan_70_75")
    medicines, screenings = elder.question("medicines"), elder.question("screenings")
    assert qn.answer_problem(medicines, "6") is None
    for bad in ("31", "-1", "deux", "2.5"):
        assert qn.answer_problem(medicines, bad) == ErrorCode.QUESTIONNAIRE_ANSWER
    assert qn.answer_problem(medicines, None) == ErrorCode.QUESTIONNAIRE_REQUIRED
    assert qn.answer_problem(screenings, ["colorectal", "breast"], sex="female") is None
    assert qn.answer_problem(screenings, ["breast"], sex="male") == ErrorCode.QUESTIONNAIRE_ANSWER
    assert qn.answer_problem(screenings, ["breast"]) is None  # the server: every option possible
    assert qn.answer_problem(screenings, ["none", "colorectal"]) == ErrorCode.QUESTIONNAIRE_ANSWER  # alone
    assert qn.answer_problem(screenings, ["colorectal", "colorectal"]) == ErrorCode.QUESTIONNAIRE_ANSWER
    assert qn.answer_problem(screenings, "colorectal") == ErrorCode.QUESTIONNAIRE_ANSWER  # a list
    assert qn.answer_problem(elder.question("sleep"), "dreamy") == ErrorCode.QUESTIONNAIRE_ANSWER
    priorities = elder.question("priorities")
    assert qn.answer_problem(priorities, None) is None  # optional
    assert qn.answer_problem(priorities, "x" * 501) == ErrorCode.QUESTIONNAIRE_ANSWER
    assert [o.code for o in screenings.offered("male")] == ["colorectal", "none", "dont_know"]
    assert "breast" not in [o.code for o in screenings.offered("")]


def test_a_record_is_checked_the_same_way_by_the_server() -> None:
    complete = dict(NEVER_SMOKED_SOBER)
    young = qn.load("bilan_18_25")
    answers: dict[str, object] = dict(complete)
    while (question := qn.next_question(young, answers)) is not None:
        answers[question.id] = _first(question)
    done = {"questionnaire": "bilan_18_25", "version": 1, "answers": answers, "status": "done"}
    assert qn.record_problem(done) is None
    assert qn.record_problem(done | {"questionnaire": "bilan_99"}) == ErrorCode.QUESTIONNAIRE_UNKNOWN
    draft = done | {"answers": complete, "status": "draft"}
    assert qn.record_problem(draft) is None
    assert qn.record_problem(draft | {"status": "done"}) == ErrorCode.QUESTIONNAIRE_INCOMPLETE
    assert qn.record_problem(draft | {"status": "sent"}) == ErrorCode.QUESTIONNAIRE_ANSWER
    assert (
        qn.record_problem(draft | {"answers": complete | {"sleep": "dreamy"}})
        == ErrorCode.QUESTIONNAIRE_ANSWER
    )
    assert (
        qn.record_problem(draft | {"answers": complete | {"horoscope": "yes"}})
        == ErrorCode.QUESTIONNAIRE_ANSWER
    )
    assert qn.record_problem(draft | {"answers": ["sleep"]}) == ErrorCode.QUESTIONNAIRE_ANSWER


def test_the_synthesis_groups_answers_and_lists_what_to_discuss() -> None:
    mid = qn.load("bilan_45_50")
    answers = NEVER_SMOKED_SOBER | {
        "tobacco": "daily",
        "tobacco_quit": "yes",
        "alcohol_frequency": "two_to_three_a_week",
        "alcohol_drinks": "three_or_four",
        "alcohol_six": "monthly",
        "physical_activity": "none",
        "cardio_risk": ["blood_pressure", "cholesterol"],
    }
    made = qn.synthesis(mid, answers, "fr")
    assert made.title == "Mon bilan prévention 45-50 ans" and not made.complete
    assert [t.title for t in made.themes] == [
        "Habitudes de vie",
        "Tabac, alcool et autres produits",
        "Santé, dépistages et vaccins",
    ]
    assert made.audit_c == 3 + 1 + 2
    assert any("Aucun" in point and "30 minutes" in point for point in made.to_discuss)
    assert any("Trop de tension, Trop de cholestérol" in point for point in made.to_discuss)
    assert not any("Moins de 4 heures" in p or "4 à 7 heures" in p for p in made.to_discuss)
    english = qn.synthesis(mid, answers, "en")
    assert english.themes[0].title == "Lifestyle" and english.themes[0].lines[0].answer == "5 or more"
    sober = qn.synthesis(mid, NEVER_SMOKED_SOBER, "fr")
    assert sober.audit_c == 0 and sober.to_discuss == ()
    assert qn.synthesis(mid, {}, "fr").audit_c is None
