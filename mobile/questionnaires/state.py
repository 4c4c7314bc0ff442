"""The key-age questionnaires as the holder answers them, without a single control.

    QuestionnaireState   the four questionnaires (the one of the person's age first), one being
                         answered question by question, its answers saved after each step, and
                         its synthesis once complete (on screen, and the PDF to show one's
                         professional)

Answers are one record per questionnaire in the encrypted device store (collection
"questionnaire", `{"questionnaire", "version", "answers", "status"}`), written after every
answer, so a questionnaire left half-way opens where it was, offline too; every write asks for a
sync. The walk, the checks and the synthesis are `sync.protocol.questionnaires`, the server's
own: a record the app writes is never refused on push.
"""

from datetime import date
from typing import Any

from mobile.shell.state import local_error
from mobile.shell.sync_state import SyncBar
from mobile.shell.vault import VaultState
from sync.errors import SyncError
from sync.export import questionnaire_pdf
from sync.protocol.errors import ErrorCode
from sync.protocol.questionnaires import (
    DONE,
    DRAFT,
    IDS,
    Question,
    Questionnaire,
    Synthesis,
    answer_problem,
    asked,
    clean,
    for_age,
    load,
    synthesis,
)
from sync.store import Item

__all__ = ["COLLECTION", "QuestionnaireState"]

COLLECTION = "questionnaire"


class QuestionnaireState:
    """The questionnaires on this device: which one is open, which question is shown."""

    def __init__(self, vault: VaultState, bar: SyncBar, today: date | None = None) -> None:
        self.vault, self.bar = vault, bar
        self.today = today or date.today()
        self.current: Questionnaire | None = None
        self.answers: dict[str, Any] = {}
        self.question: Question | None = None  # None once every question is answered: the synthesis
        self.value: Any = None  # the answer being chosen for the question shown
        self.error: SyncError | None = None
        self.saved = ""  # the name of the synthesis' PDF just saved

    # --- reading ---------------------------------------------------------------------------------
    def _store(self) -> Any:
        space = self.vault.space
        return None if space is None else space.store

    def _sex(self) -> str:
        space = self.vault.space
        return str(getattr(space.me, "sex", "") or "") if space is not None and space.me else ""

    def for_my_age(self) -> Questionnaire | None:
        """The questionnaire of the person's age band today (None between the bands)."""
        space = self.vault.space
        birth = getattr(space.me, "birth_date", None) if space is not None and space.me else None
        return for_age(birth, self.today) if birth else None

    def offered(self) -> list[Questionnaire]:
        """The four questionnaires, the one of the person's age first."""
        mine = self.for_my_age()
        found = [load(i) for i in IDS]
        return sorted(found, key=lambda q: q != mine)

    def _record(self, questionnaire_id: str) -> Item | None:
        store = self._store()
        items = [] if store is None else store.items(COLLECTION)
        return next((i for i in items if i.data.get("questionnaire") == questionnaire_id), None)

    def status(self, questionnaire_id: str) -> str:
        """'' (not started), 'draft' or 'done'."""
        record = self._record(questionnaire_id)
        return "" if record is None else str(record.data.get("status", DRAFT))

    # --- answering -------------------------------------------------------------------------------
    def open(self, questionnaire_id: str) -> bool:
        """Open a questionnaire where it was left: the first question without an answer, or its
        synthesis when complete."""
        try:
            self.current = load(questionnaire_id)
        except KeyError:
            self.error = local_error(ErrorCode.QUESTIONNAIRE_UNKNOWN)
            return False
        record = self._record(questionnaire_id)
        saved = record.data.get("answers") if record is not None else None
        self.answers = clean(self.current, saved if isinstance(saved, dict) else {})
        self.error = None
        self._show(next((q for q in asked(self.current, self.answers) if q.id not in self.answers), None))
        return True

    def _show(self, question: Question | None) -> None:
        self.question = question
        self.value = None if question is None else self.answers.get(question.id)
        self.error, self.saved = None, ""

    def choose(self, value: Any) -> None:
        """The answer being chosen (an option's code, a list of codes, a number or a text)."""
        self.value = value
        self.error = None

    def toggle(self, code: str, on: bool) -> None:
        """A box of a "several answers" question ticked or not ("none of these" goes alone)."""
        question = self.question
        chosen = [c for c in (self.value or []) if c != code]
        if on and question is not None:
            alone = {o.code for o in question.options if o.exclusive}
            chosen = [code] if code in alone else [c for c in chosen if c not in alone] + [code]
        self.choose(chosen)

    def options(self, question: Question) -> list[tuple[str, dict[str, str]]]:
        """The options shown to this person (some concern one sex only)."""
        return [(o.code, o.text) for o in question.offered(self._sex())]

    def position(self) -> tuple[int, int]:
        """(number of the question shown, questions asked so far) for "Question 3 sur 18"."""
        if self.current is None or self.question is None:
            return (0, 0)
        ids = [q.id for q in asked(self.current, self.answers)]
        return (ids.index(self.question.id) + 1 if self.question.id in ids else len(ids), len(ids))

    def answer(self) -> bool:
        """Keep the answer (checked as the server will), save, and show the next question."""
        questionnaire, question = self.current, self.question
        if questionnaire is None or question is None:
            return False
        value = self.value.strip() if isinstance(self.value, str) else self.value
        problem = answer_problem(question, value, self._sex())
        if problem is not None:
            self.error = local_error(problem)
            return False
        self.answers = clean(
            questionnaire, {**self.answers, question.id: value if value not in ("", []) else None}
        )
        if not self._save():
            return False
        ids = [q.id for q in asked(questionnaire, self.answers)]
        following = ids[ids.index(question.id) + 1 :]
        self._show(next((questionnaire.question(i) for i in following if i not in self.answers), None))
        return True

    def previous(self) -> None:
        """Back to the question before (its answer shown, to keep or change)."""
        if self.current is None:
            return
        ids = [q.id for q in asked(self.current, self.answers)]
        here = (
            ids.index(self.question.id) if self.question is not None and self.question.id in ids else len(ids)
        )
        if here > 0:
            self._show(self.current.question(ids[here - 1]))

    def change_answers(self) -> None:
        """From the synthesis, back to the first question to review every answer."""
        if self.current is not None:
            self._show(asked(self.current, self.answers)[0])

    def complete(self) -> bool:
        return self.current is not None and all(
            q.id in self.answers for q in asked(self.current, self.answers)
        )

    def _save(self) -> bool:
        questionnaire, store = self.current, self._store()
        if questionnaire is None or store is None:
            self.error = local_error(ErrorCode.AUTH_REQUIRED)
            return False
        record = self._record(questionnaire.id)
        data = {
            "questionnaire": questionnaire.id,
            "version": questionnaire.version,
            "answers": self.answers,
            "status": DONE if self.complete() else DRAFT,
        }
        store.put(COLLECTION, data, record_id=record.id if record is not None else None)
        self.bar.kick()
        return True

    # --- the synthesis ---------------------------------------------------------------------------
    def synthesis(self, lang: str) -> Synthesis | None:
        return None if self.current is None else synthesis(self.current, self.answers, lang)

    def pdf(self, lang: str) -> tuple[str, bytes] | None:
        """The synthesis as a PDF (file name, bytes) to show one's professional."""
        found = self.synthesis(lang)
        space = self.vault.space
        if found is None or self.current is None:
            return None
        me = space.me if space is not None else None
        name = f"{me.first_name} {me.last_name}" if me is not None else ""
        content = questionnaire_pdf.build(found, holder_name=name, day=self.today, lang=lang)
        return f"{self.current.id}.pdf", content
