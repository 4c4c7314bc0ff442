"""Routes proven with the insurer's three identifiers: activation, objection, new letter."""

from fastapi import APIRouter

from backend_stub.api.deps import ClientDep, ContextDep, SessionDep, WakeQueue
from backend_stub.services import activation
from sync.protocol.schemas import (
    ActivationRequest,
    Identifiers,
    IdentityCheck,
    Message,
    NewLetterRequest,
)

router = APIRouter(tags=["activation"])


@router.post("/activation/check")
def check(ids: Identifiers, ctx: ContextDep, session: SessionDep, client: ClientDep) -> IdentityCheck:
    """Check the three identifiers before the person chooses a login."""
    return activation.check_identifiers(session=session, ctx=ctx, ids=ids, client=client)


@router.post("/activation")
def activate(body: ActivationRequest, ctx: ContextDep, session: SessionDep, client: ClientDep) -> Message:
    """Activate the space and set its login."""
    activation.activate(session=session, ctx=ctx, request=body, client=client)
    return Message(message="activation.done")


@router.post("/objection")
def object_(ids: Identifiers, ctx: ContextDep, session: SessionDep, client: ClientDep) -> Message:
    """Object to the creation of the space within the 6 weeks."""
    activation.object_to_creation(session=session, ctx=ctx, ids=ids, client=client)
    return Message(message="objection.done")


@router.post("/letters", dependencies=[WakeQueue])
def new_letter(body: NewLetterRequest, ctx: ContextDep, session: SessionDep, client: ClientDep) -> Message:
    """Ask for a new provisional code, sent (after the answer) to the address the insurer holds."""
    activation.request_new_letter(session=session, ctx=ctx, request=body, client=client)
    return Message(message="letter.requested")
