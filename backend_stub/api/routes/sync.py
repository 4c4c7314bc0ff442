"""Synchronisation of the holder's records between their devices and the server."""

from typing import Annotated

from fastapi import APIRouter, Query

from backend_stub.api.deps import ActiveHolder, ContextDep, SessionDep
from backend_stub.services import sync
from sync.protocol.sync_schemas import MAX_PULL, PullResponse, PushRequest, PushResponse

router = APIRouter(prefix="/sync", tags=["sync"])


@router.post("/push")
def push(body: PushRequest, holder: ActiveHolder, ctx: ContextDep, session: SessionDep) -> PushResponse:
    """Apply a device's outbox batch (idempotent by client id and sequence)."""
    return PushResponse(results=sync.push(session=session, ctx=ctx, holder=holder, request=body))


@router.get("/pull")
def pull(
    holder: ActiveHolder,
    session: SessionDep,
    cursor: Annotated[str, Query(max_length=64)] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_PULL)] = 500,
) -> PullResponse:
    """The holder's changes after the cursor, oldest first."""
    return sync.pull(session=session, holder=holder, cursor=cursor, limit=limit)
