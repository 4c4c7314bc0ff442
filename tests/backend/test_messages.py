"""Secure messaging over the API: professionals start, holders reply, each side sees only its own
conversations, attachments are scoped and logged, notifications say nothing of health."""

import base64
import hashlib
import itertools
from typing import Any

import pytest

from tests.backend.test_record_access import PDF, Pro, holder_document
from tests.conftest import Person, World, bearer

_seq = itertools.count(100)


def push(
    world: World,
    tokens: dict[str, str],
    collection: str,
    record_id: str,
    data: dict[str, Any],
    *,
    op: str = "upsert",
    base_version: int = 0,
    client: str = "phone-messages",
) -> dict[str, Any]:
    mutation = {
        "seq": next(_seq),
        "op": op,
        "collection": collection,
        "id": record_id,
        "base_version": base_version,
        "data": data,
    }
    response = world.api.post(
        "/api/v1/sync/push", headers=bearer(tokens), json={"client_id": client, "mutations": [mutation]}
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["results"][0]
    return result


def pulled(world: World, tokens: dict[str, str], collection: str) -> list[dict[str, Any]]:
    changes = world.api.get("/api/v1/sync/pull", headers=bearer(tokens)).json()["changes"]
    return [c for c in changes if c["collection"] == collection]


def pro_start(pro: Pro, person: Person, subject: str, body: str, **extra: Any):  # type: ignore[no-untyped-def]
    return pro.api.post(
        "/api/v1/pro/conversations",
        headers={"X-Api-Key": pro.key, "X-Patient-Nir": person.nir},
        json={"subject": subject, "body": body} | extra,
    )


def pro_get(pro: Pro, path: str = ""):  # type: ignore[no-untyped-def]
    return pro.api.get(f"/api/v1/pro/conversations{path}", headers={"X-Api-Key": pro.key})


@pytest.fixture
def talk(world: World) -> tuple[Person, dict[str, str], Pro, str]:
    """A patient, a doctor of their care team who wrote first, and the conversation's id."""
    person, tokens = world.active_person()
    doctor = Pro(world, "doctor", name="Durand")
    doctor.titles(person, consent=True)
    started = pro_start(
        doctor, person, "Résultats de la prise de sang", "Bonjour, vos résultats sont normaux."
    )
    assert started.status_code == 200, started.text
    return person, tokens, doctor, started.json()["conversation"]["id"]


def test_professional_starts_and_the_holder_replies_with_a_document(world: World, talk) -> None:  # type: ignore[no-untyped-def]
    person, tokens, doctor, conversation_id = talk
    [conversation] = pulled(world, tokens, "conversation")
    [message] = pulled(world, tokens, "message")
    assert conversation["author"] == message["author"] == f"professional:{doctor.id}"
    assert conversation["data"]["subject"] == "Résultats de la prise de sang"
    assert conversation["data"]["professional_name"] == "Alex Durand"
    assert message["data"]["conversation_id"] == conversation["id"]
    assert message["data"]["read"] is False

    doc_id = holder_document(world, tokens, "Analyse de sang", "lab_results", seq=next(_seq))
    reply = {
        "conversation_id": conversation["id"],
        "body": "Merci docteur, voici l'analyse précédente.",
        "attachments": [{"kind": "document", "document_id": doc_id, "title": "?", "mime": "?"}],
        "sent_at": "1999-01-01T00:00:00+00:00",
    }
    result = push(world, tokens, "message", "reply0000001", reply)
    assert result["outcome"] == "applied", result
    stored = result["record"]["data"]
    assert stored["attachments"][0]["title"] == "Analyse de sang"  # the server's facts, not the phone's
    assert stored["sent_at"].startswith("2026-")

    [listed] = pro_get(doctor).json()["conversations"]
    assert (listed["id"], listed["unread"], listed["patient"]) == (conversation_id, 1, "Camille Martin")
    thread = pro_get(doctor, f"/{conversation_id}").json()
    assert [m["sender"] for m in thread["messages"]] == ["professional", "holder"]
    assert thread["messages"][1]["attachments"] == [
        {"kind": "document", "title": "Analyse de sang", "mime": "application/pdf"}
    ]
    assert pro_get(doctor).json()["conversations"][0]["unread"] == 0  # read by opening the thread

    opened = pro_get(doctor, f"/{conversation_id}/messages/reply0000001/attachments/0")
    assert opened.status_code == 200 and opened.content == PDF + b"Analyse de sang"
    log = world.api.get("/api/v1/access-log", headers=bearer(tokens)).json()["entries"]
    assert (log[0]["action"], log[0]["mode"], log[0]["target"], log[0]["target_title"]) == (
        "read",
        "message",
        doc_id,
        "Analyse de sang",
    )

    again = doctor.api.post(
        f"/api/v1/pro/conversations/{conversation_id}/messages",
        headers={"X-Api-Key": doctor.key},
        json={"body": "Bien reçu, merci."},
    )
    assert again.status_code == 200 and [m["body"] for m in again.json()["messages"]] == ["Bien reçu, merci."]
    assert len(pulled(world, tokens, "message")) == 3


def test_new_message_notifications_carry_no_health_content(world: World, talk) -> None:  # type: ignore[no-untyped-def]
    person, tokens, _, _ = talk
    notes = world.api.get("/api/v1/notifications", headers=bearer(tokens)).json()
    assert "new_message" in [n["kind"] for n in notes]
    assert next(n for n in notes if n["kind"] == "new_message")["params"] == {}
    mails = [m for m in world.outbox(person.email) if m["kind"] == "new_message"]
    assert len(mails) == 1
    assert mails[0]["subject"] == "Nouveau message dans votre espace santé"
    assert "Vous avez un nouveau message dans votre espace santé" in mails[0]["body"]
    for secret in ("Résultats", "sang", "normaux", "Durand", "doctor", "Médecin"):
        assert secret not in mails[0]["subject"] + mails[0]["body"]


def test_holder_writes_only_to_professionals_who_wrote_and_in_their_own_conversations(
    world: World,
    talk,  # type: ignore[no-untyped-def]
) -> None:
    person, tokens, doctor, _ = talk
    stranger = Pro(world, "nurse", name="Inconnu")
    refused = push(
        world, tokens, "conversation", "conv-new-0001", {"professional_id": stranger.id, "subject": "Bonjour"}
    )
    assert (refused["outcome"], refused["error"]) == ("rejected", "error.message.pro_unknown")

    started = push(
        world, tokens, "conversation", "conv-new-0002", {"professional_id": doctor.id, "subject": "Question"}
    )
    assert started["outcome"] == "applied"
    assert started["record"]["data"]["professional_name"] == "Alex Durand"
    first = push(
        world,
        tokens,
        "message",
        "msg-new-00001",
        {"conversation_id": "conv-new-0002", "body": "Une question"},
    )
    assert first["outcome"] == "applied"
    listed = pro_get(doctor).json()["conversations"]
    assert {c["started_by"] for c in listed} == {"professional", "holder"}

    [conversation] = [c for c in pulled(world, tokens, "conversation") if c["id"] != "conv-new-0002"]
    _, other = world.active_person()
    intrusion = push(
        world, other, "message", "msg-intrude01", {"conversation_id": conversation["id"], "body": "Coucou"}
    )
    assert (intrusion["outcome"], intrusion["error"]) == ("rejected", "error.message.conversation_unknown")
    assert (
        len(pro_get(doctor, f"/{listed[0]['id']}").json()["messages"])
        + len(pro_get(doctor, f"/{listed[1]['id']}").json()["messages"])
        == 2
    )


def test_a_sent_message_stays_as_sent_and_only_flags_change(world: World, talk) -> None:  # type: ignore[no-untyped-def]
    _, tokens, _, _ = talk
    [conversation] = pulled(world, tokens, "conversation")
    [message] = pulled(world, tokens, "message")
    read = push(world, tokens, "message", message["id"], message["data"] | {"read": True}, base_version=1)
    assert read["outcome"] == "applied" and read["record"]["data"]["read"] is True
    edited = push(
        world, tokens, "message", message["id"], message["data"] | {"body": "Autre"}, base_version=2
    )
    assert (edited["outcome"], edited["error"]) == ("rejected", "error.message.change_refused")
    deleted = push(world, tokens, "message", message["id"], {}, op="delete", base_version=2)
    assert deleted["outcome"] == "rejected"
    archived = push(
        world,
        tokens,
        "conversation",
        conversation["id"],
        conversation["data"] | {"archived": True},
        base_version=1,
    )
    assert archived["outcome"] == "applied" and archived["record"]["data"]["archived"] is True

    mine = push(
        world, tokens, "message", "mine-000001", {"conversation_id": conversation["id"], "body": "Merci"}
    )
    assert mine["outcome"] == "applied"
    changed = push(
        world, tokens, "message", "mine-000001", mine["record"]["data"] | {"body": "Non"}, base_version=1
    )
    assert changed["error"] == "error.message.change_refused"


def test_professionals_reach_only_their_own_conversations(world: World, talk) -> None:  # type: ignore[no-untyped-def]
    person, tokens, doctor, conversation_id = talk
    nurse = Pro(world, "nurse", name="Petit")
    nurse.titles(person, consent=True)
    assert pro_get(nurse).json()["conversations"] == []
    assert pro_get(nurse, f"/{conversation_id}").status_code == 404
    [message] = pulled(world, tokens, "message")
    assert pro_get(nurse, f"/{conversation_id}/messages/{message['id']}/attachments/0").status_code == 404
    answer = nurse.api.post(
        f"/api/v1/pro/conversations/{conversation_id}/messages",
        headers={"X-Api-Key": nurse.key},
        json={"body": "Je m'invite"},
    )
    assert answer.status_code == 404
    assert len(pro_get(doctor, f"/{conversation_id}").json()["messages"]) == 1


def test_a_professional_outside_the_care_or_blocked_cannot_write(world: World, talk) -> None:  # type: ignore[no-untyped-def]
    person, tokens, doctor, conversation_id = talk
    outsider = Pro(world, "doctor", name="Loin")
    refused = pro_start(outsider, person, "Publicité", "Bonjour")
    assert refused.status_code == 403 and refused.json()["code"] == "error.access.consent_required"

    block = world.api.post(
        f"/api/v1/professionals/{doctor.id}/revoke", headers=bearer(tokens), json={"block": True}
    )
    assert block.status_code == 200
    again = doctor.api.post(
        f"/api/v1/pro/conversations/{conversation_id}/messages",
        headers={"X-Api-Key": doctor.key},
        json={"body": "Encore moi"},
    )
    assert again.status_code == 403 and again.json()["code"] == "error.access.blocked"
    [conversation] = pulled(world, tokens, "conversation")
    reply = push(
        world, tokens, "message", "to-blocked-01", {"conversation_id": conversation["id"], "body": "Non"}
    )
    assert (reply["outcome"], reply["error"]) == ("rejected", "error.message.pro_unavailable")


def test_attachments_are_scoped_to_the_holder(world: World, talk) -> None:  # type: ignore[no-untyped-def]
    person, tokens, doctor, conversation_id = talk
    [conversation] = pulled(world, tokens, "conversation")
    _, other = world.active_person()
    foreign = holder_document(world, other, "Dossier d'un autre", "lab_results", seq=next(_seq))
    stolen = push(
        world,
        tokens,
        "message",
        "steal-000001",
        {
            "conversation_id": conversation["id"],
            "body": "Tiens",
            "attachments": [{"kind": "document", "document_id": foreign}],
        },
    )
    assert (stolen["outcome"], stolen["error"]) == ("rejected", "error.message.attachment")

    # A professional's file: the holder (only) fetches it; it can then go into the record.
    scan = b"\x89PNG\r\n\x1a\n" + b"scan" * 50
    sent = doctor.api.post(
        f"/api/v1/pro/conversations/{conversation_id}/messages",
        headers={"X-Api-Key": doctor.key},
        json={
            "body": "Voici l'ordonnance.",
            "file": {
                "name": "ordonnance.png",
                "mime": "image/png",
                "content_b64": base64.b64encode(scan).decode(),
            },
        },
    )
    assert sent.status_code == 200, sent.text
    message_id = sent.json()["messages"][0]["id"]
    own = world.api.get(f"/api/v1/messages/{message_id}/attachments/0", headers=bearer(tokens))
    assert own.status_code == 200 and own.content == scan
    assert (
        world.api.get(f"/api/v1/messages/{message_id}/attachments/0", headers=bearer(other)).status_code
        == 404
    )
    assert (
        world.api.get(f"/api/v1/messages/{message_id}/attachments/1", headers=bearer(tokens)).status_code
        == 404
    )

    # The holder's own new file: pending until the phone uploads it, then the doctor opens it.
    photo = b"%PDF-1.4 photo"
    sha = hashlib.sha256(photo).hexdigest()
    file = {"kind": "file", "name": "photo.pdf", "mime": "application/pdf", "size": len(photo), "sha256": sha}
    mine = push(
        world,
        tokens,
        "message",
        "with-file-001",
        {"conversation_id": conversation["id"], "body": "Photo", "attachments": [file]},
    )
    assert mine["outcome"] == "applied"
    path = f"/{conversation_id}/messages/with-file-001/attachments/0"
    assert pro_get(doctor, path).json()["code"] == "error.message.file_pending"
    upload = world.api.post(
        "/api/v1/uploads", headers=bearer(tokens), json={"size": len(photo), "sha256": sha}
    )
    world.api.patch(
        f"/api/v1/uploads/{upload.json()['id']}",
        content=photo,
        headers=bearer(tokens) | {"Upload-Offset": "0"},
    )
    assert pro_get(doctor, path).content == photo
