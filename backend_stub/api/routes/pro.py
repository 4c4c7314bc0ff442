"""The professionals' API: read and feed a patient's shared record under the rules.

The patient is named by their social security number in the `X-Patient-Nir` header (never in
the URL: URLs end up in logs). `X-Access-Mode` is normal, emergency or regulator; emergency and
regulator need `X-Access-Reason` (percent-encoded UTF-8); a first access needs `X-Consent:
declared`, the professional's statement that the patient agreed.
"""

from collections.abc import Callable
from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import StreamingResponse

from backend_stub.api import files
from backend_stub.api.deps import ContextDep, SessionDep
from backend_stub.api.routes.professionals import professional_out
from backend_stub.errors import DomainError
from backend_stub.models.professionals import Professional
from backend_stub.models.record import Record
from backend_stub.rules import gate
from backend_stub.services import professionals, ratelimit, record_access
from sync.protocol.errors import ErrorCode
from sync.protocol.record_schemas import ProDocument, ProDocumentCreate, ProDocumentPage, ProfessionalOut
from sync.protocol.sync_schemas import MAX_INT

router = APIRouter(prefix="/pro", tags=["professionals' API"])


def current_professional(
    session: SessionDep, ctx: ContextDep, x_api_key: Annotated[str | None, Header(max_length=200)] = None
) -> Professional:
    """The professional of a live key, within the calls one key may make per window."""
    if not x_api_key:
        raise DomainError(ErrorCode.PRO_KEY_INVALID)
    pro = professionals.by_api_key(session=session, ctx=ctx, api_key=x_api_key)
    ratelimit.hit(
        session=session, ctx=ctx, scope="pro-key", subject=pro.id, limit=ctx.settings.rate_per_pro_key
    )
    return pro


CurrentPro = Annotated[Professional, Depends(current_professional)]


def access_request(
    x_access_mode: Annotated[str, Header(pattern="^(normal|emergency|regulator)$")] = "normal",
    x_access_reason: Annotated[str, Header(max_length=1500)] = "",
    x_consent: Annotated[str, Header(max_length=20)] = "",
) -> gate.Professional:
    """How the professional asks (who they are is added from their key)."""
    return gate.Professional(
        "", "", mode=x_access_mode, reason=unquote(x_access_reason), consent_declared=x_consent == "declared"
    )


AccessRequest = Annotated[gate.Professional, Depends(access_request)]
PatientNir = Annotated[str, Header(alias="X-Patient-Nir", max_length=32)]


def _document(record: Record) -> ProDocument:
    data = record.data
    return ProDocument(
        id=record.id,
        title=str(data.get("title", "")),
        type=str(data.get("type", "other")),
        date=str(data.get("date", "")),
        mime=str(data.get("mime", "")),
        size=int(data.get("size", 0)),
        version=record.version,
        author=record.author,
        entered_by_patient=record.author == "holder",
        masked=bool(data.get("masked")),
        hidden_from_patient=bool(data.get("hidden_from_patient")),
        hidden_from_guardians=bool(data.get("hidden_from_guardians")),
    )


@router.get("/me")
def me(pro: CurrentPro) -> ProfessionalOut:
    """The professional behind the API key."""
    return professional_out(pro)


def _opener(action: str) -> Callable[..., record_access.Opened]:
    """A dependency that applies the access rules (and logs a refusal) before the route runs."""

    def open_record(
        pro: CurrentPro, nir: PatientNir, request: AccessRequest, ctx: ContextDep, session: SessionDep
    ) -> record_access.Opened:
        return record_access.open_record(
            session=session, ctx=ctx, professional=pro, nir=nir, request=request, action=action
        )

    return open_record


OpenedToList = Annotated[record_access.Opened, Depends(_opener("list"))]
OpenedToRead = Annotated[record_access.Opened, Depends(_opener("read"))]


@router.get("/documents")
def documents(
    opened: OpenedToList,
    ctx: ContextDep,
    session: SessionDep,
    before: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> ProDocumentPage:
    """The patient's documents this professional may see, newest first, by pages."""
    rows, next_before = record_access.list_documents(session=session, ctx=ctx, opened=opened, before=before)
    return ProDocumentPage(documents=[_document(r) for r in rows], next_before=next_before)


@router.get("/documents/{document_id}")
def document(document_id: str, opened: OpenedToRead, ctx: ContextDep, session: SessionDep) -> ProDocument:
    """One document's details."""
    record = record_access.read_document(session=session, ctx=ctx, opened=opened, document_id=document_id)
    return _document(record)


@router.get("/documents/{document_id}/content")
def content(
    document_id: str,
    opened: OpenedToRead,
    ctx: ContextDep,
    session: SessionDep,
    version: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> StreamingResponse:
    """One document's bytes, or those of an earlier version (a document corrected on request)."""
    record = record_access.read_document(session=session, ctx=ctx, opened=opened, document_id=document_id)
    stream = record_access.document_bytes(
        session=session, ctx=ctx, holder_id=opened.holder.id, record=record, version=version
    )
    return files.send(stream)


@router.post("/documents")
def add(
    body: ProDocumentCreate,
    pro: CurrentPro,
    nir: PatientNir,
    request: AccessRequest,
    ctx: ContextDep,
    session: SessionDep,
) -> ProDocument:
    """Add a document to the patient's record (the patient is informed)."""
    opened = record_access.open_record(
        session=session,
        ctx=ctx,
        professional=pro,
        nir=nir,
        request=request,
        action="write",
        secret=body.hidden_from_guardians,  # a minor's secret document leaves no trace for the parents
    )
    new = record_access.NewDocument(**body.model_dump())
    return _document(record_access.add_document(session=session, ctx=ctx, opened=opened, new=new))
