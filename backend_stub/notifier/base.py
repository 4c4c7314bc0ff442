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
    """Delivers messages of one channel (a sender may also take a batch at once: `deliver_many`)."""

    def deliver(self, message: OutgoingMessage) -> None: ...


class Notifier:
    """Renders a template in the recipient's language and hands it to the channel's sender."""

    def __init__(self, senders: dict[Channel, Sender]) -> None:
        self._senders = senders

    @staticmethod
    def render(
        channel: Channel, to: str, kind: str, lang: str, *, sex: str = "", **params: Any
    ) -> OutgoingMessage:
        """`sex` ("female", "male" or "") picks the words that agree with the recipient."""
        return OutgoingMessage(
            channel=channel,
            to=to,
            subject=translate(f"notify.{kind}.subject", lang, sex=sex, **params),
            body=translate(f"notify.{kind}.body", lang, sex=sex, **params),
            kind=kind,
        )

    def send(self, channel: Channel, to: str, kind: str, lang: str, *, sex: str = "", **params: Any) -> None:
        self.send_many([self.render(channel, to, kind, lang, sex=sex, **params)])

    def send_many(self, messages: list[OutgoingMessage]) -> None:
        """Each channel's messages handed to its sender together: the print queue takes a batch
        of letters as one file (`OutboxSender.deliver_many`), other senders one by one."""
        for channel in dict.fromkeys(m.channel for m in messages):
            group = [m for m in messages if m.channel == channel]
            sender = self._senders[channel]
            try:
                if len(group) > 1 and (deliver_many := getattr(sender, "deliver_many", None)):
                    deliver_many(group)
                else:
                    for message in group:
                        sender.deliver(message)
            except Exception as exc:
                # The kind and the error's type only: the recipient, the body (a code) and even the
                # exception's text (SMTP errors quote the address) are personal.
                kinds = ",".join(sorted({m.kind for m in group}))
                log.error("delivery failed: channel=%s kind=%s error=%s", channel, kinds, type(exc).__name__)
                raise
