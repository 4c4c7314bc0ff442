"""A share link read as a SMART Health Link (issue #18 part 2): the manifest an SHL viewer asks for.

The `shlink:/` the holder's device made points here (`<the share page>/manifest`); the viewer
posts the passcode (the link's code) and gets the files, still encrypted with the key that only the
`shlink:/` carries. Checks, counting of wrong codes, the access-log line and the holder's
notification are the share page's own (`services/shares.open_with_code`). Answers as the SMART
Health Links specification says: 401 with `remainingAttempts` for a wrong passcode, 404 for a link
that is not (or no longer) active.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from backend_stub.api.deps import ClientDep, ContextDep, SessionDep
from backend_stub.errors import DomainError
from backend_stub.services import shares
from sync.protocol.errors import ErrorCode

router = APIRouter(tags=["share links"])


class ManifestRequest(BaseModel):
    """What an SHL viewer sends (SMART Health Links, "Manifest request")."""

    recipient: str = Field(max_length=200)
    passcode: str = Field(default="", max_length=40)
    embeddedLengthMax: int | None = Field(default=None, ge=0)  # noqa: N815  (the specification's name)


@router.post("/share/{token}/manifest")
def manifest(
    token: Annotated[str, Path(max_length=100)],
    body: ManifestRequest,
    ctx: ContextDep,
    session: SessionDep,
    client: ClientDep,
) -> Any:
    """The link's files for a viewer that knows the passcode (tries limited as on the page)."""
    try:
        link, _ = shares.open_with_code(
            session=session, ctx=ctx, token=token, code=body.passcode, client=client
        )
    except DomainError as err:
        if err.code == ErrorCode.SHARE_CODE_WRONG:
            return JSONResponse({"remainingAttempts": err.params.get("attempts_left", 0)}, status_code=401)
        if err.code == ErrorCode.RATE_LIMITED:
            raise  # 429 with Retry-After, as every limited route
        return JSONResponse({"code": ErrorCode.NOT_FOUND.value}, status_code=404)
    files = [{"contentType": "application/fhir+json", "embedded": link.shl_file}] if link.shl_file else []
    return {"files": files}
