"""The device keeps the server's signed word on its holder's access log (issue #15) and notices
when the log was cut, erased or rewritten on the server since its last sync."""

from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlmodel import Session, col

from backend_stub.models.access_log import AccessEntry
from backend_stub.models.accounts import Holder
from sync import log_watch
from tests.backend.test_record_access import Pro, holder_document
from tests.conftest import Person, World, bearer
from tests.sync.conftest import Device

READS = 4


@pytest.fixture
def watched(world: World, tmp_path: Path) -> tuple[Person, Device, str]:
    """A holder's phone, and a doctor who read their record READS times (READS log entries)."""
    person, tokens = world.active_person()
    holder_document(world, tokens, "Bilan", "lab_results")
    doctor = Pro(world, "doctor")
    for n in range(READS):
        assert doctor.call("GET", "/documents", person, consent=n == 0).status_code == 200
    holder_id = str(world.api.get("/api/v1/me", headers=bearer(tokens)).json()["id"])
    return person, Device(world, tokens, tmp_path, "phone"), holder_id


def _database_writer(world: World, holder_id: str, *, keep: int, head: str | None) -> None:
    """Keep the first `keep` entries and move the head back (or set it to `head`)."""
    with Session(world.ctx.engine) as session:
        last = session.get(AccessEntry, (holder_id, keep)) if keep else None
        session.execute(
            delete(AccessEntry).where(col(AccessEntry.holder_id) == holder_id, col(AccessEntry.seq) > keep)
        )
        moved = head if head is not None else (last.hash if last else "")
        session.execute(
            update(Holder).where(col(Holder.id) == holder_id).values(log_seq=keep, log_head=moved)
        )
        session.commit()


@pytest.mark.parametrize(
    ("keep", "head", "alert"),
    [
        (2, None, "error.log.truncated"),
        (0, None, "error.log.truncated"),
        (READS, "e" * 64, "error.log.rewritten"),
    ],
    ids=["cut", "erased", "rewritten"],
)
def test_the_device_notices_a_log_changed_behind_its_back(
    world: World, watched: tuple[Person, Device, str], keep: int, head: str | None, alert: str
) -> None:
    _, phone, holder_id = watched
    phone.engine.sync()
    assert str(phone.store.meta("log_head")).startswith(f"{READS}:")
    phone.engine.sync()  # nothing changed: nothing to say
    assert log_watch.alert(phone.store) is None
    _database_writer(world, holder_id, keep=keep, head=head)
    phone.engine.sync()
    assert log_watch.alert(phone.store) == alert


def test_a_head_not_signed_by_the_server_is_refused(watched: tuple[Person, Device, str]) -> None:
    _, phone, _ = watched
    statement = phone.client.pull("", 1).log_head
    assert statement is not None and log_watch.observe(phone.store, statement) is None
    forged = statement.model_copy(update={"seq": statement.seq + 10})
    assert log_watch.observe(phone.store, forged) == "error.log.signature"
