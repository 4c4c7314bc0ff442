"""The professionals' side of health-data corrections: the requests a patient sent about their
entries, and their answer. Same conventions as `pro.py` (the patient in `X-Patient-Nir`)."""

from fastapi import APIRouter

from backend_stub.api.deps import ContextDep, SessionDep
from backend_stub.api.routes.pro import AccessRequest, CurrentPro, PatientNir
from backend_stub.services import health_corrections, record_access
from sync.protocol.rights_schemas import HealthCorrectionDecision, ProHealthCorrection

router = APIRouter(prefix="/pro", tags=["professionals' API"])


def _open(
    pro: CurrentPro,
    nir: PatientNir,
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
    pro: CurrentPro, nir: PatientNir, request: AccessRequest, ctx: ContextDep, session: SessionDep
) -> list[ProHealthCorrection]:
    """The patient's requests to correct this professional's entries, newest first."""
    opened = _open(pro, nir, request, ctx, session, "list")
    return health_corrections.for_author(session=session, ctx=ctx, opened=opened)


@router.post("/corrections/{correction_id}/decision")
def decide(
    correction_id: str,
    body: HealthCorrectionDecision,
    pro: CurrentPro,
    nir: PatientNir,
    request: AccessRequest,
    ctx: ContextDep,
    session: SessionDep,
) -> ProHealthCorrection:
    """Accept (the entry's next version, the one before kept) or refuse with a reason."""
    secret = health_corrections.secret(session=session, correction_id=correction_id, professional_id=pro.id)
    opened = _open(pro, nir, request, ctx, session, "write", secret)
    return health_corrections.decide(
        session=session, ctx=ctx, opened=opened, correction_id=correction_id, decision=body
    )
