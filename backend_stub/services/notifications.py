"""Telling the holder about accesses: a notification in the app, and a short e-mail or SMS.

The e-mail/SMS names the professional and the kind of access only; the stated reason of an
emergency access (which may say something about the holder's health) is shown in the app.
"""

import contextlib
from typing import Any

from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.models import Holder, Notification
from sync.protocol.schemas import OtpChannel


def notify(*, session: Session, ctx: Context, holder: Holder, kind: str, **params: Any) -> None:
    """Store the in-app notification (in the caller's transaction) and send the short message."""
    session.add(Notification(holder_id=holder.id, at=ctx.clock.now(), kind=kind, params=params))
    to = holder.phone if holder.otp_channel == OtpChannel.SMS and holder.phone else holder.email
    channel = "sms" if to == holder.phone else "email"
    if to:
        outside = {k: v for k, v in params.items() if k != "reason"}
        # The in-app notification is the record; a mail or SMS outage must not block care.
        with contextlib.suppress(Exception):  # already logged by the notifier, without personal data
            ctx.notifier.send(channel, to, kind, holder.lang, **outside)  # type: ignore[arg-type]


def page(*, session: Session, holder: Holder, before: str = "", limit: int = 50) -> list[Notification]:
    """Newest first; `before` is the id of the last one already shown."""
    stmt = select(Notification).where(Notification.holder_id == holder.id)
    if before:
        anchor = session.get(Notification, before)
        if anchor is not None and anchor.holder_id == holder.id:
            stmt = stmt.where(col(Notification.at) < anchor.at)
    return list(session.exec(stmt.order_by(col(Notification.at).desc()).limit(limit)).all())


def mark_read(*, session: Session, holder: Holder, notification_id: str) -> None:
    found = session.get(Notification, notification_id)
    if found is not None and found.holder_id == holder.id:
        found.read = True
        session.add(found)
        session.commit()
