"""The notifier wired from settings: which sender serves each channel."""

from backend_stub.core.config import Settings
from backend_stub.notifier.base import Notifier, Sender
from backend_stub.notifier.outbox import OutboxSender
from backend_stub.notifier.senders import HttpSmsSender, SmtpSender


def build_notifier(settings: Settings) -> Notifier:
    """Senders chosen by settings; postal letters always go to the print folder (the outbox)."""
    outbox = OutboxSender(settings.outbox_dir)
    email: Sender = SmtpSender(settings) if settings.email_sender == "smtp" else outbox
    sms: Sender = HttpSmsSender(settings) if settings.sms_sender == "http" else outbox
    return Notifier({"email": email, "sms": sms, "letter": outbox})
