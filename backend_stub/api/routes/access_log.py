"""The holder's access log, notifications and how accesses are told (alert settings)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from backend_stub.api.deps import ActiveHolder, ContextDep, SessionDep
from backend_stub.core.clock import as_utc
from backend_stub.services import access_reports, audit, gatekeeper, notifications
from sync.protocol.alerts import AlertSettings
from sync.protocol.record_schemas import (
    AccessEntryOut,
    AccessLogPage,
    AccessReportOut,
    AccessReportRequest,
    NotificationOut,
)
from sync.protocol.sync_schemas import MAX_INT

router = APIRouter(tags=["access log"])


@router.get("/access-log")
def access_log(
    holder: ActiveHolder,
    session: SessionDep,
    before: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    professional_id: Annotated[str, Query(max_length=32)] = "",
    mode: Annotated[str, Query(max_length=16)] = "",
    outcome: Annotated[str, Query(max_length=8)] = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> AccessLogPage:
    """Every access by someone other than the holder, newest first, filtered, by pages (for a
    minor's parents: numbered and paged in their own numbering, without the secret items' lines)."""
    parents = gatekeeper.parents()
    rows, next_before = audit.page(
        session=session,
        holder_id=holder.id,
        parents=parents,
        before=before,
        limit=limit,
        actor_id=professional_id,
        mode=mode,
        outcome=outcome,
        since=since,
        until=until,
    )
    reported = access_reports.reported_seqs(session=session, holder_id=holder.id, seqs=(e.seq for e in rows))
    entries = [
        AccessEntryOut(
            seq=(e.gseq or 0) if parents else e.seq,
            at=as_utc(e.at),
            actor_id=e.actor_id,
            actor_name=e.actor_name,
            profession=e.profession,
            action=e.action,
            target=e.target,
            target_title=e.target_title,
            mode=e.mode,
            outcome=e.outcome,
            detail=e.detail,
            reported=e.seq in reported,
        )
        for e in rows
    ]
    return AccessLogPage(entries=entries, next_before=next_before)


@router.post("/access-log/{seq}/report")
def report_access(
    seq: Annotated[int, Path(ge=1, le=MAX_INT)],
    request: AccessReportRequest,
    holder: ActiveHolder,
    session: SessionDep,
    ctx: ContextDep,
) -> AccessReportOut:
    """Flag a line of the log as suspicious, with a note; `block` also blocks the professional.
    A minor's parents name lines in their own numbering."""
    flagged = access_reports.report(
        session=session, ctx=ctx, holder=holder, seq=seq, note=request.note, block=request.block
    )
    return AccessReportOut(seq=seq, note=flagged.note, blocked=flagged.blocked, at=as_utc(flagged.at))


@router.get("/notifications")
def list_notifications(
    holder: ActiveHolder, session: SessionDep, before: Annotated[str, Query(max_length=32)] = ""
) -> list[NotificationOut]:
    """The holder's notifications, newest first."""
    return [
        NotificationOut(id=n.id, at=as_utc(n.at), kind=n.kind, params=n.params, read=n.read)
        for n in notifications.page(session=session, holder=holder, before=before)
    ]


@router.post("/notifications/{notification_id}/read", status_code=204)
def read_notification(notification_id: str, holder: ActiveHolder, session: SessionDep) -> Response:
    """Mark a notification as read."""
    notifications.mark_read(session=session, holder=holder, notification_id=notification_id)
    return Response(status_code=204)


@router.get("/alert-settings")
def get_alert_settings(holder: ActiveHolder) -> AlertSettings:
    """Per channel (in the app, e-mail, SMS): first access only, or every access (or off)."""
    return notifications.alert_settings(holder)


@router.put("/alert-settings")
def put_alert_settings(body: AlertSettings, holder: ActiveHolder, session: SessionDep) -> AlertSettings:
    """Choose how accesses are told; emergency accesses are always told where a channel is on."""
    return notifications.set_alert_settings(session=session, holder=holder, settings=body)
