"""The operators' security log: attempts by callers with no relation to a space, and emergency use.

A holder's access log holds what concerns them; a stranger probing numbers or ids must not be able
to write lines into it (nor learn, by a different answer or timing, which numbers are enrolled).
Such attempts are counted here, without any personal data. Every professional's emergency or
regulator access is kept here too: more than `emergency_alert_patients` distinct patients in
`emergency_alert_minutes` raises an alert (a warning line for the operators and an event that
`python -m backend_stub security-events` lists), once per window.
"""

import logging
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.models.security import SecurityEvent

log = logging.getLogger(__name__)


def refused(*, session: Session, ctx: Context, actor_kind: str, actor_id: str, code: str) -> None:
    """Count one refused attempt of a caller without relation (committed by the caller)."""
    session.add(
        SecurityEvent(
            at=ctx.clock.now(), kind="refused", actor_kind=actor_kind, actor_id=actor_id, detail=code
        )
    )


def emergency_use(*, session: Session, ctx: Context, professional_id: str, space_id: str) -> None:
    """Keep one emergency access and raise the alert when this professional's use is unusual."""
    now = ctx.clock.now()
    session.add(
        SecurityEvent(
            at=now, kind="emergency", actor_kind="professional", actor_id=professional_id, space_id=space_id
        )
    )
    session.flush()
    since = now - timedelta(minutes=ctx.settings.emergency_alert_minutes)
    patients = session.exec(
        select(func.count(func.distinct(SecurityEvent.space_id))).where(
            SecurityEvent.kind == "emergency",
            SecurityEvent.actor_id == professional_id,
            col(SecurityEvent.at) >= since,
        )
    ).one()
    if patients <= ctx.settings.emergency_alert_patients:
        return
    raised = session.exec(
        select(SecurityEvent.id).where(
            SecurityEvent.kind == "emergency_alert",
            SecurityEvent.actor_id == professional_id,
            col(SecurityEvent.at) >= since,
        )
    ).first()
    if raised is None:
        log.warning(
            "alert: unusual emergency use by professional %s (%d patients)", professional_id, patients
        )
        session.add(
            SecurityEvent(
                at=now,
                kind="emergency_alert",
                actor_kind="professional",
                actor_id=professional_id,
                detail=str(patients),
            )
        )


def events(*, session: Session, kind: str = "", limit: int = 100) -> list[SecurityEvent]:
    """The newest events first (an operator command)."""
    stmt = select(SecurityEvent)
    if kind:
        stmt = stmt.where(SecurityEvent.kind == kind)
    return list(session.exec(stmt.order_by(col(SecurityEvent.at).desc()).limit(limit)).all())
