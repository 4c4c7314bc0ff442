"""`Annotated` dependencies so route signatures stay short: context, session, current holder."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from backend_stub.context import Context
from backend_stub.db import session_scope
from backend_stub.errors import DomainError
from backend_stub.models import AuthSession, Holder
from backend_stub.services import auth
from sync.protocol.errors import ErrorCode
from sync.protocol.schemas import SpaceStatus


async def get_context(request: Request) -> Context:
    """Async: a plain attribute read needs no trip through the thread pool."""
    ctx: Context = request.app.state.ctx
    return ctx


ContextDep = Annotated[Context, Depends(get_context)]


def get_session(ctx: ContextDep) -> Iterator[Session]:
    yield from session_scope(ctx.engine)


SessionDep = Annotated[Session, Depends(get_session)]


def client_address(request: Request) -> str:
    """The caller's address, the key of per-client rate limits (behind a proxy: its header)."""
    return request.client.host if request.client else "unknown"


ClientDep = Annotated[str, Depends(client_address)]
_bearer = HTTPBearer(auto_error=False)


@dataclass
class Signed:
    """The signed-in holder and the session (device) they used."""

    holder: Holder
    session: AuthSession


def signed_in(
    ctx: ContextDep,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Signed:
    """Any valid session, whatever the space's state (a closed space may still be reopened)."""
    if credentials is None:
        raise DomainError(ErrorCode.AUTH_REQUIRED)
    row, holder = auth.authenticate(session=session, ctx=ctx, access_token=credentials.credentials)
    return Signed(holder=holder, session=row)


SignedDep = Annotated[Signed, Depends(signed_in)]


def active_holder(signed: SignedDep) -> Holder:
    """The holder of an open space: every health route depends on this, never on `signed_in`."""
    if signed.holder.status != SpaceStatus.ACTIVE:
        raise DomainError(ErrorCode.SPACE_CLOSED)
    return signed.holder


ActiveHolder = Annotated[Holder, Depends(active_holder)]
