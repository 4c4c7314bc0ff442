"""Share links as the holder makes them in the app, against the real server in-process."""

from datetime import UTC, datetime

from mobile.documents.state import DocumentRow
from mobile.shares.state import SharesState
from tests.mobile.conftest import AppServer
from tests.mobile.record_access.test_state import World


def _row(record_id: str, title: str, *, pending: bool = False) -> DocumentRow:
    return DocumentRow(
        id=record_id,
        title=title,
        type="consultation_report",
        day="2026-11-20",
        masked=False,
        own=False,
        author_name="Alex Durand",
        author_profession="doctor",
        pending=pending,
        mime="application/pdf",
        file_id="",
    )


def test_make_open_and_stop_a_link(app_server: AppServer) -> None:
    world = World(app_server)
    doctor = world.pro("Alex", "Durand")
    assert world.read(doctor, consent=True).status_code == 200
    added = world.add(doctor, "Compte rendu")
    assert added.status_code == 200, added.text
    record_id = added.json()["id"]
    rows = [_row(record_id, "Compte rendu"), _row("local-only-1", "Pas encore envoyé", pending=True)]
    shares = SharesState(world.client, lambda: rows)
    assert [r.id for r in shares.documents()] == [record_id]  # a pending document cannot be shared yet

    assert not shares.create()
    assert shares.banner is not None and shares.banner.code == "ui.share.error.none"
    shares.toggle(record_id, True)
    shares.toggle("local-only-1", True)
    shares.set_days(30)
    shares.label = "  Dr Morel  "
    assert shares.create()
    made = shares.created
    assert made is not None and made.label == "Dr Morel" and made.document_ids == [record_id]
    assert shares.selected == [] and [link.id for link in shares.links] == [made.id]

    page = made.url[made.url.index("/api/v1/") :]
    assert world.http.post(page, data={"code": made.code}).status_code == 200
    assert shares.load() and shares.links[0].opens == 1
    assert SharesState.status(shares.links[0], datetime.now(UTC)) == "active"
    shares.noted()
    assert shares.created is None

    assert shares.revoke(made.id)
    assert SharesState.status(shares.links[0], datetime.now(UTC)) == "stopped"
    assert shares.notice == ("ui.share.stopped", {})
    assert world.http.post(page, data={"code": made.code}).status_code == 410
    world.close()
