"""A helper's own numbering (issue #16): what the holder masks from helpers, and messages without
the messages right, leave no gap, no different answer and no shared upload a helper could notice."""

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend_stub.context import Context
from backend_stub.main import create_app
from tests.backend.test_helpers import A, _document, as_helper, helping, invite, push
from tests.backend.test_messages import pro_start
from tests.backend.test_record_access import PDF, Pro
from tests.conftest import World, bearer


@pytest.fixture
def world(ctx: Context) -> World:
    return World(ctx, TestClient(create_app(ctx), base_url="https://testserver"))


def feed(world: World, headers: dict[str, str]) -> list[dict[str, Any]]:
    """The whole feed, page by page (2 at a time, so the cursor crosses the masked items)."""
    changes, cursor = [], ""
    for _ in range(50):
        page = world.api.get(f"{A}/sync/pull", params={"cursor": cursor, "limit": 2}, headers=headers).json()
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            return changes
    raise AssertionError("the feed never ends")


def note(world: World, headers: dict[str, str], rid: str, **flags: Any) -> None:
    pushed = push(world, headers, "note", {"title": rid, "body": "x"} | flags, rid)
    assert pushed.json()["results"][0]["outcome"] == "applied", pushed.text


def test_a_helper_sees_no_gap_where_items_are_masked(world: World) -> None:
    _, helped_tokens, helped_id, _, helper_tokens, _ = helping(world)
    holder = bearer(helped_tokens)
    note(world, holder, "note-aaaa")
    note(world, holder, "note-secret-1", masked_from_helpers=True)
    note(world, holder, "note-secret-2", masked_from_helpers=True)
    note(world, holder, "note-bbbb")
    note(world, holder, "note-cccc")
    note(world, holder, "note-b-masked-later")
    seen = feed(world, as_helper(helper_tokens, helped_id))
    numbers = [c["seq"] for c in seen]
    assert [c["id"] for c in seen] == ["note-aaaa", "note-bbbb", "note-cccc", "note-b-masked-later"]
    assert numbers == list(range(1, len(seen) + 1)), numbers  # dense from 1: nothing in between
    own = feed(world, holder)
    assert len(own) == 6 and [c["seq"] for c in own] == list(range(1, 7))  # the holder's stays whole
    # Masking an item and changing a masked one take no number of the helper's either.
    last = own[-1]
    masked = push(world, holder, "note", last["data"] | {"masked_from_helpers": True}, last["id"], 1)
    assert masked.json()["results"][0]["outcome"] == "applied", masked.text
    note(world, holder, "note-dddd")
    seen = feed(world, as_helper(helper_tokens, helped_id))
    assert [c["id"] for c in seen] == ["note-aaaa", "note-bbbb", "note-cccc", "note-dddd"]
    assert [c["seq"] for c in seen] == [1, 2, 3, 5]  # 4 was the item's number before it was masked


def test_messages_leave_no_gap_for_a_helper_without_the_messages(world: World) -> None:
    helped, helped_tokens, helped_id, _, helper_tokens, _ = helping(world)
    holder = bearer(helped_tokens)
    note(world, holder, "note-aaaa")
    doctor = Pro(world, "doctor", name="Durand")
    doctor.titles(helped, consent=True)
    assert pro_start(doctor, helped, "Résultats", "Bonjour").status_code == 200
    note(world, holder, "note-bbbb")
    assert {"conversation", "message"} <= {c["collection"] for c in feed(world, holder)}
    seen = feed(world, as_helper(helper_tokens, helped_id))
    assert [c["id"] for c in seen] == ["note-aaaa", "note-bbbb"]
    assert [c["seq"] for c in seen] == [1, 2]
    # A helper allowed the messages reads them, in a numbering of their own without gaps either.
    reader, reader_tokens = world.active_person()
    made = invite(world, helped_tokens, reader, messages=True)
    world.api.post(f"{A}/delegations/{made.json()['id']}/accept", headers=bearer(reader_tokens))
    read = feed(world, as_helper(reader_tokens, helped_id))
    assert {"conversation", "message"} <= {c["collection"] for c in read}
    assert [c["seq"] for c in read] == list(range(1, len(read) + 1))


@pytest.mark.parametrize("may_add", [True, False])
def test_a_masked_id_answers_as_a_random_one(world: World, may_add: bool) -> None:
    _, helped_tokens, helped_id, _, helper_tokens, _ = helping(world, may_add=may_add)
    holder, helper = bearer(helped_tokens), as_helper(helper_tokens, helped_id)
    note(world, holder, "note-masked", masked_from_helpers=True)
    note(world, holder, "note-seen")
    answers = {}
    for rid, base in (("note-masked", 1), ("note-seen", 1), ("note-random-0001", 0)):
        got = push(world, helper, "note", {"title": "t", "body": "b"}, rid, base)
        answers[rid] = (got.status_code, got.json().get("results", got.json()))
    assert answers["note-masked"] == answers["note-random-0001"] == answers["note-seen"], answers
    assert "helpers.read_only" in str(answers["note-masked"])


def test_a_read_and_add_helper_never_meets_a_masked_document_s_bytes(world: World) -> None:
    _, helped_tokens, helped_id, _, helper_tokens, _ = helping(world, may_add=True)
    holder, helper = bearer(helped_tokens), as_helper(helper_tokens, helped_id)
    assert _document(world, holder, "Psy", masked_from_helpers=True).status_code == 200
    content = PDF + b"Psy"
    sha = hashlib.sha256(content).hexdigest()
    mine = world.api.post(f"{A}/uploads", headers=helper, json={"size": len(content), "sha256": sha})
    assert mine.status_code == 200, mine.text
    assert mine.json()["offset"] == 0 and not mine.json()["complete"]  # a fresh upload, as for new bytes
    # What a helper sends reads for the holder as any document's bytes.
    added = _document(world, helper, "Ordonnance")
    assert added.json()["results"][0]["outcome"] == "applied", added.text
    rid = added.json()["results"][0]["record"]["id"]
    got = world.api.get(f"{A}/sync/records/{rid}/content", headers=holder)
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
