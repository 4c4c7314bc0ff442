"""The messaging screens' state against the real server in-process: list, unread counts, search,
archive, reply with attachments (offline first), saving a received file, a new conversation."""

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from mobile.record_access.state import AccessLogState
from mobile.shell.state import Screen
from mobile.shell.words import text
from sync.errors import NetworkError
from tests.mobile.conftest import AppServer
from tests.mobile.documents.test_state import PNG, add_document
from tests.mobile.record_access.test_state import Pro, World
from tests.mobile.shell.test_core import signed_in


def pro_writes(world: World, pro: Pro, subject: str, body: str, file: bytes | None = None) -> str:
    payload: dict[str, object] = {"subject": subject, "body": body}
    if file is not None:
        payload["file"] = {
            "name": "ordonnance.png",
            "mime": "image/png",
            "content_b64": base64.b64encode(file).decode(),
        }
    response = world.http.post(
        "/api/v1/pro/conversations", headers={"X-Api-Key": pro.key, "X-Patient-Nir": world.nir}, json=payload
    )
    assert response.status_code == 200, response.text
    return str(response.json()["conversation"]["id"])


def holder_bodies(world: World, pro: Pro, conversation_id: str) -> list[tuple[str, list[str]]]:
    thread = world.http.get(
        f"/api/v1/pro/conversations/{conversation_id}", headers={"X-Api-Key": pro.key}
    ).json()
    return [
        (m["body"], [a.get("title") or a.get("name") for a in m["attachments"]])
        for m in thread["messages"]
        if m["sender"] == "holder"
    ]


@pytest.fixture
def world(app_server: AppServer) -> Iterator[World]:
    found = World(app_server, n=9)
    yield found
    found.close()


@pytest.fixture
def doctor(world: World) -> Pro:
    pro = world.pro("Alex", "Durand")
    assert world.read(pro, consent=True).status_code == 200
    return pro


def test_list_unread_search_open_reply_and_archive(world: World, doctor: Pro, tmp_path: Path) -> None:
    blood = pro_writes(world, doctor, "Résultats de la prise de sang", "Vos résultats sont normaux.")
    world.server.clock.advance(minutes=1)
    pro_writes(world, doctor, "Rendez-vous de contrôle", "Pouvez-vous venir mardi ?")
    state = signed_in(world, tmp_path)
    assert state.sync_bar.sync()
    state.open_section("messages")
    assert state.screen == Screen.MESSAGES
    messages = state.messages
    rows = messages.rows()
    assert [r.subject for r in rows] == ["Rendez-vous de contrôle", "Résultats de la prise de sang"]
    assert [r.unread for r in rows] == [1, 1] and messages.unread_total() == 2
    messages.search("contrôle")
    assert [r.subject for r in messages.rows()] == ["Rendez-vous de contrôle"]
    messages.search("normaux durand")  # words of a message and the professional's name
    assert [r.subject for r in messages.rows()] == ["Résultats de la prise de sang"]
    messages.search("radiographie")
    assert messages.rows() == []
    messages.search("")

    assert messages.open(blood)
    state.go(Screen.CONVERSATION)
    assert messages.unread_total() == 1
    assert [m.body for m in messages.thread()] == ["Vos résultats sont normaux."]

    messages.compose.set("body", "   ")
    assert not messages.send()
    assert messages.compose.errors["body"].code == "error.message.empty"
    document_id = add_document(state, "Analyse de janvier")
    assert messages.document_choices() == [(document_id, "Analyse de janvier")]
    assert messages.attach_document(document_id)
    assert not messages.choose_file("notes.txt", b"hello")  # not a PDF, JPEG or PNG
    assert messages.compose.banner is not None and messages.compose.documents == [document_id]
    messages.compose.set("body", "Merci, voici l'analyse précédente.")
    assert messages.send(), (messages.compose.errors, messages.compose.banner)
    assert messages.compose.values["body"] == "" and messages.notice == "ui.messages.sent"
    assert messages.thread()[-1].pending
    assert holder_bodies(world, doctor, blood) == []  # queued on the phone until the next sync

    assert state.sync_bar.sync()
    assert holder_bodies(world, doctor, blood) == [
        ("Merci, voici l'analyse précédente.", ["Analyse de janvier"])
    ]
    assert not messages.thread()[-1].pending

    assert messages.set_archived(True)
    assert [r.subject for r in messages.rows()] == ["Rendez-vous de contrôle"]
    messages.show_archived(True)
    assert [r.subject for r in messages.rows()] == ["Résultats de la prise de sang"]
    state.back()
    assert state.screen == Screen.MESSAGES
    state.back()
    assert state.screen == Screen.HOME


def test_save_a_received_file_to_the_record_and_offline_says_so(
    world: World, doctor: Pro, tmp_path: Path
) -> None:
    conversation_id = pro_writes(world, doctor, "Ordonnance", "Voici votre ordonnance.", file=PNG)
    state = signed_in(world, tmp_path)
    assert state.sync_bar.sync()
    messages = state.messages
    assert messages.open(conversation_id)
    [message] = messages.thread()
    assert [(a.kind, a.name) for a in message.attachments] == [("file", "ordonnance.png")]

    real = state.vault.client.message_attachment

    def offline(_: str, __: int) -> bytes:
        raise NetworkError()

    state.vault.client.message_attachment = offline  # type: ignore[method-assign]
    assert messages.save_attachment(message.id, 0) is None
    assert messages.banner is not None
    assert text(messages.banner.code, "fr") == "Connectez-vous à Internet pour récupérer ce fichier."
    state.vault.client.message_attachment = real  # type: ignore[method-assign]

    record_id = messages.save_attachment(message.id, 0)
    assert record_id and messages.notice == "ui.messages.attachment.saved"
    [row] = state.docs.rows()
    assert (row.title, row.mime, row.own) == ("ordonnance", "image/png", True)
    assert state.sync_bar.sync()
    assert state.vault.space is not None and state.vault.space.documents is not None
    assert state.vault.space.documents.pending_uploads() == []  # the server already had the bytes


def test_new_conversation_only_with_a_professional_who_wrote(
    world: World, doctor: Pro, tmp_path: Path
) -> None:
    state = signed_in(world, tmp_path)
    messages = state.messages
    assert messages.correspondents() == []
    pro_writes(world, doctor, "Suivi", "Bonjour")
    assert state.sync_bar.sync()
    assert [p[1] for p in messages.correspondents()] == ["Alex Durand"]

    messages.open_new()
    messages.new.set("subject", "Question sur mon traitement")
    messages.new.set("body", "Puis-je le prendre le soir ?")
    assert messages.start() is None
    assert messages.new.errors["professional"].code == "ui.messages.error.pro"
    assert messages.new.values["body"] == "Puis-je le prendre le soir ?"  # nothing typed is lost
    messages.new.set("professional", doctor.id)
    conversation_id = messages.start()
    assert conversation_id and messages.current == conversation_id and not messages.new_open
    assert state.sync_bar.sync()
    listed = world.http.get("/api/v1/pro/conversations", headers={"X-Api-Key": doctor.key}).json()
    started = [c for c in listed["conversations"] if c["started_by"] == "holder"]
    assert [c["subject"] for c in started] == ["Question sur mon traitement"]
    assert holder_bodies(world, doctor, started[0]["id"]) == [("Puis-je le prendre le soir ?", [])]


def test_the_log_says_a_professional_opened_what_the_holder_sent(
    world: World, doctor: Pro, tmp_path: Path
) -> None:
    conversation_id = pro_writes(world, doctor, "Suivi", "Envoyez-moi votre analyse.")
    state = signed_in(world, tmp_path)
    document_id = add_document(state, "Analyse de mars")
    assert state.sync_bar.sync()
    messages = state.messages
    assert messages.open(conversation_id) and messages.attach_document(document_id)
    messages.compose.set("body", "La voici.")
    assert messages.send() and state.sync_bar.sync()
    [(_, titles)] = holder_bodies(world, doctor, conversation_id)
    assert titles == ["Analyse de mars"]
    thread = world.http.get(f"/api/v1/pro/conversations/{conversation_id}", headers={"X-Api-Key": doctor.key})
    reply = next(m for m in thread.json()["messages"] if m["sender"] == "holder")
    path = f"/api/v1/pro/conversations/{conversation_id}/messages/{reply['id']}/attachments/0"
    assert world.http.get(path, headers={"X-Api-Key": doctor.key}).status_code == 200
    entry = world.client.access_log().entries[0]
    words = AccessLogState.describe(entry, "fr")
    assert (words.what, words.how) == (
        "A consulté « Analyse de mars »",
        "Mode d'accès : pièce jointe que vous lui avez envoyée par la messagerie",
    )
