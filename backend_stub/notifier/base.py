"""The notifier interface: one message, one sender per channel."""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from sync.protocol.i18n import translate

Channel = Literal["email", "sms", "letter"]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to one recipient; subject and body already in the recipient's language."""

    channel: Channel
    to: str
    subject: str
    body: str
    kind: str
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class Sender(Protocol):
    """Delivers messages of one channel."""

    def deliver(self, message: OutgoingMessage) -> None: ...


class Notifier:
    """Renders a template in the recipient's language and hands it to the channel's sender."""

    def __init__(self, senders: dict[Channel, Sender]) -> None:
        self._senders = senders

    def send(self, channel: Channel, to: str, kind: str, lang: str, *, sex: str = "", **params: Any) -> None:
        """`sex` ("female", "male" or "") picks the words that agree with the recipient."""
        message = OutgoingMessage(
            channel=channel,
            to=to,
            subject=translate(f"notify.{kind}.subject", lang, sex=sex, **params),
            body=translate(f"notify.{kind}.body", lang, sex=sex, **params),
            kind=kind,
        )
        try:
            self._senders[channel].deliver(message)
        except Exception as exc:
            # The kind and the error's type only: the recipient, the body (a code) and even the
            # exception's text (SMTP errors quote the address) are personal.
            log.error("delivery failed: channel=%s kind=%s error=%s", channel, kind, type(exc).__name__)
            raise

