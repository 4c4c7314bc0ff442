"""A professional's file saved from a message into the record (issue #17): saving it twice, or on
two devices, keeps ONE document; it keeps who sent it and the type the professional gave it."""

import base64
from pathlib import Path

from sync.documents import Documents, Uploader
from sync.engine import Backoff
from sync.messages import Messaging, saved_document_id
from tests.backend.test_messages import pro_start
from tests.backend.test_record_access import PDF, Pro
from tests.conftest import World
from tests.sync.conftest import Device, no_sleep


def _messaging(device: Device) -> tuple[Messaging, Documents]:
    documents = Documents(device.store, device.vault.files_dir, device.key)
    return Messaging(device.store, documents), documents


def test_saving_a_file_twice_keeps_one_document_with_its_author_and_type(
    world: World, tmp_path: Path
) -> None:
    person, tokens = world.active_person()
    doctor = Pro(world, "doctor", name="Durand")
    doctor.titles(person, consent=True)
    pdf = {"name": "ordonnance.pdf", "mime": "application/pdf", "content_b64": base64.b64encode(PDF).decode()}
    started = pro_start(
        doctor, person, "Ordonnance", "Voici votre ordonnance.", file=pdf | {"type": "prescription"}
    )
    assert started.status_code == 200, started.text
    message_id = started.json()["messages"][0]["id"]

    phone = Device(world, tokens, tmp_path, "phone")
    assert phone.engine.sync().error is None
    messaging, documents = _messaging(phone)
    first = messaging.save_to_record(message_id, 0, phone.client.message_attachment)
    again = messaging.save_to_record(message_id, 0, phone.client.message_attachment)
    assert first == again == saved_document_id(message_id, 0)
    [document] = phone.store.items("document")
    assert document.author == "holder"  # the holder's copy, "saisi par vous" to professionals
    data = document.data
    assert (data["title"], data["type"], data["mime"]) == ("ordonnance", "prescription", "application/pdf")
    assert (data["author_name"], data["author_profession"]) == ("Alex Durand", "doctor")
    assert (data["from_message"], data["from_attachment"]) == (message_id, 0)
    assert len(documents.pending_uploads()) == 1
    assert b"".join(documents.read(data["file_id"])) == PDF

    # A second device saves it too, before it has heard of the first copy: still one document.
    tablet = Device(world, world.login(person), tmp_path, "tablet")
    assert tablet.engine.sync().error is None
    tablet_messaging, tablet_documents = _messaging(tablet)
    assert tablet_messaging.save_to_record(message_id, 0, tablet.client.message_attachment) == first
    for device, docs in ((phone, documents), (tablet, tablet_documents)):
        assert device.engine.sync().error is None
        Uploader(docs, device.client, Backoff(sleep=no_sleep)).run()
        assert device.engine.sync().error is None
    pulled = world.api.get("/api/v1/sync/pull", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    saved = [c for c in pulled.json()["changes"] if c["collection"] == "document" and not c["deleted"]]
    assert [c["id"] for c in saved] == [first]
    assert saved[0]["data"]["type"] == "prescription"
    assert [i.id for i in tablet.store.items("document")] == [first]


def test_an_unknown_type_for_a_file_is_refused(world: World) -> None:
    person, _ = world.active_person()
    doctor = Pro(world, "doctor")
    doctor.titles(person, consent=True)
    pdf = {
        "name": "x.pdf",
        "mime": "application/pdf",
        "content_b64": base64.b64encode(PDF).decode(),
        "type": "recipe",
    }
    refused = pro_start(doctor, person, "Sujet", "Bonjour", file=pdf)
    assert (refused.status_code, refused.json()["code"]) == (422, "error.document.type_unknown")


def test_the_holders_own_file_saved_has_no_professional_author(world: World, tmp_path: Path) -> None:
    """A file the holder sent is saved as theirs, with no author fields."""
    from sync.messages import NewFile

    person, tokens = world.active_person()
    doctor = Pro(world, "doctor")
    doctor.titles(person, consent=True)
    conversation = pro_start(doctor, person, "Suivi", "Bonjour").json()["conversation"]["id"]
    phone = Device(world, tokens, tmp_path, "phone")
    phone.engine.sync()
    messaging, _ = _messaging(phone)
    message_id = messaging.send(
        conversation, "Voici mon analyse", file=NewFile("analyse.pdf", "application/pdf", PDF)
    )
    record_id = messaging.save_to_record(message_id, 0, phone.client.message_attachment)
    saved = phone.store.get(record_id)
    assert saved is not None and "author_name" not in saved.data and saved.data["type"] == "other"
