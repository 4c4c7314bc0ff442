"""Races on a space's life, between two real server processes on one database: a space closed
twice at once (a double tap, two devices) is closed once, with one message."""

import threading

from backend_stub.notifier import read_outbox
from tests.backend.test_account_races import Pair, _at_once, pair
from tests.conftest import PASSWORD

__all__ = ["pair"]  # the fixture, used by name


def test_a_space_closed_twice_at_once_is_closed_once(pair: Pair) -> None:
    email, _, _ = pair.person()
    headers = {"Authorization": f"Bearer {pair.login(email)['access_token']}"}
    answers = _at_once(
        2, lambda n: pair.post(n, "/space/close", json={"password": PASSWORD}, headers=headers)
    )
    assert sorted(r.status_code for r in answers) == [200, 403]
    threading.Event().wait(1)  # a second message would be written by now
    sent = [m for m in read_outbox(pair.data_dir / "outbox", to=email, limit=50) if m["kind"] == "closed"]
    assert len(sent) == 1
