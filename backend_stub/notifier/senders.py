"""Real senders: SMTP e-mail and an HTTP SMS gateway."""

import smtplib
from email.message import EmailMessage

import httpx

from backend_stub.core.config import Settings
from backend_stub.notifier.base import OutgoingMessage


class SmtpSender:
    """Sends e-mail through an SMTP relay (STARTTLS and login when configured)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def deliver(self, message: OutgoingMessage) -> None:
        s = self._settings
        mail = EmailMessage()
        mail["From"] = s.mail_from
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail.set_content(message.body)
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=10) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
            smtp.send_message(mail)


class HttpSmsSender:
    """Posts SMS to a provider's JSON endpoint with a bearer token (most gateways take this)."""

    def __init__(self, settings: Settings, http: httpx.Client | None = None) -> None:
        self._url = settings.sms_url
        self._token = settings.sms_token
        self._http = http or httpx.Client()

    def deliver(self, message: OutgoingMessage) -> None:
        response = self._http.post(
            self._url,
            json={"to": message.to, "text": message.body},
            headers={"Authorization": f"Bearer {self._token}"},
            timeout=10,
        )
        response.raise_for_status()
