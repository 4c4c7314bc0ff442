"""The screens of issue #17 draw from their states without a browser: each builder runs on a
stub page (no background load is started once the state is loaded) and holds its main controls."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import flet as ft
import pytest

from mobile.main import BUILDERS
from mobile.record_access.common import record
from mobile.shell.state import Screen
from mobile.shell.widgets import Ui
from tests.mobile.conftest import AppServer
from tests.mobile.documents.test_state import add_document
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import signed_in


class StubPage:
    """What the builders may ask of a page: tasks are not run (the states are loaded already)."""

    def run_task(self, *_args: object) -> None:
        return None


def keys(controls: list[ft.Control]) -> set[str]:
    found: set[str] = set()
    todo = list(controls)
    while todo:
        control = todo.pop()
        if control.key is not None:
            found.add(str(control.key))
        for name in ("content", "controls", "title", "subtitle", "leading", "trailing"):
            child = getattr(control, name, None)
            if isinstance(child, ft.Control):
                todo.append(child)
            elif isinstance(child, list):
                todo += [c for c in child if isinstance(c, ft.Control)]
    return found


@pytest.fixture
def world(app_server: AppServer) -> Iterator[World]:
    found = World(app_server, n=17)
    yield found
    found.close()


def test_the_new_screens_draw(world: World, tmp_path: Path) -> None:
    state = signed_in(world, tmp_path)
    ui = Ui(StubPage(), state, lambda: None)  # type: ignore[arg-type]

    def drawn(screen: Screen) -> set[str]:
        state.go(screen)
        return keys(BUILDERS[screen](ui))

    rec = record(ui)
    rec.view_seen = "alerts"
    assert rec.alerts.load()
    assert {"alerts-in_app", "alerts-email", "alerts-sms", "alerts-emergency", "alerts-no-phone"} <= drawn(
        Screen.ALERTS
    )
    rec.view_seen = "profile-sharing"
    assert rec.sharing.load()
    assert {"sharing-vaccination", "sharing-allergy"} <= drawn(Screen.PROFILE_SHARING)
    rec.view_seen = "emergency"
    assert rec.emergency.load()
    assert "switch-masked_in_emergency" in drawn(Screen.EMERGENCY)

    state.history.loaded = True
    assert "history-search-box" in drawn(Screen.HEALTH_HISTORY)
    assert "questionnaire-bilan_18_25" in drawn(Screen.QUESTIONNAIRES)
    # At 46 (born 01/05/1985) the key-age reminder leads to the questionnaire of that age.
    state.agenda.clock = lambda: datetime(2031, 6, 1, 9, tzinfo=UTC)
    assert "checkup-prevention_check_45_50-questionnaire" in drawn(Screen.CHECKUPS)
    assert "agenda-questionnaires" in drawn(Screen.AGENDA)
    assert state.questionnaires.open("bilan_70_75")
    assert {"question-text", "question-next", "answer"} <= drawn(Screen.QUESTIONNAIRE)
    # On a phone the list comes first: the filters are folded behind one button, opened on demand.
    phone = drawn(Screen.DOCUMENTS)
    assert {"docs-offline", "offline-all", "docs-folders", "docs-filter-toggle"} <= phone
    assert not {"field-query", "filter-type", "filter-category", "field-from-row"} & phone
    state.docs.filters.toggle(wide=False)
    assert {"field-query", "filter-type", "filter-category", "field-from-row", "field-to-row"} <= drawn(
        Screen.DOCUMENTS
    )
    state.docs.keep_offline(everything=False)
    state.docs.filters.set("folder_name", "Cardiologie")
    assert state.docs.create_folder()
    assert {"offline-results", "offline-folder-0", "filter-folder"} <= drawn(Screen.DOCUMENTS)
    state.docs.new_document()
    assert {"add-scan", "add-pick"} <= drawn(Screen.DOCUMENT_ADD)
    record_id = add_document(state, "Prise de sang")
    state.open_document(record_id)
    assert {"doc-pin", "doc-folder", "doc-title"} <= drawn(Screen.DOCUMENT_VIEW)
    state.profile.open_list("blood_group")
    assert "entry-add" in drawn(Screen.PROFILE_LIST)
    assert {"profile-blood_group", "profile-history", "profile-sleep"} <= drawn(Screen.PROFILE)
