"""Synchronisation of the holder's records between their devices and the server."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from backend_stub.api import files
from backend_stub.api.deps import ActiveHolder, ContextDep, SessionDep
from backend_stub.errors import DomainError
from backend_stub.evidence import checkpoints
from backend_stub.models.record import Record
from backend_stub.services import gatekeeper, helpers, record_access, sync
from sync.protocol.errors import ErrorCode
from sync.protocol.sync_schemas import MAX_INT, MAX_PULL, PullResponse, PushRequest, PushResponse

router = APIRouter(prefix="/sync", tags=["sync"])


@router.post("/push")
def push(body: PushRequest, holder: ActiveHolder, ctx: ContextDep, session: SessionDep) -> PushResponse:
    """Apply a device's outbox batch (idempotent by client id and sequence); a document a helper
    adds is told to the helped person."""
    results = sync.push(session=session, ctx=ctx, holder=holder, request=body)
    if (helping := gatekeeper.acting_helper()) is not None:
        for r in results:
            if (
                r.outcome == "applied"
                and r.record
                and r.record.collection == "document"
                and r.record.version == 1
            ):
                title = str(r.record.data.get("title", ""))
                helpers.document_added(
                    session=session, ctx=ctx, helped=holder, helper=helping[0], title=title
                )
        session.commit()
    return PushResponse(results=results)


@router.get("/pull")
def pull(
    holder: ActiveHolder,
    ctx: ContextDep,
    session: SessionDep,
    cursor: Annotated[str, Query(max_length=64)] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_PULL)] = 500,
) -> PullResponse:
    """The holder's changes after the cursor, oldest first, with the signed head of their log (not
    to a parent: the head counts the lines of a minor's secret items, which they must not see; nor
    to a helper: the log is the helped person's)."""
    page = sync.pull(session=session, holder=holder, cursor=cursor, limit=limit)
    if gatekeeper.on_behalf():
        return page
    return page.model_copy(update={"log_head": checkpoints.head_of(ctx.signer, holder, ctx.clock.now())})


@router.get("/records/{record_id}/content")
def record_content(
    record_id: str,
    holder: ActiveHolder,
    ctx: ContextDep,
    session: SessionDep,
    version: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> StreamingResponse:
    """The bytes of one of the holder's documents (e.g. one a professional added), or of one of
    its earlier versions (a document its author corrected)."""
    record = session.get(Record, (holder.id, record_id))
    if record is None or record.deleted or record.collection != "document" or not gatekeeper.visible(record):
        raise DomainError(ErrorCode.NOT_FOUND)
    stream = record_access.document_bytes(
        session=session, ctx=ctx, holder_id=holder.id, record=record, version=version
    )
    return files.send(stream)
