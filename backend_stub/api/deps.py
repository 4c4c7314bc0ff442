"""`Annotated` dependencies so route signatures stay short: context, session, current holder."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from backend_stub.context import Context
from backend_stub.core.proxies import client_of
from backend_stub.errors import DomainError
from backend_stub.models.accounts import AuthSession, Holder
from backend_stub.rules import gate
from backend_stub.services import children, gatekeeper, helpers, sessions
from sync.protocol.children_schemas import SPACE_HEADER
from sync.protocol.errors import ErrorCode


async def get_context(request: Request) -> Context:
    """Async: a plain attribute read needs no trip through the thread pool."""
    ctx: Context = request.app.state.ctx
    return ctx


ContextDep = Annotated[Context, Depends(get_context)]


async def get_session(ctx: ContextDep) -> AsyncIterator[Session]:
    """A session per request, closed at the end (commits are explicit in services). Async: a new
    session touches no database (it takes a connection at its first statement, in the route's
    thread), so opening it needs no trip through the thread pool; closing it does only where
    handing its connection back (a rollback) is a round trip to a database server."""
    session = Session(ctx.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        if session.in_transaction() and ctx.engine.dialect.name != "sqlite":
            await run_in_threadpool(session.close)
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session)]


async def client_address(request: Request) -> str:
    """The caller's address, the key of per-client rate limits: behind a trusted proxy (the Flet
    app server in web mode), the person's address it forwards (core/proxies.py)."""
    peer = request.client.host if request.client else "unknown"
    trusted = request.app.state.ctx.settings.trusted_proxies
    return client_of(peer, request.headers.get("x-forwarded-for"), trusted)


ClientDep = Annotated[str, Depends(client_address)]


async def wake_queue(request: Request, background: BackgroundTasks) -> None:
    """Once the answer is sent, wake this process's sender of queued letters and codes
    (services/message_queue.py): the answer never waits for them."""
    sender = getattr(request.app.state, "sender", None)
    if sender is not None:
        background.add_task(sender.wake)


WakeQueue = Depends(wake_queue)
_bearer = HTTPBearer(auto_error=False)


@dataclass
class Signed:
    """The signed-in holder, the session (device) they used, and the space the request acts on:
    their own, or with `X-Space` a minor child's (then `guardian` is the signed-in parent) or the
    space of someone they help (then `helper` holds the gate's facts about them)."""

    holder: Holder
    session: AuthSession
    space: Holder
    guardian: Holder | None = None
    helper: gate.Helper | None = None


@dataclass(frozen=True)
class _Target:
    """What `X-Space` resolution needs of the request (read before the thread pool trip)."""

    space_id: str
    method: str
    route: str
    path_params: dict[str, str]
    own_space_only: bool
    polling: bool  # a pull with a cursor: asking for changes, not reading the record


# Routes that act on the caller's own account and space, never on a child's with `X-Space` (the
# gate refuses them there): closing and reopening, the children and their activation, the account
# and its signed-in devices.
OWN_SPACE_ONLY = ("/space/", "/children", "/account", "/devices", "/delegations")


async def signed_in(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Signed:
    """Any valid session, whatever the space's state (a closed space may still be reopened).

    Async with one trip to the thread pool for the lookup: authenticated reads are the hottest
    path, and each sync dependency would cost a trip of its own."""
    if credentials is None:
        raise DomainError(ErrorCode.AUTH_REQUIRED)
    route = request.scope.get("route")
    path = str(getattr(route, "path", request.url.path))
    target = _Target(
        space_id=request.headers.get(SPACE_HEADER, "")[:64],
        method=request.method,
        route=path,
        path_params=dict(request.path_params),
        own_space_only=path.removeprefix("/api/v1").startswith(OWN_SPACE_ONLY),
        polling=path.endswith("/sync/pull") and bool(request.query_params.get("cursor")),
    )
    signed = await run_in_threadpool(_authenticate, request.app.state.ctx, credentials.credentials, target)
    helping = (signed.holder, signed.helper) if signed.helper is not None else None
    gatekeeper.set_acting(signed.guardian, helping)  # services hide what the member may not see
    request.state.guardian = signed.guardian
    return signed


def _authenticate(ctx: Context, token: str, target: _Target) -> Signed:
    """In a short session of its own; the rows come back detached, for the route's session to add."""
    with Session(ctx.engine, expire_on_commit=False) as session:
        row, holder = sessions.authenticate(session=session, ctx=ctx, access_token=token)
        helped = session.get(Holder, target.space_id) if target.space_id not in ("", holder.id) else None
        facts = helpers.facts(session, ctx, caller=holder, helped=helped) if helped is not None else None
        if helped is not None and facts is not None:
            space = helpers.resolve_space(
                session=session,
                ctx=ctx,
                caller=holder,
                helped=helped,
                helper=facts,
                method=target.method,
                route=target.route,
                path_params=target.path_params,
                own_space_only=target.own_space_only,
                polling=target.polling,
            )
            return Signed(holder=holder, session=row, space=space, helper=facts)
        space, guardian = children.resolve_space(
            session=session,
            ctx=ctx,
            caller=holder,
            space_id=target.space_id,
            method=target.method,
            route=target.route,
            path_params=target.path_params,
            own_space_only=target.own_space_only,
        )
        return Signed(holder=holder, session=row, space=space, guardian=guardian)


SignedDep = Annotated[Signed, Depends(signed_in)]


async def active_holder(signed: SignedDep) -> Holder:
    """The space of a health route, if the gate lets the member in: every health route depends on
    this, never on `signed_in`. With `X-Space` it is the child's space (guardianship checked by
    `signed_in`); a closed space answers only its holder's account and reopen routes."""
    member = signed.helper or gate.Member(guardian=signed.guardian is not None)
    verdict = gate.decide(member, gatekeeper.space_of(signed.space), gate.SPACE, datetime.min)
    if not verdict.allowed:
        assert verdict.refusal is not None
        raise DomainError(verdict.refusal)
    return signed.space


ActiveHolder = Annotated[Holder, Depends(active_holder)]
