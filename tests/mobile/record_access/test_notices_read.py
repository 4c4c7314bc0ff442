"""The bell's notices are read by opening what they point to (issue #19): opening the access log
marks the access notices read, opening a message its "new message" notice, on the server too, so
the bell's count drops; other notices stay unread."""

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from mobile.main import BUILDERS
from mobile.record_access.common import record
from mobile.record_access.state import NotificationsState
from mobile.shell.state import Screen
from mobile.shell.widgets import Ui
from tests.mobile.conftest import AppServer
from tests.mobile.messages.test_state import pro_writes
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import signed_in


class RunPage:
    """Runs what a screen starts in the background at once, so the test sees its outcome."""

    def run_task(self, job: Callable[..., Awaitable[object]], *args: object) -> None:
        asyncio.run(job(*args))  # type: ignore[arg-type]


@pytest.fixture
def world(app_server: AppServer) -> Iterator[World]:
    found = World(app_server, n=21)
    yield found
    found.close()


def _unread_kinds(notes: NotificationsState) -> list[str]:
    return sorted(n.kind for n in notes.items if not n.read)


def _on_server(world: World) -> list[str]:
    again = NotificationsState(world.client)
    assert again.refresh()
    return _unread_kinds(again)


def test_opening_the_access_log_reads_the_access_notices(world: World, tmp_path: Path) -> None:
    durand = world.pro("Alex", "Durand")
    regulator = world.pro("Paul", "Girard", specialty="emergency_regulator")
    assert world.read(durand, consent=True).status_code == 200
    assert world.read(regulator, mode="regulator", reason="Appel au 15").status_code == 200
    assert world.add(durand, "Ordonnance").status_code == 200
    state = signed_in(world, tmp_path)
    ui = Ui(RunPage(), state, lambda: None)  # type: ignore[arg-type]
    notes = record(ui).notifications

    state.go(Screen.ACCESS_LOG)
    BUILDERS[Screen.ACCESS_LOG](ui)  # the bell has not loaded them yet: nothing to mark
    assert _on_server(world) == ["document_added", "first_access", "regulator_access"]

    assert notes.refresh() and notes.unread == 3  # what the bell loads on the home screen
    BUILDERS[Screen.ACCESS_LOG](ui)
    assert _unread_kinds(notes) == ["document_added"] and notes.unread == 1  # the bell's count drops
    assert _on_server(world) == ["document_added"]  # told to the server: it lasts
    assert record(ui).log.entries  # the log itself was loaded and shown as before


def test_opening_a_message_reads_its_notice(world: World, tmp_path: Path) -> None:
    doctor = world.pro("Alex", "Durand")
    assert world.read(doctor, consent=True).status_code == 200
    blood = pro_writes(world, doctor, "Résultats de la prise de sang", "Vos résultats sont normaux.")
    world.server.clock.advance(minutes=1)
    visit = pro_writes(world, doctor, "Rendez-vous de contrôle", "Pouvez-vous venir mardi ?")
    state = signed_in(world, tmp_path)
    assert state.sync_bar.sync()
    ui = Ui(RunPage(), state, lambda: None)  # type: ignore[arg-type]
    notes = record(ui).notifications
    assert notes.refresh() and _unread_kinds(notes) == ["first_access", "new_message", "new_message"]

    assert state.messages.open(blood)
    state.go(Screen.CONVERSATION)
    BUILDERS[Screen.CONVERSATION](ui)  # one of two messages read: one notice of two
    assert _unread_kinds(notes) == ["first_access", "new_message"]
    BUILDERS[Screen.CONVERSATION](ui)  # drawn again: nothing more
    assert _on_server(world) == ["first_access", "new_message"]

    assert state.messages.open(visit)
    BUILDERS[Screen.CONVERSATION](ui)
    assert _unread_kinds(notes) == ["first_access"] and _on_server(world) == ["first_access"]
