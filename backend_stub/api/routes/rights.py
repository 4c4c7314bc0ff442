"""A person's rights over their health data (issue #18): corrections asked of a professional,
the research choice, complaints to the authority."""

from fastapi import APIRouter

from backend_stub.api.deps import ActiveHolder, ContextDep, SessionDep
from backend_stub.services import complaints, health_card, health_corrections, research
from sync.protocol.rights_schemas import (
    ComplaintCreate,
    ComplaintOut,
    HealthCardOut,
    HealthCorrectionCreate,
    HealthCorrectionOut,
    ResearchChoice,
    ResearchOut,
)

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


@router.get("/research")
def research_choice(holder: ActiveHolder, session: SessionDep) -> ResearchOut:
    """Whether the holder's data may serve research, and every change of that choice."""
    return research.choice_of(session=session, holder=holder)


@router.put("/research")
def set_research_choice(
    body: ResearchChoice, holder: ActiveHolder, ctx: ContextDep, session: SessionDep
) -> ResearchOut:
    """Opt out of research (no reason asked), or back in."""
    return research.set_choice(session=session, ctx=ctx, holder=holder, opted_out=body.opted_out)


@router.get("/complaints")
def complaints_list(holder: ActiveHolder, session: SessionDep) -> list[ComplaintOut]:
    """The complaints the holder sent to the authority, newest first."""
    return complaints.complaints_of(session=session, holder=holder)


@router.post("/complaints")
def complain(
    body: ComplaintCreate, holder: ActiveHolder, ctx: ContextDep, session: SessionDep
) -> ComplaintOut:
    """Send a complaint to the digital health authority, with the access-log line it is about."""
    return complaints.file(session=session, ctx=ctx, holder=holder, body=body)


@router.get("/health-card")
def vaccination_card(holder: ActiveHolder, ctx: ContextDep, session: SessionDep) -> HealthCardOut:
    """The holder's vaccinations, signed by the server as a SMART Health Card (with its QR text)."""
    return health_card.card_for(session=session, ctx=ctx, holder=holder)
