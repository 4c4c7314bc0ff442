"""A person's rights over their health data (issue #18): corrections asked of a professional."""

from fastapi import APIRouter

from backend_stub.api.deps import ActiveHolder, ContextDep, SessionDep
from backend_stub.services import health_corrections
from sync.protocol.rights_schemas import HealthCorrectionCreate, HealthCorrectionOut

router = APIRouter(tags=["rights"])


@router.get("/health-corrections")
def corrections(holder: ActiveHolder, session: SessionDep) -> list[HealthCorrectionOut]:
    """The holder's requests to correct professionals' entries and where each stands, newest first."""
    return health_corrections.requests_of(session=session, holder=holder)


@router.post("/health-corrections")
def ask(
    body: HealthCorrectionCreate, holder: ActiveHolder, ctx: ContextDep, session: SessionDep
) -> HealthCorrectionOut:
    """Ask the author of one entry to correct it."""
    row = health_corrections.ask(session=session, ctx=ctx, holder=holder, body=body)
    return next(r for r in health_corrections.requests_of(session=session, holder=holder) if r.id == row.id)
