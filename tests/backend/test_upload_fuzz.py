"""Property-based test of resumable uploads: any sequence of chunks, right or wrong, at any offset,
gives a clear answer (never a 5xx); the server's offset never passes the size; and the upload
completes only with exactly the announced bytes."""

import hashlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import World, bearer

attempts = st.lists(
    st.tuples(st.booleans(), st.integers(0, 4000), st.integers(0, 1200), st.booleans()), max_size=8
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(min_size=1, max_size=3000).map(lambda b: b"%PDF-" + b), steps=attempts)
def test_any_chunks_then_the_right_ones(
    world: World, content: bytes, steps: list[tuple[bool, int, int, bool]]
) -> None:
    if not hasattr(world, "fuzz_tokens"):
        world.fuzz_tokens = world.active_person()[1]  # type: ignore[attr-defined]
    headers = bearer(world.fuzz_tokens)  # type: ignore[attr-defined]
    created = world.api.post(
        "/api/v1/uploads",
        json={"size": len(content), "sha256": hashlib.sha256(content).hexdigest()},
        headers=headers,
    )
    assert created.status_code == 200, created.text
    upload_id, offset = created.json()["id"], created.json()["offset"]
    for at_server_offset, other_offset, length, corrupt in steps:
        at = offset if at_server_offset else other_offset
        piece = content[at : at + length] if at < len(content) else b"x" * length
        if corrupt and piece:
            piece = bytes([piece[0] ^ 0xFF]) + piece[1:]
        sent = world.api.patch(
            f"/api/v1/uploads/{upload_id}", content=piece, headers=headers | {"Upload-Offset": str(at)}
        )
        assert sent.status_code < 500, sent.text
        state = world.api.get(f"/api/v1/uploads/{upload_id}", headers=headers).json()
        assert 0 <= state["offset"] <= len(content)
        offset = state["offset"]
        if state["complete"]:
            break
    state = world.api.get(f"/api/v1/uploads/{upload_id}", headers=headers).json()
    if not state["complete"]:  # the phone resumes from what the server says, with the right bytes
        finished = world.api.patch(
            f"/api/v1/uploads/{upload_id}",
            content=content[state["offset"] :],
            headers=headers | {"Upload-Offset": str(state["offset"])},
        )
        if finished.status_code == 422 and finished.json()["code"] == "error.upload.checksum":
            # A corrupt chunk was accepted earlier: the server noticed at the end and starts over.
            finished = world.api.patch(
                f"/api/v1/uploads/{upload_id}", content=content, headers=headers | {"Upload-Offset": "0"}
            )
        assert finished.status_code == 200, finished.text
    with world.ctx.blobs.open(upload_id) as blob:
        assert blob.read() == content
