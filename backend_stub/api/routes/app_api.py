"""The API of connected apps: a bearer token from /oauth/token, limited to one holder's space
and to the scopes the holder approved. Every route checks its scope and logs the access."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend_stub.api import files
from backend_stub.api.deps import ContextDep, SessionDep
from backend_stub.errors import DomainError
from backend_stub.models.record import Record
from backend_stub.services import apps, record_access
from sync.protocol.apps import (
    AppAppointmentIn,
    AppAppointmentOut,
    AppDocumentIn,
    AppDocumentOut,
    AppMeasurementIn,
    AppMeasurementOut,
)
from sync.protocol.errors import ErrorCode
from sync.protocol.measurements import kinds

router = APIRouter(prefix="/app-api", tags=["connected apps' API"])
_bearer = HTTPBearer(auto_error=False)
Before = Annotated[int | None, Query(ge=1)]


def app_access(
    session: SessionDep,
    ctx: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> apps.AppAccess:
    if credentials is None:
        raise DomainError(ErrorCode.APP_TOKEN_INVALID)
    return apps.authenticate(session=session, ctx=ctx, token=credentials.credentials)


AppAccessDep = Annotated[apps.AppAccess, Depends(app_access)]


def _measurement(record: Record) -> AppMeasurementOut:
    d = record.data
    second = d.get("second")
    return AppMeasurementOut(
        id=record.id,
        kind=str(d.get("kind", "")),
        value=float(d.get("value", 0)),
        second=float(second) if second is not None else None,
        at=str(d.get("at", "")),
        note=str(d.get("note", "")),
        author=record.author,
    )


def _document(record: Record) -> AppDocumentOut:
    d = record.data
    return AppDocumentOut(
        id=record.id,
        title=str(d.get("title", "")),
        type=str(d.get("type", "other")),
        date=str(d.get("date", "")),
        mime=str(d.get("mime", "")),
        size=int(d.get("size", 0)),
        author=record.author,
    )


def _appointment(record: Record) -> AppAppointmentOut:
    d = record.data
    return AppAppointmentOut(
        id=record.id,
        title=str(d.get("title", "")),
        start=str(d.get("start", "")),
        place=str(d.get("place", "")),
        author=record.author,
    )


@router.get("/measurements")
def measurements(
    access: AppAccessDep, ctx: ContextDep, session: SessionDep, before: Before = None
) -> list[AppMeasurementOut]:
    """The space's measurements, newest first, a page at a time."""
    apps.allow(
        session=session,
        ctx=ctx,
        access=access,
        scope="measurements.read",
        action="read",
        target="measurements",
    )
    rows = apps.records(session=session, access=access, collection="measurement", before=before)
    session.commit()
    return [_measurement(r) for r in rows]


@router.post("/measurements")
def add_measurement(
    body: AppMeasurementIn, access: AppAccessDep, ctx: ContextDep, session: SessionDep
) -> AppMeasurementOut:
    """Add a reading (checked like the holder's own): it reaches the holder's devices by sync."""
    apps.allow(
        session=session,
        ctx=ctx,
        access=access,
        scope="measurements.write",
        action="write",
        target="measurements",
    )
    if body.kind not in kinds():
        raise DomainError(ErrorCode.MEASURE_KIND)
    data = {
        "kind": body.kind,
        "value": body.value,
        "unit": kinds()[body.kind]["unit"],
        "at": body.at.isoformat(),
        "note": body.note,
    }
    if body.second is not None:
        data["second"] = body.second
    apps.check_measurement(data, ctx.clock.now())
    record = apps.write(session=session, ctx=ctx, access=access, collection="measurement", data=data)
    session.commit()
    return _measurement(record)


@router.get("/documents")
def documents(
    access: AppAccessDep, ctx: ContextDep, session: SessionDep, before: Before = None
) -> list[AppDocumentOut]:
    """The space's documents, newest first, a page at a time."""
    apps.allow(
        session=session, ctx=ctx, access=access, scope="documents.read", action="list", target="documents"
    )
    rows = apps.records(session=session, access=access, collection="document", before=before)
    session.commit()
    return [_document(r) for r in rows]


@router.post("/documents")
def add_document(
    body: AppDocumentIn, access: AppAccessDep, ctx: ContextDep, session: SessionDep
) -> AppDocumentOut:
    """Add a document to the record, authored by the app (read-only to the holder, who may mask it)."""
    apps.allow(
        session=session, ctx=ctx, access=access, scope="documents.write", action="write", target="documents"
    )
    upload, size = record_access.store_file(
        session=session,
        ctx=ctx,
        holder_id=access.subject.id,
        doc_type=body.type,
        mime=body.mime,
        content_b64=body.content_b64,
    )
    data = {
        "title": body.title,
        "type": body.type,
        "date": body.date.isoformat(),
        "mime": body.mime,
        "size": size,
        "sha256": upload.sha256,
        "masked": False,
    }
    record = apps.write(session=session, ctx=ctx, access=access, collection="document", data=data)
    session.commit()
    return _document(record)


@router.get("/documents/{document_id}")
def document(document_id: str, access: AppAccessDep, ctx: ContextDep, session: SessionDep) -> AppDocumentOut:
    """One document's details."""
    apps.allow(
        session=session,
        ctx=ctx,
        access=access,
        scope="documents.read",
        action="read",
        target=document_id[:64],
    )
    found = apps.record(session=session, access=access, collection="document", record_id=document_id)
    session.commit()
    return _document(found)


@router.get("/documents/{document_id}/content")
def document_content(
    document_id: str, access: AppAccessDep, ctx: ContextDep, session: SessionDep
) -> StreamingResponse:
    """One document's bytes."""
    apps.allow(
        session=session,
        ctx=ctx,
        access=access,
        scope="documents.read",
        action="read",
        target=document_id[:64],
    )
    found = apps.record(session=session, access=access, collection="document", record_id=document_id)
    session.commit()
    stream = record_access.document_bytes(session=session, ctx=ctx, holder_id=access.subject.id, record=found)
    return files.send(stream)


@router.get("/appointments")
def appointments(
    access: AppAccessDep, ctx: ContextDep, session: SessionDep, before: Before = None
) -> list[AppAppointmentOut]:
    """The space's appointments, newest first, a page at a time."""
    apps.allow(
        session=session, ctx=ctx, access=access, scope="agenda.read", action="read", target="appointments"
    )
    rows = apps.records(session=session, access=access, collection="appointment", before=before)
    session.commit()
    return [_appointment(r) for r in rows]


@router.post("/appointments")
def add_appointment(
    body: AppAppointmentIn, access: AppAccessDep, ctx: ContextDep, session: SessionDep
) -> AppAppointmentOut:
    """Add an appointment to the health agenda."""
    apps.allow(
        session=session, ctx=ctx, access=access, scope="agenda.write", action="write", target="appointments"
    )
    data = {"title": body.title, "start": body.start.isoformat(), "place": body.place, "notes": ""}
    record = apps.write(session=session, ctx=ctx, access=access, collection="appointment", data=data)
    session.commit()
    return _appointment(record)
