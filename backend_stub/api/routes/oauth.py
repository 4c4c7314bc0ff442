"""The catalogue of referenced apps, the OAuth 2.0 endpoints apps use to connect, and the
holder's side of it: the consent decision and the connected apps."""

from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from backend_stub.api.deps import ActiveHolder, ClientDep, ContextDep, SessionDep
from backend_stub.core.clock import as_utc
from backend_stub.models.apps import App, AppConnection
from backend_stub.services import apps, oauth, ratelimit
from sync.protocol.apps import AppOut, ApproveRequest, ConnectionOut, ConsentRequestOut, RedirectOut

router = APIRouter(tags=["connected apps"])


def app_out(app: App) -> AppOut:
    return AppOut(
        id=app.id,
        name=app.name,
        publisher=app.publisher,
        category=app.category,
        description_fr=app.description_fr,
        description_en=app.description_en,
        scopes=list(app.scopes),
        status=app.status,
    )


def _send(answer: oauth.OAuthResponse) -> Response:
    headers = {k: v for k, v in answer.headers if k.lower() != "content-type"}
    if isinstance(answer.body, dict):
        return JSONResponse(answer.body, answer.status, headers=headers)
    return Response(status_code=answer.status, headers=headers)


def _headers(request: Request) -> dict[str, str]:
    return dict(request.headers)


async def form_items(request: Request) -> list[tuple[str, str]]:
    """The token request's form fields (application/x-www-form-urlencoded, as RFC 6749 says)."""
    body = await request.body()
    return parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)


FormItems = Annotated[list[tuple[str, str]], Depends(form_items)]


@router.get("/oauth/authorize", response_class=Response)
def authorize(request: Request, ctx: ContextDep, session: SessionDep, client: ClientDep) -> Response:
    """An app asks to connect: checked, then the person is sent to the app's consent screen."""
    ratelimit.hit(session=session, ctx=ctx, scope="oauth", subject=client, limit=ctx.settings.rate_per_client)
    items = list(request.query_params.multi_items())
    return _send(
        oauth.authorize(
            session=session, ctx=ctx, uri=str(request.url), items=items, headers=_headers(request)
        )
    )


@router.post("/oauth/token", response_class=Response)
def token(
    request: Request, items: FormItems, ctx: ContextDep, session: SessionDep, client: ClientDep
) -> Response:
    """An app exchanges its one-time code and PKCE verifier for an access token."""
    ratelimit.hit(session=session, ctx=ctx, scope="oauth", subject=client, limit=ctx.settings.rate_per_client)
    return _send(
        oauth.token(session=session, ctx=ctx, uri=str(request.url), items=items, headers=_headers(request))
    )


@router.get("/oauth/requests/{request_id}")
def consent_request(
    request_id: str, holder: ActiveHolder, ctx: ContextDep, session: SessionDep
) -> ConsentRequestOut:
    """What the consent screen shows: the app, what it asks, for whose space."""
    row, app = oauth.pending(session=session, ctx=ctx, request_id=request_id)
    return ConsentRequestOut(
        id=request_id,
        app=app_out(app),
        scopes=row.scope.split(),
        expires_at=as_utc(row.expires_at),
        subjects=oauth.subjects(holder),
    )


@router.post("/oauth/requests/{request_id}/approve")
def approve(
    request_id: str,
    body: ApproveRequest,
    request: Request,
    holder: ActiveHolder,
    ctx: ContextDep,
    session: SessionDep,
) -> RedirectOut:
    """The holder agrees: the way back to the app, with its one-time code."""
    url = oauth.decide(
        session=session,
        ctx=ctx,
        uri=str(request.url),
        holder=holder,
        request_id=request_id,
        approve=True,
        duration=body.duration,
        subject_id=body.subject_id,
    )
    return RedirectOut(redirect_url=url)


@router.post("/oauth/requests/{request_id}/refuse")
def refuse(
    request_id: str, request: Request, holder: ActiveHolder, ctx: ContextDep, session: SessionDep
) -> RedirectOut:
    """The holder says no: the way back to the app, with error=access_denied."""
    url = oauth.decide(
        session=session, ctx=ctx, uri=str(request.url), holder=holder, request_id=request_id, approve=False
    )
    return RedirectOut(redirect_url=url)


@router.get("/catalogue")
def catalogue(holder: ActiveHolder, session: SessionDep) -> list[AppOut]:
    """The referenced apps one may connect (suspended ones are left out)."""
    return [app_out(a) for a in apps.all_apps(session=session, active_only=True)]


def _connections(session: SessionDep, ctx: ContextDep, holder: ActiveHolder) -> list[ConnectionOut]:
    now = ctx.clock.now()
    return [
        _connection_out(c, a, apps.connection_active(c, a, now))
        for c, a in apps.connections(session=session, holder=holder)
    ]


def _connection_out(connection: AppConnection, app: App, active: bool) -> ConnectionOut:
    return ConnectionOut(
        id=connection.id,
        app=app_out(app),
        scopes=list(connection.scopes),
        subject_id=connection.subject_id,
        since=as_utc(connection.since),
        until=as_utc(connection.until),
        last_used_at=as_utc(connection.last_used_at) if connection.last_used_at else None,
        revoked_at=as_utc(connection.revoked_at) if connection.revoked_at else None,
        active=active,
    )


@router.get("/connected-apps")
def connected_apps(holder: ActiveHolder, ctx: ContextDep, session: SessionDep) -> list[ConnectionOut]:
    """The apps connected to the space, what each may do and when each last used the data."""
    return _connections(session, ctx, holder)


@router.post("/connected-apps/{connection_id}/revoke")
def revoke(
    connection_id: str, holder: ActiveHolder, ctx: ContextDep, session: SessionDep
) -> list[ConnectionOut]:
    """Disconnect an app now: its next call is refused."""
    apps.revoke(session=session, ctx=ctx, holder=holder, connection_id=connection_id)
    return _connections(session, ctx, holder)
