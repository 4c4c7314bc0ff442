"""Delivery of letters, e-mails and SMS behind one interface.

`Notifier.send` picks the sender of the channel. Senders: the development outbox (a folder of
JSON messages, the default, so the demo needs no mail server), SMTP e-mail, and an HTTP SMS
gateway. Message bodies are never logged: they hold codes.
"""

from backend_stub.notifier.base import Notifier, OutgoingMessage, Sender
from backend_stub.notifier.outbox import OutboxSender, read_outbox
from backend_stub.notifier.wiring import build_notifier

__all__ = ["Notifier", "OutboxSender", "OutgoingMessage", "Sender", "build_notifier", "read_outbox"]
