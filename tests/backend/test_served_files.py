"""Files served safely and whole (issue #15): the type sent is read from the bytes, only PDF,
JPEG and PNG go out, always `nosniff` and `attachment`; a bad type is refused at upload; a
sealed file cut or altered on disk is a clear error and an operator alert, never half a file."""

import base64
import hashlib
import logging
import re
from pathlib import Path

import pytest
from sqlmodel import Session

from backend_stub.models.record import Upload
from backend_stub.sealed_blobs import DIGEST, HEADER, TAG
from tests.backend.test_messages import pro_start, pulled, push
from tests.backend.test_record_access import PDF, Pro
from tests.backend.test_shares import _path, _share
from tests.conftest import World, bearer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ROUTES = Path(__file__).resolve().parents[2] / "backend_stub" / "api" / "routes"


def _upload(world: World, tokens: dict[str, str], content: bytes, chunks: int = 1):  # type: ignore[no-untyped-def]
    sha = hashlib.sha256(content).hexdigest()
    created = world.api.post(
        "/api/v1/uploads", json={"size": len(content), "sha256": sha}, headers=bearer(tokens)
    )
    assert created.status_code == 200, created.text
    step, response = -(-len(content) // chunks), None
    for offset in range(0, len(content), step):
        response = world.api.patch(
            f"/api/v1/uploads/{created.json()['id']}",
            content=content[offset : offset + step],
            headers=bearer(tokens) | {"Upload-Offset": str(offset)},
        )
    assert response is not None
    return created.json()["id"], sha, response


def _document(
    world: World, tokens: dict[str, str], content: bytes, mime: str, chunks: int = 1
) -> tuple[str, str]:
    """A document of the holder's (record id, upload id), with whatever type its record declares."""
    upload_id, sha, response = _upload(world, tokens, content, chunks)
    assert response.status_code == 200, response.text
    data = {
        "title": "Échographie",
        "type": "imaging_report",
        "date": "2026-01-02",
        "mime": mime,
        "sha256": sha,
    }
    push(world, tokens, "document", f"doc-{sha[:8]}", data | {"size": len(content), "masked": False})
    return f"doc-{sha[:8]}", upload_id


def test_an_upload_of_another_type_is_refused_in_words(world: World) -> None:
    _, tokens = world.active_person()
    _, _, response = _upload(world, tokens, b"<html><script>alert(1)</script></html>")
    assert response.status_code == 422 and response.json()["code"] == "error.document.format"


def test_the_type_comes_from_the_bytes_and_nothing_declared_reaches_a_header(world: World) -> None:
    person, tokens = world.active_person()
    record_id, _ = _document(world, tokens, PNG, "text/html\r\nSet-Cookie: session=stolen")
    mine = world.api.get(f"/api/v1/sync/records/{record_id}/content", headers=bearer(tokens))
    doctor = Pro(world, "doctor")
    theirs = doctor.call("GET", f"/documents/{record_id}/content", person, consent=True)
    for response in (mine, theirs):
        assert response.status_code == 200 and response.content == PNG
        assert response.headers["content-type"] == "image/png"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-disposition"] == "attachment"
        assert "set-cookie" not in response.headers


def test_a_stored_file_of_another_type_is_never_served(world: World) -> None:
    """A file kept before uploads were checked: HTML declared as a PDF is refused, not sent."""
    _, tokens = world.active_person()
    html = b"<!doctype html><script>document.location='https://evil.example'</script>"
    sha = hashlib.sha256(html).hexdigest()
    upload = Upload(holder_id="", sha256=sha, size=len(html), offset=len(html), complete=True)
    holder_id = world.api.get("/api/v1/me", headers=bearer(tokens)).json()["id"]
    upload.holder_id, upload.created_at = holder_id, world.ctx.clock.now()
    with Session(world.ctx.engine) as session:
        session.add(upload)
        session.commit()
        world.ctx.blobs.put(upload.id, html)
    data = {"title": "Faux", "type": "other", "date": "2026-01-02", "mime": "application/pdf", "sha256": sha}
    push(world, tokens, "document", "doc-html", data | {"size": len(html), "masked": False})
    response = world.api.get("/api/v1/sync/records/doc-html/content", headers=bearer(tokens))
    assert response.status_code == 422 and response.json()["code"] == "error.document.format"
    assert b"<script" not in response.content


def _cut(path: Path) -> None:
    """Drop the trailing segments: the last piece of the document and the end segment."""
    data = path.read_bytes()
    end = HEADER.size + DIGEST.size + TAG
    (first_length, _) = HEADER.unpack(data[: HEADER.size])
    path.write_bytes(data[: HEADER.size + first_length + TAG] if len(data) > 2 * end else data[:-end])


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[HEADER.size + 3] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_cut, _flip], ids=["cut", "altered"])
def test_a_damaged_file_is_a_clear_error_and_an_alert(
    world: World, damage: object, caplog: pytest.LogCaptureFixture
) -> None:
    person, tokens = world.active_person()
    content = PDF + b"compte rendu " * 5000
    record_id, upload_id = _document(world, tokens, content, "application/pdf", chunks=2)
    damage(world.ctx.settings.data_dir / "blobs" / upload_id[:2] / upload_id)  # type: ignore[operator]
    link = _share(world, tokens, [record_id])
    page = _path(link["url"])
    assert world.api.post(page, data={"code": link["code"]}).status_code == 200
    caplog.set_level(logging.ERROR)
    doctor = Pro(world, "doctor")
    for response in (
        world.api.get(f"/api/v1/sync/records/{record_id}/content", headers=bearer(tokens)),
        doctor.call("GET", f"/documents/{record_id}/content", person, consent=True),
        world.api.get(f"{page}/documents/{record_id}"),
    ):
        assert response.status_code == 410, response.text
        assert response.json() == {"code": "error.document.damaged", "params": {}}
    alerts = [r for r in caplog.records if r.name == "backend_stub.api.files" and r.levelno == logging.ERROR]
    assert len(alerts) == 3 and all(upload_id in r.getMessage() for r in alerts)
    assert not [r for r in alerts if "Échographie" in r.getMessage() or person.nir in r.getMessage()]


def test_a_message_file_goes_out_the_same_way(world: World) -> None:
    person, tokens = world.active_person()
    doctor = Pro(world, "doctor")
    world.api.post(
        f"/api/v1/professionals/{doctor.id}/authorise", json={"until": None}, headers=bearer(tokens)
    )
    file = {"name": "ordonnance.pdf", "mime": "image/png", "content_b64": base64.b64encode(PDF).decode()}
    sent = pro_start(doctor, person, "Ordonnance", "Voici", file=file)
    assert sent.status_code == 422  # declared PNG, the bytes say PDF: refused on the way in
    file["mime"] = "application/pdf"
    assert pro_start(doctor, person, "Ordonnance", "Voici", file=file).status_code == 200
    message = pulled(world, tokens, "message")[0]
    response = world.api.get(f"/api/v1/messages/{message['id']}/attachments/0", headers=bearer(tokens))
    assert response.status_code == 200 and response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"] == "attachment"


def test_every_route_that_sends_a_file_goes_through_the_one_helper() -> None:
    senders = {p.name for p in ROUTES.glob("*.py") if "files.send(" in p.read_text()}
    assert senders == {"pro.py", "sync.py", "shares.py", "messages.py", "pro_messages.py", "app_api.py"}
    streaming = [p.name for p in ROUTES.glob("*.py") if re.search(r"\bStreamingResponse\(", p.read_text())]
    assert streaming == []  # no route streams bytes around it
