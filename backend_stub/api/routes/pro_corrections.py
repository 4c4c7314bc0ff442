"""The professionals' side of health-data corrections: the requests patients sent about what this
professional wrote (entries and documents), and their answer. Same conventions as `pro.py` (the
patient in `X-Patient-Nir`); without it, the list is every request still waiting across patients,
and an answer goes to the record of the patient who asked."""

from typing import Annotated

from fastapi import APIRouter, Header

from backend_stub.api.deps import ContextDep, SessionDep
from backend_stub.api.routes.pro import AccessRequest, CurrentPro
from backend_stub.services import health_corrections, record_access
from sync.protocol.rights_schemas import HealthCorrectionDecision, ProHealthCorrection

router = APIRouter(prefix="/pro", tags=["professionals' API"])
MaybeNir = Annotated[str, Header(alias="X-Patient-Nir", max_length=32)]


def _open(
    pro: CurrentPro,
    nir: str,
    request: AccessRequest,
    ctx: ContextDep,
    session: SessionDep,
    action: str,
    secret: bool = False,
) -> record_access.Opened:
    return record_access.open_record(
        session=session,
        ctx=ctx,
        professional=pro,
        nir=nir,
        request=request,
        action=action,
        target=health_corrections.TARGET,
        secret=secret,
    )


@router.get("/corrections")
def requests(
    pro: CurrentPro, request: AccessRequest, ctx: ContextDep, session: SessionDep, nir: MaybeNir = ""
) -> list[ProHealthCorrection]:
    """The patient's requests to correct what this professional wrote, newest first; without a
    patient, the requests still waiting across patients (those whose record the gate lets open)."""
    if not nir:
        return health_corrections.waiting_for(session=session, ctx=ctx, professional=pro)
    opened = _open(pro, nir, request, ctx, session, "list")
    return health_corrections.for_author(session=session, ctx=ctx, opened=opened)


@router.post("/corrections/{correction_id}/decision")
def decide(
    correction_id: str,
    body: HealthCorrectionDecision,
    pro: CurrentPro,
    request: AccessRequest,
    ctx: ContextDep,
    session: SessionDep,
    nir: MaybeNir = "",
) -> ProHealthCorrection:
    """Accept (the entry's or the document's next version, the one before kept) or refuse with a
    reason; without a patient named, the record is the one of the patient who asked."""
    if nir:
        secret = health_corrections.secret(
            session=session, correction_id=correction_id, professional_id=pro.id
        )
        opened = _open(pro, nir, request, ctx, session, "write", secret)
    else:
        opened = health_corrections.opened_for(
            session=session, ctx=ctx, professional=pro, correction_id=correction_id
        )
    return health_corrections.decide(
        session=session, ctx=ctx, opened=opened, correction_id=correction_id, decision=body
    )
