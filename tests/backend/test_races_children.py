"""Races on a child's space, between two real server processes on one database: the two parents
(or one parent's two taps) opening it at once open it once."""

from sqlmodel import Session

from backend_stub.context import build_context
from backend_stub.demo import nir_for
from backend_stub.notifier import read_outbox
from backend_stub.services import activation, enrolment
from tests.backend.test_account_races import Pair, _at_once, pair
from tests.conftest import CODE_RE

__all__ = ["pair"]  # the fixture, used by name


def _family(pair: Pair) -> tuple[dict[str, str], dict[str, str]]:
    """An active parent's bearer header, and their child's three identifiers (the letter's)."""
    email, parent_nir, _ = pair.person()
    headers = {"Authorization": f"Bearer {pair.login(email)['access_token']}"}
    pair.n += 1
    row = {"nir": nir_for(pair.n), "vitale_serial": f"{40000000 + pair.n}", "first_name": "Léa"}
    row |= {"last_name": "Martin", "birth_date": "2016-03-10", "email": "", "parent_nir": parent_nir}
    ctx = build_context(pair.settings)
    with Session(ctx.engine) as session:
        enrolment.enrol_many(session=session, ctx=ctx, people=[enrolment.Enrollee.parse(row)])
    ctx.engine.dispose()
    letters = read_outbox(pair.data_dir / "outbox", limit=50)
    codes = [
        m.group(1) for letter in letters if "Léa" in letter["body"] and (m := CODE_RE.search(letter["body"]))
    ]
    assert codes, "the child's letter"
    return headers, {"provisional_code": codes[0], "nir": row["nir"], "vitale_serial": row["vitale_serial"]}


def _status(pair: Pair, ids: dict[str, str]) -> str:
    ctx = build_context(pair.settings)
    with Session(ctx.engine) as session:
        child = activation.find_holder(session=session, ctx=ctx, nir=ids["nir"], vitale=ids["vitale_serial"])
        assert child is not None
        status = str(child.status)
    ctx.engine.dispose()
    return status


def test_a_child_space_opened_at_once_opens_once(pair: Pair) -> None:
    headers, ids = _family(pair)
    tries = 6
    answers = _at_once(tries, lambda n: pair.post(n, "/children/activation", json=ids, headers=headers))
    assert sorted(r.status_code for r in answers) == [200] + [409] * (tries - 1)
    assert _status(pair, ids) == "active"
