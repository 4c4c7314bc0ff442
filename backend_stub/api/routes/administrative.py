"""The holder's administrative data as the insurer holds it, and their correction requests."""

from fastapi import APIRouter

from backend_stub.api.deps import ActiveHolder, ContextDep, SessionDep
from backend_stub.services import administrative
from sync.protocol.admin_schemas import AdministrativeData, CorrectionCreate, CorrectionOut

router = APIRouter(prefix="/administrative", tags=["administrative data"])


@router.get("")
def data(holder: ActiveHolder) -> AdministrativeData:
    """Names, birth date, postal address and insurance fund, as the insurer holds them."""
    return administrative.data_of(holder)


@router.get("/corrections")
def corrections(holder: ActiveHolder, session: SessionDep) -> list[CorrectionOut]:
    """The holder's correction requests and where each one stands, newest first."""
    return [
        administrative.correction_out(r) for r in administrative.requests_of(session=session, holder=holder)
    ]


@router.post("/corrections")
def ask(body: CorrectionCreate, holder: ActiveHolder, ctx: ContextDep, session: SessionDep) -> CorrectionOut:
    """Ask the insurer to correct one field (checked here as in the app)."""
    row = administrative.request_correction(session=session, ctx=ctx, holder=holder, body=body)
    return administrative.correction_out(row)
