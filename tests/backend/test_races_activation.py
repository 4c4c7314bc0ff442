"""Races on a space's opening, between two real server processes on one database: one provisional
code opens the space once, and an objection and an activation sent together leave one state: opened
(with its login) or refused (with none)."""

import pytest
from sqlmodel import Session

from backend_stub.context import build_context
from backend_stub.services import activation
from tests.backend.test_account_races import Pair, _at_once, pair
from tests.conftest import PASSWORD

__all__ = ["pair"]  # the fixture, used by name


def test_one_code_sent_at_once_opens_the_space_once(pair: Pair) -> None:
    ids = pair.enrolled()
    login = {"password": PASSWORD, "otp_channel": "email"}
    tries = pair.settings.rate_per_account - 2  # within the per-number limit: every one is answered
    answers = _at_once(
        tries, lambda n: pair.post(n, "/activation", json=ids | login | {"email": f"p{n}@exemple.fr"})
    )
    assert sorted(r.status_code for r in answers) == [200] + [409] * (tries - 1)
    (won,) = [n for n, r in enumerate(answers) if r.status_code == 200]
    for n in {won, (won + 1) % tries}:  # the winner's login only: no later activation replaced it
        tried = pair.post(n, "/auth/login", json={"email": f"p{n}@exemple.fr", "password": PASSWORD})
        assert tried.status_code == (200 if n == won else 401)


@pytest.mark.parametrize("_", range(2))  # either may come first
def test_objection_and_activation_at_once_leave_one_state(pair: Pair, _: int) -> None:
    ids = pair.enrolled()
    login = {"email": "ouvre@exemple.fr", "password": PASSWORD, "otp_channel": "email"}
    answers = _at_once(
        2,
        lambda n: (
            pair.post(n, "/activation", json=ids | login) if n else pair.post(n, "/objection", json=ids)
        ),
    )
    activated = answers[1].status_code == 200  # after an objection too: the person changed their mind
    ctx = build_context(pair.settings)
    with Session(ctx.engine) as session:
        holder = activation.find_holder(session=session, ctx=ctx, nir=ids["nir"], vitale=ids["vitale_serial"])
        assert holder is not None
        assert (holder.status, bool(holder.password_hash)) == (
            ("active", True) if activated else ("objected", False)
        )
    ctx.engine.dispose()
