"""The key-age questionnaires of "Mon bilan prévention" (18-25, 45-50, 60-65, 70-75): the data,
and a pure engine that walks them, checks the answers and builds the synthesis.

The questions are data (`assets/reference/questionnaires/`: a bank of questions and one file per
age band listing its questions in order; sources in their `_about`). Answers are a dict
question id -> value (an option's code, a list of codes, a whole number as text, a text), kept
offline as a record of the collection "questionnaire":

    {"questionnaire": "bilan_45_50", "version": 1, "answers": {...}, "status": "draft" | "done"}

A question with `when` is asked only while an earlier answer is (or is not) one of some codes
(no cigarettes question to someone who never smoked); answers to questions no longer asked are
dropped (`clean`). The app and the server check a record with the same `record_problem`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sync.protocol.errors import ErrorCode
from sync.protocol.profile import audit_c_score
from sync.protocol.reference import load_reference

__all__ = [
    "DONE",
    "DRAFT",
    "IDS",
    "Question",
    "Questionnaire",
    "Synthesis",
    "answer_problem",
    "asked",
    "clean",
    "for_age",
    "load",
    "next_question",
    "problems",
    "record_problem",
    "synthesis",
]

IDS: tuple[str, ...] = ("bilan_18_25", "bilan_45_50", "bilan_60_65", "bilan_70_75")
DRAFT, DONE = "draft", "done"
Answers = Mapping[str, Any]


@dataclass(frozen=True)
class Option:
    code: str
    text: dict[str, str]
    discuss: bool = False  # a point the synthesis lists for the professional
    exclusive: bool = False  # "none of these": chosen alone
    sex: str = ""  # offered to that sex only ("" everyone)


@dataclass(frozen=True)
class Question:
    id: str
    theme: str
    type: str  # single, multiple, number, text
    text: dict[str, str]
    options: tuple[Option, ...] = ()
    when: dict[str, Any] | None = None
    optional: bool = False
    low: int = 0  # a number's range
    high: int = 0
    discuss_above: int | None = None
    max: int = 0  # a text's length

    def words(self, lang: str) -> str:
        return _words(self.text, lang)

    def offered(self, sex: str | None) -> tuple[Option, ...]:
        """The options shown to a person of this sex ("" unknown: sex-specific ones are left out;
        None: all of them, as the server checks a record it holds no sex for)."""
        return tuple(o for o in self.options if sex is None or not o.sex or o.sex == sex)


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: int
    ages: tuple[int, int]  # whole years, both included
    calendar_item: str  # its reminder in prevention.json
    title: dict[str, str]
    questions: tuple[Question, ...]
    themes: dict[str, dict[str, str]]

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)


def _words(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts["fr"]


def _question(qid: str, raw: dict[str, Any]) -> Question:
    return Question(
        id=qid,
        theme=raw["theme"],
        type=raw["type"],
        text=raw["text"],
        options=tuple(
            Option(o["code"], o["text"], o.get("discuss", False), o.get("exclusive", False), o.get("sex", ""))
            for o in raw.get("options", ())
        ),
        when=raw.get("when"),
        optional=raw.get("optional", False),
        low=raw.get("min", 0),
        high=raw.get("max", 0) if raw["type"] == "number" else 0,
        discuss_above=raw.get("discuss_above"),
        max=raw.get("max", 0) if raw["type"] == "text" else 0,
    )


@cache
def load(questionnaire_id: str) -> Questionnaire:
    """One questionnaire with its questions (KeyError for an unknown id)."""
    if questionnaire_id not in IDS:
        raise KeyError(questionnaire_id)
    bank = load_reference("questionnaires/questions.json")
    raw = load_reference(f"questionnaires/{questionnaire_id}.json")
    return Questionnaire(
        id=raw["id"],
        version=raw["version"],
        ages=(raw["ages"][0], raw["ages"][1]),
        calendar_item=raw["calendar_item"],
        title=raw["title"],
        questions=tuple(_question(qid, bank["questions"][qid]) for qid in raw["questions"]),
        themes=bank["themes"],
    )


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def for_age(birth: date, today: date) -> Questionnaire | None:
    """The questionnaire of the person's age band today (None between the bands)."""
    age = _age(birth, today)
    return next((q for q in map(load, IDS) if q.ages[0] <= age <= q.ages[1]), None)


# --- walking through -------------------------------------------------------------------------------


def _chosen(value: Any) -> set[str]:
    if isinstance(value, list):
        return {str(v) for v in value}
    return {str(value)} if value is not None else set()


def _applies(question: Question, answers: Answers) -> bool:
    if not question.when:
        return True
    given = answers.get(question.when["question"])
    if given is None:
        return False  # asked once the answer it depends on is known
    chosen = _chosen(given)
    if "in" in question.when:
        return bool(chosen & set(question.when["in"]))
    return not chosen & set(question.when["not_in"])


def asked(questionnaire: Questionnaire, answers: Answers) -> list[Question]:
    """The questions asked, in order, given the answers so far (branching applied)."""
    return [q for q in questionnaire.questions if _applies(q, answers)]


def next_question(questionnaire: Questionnaire, answers: Answers) -> Question | None:
    """The first question asked and not answered yet (an optional one skipped is answered with
    None); None when the questionnaire is complete."""
    return next((q for q in asked(questionnaire, answers) if q.id not in answers), None)


def clean(questionnaire: Questionnaire, answers: Answers) -> dict[str, Any]:
    """The answers to the questions still asked (a changed answer may close a branch)."""
    kept: dict[str, Any] = {}
    for question in questionnaire.questions:  # in order: a branch depends on earlier answers
        if question.id in answers and _applies(question, kept):
            kept[question.id] = answers[question.id]
    return kept


# --- checking ----------------------------------------------------------------------------------------


def answer_problem(question: Question, value: Any, sex: str | None = None) -> ErrorCode | None:
    """What is wrong with one answer (None: fine). Skipping (None) is fine for optional questions."""
    if value is None or value == "" or value == []:
        return None if question.optional else ErrorCode.QUESTIONNAIRE_REQUIRED
    codes = {o.code for o in question.offered(sex)}
    if question.type == "single":
        return None if isinstance(value, str) and value in codes else ErrorCode.QUESTIONNAIRE_ANSWER
    if question.type == "multiple":
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v in codes for v in value)
        ):
            return ErrorCode.QUESTIONNAIRE_ANSWER
        alone = {o.code for o in question.options if o.exclusive}
        return (
            ErrorCode.QUESTIONNAIRE_ANSWER
            if len(value) != len(set(value)) or (len(value) > 1 and alone & set(value))
            else None
        )
    if question.type == "number":
        text = str(value).strip()
        ok = text.isdigit() and question.low <= int(text) <= question.high
        return None if ok else ErrorCode.QUESTIONNAIRE_ANSWER
    if question.type == "text":
        return (
            None if isinstance(value, str) and len(value) <= question.max else ErrorCode.QUESTIONNAIRE_ANSWER
        )
    return ErrorCode.QUESTIONNAIRE_ANSWER


def problems(questionnaire: Questionnaire, answers: Answers, sex: str | None = None) -> dict[str, ErrorCode]:
    """Question id -> what is wrong, for every answer given; an answer to a question that is not
    asked (unknown, or out of its branch) is wrong too."""
    found: dict[str, ErrorCode] = {}
    asked_ids = {q.id for q in asked(questionnaire, answers)}
    for qid, value in answers.items():
        if qid not in asked_ids:
            found[qid] = ErrorCode.QUESTIONNAIRE_ANSWER
        elif value is not None and (problem := answer_problem(questionnaire.question(qid), value, sex)):
            found[qid] = problem
    return found


def record_problem(data: Mapping[str, Any]) -> ErrorCode | None:
    """A "questionnaire" record as the server re-checks it: a known questionnaire, answers that
    check, and "done" only when every question asked has its answer."""
    try:
        questionnaire = load(str(data.get("questionnaire", "")))
    except KeyError:
        return ErrorCode.QUESTIONNAIRE_UNKNOWN
    answers = data.get("answers", {})
    status = data.get("status", DRAFT)
    if not isinstance(answers, dict) or status not in (DRAFT, DONE) or len(str(answers)) > 20_000:
        return ErrorCode.QUESTIONNAIRE_ANSWER
    found = problems(questionnaire, answers)  # the record holds no sex: every option is possible
    if found:
        return next(iter(found.values()))
    if status == DONE and next_question(questionnaire, answers) is not None:
        return ErrorCode.QUESTIONNAIRE_INCOMPLETE
    return None


# --- the synthesis -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SynthesisLine:
    question: str
    answer: str
    discuss: bool


@dataclass(frozen=True)
class SynthesisTheme:
    title: str
    lines: tuple[SynthesisLine, ...]


@dataclass(frozen=True)
class Synthesis:
    """What the person shows their professional: the answers by theme, and the points to discuss."""

    questionnaire: str
    title: str
    complete: bool
    themes: tuple[SynthesisTheme, ...]
    to_discuss: tuple[str, ...]  # "question: answer" of each point flagged
    audit_c: int | None  # the AUDIT-C score of the three alcohol questions, when answered


def _answer_words(question: Question, value: Any, lang: str) -> tuple[str, bool]:
    if value is None or value == "" or value == []:
        return "", False
    if question.type in ("single", "multiple"):
        options = [o for o in question.options if o.code in _chosen(value)]
        return ", ".join(_words(o.text, lang) for o in options), any(o.discuss for o in options)
    if question.type == "number":
        above = question.discuss_above is not None and int(str(value)) > question.discuss_above
        return str(value), above
    return str(value), False


def synthesis(questionnaire: Questionnaire, answers: Answers, lang: str = "fr") -> Synthesis:
    """The answers of the questions asked, theme by theme in the questionnaire's order."""
    kept = clean(questionnaire, answers)
    themes: dict[str, list[SynthesisLine]] = {}
    discuss: list[str] = []
    for question in asked(questionnaire, kept):
        if question.id not in kept:
            continue
        words, flagged = _answer_words(question, kept[question.id], lang)
        if not words:
            continue
        themes.setdefault(question.theme, []).append(SynthesisLine(question.words(lang), words, flagged))
        if flagged:
            discuss.append(f"{question.words(lang)} {words}")
    score = audit_c_score(
        {
            "frequency": kept.get("alcohol_frequency", ""),
            "drinks": kept.get("alcohol_drinks", ""),
            "six_or_more": kept.get("alcohol_six", ""),
        }
    )
    return Synthesis(
        questionnaire=questionnaire.id,
        title=_words(questionnaire.title, lang),
        complete=next_question(questionnaire, kept) is None,
        themes=tuple(
            SynthesisTheme(_words(questionnaire.themes[theme], lang), tuple(lines))
            for theme, lines in themes.items()
        ),
        to_discuss=tuple(discuss),
        audit_c=score if "alcohol_frequency" in kept else None,
    )
