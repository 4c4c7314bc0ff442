"""Telling the holder about accesses: a notification in the app, and a short e-mail or SMS.

The e-mail/SMS names the professional and the kind of access only; the stated reason of an
emergency access (which may say something about the holder's health) is shown in the app.
Which channels each notice goes to is the holder's choice (sync/protocol/alerts.py): a later
access only where they chose "every access", anything else wherever the channel is not off.
"""

import contextlib
from typing import Any

from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.models.notifications import Notification
from backend_stub.rules import gate
from backend_stub.services import gatekeeper
from sync.protocol.alerts import AlertSettings, channels, effective
from sync.protocol.errors import ErrorCode


def alert_settings(holder: Holder) -> AlertSettings:
    """The holder's alert settings in force (their choice, or the former behaviour)."""
    stored = {"in_app": holder.alert_in_app, "email": holder.alert_email, "sms": holder.alert_sms}
    return effective(stored, otp_channel=str(holder.otp_channel), has_phone=bool(holder.phone))


def set_alert_settings(*, session: Session, holder: Holder, settings: AlertSettings) -> AlertSettings:
    holder.alert_in_app, holder.alert_email, holder.alert_sms = settings.in_app, settings.email, settings.sms
    session.add(holder)
    session.commit()
    return alert_settings(holder)


def notify(*, session: Session, ctx: Context, holder: Holder, kind: str, **params: Any) -> None:
    """Store the in-app notification (in the caller's transaction) and send the short messages, on
    the channels the holder's settings give this kind of notice."""
    chosen = channels(alert_settings(holder), kind, has_phone=bool(holder.phone))
    if "in_app" in chosen:
        session.add(Notification(holder_id=holder.id, at=ctx.clock.now(), kind=kind, params=params))
    outside = {k: v for k, v in params.items() if k != "reason"}
    for channel, to in (("email", holder.email), ("sms", holder.phone)):
        if channel in chosen and to:
            # The in-app notification is the record; a mail or SMS outage must not block care.
            with contextlib.suppress(Exception):  # already logged by the notifier, without personal data
                ctx.notifier.send(channel, to, kind, holder.lang, sex=holder.sex, **outside)  # type: ignore[arg-type]


def _item(notification: Notification, holder: Holder) -> gate.Item:
    return gate.Item(
        kind="notification",
        owned=notification.holder_id == holder.id,
        secret=bool(notification.params.get("secret")),
    )


def page(*, session: Session, holder: Holder, before: str = "", limit: int = 50) -> list[Notification]:
    """Newest first, as the gate lets the member asking see them (a minor's parents do not see
    those about the minor's secret items); `before` is the id of the last one already shown."""
    stmt = select(Notification).where(Notification.holder_id == holder.id)
    if before:
        anchor = session.get(Notification, before)
        if anchor is not None and gatekeeper.may_see(_item(anchor, holder)):
            stmt = stmt.where(col(Notification.at) < anchor.at)
    rows = session.exec(stmt.order_by(col(Notification.at).desc()).limit(limit)).all()
    return [n for n in rows if gatekeeper.may_see(_item(n, holder))]


def mark_read(*, session: Session, holder: Holder, notification_id: str) -> None:
    """Another space's notification, one hidden from the member or none: the same "not found"."""
    found = session.get(Notification, notification_id)
    if found is None or not gatekeeper.may_see(_item(found, holder)):
        raise DomainError(ErrorCode.NOT_FOUND)
    found.read = True
    session.add(found)
    session.commit()
