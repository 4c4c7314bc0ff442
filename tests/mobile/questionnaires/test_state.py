"""'Mon bilan prévention' in the app: the person's questionnaire offered first, one question at a
time with the shared checks, branching, answers saved after each step (a questionnaire left
half-way opens where it was, offline too), the synthesis and its PDF, and the record the server
takes on sync."""

from datetime import date
from pathlib import Path

import pytest

from mobile.questionnaires.state import COLLECTION, QuestionnaireState
from mobile.shell.state import Screen
from sync.protocol.errors import ErrorCode
from sync.protocol.questionnaires import IDS
from tests.mobile.conftest import AppServer
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import signed_in


@pytest.fixture
def world(app_server: AppServer) -> World:
    found = World(app_server, n=14)
    yield found  # type: ignore[misc]
    found.close()


def test_answered_offline_saved_step_by_step_then_the_synthesis(world: World, tmp_path: Path) -> None:
    state = signed_in(world, tmp_path)
    state.go(Screen.AGENDA)
    state.go(Screen.QUESTIONNAIRES)
    q = state.questionnaires
    q.today = date(2031, 6, 1)  # born 01/05/1985: 46 years old
    assert q.for_my_age() is not None and q.for_my_age().id == "bilan_45_50"  # type: ignore[union-attr]
    assert [x.id for x in q.offered()][0] == "bilan_45_50" and len(q.offered()) == len(IDS)
    assert q.status("bilan_18_25") == ""

    assert q.open("bilan_18_25") and q.question is not None
    state.go(Screen.QUESTIONNAIRE)
    assert q.question.id == "diet_fruit_veg" and q.position() == (
        1,
        12,
    )  # questions that hang on an answer come later
    assert not q.answer()  # nothing chosen
    assert q.error is not None and q.error.code == ErrorCode.QUESTIONNAIRE_REQUIRED
    q.choose("not an option")
    assert not q.answer() and q.error.code == ErrorCode.QUESTIONNAIRE_ANSWER  # type: ignore[union-attr]
    q.choose("less_than_2")
    assert q.answer() and q.question.id == "physical_activity"
    assert q.status("bilan_18_25") == "draft"  # saved at once, on this device
    q.previous()
    assert q.question.id == "diet_fruit_veg" and q.value == "less_than_2"  # its answer shown again
    assert q.answer() and q.question.id == "physical_activity"

    # Left half-way: a new state (the app reopened) finds it where it was.
    again = QuestionnaireState(state.vault, state.sync_bar)
    assert again.open("bilan_18_25") and again.question is not None
    assert again.question.id == "physical_activity"

    for value in ("three_or_four", "less_than_4", "well", "never"):
        q.choose(value)
        assert q.answer(), q.error
    assert q.question.id == "alcohol_frequency"  # "never smoked": no question about quitting
    for value in ("four_or_more_a_week", "three_or_four", "weekly", "never", "never", "no"):
        q.choose(value)
        assert q.answer(), q.error
    assert q.question.id == "sexual_health"
    q.toggle("contraception", True)
    q.toggle("none", True)  # "none" goes alone
    assert q.value == ["none"]
    q.toggle("sti_test", True)
    assert q.value == ["sti_test"]
    assert q.answer()
    q.choose("yes")
    assert q.answer() and q.question.id == "priorities"
    assert q.answer()  # optional: skipped
    assert q.question is None and q.complete() and q.status("bilan_18_25") == "done"

    found = q.synthesis("fr")
    assert found is not None and found.complete and found.audit_c == 4 + 1 + 3
    assert any("Moins de 2" in point for point in found.to_discuss)
    made = q.pdf("fr")
    assert made is not None and made[0] == "bilan_18_25.pdf" and made[1].startswith(b"%PDF-")

    assert state.sync_bar.sync()  # the server takes the record as it is
    store = state.vault.space.store  # type: ignore[union-attr]
    [record] = store.items(COLLECTION)
    assert not record.pending and record.data["status"] == "done"
    q.change_answers()
    assert q.question is not None and q.question.id == "diet_fruit_veg"
    state.back()
    assert state.screen == Screen.QUESTIONNAIRES
    state.back()
    assert state.screen == Screen.AGENDA


def test_unknown_questionnaire_is_refused(world: World, tmp_path: Path) -> None:
    q = signed_in(world, tmp_path).questionnaires
    assert not q.open("bilan_99")
    assert q.error is not None and q.error.code == ErrorCode.QUESTIONNAIRE_UNKNOWN
