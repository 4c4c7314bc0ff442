"""The sync engine against the real server in-process: push, pull, conflicts, read-only, offline."""

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from backend_stub.models.accounts import Holder
from backend_stub.models.record import Record
from backend_stub.services.sequence import stamp
from sync.engine import Backoff, SyncEngine
from sync.errors import ApiError, NetworkError
from sync.protocol.sync_schemas import PullResponse, PushRequest, PushResponse
from sync.store import ReadOnlyRecord
from tests.conftest import World
from tests.sync.conftest import Device


def test_changes_reach_the_other_device(two_devices: tuple[Device, Device]) -> None:
    phone, tablet = two_devices
    note = phone.store.put("note", {"title": "Vaccin", "body": "Rappel DTP en mars"})
    weight = phone.store.put("measurement", {"kind": "weight", "value": 72.4, "unit": "kg"})
    assert phone.engine.status().pending == 2
    status = phone.engine.sync()
    assert (status.state, status.pending, status.error) == ("up_to_date", 0, None)
    tablet.engine.sync()
    assert tablet.store.get(note).data == {"title": "Vaccin", "body": "Rappel DTP en mars"}  # type: ignore[union-attr]
    assert tablet.store.get(weight).version == 1  # type: ignore[union-attr]
    phone.store.delete(weight)
    phone.engine.sync()
    tablet.engine.sync()
    assert tablet.store.get(weight) is None
    assert [i.id for i in tablet.store.items("measurement")] == []


def test_edit_then_delete_before_sync_sends_the_delete_only(two_devices: tuple[Device, Device]) -> None:
    """Issue #19: the queued edit used to go out with the tombstone's empty content and be refused."""
    phone, tablet = two_devices
    synced = phone.store.put("note", {"title": "Vaccin", "body": "DTP"})
    phone.engine.sync()
    tablet.engine.sync()
    phone.store.put("note", {"title": "Vaccin", "body": "DTP en mars"}, record_id=synced)
    never_synced = phone.store.put("measurement", {"kind": "weight", "value": 72.4, "unit": "kg"})
    phone.store.put("measurement", {"kind": "weight", "value": 72.6, "unit": "kg"}, record_id=never_synced)
    phone.store.delete(synced)
    phone.store.delete(never_synced)
    assert [(m.id, m.op) for m in phone.store.outbox_batch(10)] == [
        (synced, "delete"),
        (never_synced, "delete"),
    ]
    status = phone.engine.sync()
    assert (status.state, status.pending, status.error) == ("up_to_date", 0, None)
    tablet.engine.sync()
    assert tablet.store.get(synced) is None and tablet.store.get(never_synced) is None


def test_several_offline_edits_of_one_record(two_devices: tuple[Device, Device]) -> None:
    phone, tablet = two_devices
    rid = phone.store.put("measurement", {"kind": "weight", "value": 70})
    for value in (71, 72, 73):
        phone.store.put("measurement", {"kind": "weight", "value": value}, record_id=rid)
    phone.engine.sync()
    assert phone.engine.status().pending == 0
    item = phone.store.get(rid)
    assert item is not None and item.data["value"] == 73 and not item.conflicts
    tablet.engine.sync()
    assert tablet.store.get(rid).data["value"] == 73  # type: ignore[union-attr]


def test_concurrent_offline_edits_converge(two_devices: tuple[Device, Device]) -> None:
    phone, tablet = two_devices
    rid = phone.store.put("note", {"title": "Traitement", "body": "Doliprane"})
    weight = phone.store.put("measurement", {"kind": "weight", "value": 70, "unit": "kg"})
    phone.engine.sync()
    tablet.engine.sync()
    # Both offline: each edits the same records.
    phone.store.put("note", {"title": "Traitement", "body": "Doliprane 1g"}, record_id=rid)
    tablet.store.put("note", {"title": "Traitement", "body": "Doliprane 500mg"}, record_id=rid)
    phone.store.put("measurement", {"kind": "weight", "value": 71, "unit": "kg"}, record_id=weight)
    tablet.store.put("measurement", {"kind": "weight", "value": 69, "unit": "kg"}, record_id=weight)
    phone.engine.sync()
    tablet.engine.sync()  # reaches the server last
    phone.engine.sync()
    a, b = phone.store.get(rid), tablet.store.get(rid)
    assert a is not None and b is not None
    # Free text: the server's text stays, the other is kept as a conflict, the same on both.
    assert a.data == b.data and a.data["body"] == "Doliprane 1g"
    assert [c["value"]["body"] if isinstance(c["value"], dict) else c["value"] for c in a.conflicts] == [
        "Doliprane 500mg"
    ]
    assert a.conflicts == b.conflicts
    # Structured field: the write the server ordered last wins.
    assert phone.store.get(weight).data["value"] == tablet.store.get(weight).data["value"] == 69  # type: ignore[union-attr]


def test_professional_records_are_read_only(world: World, two_devices: tuple[Device, Device]) -> None:
    phone, _ = two_devices
    with Session(world.ctx.engine) as session:
        holder = session.exec(select(Holder)).one()
        record = Record(
            holder_id=holder.id,
            id="pro-report-1",
            collection="document",
            version=1,
            seq=0,
            data={"title": "Compte rendu"},
            author="professional:42",
            updated_at=datetime.now(UTC),
        )
        stamp(session, record)
        session.add(record)
        session.commit()
    phone.engine.sync()
    item = phone.store.get("pro-report-1")
    assert item is not None and item.read_only and item.author == "professional:42"
    with pytest.raises(ReadOnlyRecord):
        phone.store.put("document", {"title": "changed"}, record_id="pro-report-1")
    with pytest.raises(ReadOnlyRecord):
        phone.store.delete("pro-report-1")


class _Offline:
    def push(self, request: PushRequest) -> PushResponse:
        raise NetworkError()

    def pull(self, cursor: str, limit: int = 500) -> PullResponse:
        raise NetworkError()


def test_offline_changes_are_kept_and_counted(two_devices: tuple[Device, Device]) -> None:
    phone, _ = two_devices
    sleeps: list[float] = []
    offline = SyncEngine(phone.store, _Offline(), backoff=Backoff(sleep=sleeps.append, rng=lambda: 1.0))
    phone.store.put("note", {"body": "en sous-sol"})
    status = offline.sync()
    assert (status.state, status.pending, status.error) == ("error", 1, "error.network")
    assert sleeps == [0.5, 1.0, 2.0, 4.0]  # exponential backoff between the 5 tries
    assert phone.store.items("note")[0].data == {"body": "en sous-sol"}
    assert phone.engine.sync().state == "up_to_date"


def test_retry_after_is_respected() -> None:
    calls, sleeps = [], []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ApiError("error.rate_limited", {"retry_after": 7}, 429)
        return "ok"

    assert Backoff(sleep=sleeps.append).run(flaky) == "ok"
    assert sleeps == [7.0, 7.0]


def test_pull_is_paged(two_devices: tuple[Device, Device]) -> None:
    phone, tablet = two_devices
    for n in range(25):
        phone.store.put("measurement", {"kind": "weight", "value": 60 + n})
    phone.engine.sync()
    tablet.engine.page_size = 4
    tablet.engine.sync()
    assert len(tablet.store.items("measurement")) == 25


def test_server_refuses_an_impossible_measurement(world: World) -> None:
    _, tokens = world.active_person()
    mutation = {
        "seq": 1,
        "op": "upsert",
        "collection": "measurement",
        "id": "weight-0001",
        "base_version": 0,
        "data": {"kind": "weight", "value": 1000, "unit": "kg"},
    }
    response = world.api.post(
        "/api/v1/sync/push",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        json={"client_id": "phone-0001", "mutations": [mutation]},
    )
    result = response.json()["results"][0]
    assert (result["outcome"], result["error"]) == ("rejected", "error.measure.impossible")
    pressure = mutation | {
        "seq": 2,
        "id": "bpress-0001",
        "data": {"kind": "blood_pressure", "value": 80, "second": 120},
    }
    response = world.api.post(
        "/api/v1/sync/push",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        json={"client_id": "phone-0001", "mutations": [pressure]},
    )
    assert response.json()["results"][0]["error"] == "error.measure.pressure_order"


def test_a_refused_change_is_said_and_the_device_keeps_the_servers_data(
    two_devices: tuple[Device, Device],
) -> None:
    phone, _ = two_devices
    bad = phone.store.put("measurement", {"kind": "weight", "value": 1000, "unit": "kg"})  # a modified app
    good = phone.store.put("measurement", {"kind": "weight", "value": 70, "unit": "kg"})
    status = phone.engine.sync()
    assert (status.state, status.error, status.pending) == ("error", "error.sync.rejected", 0)
    assert phone.store.get(bad) is None
    assert phone.store.get(good) is not None
    assert phone.engine.sync().state == "up_to_date"
