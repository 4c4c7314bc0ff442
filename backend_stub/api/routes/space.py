"""The holder's own space: who they are, closing and reopening it."""

from fastapi import APIRouter

from backend_stub.api.deps import ContextDep, SessionDep, SignedDep
from backend_stub.core.clock import as_utc
from backend_stub.models.accounts import Holder
from backend_stub.services import space
from sync.protocol.schemas import CloseRequest, Me

router = APIRouter(tags=["space"])


def me_out(holder: Holder) -> Me:
    """The holder's account as the app shows it (also after a change of e-mail, phone or channel)."""
    return Me(
        id=holder.id,
        first_name=holder.first_name,
        last_name=holder.last_name,
        email=holder.email or "",
        status=holder.status,
        otp_channel=holder.otp_channel,
        phone=holder.phone or "",
        closed_at=as_utc(holder.closed_at) if holder.closed_at else None,
        purge_after=as_utc(holder.purge_after) if holder.purge_after else None,
        birth_date=holder.birth_date,
        sex=holder.sex if holder.sex in ("female", "male") else "",
    )


@router.get("/me")
async def me(signed: SignedDep) -> Me:
    """The signed-in holder and the state of their space (a child's with `X-Space`)."""
    return me_out(signed.space)


@router.post("/space/close")
def close(body: CloseRequest, signed: SignedDep, ctx: ContextDep, session: SessionDep) -> Me:
    """Close the space (password required): archived for 10 years, then deleted."""
    holder = space.close(
        session=session, ctx=ctx, holder=signed.holder, password=body.password, keep_session=signed.session.id
    )
    return me_out(holder)


@router.post("/space/reopen")
def reopen(signed: SignedDep, ctx: ContextDep, session: SessionDep) -> Me:
    """Reopen a closed space; everything archived comes back."""
    return me_out(space.reopen(session=session, ctx=ctx, holder=signed.holder))
