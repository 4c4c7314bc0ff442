"""A push applies its page of changes with bulk statements (issue #21): what a device sees of it
is what the one-statement-per-record push gave, whatever the page mixes."""

from typing import Any

from tests.backend.test_messages import pulled, talk  # noqa: F401  (talk: the fixture)
from tests.backend.test_record_access import holder_document
from tests.conftest import World, bearer


def _push(world: World, tokens: dict[str, str], mutations: list[dict[str, Any]], client: str) -> list[Any]:
    body = {"client_id": client, "mutations": mutations}
    response = world.api.post("/api/v1/sync/push", headers=bearer(tokens), json=body)
    assert response.status_code == 200, response.text
    results: list[Any] = response.json()["results"]
    return results


def _m(
    seq: int, collection: str, record_id: str, data: dict[str, Any], base: int = 0, op: str = "upsert"
) -> dict[str, Any]:
    """One mutation of a page."""
    return {
        "seq": seq,
        "op": op,
        "collection": collection,
        "id": record_id,
        "base_version": base,
        "data": data,
    }


WEIGHT = {"kind": "weight", "value": 71.5, "unit": "kg"}


def _of(results: list[Any], key: str) -> list[Any]:
    """Each answer's record's `key` (None where the answer has no record)."""
    return [r["record"][key] if r["record"] else None for r in results]


def test_a_page_that_writes_one_record_several_times(world: World) -> None:
    _, tokens = world.active_person()
    page = [
        _m(1, "note", "note-aaaa", {"title": "un", "body": "premier"}),
        _m(2, "measurement", "weight-bb", WEIGHT),
        _m(3, "note", "note-aaaa", {"title": "deux", "body": "premier"}, base=1),
        _m(4, "measurement", "weight-bb", {}, base=1, op="delete"),
        _m(5, "measurement", "weight-cc", WEIGHT | {"value": 7000}),  # impossible: refused
        _m(6, "nonsense", "other-ddd", {}),
        _m(7, "note", "note-aaaa", {"title": "trois", "body": "premier"}, base=1),  # stale: kept aside
        _m(8, "measurement", "weight-ee", {}, op="delete"),  # nothing to delete
        _m(
            9,
            "measurement",
            "weight-ff",
            WEIGHT | {"hidden_from_patient": True, "hidden_from_guardians": True},
        ),  # flags not a device's
    ]
    results = _push(world, tokens, page, "phone-pages")
    assert [r["outcome"] for r in results] == [
        *(
            "applied",
            "applied",
            "applied",
            "applied",
            "rejected",
            "rejected",
            "conflict",
            "applied",
            "applied",
        )
    ]
    assert _of(results, "version") == [1, 1, 2, 2, None, None, 3, None, 1]
    assert _of(results, "seq") == [1, 2, 3, 4, None, None, 5, None, 6]
    note = results[6]["record"]["data"]
    assert note["title"] == "deux" and note["_conflicts"][0]["value"] == "trois"
    assert results[8]["record"]["data"] == WEIGHT

    feed = world.api.get("/api/v1/sync/pull", headers=bearer(tokens)).json()["changes"]
    assert [(c["id"], c["seq"], c["version"], c["deleted"]) for c in feed] == [
        ("weight-bb", 4, 2, True),
        ("note-aaaa", 5, 3, False),
        ("weight-ff", 6, 1, False),
    ]
    assert feed[1]["data"] == note

    again = _push(world, tokens, page, "phone-pages")  # the answer was lost: the page comes again
    assert [r["outcome"] for r in again] == ["duplicate"] * len(page)
    assert _of(again, "version") == [3, 2, 3, 2, None, None, 3, None, 1]
    [after] = _push(world, tokens, [_m(1, "note", "note-zzzz", {"title": "après"})], "tablet-pages")
    assert after["record"]["seq"] == 7  # the holder's numbers were saved once, without a gap


def test_a_message_joins_a_document_written_earlier_in_its_page(world: World, talk) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    person, tokens, doctor, conversation_id = talk
    document_id = holder_document(world, tokens, "Radio du genou", "imaging", seq=1)
    [conversation] = pulled(world, tokens, "conversation")
    document = pulled(world, tokens, "document")[0]["data"]
    page = [
        _m(1, "document", "doc-copy-01", document | {"title": "Scanner"}),
        _m(
            2,
            "message",
            "reply-in-page",
            {
                "conversation_id": conversation["id"],
                "body": "Voici mon scanner et ma radio.",
                "attachments": [
                    {"kind": "document", "document_id": "doc-copy-01"},
                    {"kind": "document", "document_id": document_id},
                ],
            },
        ),
        _m(
            3,
            "message",
            "reply-unknown",
            {
                "conversation_id": conversation["id"],
                "body": "Et celui-ci ?",
                "attachments": [{"kind": "document", "document_id": "doc-never-01"}],
            },
        ),
    ]
    results = _push(world, tokens, page, "phone-messages-page")
    assert [r["outcome"] for r in results] == ["applied", "applied", "rejected"]
    assert [a["title"] for a in results[1]["record"]["data"]["attachments"]] == ["Scanner", "Radio du genou"]
    assert results[2]["error"] == "error.message.attachment"
    assert [
        m["sender"]
        for m in doctor.api.get(
            f"/api/v1/pro/conversations/{conversation_id}", headers={"X-Api-Key": doctor.key}
        ).json()["messages"]
    ] == ["professional", "holder"]
