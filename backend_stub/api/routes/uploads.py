"""Resumable uploads of document bytes (tus-style offsets, SHA-256 as idempotency key)."""

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool

from backend_stub.api.deps import ActiveHolder, ContextDep, SessionDep
from backend_stub.services import uploads
from sync.protocol.sync_schemas import UploadCreate, UploadState

router = APIRouter(prefix="/uploads", tags=["uploads"])


@router.post("")
def create(body: UploadCreate, holder: ActiveHolder, ctx: ContextDep, session: SessionDep) -> UploadState:
    """Start an upload, or find the one already started for the same bytes."""
    return uploads.create(session=session, ctx=ctx, holder=holder, request=body)


@router.post("/whole")
async def whole(
    request: Request,
    upload_sha256: Annotated[str, Header(pattern=r"^[0-9a-f]{64}$")],
    holder: ActiveHolder,
    ctx: ContextDep,
    session: SessionDep,
) -> UploadState:
    """A document of one chunk at most, whole in the body: started (or found) and finished in
    one request, where `POST` then `PATCH` take two."""
    data = await request.body()
    return await run_in_threadpool(
        uploads.whole,
        session=session,
        ctx=ctx,
        blobs=ctx.blobs,
        holder=holder,
        sha256=upload_sha256,
        data=data,
    )


@router.get("/{upload_id}")
def state(upload_id: str, holder: ActiveHolder, session: SessionDep) -> UploadState:
    """Where the upload stands: the offset to resume from."""
    return uploads.state(session=session, holder=holder, upload_id=upload_id)


@router.patch("/{upload_id}")
async def append(
    upload_id: str,
    request: Request,
    upload_offset: Annotated[int, Header(ge=0)],
    holder: ActiveHolder,
    ctx: ContextDep,
    session: SessionDep,
) -> UploadState:
    """Append one chunk (the body) at `Upload-Offset`. The body is read in the event loop, then
    sealed, written (an fsync) and committed in the thread pool: never while other requests wait."""
    data = await request.body()
    return await run_in_threadpool(
        uploads.append,
        session=session,
        blobs=ctx.blobs,
        holder=holder,
        upload_id=upload_id,
        offset=upload_offset,
        data=data,
    )
