"""A message written offline waits in the outbox and reaches the professional exactly once: after
a lost answer, after going back online, and after a phone killed (SIGKILL) during its sync.

Run as `python -m tests.sync.test_message_outbox FOLDER URL TOKENS_FILE CONVERSATION` it is the
phone of the kill test: it writes the messages still missing, then syncs one change at a time.
"""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from stdnum import luhn

from backend_stub.core.clock import FixedClock
from backend_stub.demo import nir_for
from sync.client import AccountClient
from sync.crypto import KdfParams
from sync.device import DeviceVault
from sync.documents import Documents
from sync.engine import Backoff, SyncEngine
from sync.errors import NetworkError
from sync.messages import Messaging, NewFile
from sync.protocol.schemas import TokenPair
from sync.protocol.sync_schemas import PullResponse, PushRequest, PushResponse
from tests.backend.test_messages import pro_get, pro_start
from tests.backend.test_record_access import Pro
from tests.conftest import World
from tests.live_server import ROOT, live_server, server_env
from tests.sync.conftest import Device, no_sleep
from tests.sync.test_kill import _signed_in

MESSAGES = 40
KILLS = 8


class Offline:
    """No network at all."""

    def push(self, request: PushRequest) -> PushResponse:
        raise NetworkError()

    def pull(self, cursor: str, limit: int = 500) -> PullResponse:
        raise NetworkError()


class LostAnswer:
    """The server applies the push, then the answer is lost on the way back (once)."""

    def __init__(self, client: AccountClient) -> None:
        self.client, self.lost = client, False

    def push(self, request: PushRequest) -> PushResponse:
        response = self.client.push(request)
        if not self.lost:
            self.lost = True
            raise NetworkError()
        return response

    def pull(self, cursor: str, limit: int = 500) -> PullResponse:
        return self.client.pull(cursor, limit)


def _holder_messages(pro: Pro, conversation_id: str) -> list[str]:
    thread = pro_get(pro, f"/{conversation_id}").json()
    return [m["body"] for m in thread["messages"] if m["sender"] == "holder"]


@pytest.fixture
def phone(world: World, tmp_path: Path) -> tuple[Device, Messaging, Pro, str]:
    person, tokens = world.active_person()
    doctor = Pro(world, "doctor", name="Durand")
    doctor.titles(person, consent=True)
    conversation_id = pro_start(doctor, person, "Suivi", "Comment allez-vous ?").json()["conversation"]["id"]
    device = Device(world, tokens, tmp_path, "phone")
    device.engine.sync()
    messaging = Messaging(device.store, Documents(device.store, device.vault.files_dir, device.key))
    return device, messaging, doctor, conversation_id


def test_written_offline_then_sent_once(phone, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    device, messaging, doctor, conversation_id = phone
    [conversation] = messaging.conversations()
    assert (conversation.subject, conversation.unread) == ("Suivi", 1)
    offline = SyncEngine(device.store, Offline(), backoff=Backoff(sleep=no_sleep, attempts=2))

    messaging.mark_read(conversation.id)
    messaging.send(
        conversation.id, "Très bien, merci.", file=NewFile("photo.png", "image/png", b"\x89PNG\r\n\x1a\nxx")
    )
    assert offline.sync().error == "error.network"
    assert messaging.thread(conversation.id)[-1].pending
    assert messaging.conversations()[0].unread == 0  # read at once on the phone, told on the next sync
    assert _holder_messages(doctor, conversation_id) == []

    clock.advance(minutes=5)
    assert device.engine.sync().state == "up_to_date"
    assert device.engine.sync().state == "up_to_date"
    assert _holder_messages(doctor, conversation_id) == ["Très bien, merci."]
    mine = messaging.thread(conversation.id)[-1]
    assert mine.mine and not mine.pending and mine.attachments[0].name == "photo.png"
    assert len(messaging.thread(conversation.id)) == 2


def test_a_lost_answer_does_not_send_twice(phone) -> None:  # type: ignore[no-untyped-def]
    device, messaging, doctor, conversation_id = phone
    [conversation] = messaging.conversations()
    messaging.send(conversation.id, "Une question")
    flaky = SyncEngine(device.store, LostAnswer(device.client), backoff=Backoff(sleep=no_sleep))
    assert flaky.sync().state == "up_to_date"  # retried after the lost answer: a duplicate, dropped
    assert _holder_messages(doctor, conversation_id) == ["Une question"]
    assert device.store.pending_count() == 0


def test_offline_rules_of_the_phone(phone) -> None:  # type: ignore[no-untyped-def]
    device, messaging, doctor, _ = phone
    [conversation] = messaging.conversations()
    with pytest.raises(Exception, match="error.message.empty"):
        messaging.send(conversation.id, "   ")
    with pytest.raises(Exception, match="error.message.pro_unknown"):
        messaging.start("someone-else", "Objet", "Bonjour")
    started = messaging.start(doctor.id, "Nouvelle question", "Bonjour docteur")
    messaging.set_archived(conversation.id, True)
    assert device.engine.sync().state == "up_to_date"
    assert {c.id: c.archived for c in messaging.conversations()} == {conversation.id: True, started: False}
    assert sorted(c["started_by"] for c in pro_get(doctor).json()["conversations"]) == [
        "holder",
        "professional",
    ]


def _phone(folder: str, url: str, tokens_file: str, conversation: str) -> int:
    vault = DeviceVault(Path(folder), "holder", "phone", kdf=KdfParams(1, 1, 1024))
    key = vault.unlock("Mimosa-482915") if vault.exists() else vault.create("Mimosa-482915")
    store = vault.open_store(key)
    client = AccountClient(url)
    client.tokens = TokenPair.model_validate(json.loads(Path(tokens_file).read_text()))
    engine = SyncEngine(store, client, batch_size=1)
    if not store.get(conversation):
        engine.sync()  # the professional's conversation reaches the phone
    messaging = Messaging(store, Documents(store, vault.files_dir, key))
    for n in range(MESSAGES):
        if store.get(f"kill-message-{n:03d}") is None:
            messaging.send(conversation, f"Message {n}", message_id=f"kill-message-{n:03d}")
    for _ in range(100):
        if engine.sync().state == "up_to_date":
            return 0
        time.sleep(0.05)
    return 1


def test_a_phone_killed_during_sync_sends_each_message_once(tmp_path: Path) -> None:
    data_dir, phone_dir, tokens_file = tmp_path / "server", tmp_path / "phone", tmp_path / "tokens.json"
    with live_server(data_dir) as url:
        tokens = _signed_in(url, data_dir)
        tokens_file.write_text(json.dumps(tokens))
        body = "1000000011"
        made = subprocess.run(
            [
                sys.executable,
                "-m",
                "backend_stub",
                "register-pro",
                "--rpps",
                body + luhn.calc_check_digit(body),
            ]
            + ["--first-name", "Alex", "--last-name", "Durand", "--profession", "doctor"],
            cwd=ROOT,
            env=server_env(data_dir),
            capture_output=True,
            text=True,
            check=True,
        )
        key = re.search(r"pro_[A-Za-z0-9_-]+", made.stdout).group(0)  # type: ignore[union-attr]
        with httpx.Client(base_url=f"{url}/api/v1", headers={"X-Api-Key": key}) as pro:
            nir = {"X-Patient-Nir": nir_for(4242)}  # the person `_signed_in` enrolled
            pro.get("/pro/documents", headers=nir | {"X-Consent": "declared"}).raise_for_status()
            started = pro.post(
                "/pro/conversations", headers=nir, json={"subject": "Suivi", "body": "Bonjour"}
            )
            started.raise_for_status()
            conversation_id = started.json()["conversation"]["id"]
            worker = [sys.executable, "-m", "tests.sync.test_message_outbox", str(phone_dir), url]
            worker += [str(tokens_file), conversation_id]

            def received() -> int:
                thread = pro.get(f"/pro/conversations/{conversation_id}").json()["messages"]
                return sum(m["sender"] == "holder" for m in thread)

            counts = []
            for _ in range(KILLS):  # each kill as soon as the server got one more message: mid-sync
                before = received()
                process = subprocess.Popen(worker, cwd=ROOT)
                deadline = time.monotonic() + 30
                while process.poll() is None and time.monotonic() < deadline and received() == before:
                    time.sleep(0.05)  # each look is a line of the holder's log, within the key's limit
                process.kill()
                process.wait()
                counts.append(received())
            assert any(0 < n < MESSAGES for n in counts), counts
            assert subprocess.run(worker, cwd=ROOT, timeout=180).returncode == 0
            bodies: list[str] = []
            after = 0
            while True:
                page = pro.get(f"/pro/conversations/{conversation_id}", params={"after": after}).json()
                bodies += [m["body"] for m in page["messages"] if m["sender"] == "holder"]
                if page["next_after"] is None:
                    break
                after = page["next_after"]
    assert sorted(bodies) == sorted(f"Message {n}" for n in range(MESSAGES))  # each once, none lost


if __name__ == "__main__":
    sys.exit(_phone(*sys.argv[1:5]))
