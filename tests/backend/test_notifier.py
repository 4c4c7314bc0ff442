"""Real senders: SMTP against a local aiosmtpd server, SMS against a fake HTTP gateway."""

import json
import logging
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller

from backend_stub.core.config import Settings
from backend_stub.notifier import Notifier, OutboxSender, build_notifier, read_outbox
from backend_stub.notifier.senders import HttpSmsSender, SmtpSender


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def] # noqa: N802
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    inbox, port = _Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_otp_by_smtp_in_the_holders_language(smtp: tuple[_Inbox, int], tmp_path: Path) -> None:
    inbox, port = smtp
    settings = Settings(
        env="test", data_dir=tmp_path, email_sender="smtp", smtp_port=port, secret_key="k" * 40
    )
    notifier = build_notifier(settings)
    notifier.send("email", "camille@exemple.fr", "otp", "en", code="123456", minutes=5)
    assert len(inbox.messages) == 1
    rcpt, raw = inbox.messages[0]
    assert rcpt == ["camille@exemple.fr"]
    mail = message_from_bytes(raw)
    assert str(make_header(decode_header(mail["Subject"]))) == "Your login code"
    assert "123456" in mail.get_payload(decode=True).decode()
    assert not (tmp_path / "outbox").exists()  # nothing fell back to the outbox


def test_sms_gateway_gets_number_and_text() -> None:
    seen: list[httpx.Request] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202)

    settings = Settings(env="test", sms_url="https://sms.example/send", sms_token="tok", secret_key="k" * 40)
    sender = HttpSmsSender(settings, http=httpx.Client(transport=httpx.MockTransport(gateway)))
    Notifier({"sms": sender}).send("sms", "+33612345678", "otp", "fr", code="654321", minutes=5)
    assert seen[0].headers["Authorization"] == "Bearer tok"
    body = json.loads(seen[0].content)
    assert body["to"] == "+33612345678"
    assert "654321" in body["text"]


def test_failed_delivery_is_logged_without_the_message(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(env="test", smtp_port=_free_port(), secret_key="k" * 40)
    notifier = Notifier({"email": SmtpSender(settings)})
    with caplog.at_level(logging.ERROR), pytest.raises(OSError):
        notifier.send("email", "camille@exemple.fr", "otp", "fr", code="777111", minutes=5)
    assert "kind=otp" in caplog.text
    assert "777111" not in caplog.text
    assert "camille" not in caplog.text


def test_outbox_writes_one_file_per_message(tmp_path: Path) -> None:
    Notifier({"letter": OutboxSender(tmp_path)}).send(
        "letter", "Camille, Paris", "otp", "fr", code="1", minutes=5
    )
    files = list(tmp_path.glob("*.json"))
    assert len(files) == 1
    assert json.loads(files[0].read_text())["channel"] == "letter"


def test_a_batch_of_letters_is_one_file_read_back_message_by_message(tmp_path: Path) -> None:
    notifier = Notifier({"letter": OutboxSender(tmp_path), "email": OutboxSender(tmp_path)})
    notifier.send("letter", "Alix, Lyon", "otp", "fr", code="0", minutes=5)
    batch = [
        notifier.render("letter", f"Personne {n}, Paris", "otp", "fr", code=str(n), minutes=5)
        for n in range(3)
    ]
    notifier.send_many([*batch, notifier.render("email", "a@exemple.fr", "otp", "fr", code="9", minutes=5)])
    assert sorted("-".join(p.name.split("-")[1:-1]) for p in tmp_path.glob("*.json")) == [
        "email",
        "letter",
        "letter-batch",
    ]
    assert [m["to"] for m in read_outbox(tmp_path, limit=10)] == [
        *("a@exemple.fr", "Personne 2, Paris", "Personne 1, Paris", "Personne 0, Paris", "Alix, Lyon")
    ]
    assert [m["to"] for m in read_outbox(tmp_path, to="Personne 1, Paris")] == ["Personne 1, Paris"]
