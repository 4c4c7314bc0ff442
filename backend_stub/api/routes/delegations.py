"""Helpers (aidants): "Mes aidants" (those I let help me) and "Les personnes que j'aide".

These routes act from the caller's own space: with `X-Space` they are refused (a helper never
delegates in someone else's name, api/deps.OWN_SPACE_ONLY). Acting on the space of someone one
helps is every other holder route with `X-Space: <their id>`, as far as the gate allows."""

from typing import Annotated

from fastapi import APIRouter, Depends

from backend_stub.api.deps import ContextDep, SessionDep, SignedDep
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.services import helpers
from sync.protocol.errors import ErrorCode
from sync.protocol.helpers_schemas import DelegationIn, DelegationOut, DelegationsOut
from sync.protocol.schemas import SpaceStatus

router = APIRouter(prefix="/delegations", tags=["helpers"])


async def own(signed: SignedDep) -> Holder:
    """The signed-in holder in their own open space."""
    if signed.holder.status != SpaceStatus.ACTIVE:
        raise DomainError(ErrorCode.SPACE_CLOSED)
    return signed.holder


Own = Annotated[Holder, Depends(own)]


@router.get("")
def list_delegations(holder: Own, ctx: ContextDep, session: SessionDep) -> DelegationsOut:
    """My helpers and the people I help, invitations included."""
    return helpers.lists(session=session, ctx=ctx, holder=holder)


@router.post("")
def invite(body: DelegationIn, holder: Own, ctx: ContextDep, session: SessionDep) -> DelegationOut:
    """Invite a helper, found by identity, for dated days (at most a year)."""
    return helpers.invite(session=session, ctx=ctx, helped=holder, body=body)


@router.post("/{delegation_id}/accept")
def accept(delegation_id: str, holder: Own, ctx: ContextDep, session: SessionDep) -> DelegationOut:
    """The helper accepts an invitation within its 7 days."""
    return helpers.answer(session=session, ctx=ctx, helper=holder, delegation_id=delegation_id, accept=True)


@router.post("/{delegation_id}/refuse")
def refuse(delegation_id: str, holder: Own, ctx: ContextDep, session: SessionDep) -> DelegationOut:
    """The helper declines an invitation."""
    return helpers.answer(session=session, ctx=ctx, helper=holder, delegation_id=delegation_id, accept=False)


@router.post("/{delegation_id}/end")
def end(delegation_id: str, holder: Own, ctx: ContextDep, session: SessionDep) -> DelegationOut:
    """Either side ends a delegation (or withdraws an invitation) at once."""
    return helpers.end(session=session, ctx=ctx, holder=holder, delegation_id=delegation_id)
