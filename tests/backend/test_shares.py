"""Share links: a selection of documents for anyone with the link and its code, logged and revocable."""

import re

from backend_stub.core.clock import FixedClock
from tests.backend.test_record_access import PDF, holder_document
from tests.conftest import World, bearer


def _share(world: World, tokens: dict[str, str], ids: list[str], days: int = 7) -> dict[str, str]:
    response = world.api.post(
        "/api/v1/shares",
        json={"document_ids": ids, "days": days, "label": "Pour Dr Morel"},
        headers=bearer(tokens),
    )
    assert response.status_code == 200, response.text
    data: dict[str, str] = response.json()
    return data


def _path(url: str) -> str:
    return url.removeprefix(str(url[: url.index("/api/v1/")]))


def _log(world: World, tokens: dict[str, str]) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = world.api.get("/api/v1/access-log", headers=bearer(tokens)).json()[
        "entries"
    ]
    return entries


def test_open_with_the_code_download_and_everything_is_logged(world: World) -> None:
    _, tokens = world.active_person()
    shared = holder_document(world, tokens, "Radio du genou", "imaging_report", seq=1)
    holder_document(world, tokens, "Bilan sanguin", "lab_results", seq=2)
    link = _share(world, tokens, [shared])
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", link["code"])
    page = _path(link["url"])

    first = world.api.get(page)
    assert first.status_code == 200 and 'name="code"' in first.text
    assert "Radio" not in first.text and "Camille" not in first.text  # nothing before the code
    assert world.api.get(f"{page}/documents/{shared}").status_code == 401  # no code yet

    wrong = world.api.post(page, data={"code": "AAAA-AAAA"})
    assert wrong.status_code == 403 and "4 essais" in wrong.text
    opened = world.api.post(page, data={"code": link["code"].lower().replace("-", " ")})
    assert opened.status_code == 200
    assert "Radio du genou" in opened.text and "Bilan sanguin" not in opened.text
    assert "1er novembre 2026" in opened.text and "2026-11-01" not in opened.text  # as written in France
    download = world.api.get(f"{page}/documents/{shared}")
    assert download.status_code == 200 and download.content.startswith(PDF)
    other = holder_document(world, tokens, "Autre", "lab_results", seq=3)
    assert world.api.get(f"{page}/documents/{other}").status_code == 404  # not in the selection

    log = _log(world, tokens)
    assert [(e["outcome"], e["target"], e["profession"]) for e in log[:3]] == [
        ("allowed", shared, "share"),
        ("allowed", "share", "share"),
        ("refused", "share", "share"),
    ]
    assert log[0]["target_title"] == "Radio du genou" and log[0]["actor_name"].startswith("Pour Dr Morel")
    kinds = [n["kind"] for n in world.api.get("/api/v1/notifications", headers=bearer(tokens)).json()]
    assert kinds == ["share_opened"]
    mails = world.outbox()
    assert "Radio" not in mails[0]["body"] and "Morel" not in mails[0]["body"]  # no health content
    listed = world.api.get("/api/v1/shares", headers=bearer(tokens)).json()
    assert listed[0]["opens"] == 1 and "code" not in listed[0] and "url" not in listed[0]


def test_revoked_expired_or_guessed_links_close(world: World, clock: FixedClock) -> None:
    _, tokens = world.active_person()
    doc = holder_document(world, tokens, "Ordonnance", "prescription")
    revoked, expiring, guessed = (_share(world, tokens, [doc], days=1) for _ in range(3))
    world.api.post(f"/api/v1/shares/{revoked['id']}/revoke", headers=bearer(tokens))
    assert world.api.post(_path(revoked["url"]), data={"code": revoked["code"]}).status_code == 410
    for _ in range(5):
        world.api.post(_path(guessed["url"]), data={"code": "ZZZZ-ZZZZ"})
    assert world.api.post(_path(guessed["url"]), data={"code": guessed["code"]}).status_code == 410
    clock.advance(days=1, seconds=1)
    closed = world.api.get(_path(expiring["url"]))
    assert closed.status_code == 410 and "plus valable" in closed.text


def test_only_ones_own_visible_documents_can_be_shared(world: World) -> None:
    _, tokens = world.active_person()
    _, other = world.active_person()
    theirs = holder_document(world, other, "Pas à moi", "lab_results")
    refused = world.api.post(
        "/api/v1/shares", json={"document_ids": [theirs], "days": 7}, headers=bearer(tokens)
    )
    assert refused.status_code == 400 and refused.json()["code"] == "error.share.document_unknown"
    mine = holder_document(world, tokens, "À moi", "lab_results")
    link = _share(world, tokens, [mine])
    stolen = world.api.post(f"/api/v1/shares/{link['id']}/revoke", headers=bearer(other))
    assert stolen.status_code == 404
    assert world.api.get("/api/v1/shares", headers=bearer(other)).json() == []
    too_long = world.api.post(
        "/api/v1/shares", json={"document_ids": [mine], "days": 31}, headers=bearer(tokens)
    )
    assert too_long.status_code == 422
