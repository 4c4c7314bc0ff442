"""Secure messaging, the holder's side: conversations and messages travel with the records
(push and pull); only the bytes of a file joined to a message come from here."""

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import StreamingResponse

from backend_stub.api import files
from backend_stub.api.deps import ActiveHolder, ContextDep, SessionDep
from backend_stub.services import messages

router = APIRouter(prefix="/messages", tags=["messages"])


@router.get("/{message_id}/attachments/{index}")
def attachment(
    message_id: Annotated[str, Path(max_length=64)],
    index: Annotated[int, Path(ge=0, le=20)],
    holder: ActiveHolder,
    ctx: ContextDep,
    session: SessionDep,
) -> StreamingResponse:
    """The bytes of a file joined to one of the holder's messages."""
    _, stream = messages.holder_file(
        session=session, ctx=ctx, holder=holder, message_id=message_id, index=index
    )
    return files.send(stream)
