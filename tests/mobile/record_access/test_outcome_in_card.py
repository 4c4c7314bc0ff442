"""On the long professionals screen, an action's confirmation or error is drawn in the card of the
professional acted on, in a live region, not at the top (issue #19); the search offers no
"Autoriser" for someone already authorised."""

from collections.abc import Iterator
from pathlib import Path

import flet as ft
import pytest

from mobile.main import BUILDERS
from mobile.record_access.common import record
from mobile.shell.state import Screen
from mobile.shell.widgets import Ui
from sync.errors import SyncError
from tests.mobile.conftest import AppServer
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import signed_in
from tests.mobile.test_new_screens_render import StubPage, keys


@pytest.fixture
def world(app_server: AppServer) -> Iterator[World]:
    found = World(app_server, n=19)
    yield found
    found.close()


def _find(controls: list[ft.Control], key: str) -> ft.Control:
    todo = list(controls)
    while todo:
        control = todo.pop()
        if control.key == key:
            return control
        for name in ("content", "controls"):
            child = getattr(control, name, None)
            if isinstance(child, ft.Control):
                todo.append(child)
            elif isinstance(child, list):
                todo += [c for c in child if isinstance(c, ft.Control)]
    raise AssertionError(f"no {key}")


def test_outcomes_are_drawn_in_the_card_acted_on(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    durand = world.pro("Alex", "Durand")
    dupont = world.pro("Bea", "Dupont", "pharmacist")
    state = signed_in(world, tmp_path)
    ui = Ui(StubPage(), state, lambda: None)  # type: ignore[arg-type]
    state.go(Screen.PROFESSIONALS)
    rec = record(ui)
    rec.view_seen = "professionals"
    pros = rec.professionals
    assert pros.load()

    def drawn() -> list[ft.Control]:
        return BUILDERS[Screen.PROFESSIONALS](ui)

    # Authorised from the search results: the confirmation is in that result's card, announced.
    pros.set_query("Du")
    assert pros.search()
    pros.start_authorise(durand.id, where="search")
    assert pros.authorise(now=world.server.clock.now())
    screen = drawn()
    found = keys(screen)
    assert f"result-{durand.id}-notice" in found and "pros-notice" not in found
    outcome = _find(screen, f"result-{durand.id}-outcome")
    assert isinstance(outcome, ft.Semantics) and outcome.live_region
    # Already authorised: the search says so and offers no "Autoriser"; the other one still has it.
    assert f"result-{durand.id}-in-list" in found and f"result-{durand.id}-authorise" not in found
    assert f"result-{dupont.id}-authorise" in found

    # Revoked from the list: the confirmation moves to that professional's card in the list.
    assert pros.revoke(durand.id)
    found = keys(drawn())
    assert f"grant-{durand.id}-notice" in found and f"result-{durand.id}-notice" not in found
    assert f"result-{durand.id}-authorise" in found  # revoked: may be authorised again

    # An error of an action is drawn in the card too, not in the top banner.
    def refused(*_args: object, **_kw: object) -> object:
        raise SyncError("error.server")

    monkeypatch.setattr(pros.client, "revoke", refused)
    assert not pros.block(durand.id)
    found = keys(drawn())
    assert f"grant-{durand.id}-banner" in found and "pros-banner" not in found
    assert _find(drawn(), f"grant-{durand.id}-outcome").live_region  # type: ignore[attr-defined]

    # While an action on the other card runs, its progress is drawn there, not in the last one's.
    pros.aim(dupont.id, "search")
    pros.busy = True
    found = keys(drawn())
    assert f"result-{dupont.id}-busy" in found and not {"pros-busy", f"grant-{durand.id}-busy"} & found
    pros.busy = False

    # A new search is no action on anyone: its outcome would be at the top again.
    assert pros.search() and pros.acted_on is None
    assert not {f"grant-{durand.id}-outcome", f"result-{durand.id}-outcome"} & keys(drawn())
