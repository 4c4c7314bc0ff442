"""A parent's children: the list for the profile switcher, and activating or objecting to a
child's space with the child's three identifiers (the letter went to the parent).

These routes act from the parent's own space: with `X-Space` they are refused. Acting on a
child's space is every other holder route with `X-Space: <child id>` (api/deps.py)."""

from typing import Annotated

from fastapi import APIRouter, Depends

from backend_stub.api.deps import ClientDep, ContextDep, SessionDep, SignedDep
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.services import children
from sync.protocol.children_schemas import ChildName, ChildOut
from sync.protocol.errors import ErrorCode
from sync.protocol.schemas import Identifiers, SpaceStatus

router = APIRouter(prefix="/children", tags=["children"])


async def parent(signed: SignedDep) -> Holder:
    """The signed-in holder in their own open space (with `X-Space` the gate refused already:
    these routes are the holder's own, deps.OWN_SPACE_ONLY)."""
    if signed.holder.status != SpaceStatus.ACTIVE:
        raise DomainError(ErrorCode.SPACE_CLOSED)
    return signed.holder


Parent = Annotated[Holder, Depends(parent)]


@router.get("")
def list_children(holder: Parent, ctx: ContextDep, session: SessionDep) -> list[ChildOut]:
    """The minors the holder holds parental authority over, eldest first."""
    return children.children_of(session=session, ctx=ctx, guardian=holder)


@router.post("/check")
def check(
    ids: Identifiers, holder: Parent, ctx: ContextDep, session: SessionDep, client: ClientDep
) -> ChildName:
    """The child's first name once the three identifiers match a child of this parent."""
    return children.check(session=session, ctx=ctx, guardian=holder, ids=ids, client=client)


@router.post("/activation")
def activate(
    ids: Identifiers, holder: Parent, ctx: ContextDep, session: SessionDep, client: ClientDep
) -> ChildOut:
    """Open the child's space (no login: the parents act on it from their own space)."""
    return children.activate(session=session, ctx=ctx, guardian=holder, ids=ids, client=client)


@router.post("/objection")
def object_(
    ids: Identifiers, holder: Parent, ctx: ContextDep, session: SessionDep, client: ClientDep
) -> ChildOut:
    """Refuse the child's space within the 6 weeks."""
    return children.object_to(session=session, ctx=ctx, guardian=holder, ids=ids, client=client)
