"""OAuth 2.0 authorisation code flow with PKCE (S256 only) for referenced apps, on authlib's
framework-agnostic server classes: authlib checks the protocol, this module stores its state.

    app -> GET /oauth/authorize        checked by authlib, kept as a ConsentRequest, 302 to the app
                                       with only an opaque id (`/?consent=<id>`)
    holder -> approve / refuse         authlib issues the code (or access_denied) for the redirect
    app -> POST /oauth/token           authlib checks code, redirect URI and PKCE verifier; the
                                       token is bound to (app, holder, space, scopes, expiry)

Every app is a public client (a phone or desktop app cannot keep a secret): PKCE stands in for
the secret. A code is single use and short-lived; replaying it revokes every token it gave.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from authlib.oauth2.rfc6749 import (
    AuthorizationCodeMixin,
    AuthorizationServer,
    ClientMixin,
    InvalidGrantError,
    InvalidRequestError,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
    grants,
    list_to_scope,
    scope_to_list,
)
from authlib.oauth2.rfc7636 import CodeChallenge
from sqlalchemy import update
from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.core.clock import as_utc
from backend_stub.core.security import new_token, token_digest
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.models.apps import App, AppConnection, AppToken, AuthCode, ConsentRequest
from backend_stub.services import gatekeeper
from backend_stub.services.claims import claim
from sync.protocol.apps import durations, scopes
from sync.protocol.errors import ErrorCode
from sync.protocol.schemas import SpaceStatus

LOOPBACK = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class OAuthResponse:
    """What authlib answers, for the route to send: status, JSON body (or ""), headers."""

    status: int
    body: Any
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def location(self) -> str | None:
        return next((v for k, v in self.headers if k.lower() == "location"), None)


class _Payload(OAuth2Payload):
    """Query or form parameters; repeated ones are kept so authlib can refuse them."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in items:
            self._datalist[key].append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class _Request(OAuth2Request):
    def __init__(self, method: str, uri: str, items: list[tuple[str, str]], headers: dict[str, str]) -> None:
        super().__init__(method, uri, headers=headers)
        self.payload = _Payload(items)

    @property
    def args(self) -> dict[str, str]:
        return self.payload.data

    @property
    def form(self) -> dict[str, str]:
        return self.payload.data


class AppClient(ClientMixin):  # type: ignore[misc]
    """A referenced app seen as an OAuth public client."""

    def __init__(self, app: App) -> None:
        self.app = app

    def get_client_id(self) -> str:
        return self.app.id

    def get_default_redirect_uri(self) -> None:
        return None  # the redirect URI is always required

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """Every scope asked must be among the app's; asking for none is refused."""
        asked = scope_to_list(scope) or []
        if not asked or not set(asked) <= set(self.app.scopes):
            return None
        return str(list_to_scope(sorted(set(asked))))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """Exact match; for a loopback address any port (native apps, RFC 8252 §7.3)."""
        if redirect_uri in self.app.redirect_uris:
            return True
        asked = urlsplit(redirect_uri)
        if asked.scheme != "http" or asked.hostname not in LOOPBACK:
            return False
        portless = urlunsplit(asked._replace(netloc=asked.hostname))
        return portless in self.app.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return False

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


class IssuedCode(AuthorizationCodeMixin):  # type: ignore[misc]
    """A stored code as authlib and its PKCE extension read it."""

    def __init__(self, row: AuthCode) -> None:
        self.row = row
        self.code_challenge = row.code_challenge
        self.code_challenge_method = row.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope


@dataclass(frozen=True)
class Consenter:
    """Who approved, on whose space, for how long: authlib's `grant_user`."""

    holder: Holder
    subject_id: str
    duration_days: int


class S256Challenge(CodeChallenge):  # type: ignore[misc]
    """PKCE is required, with S256 only ('plain' would hand the verifier over in the URL)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # noqa: RUF012
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: grants.BaseGrant, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE with code_challenge_method=S256 is required.")
        super().validate_code_challenge(grant, redirect_uri)


class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    """The authorisation code grant, its codes kept (as digests) in the database."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["none"]  # noqa: RUF012

    @property
    def store(self) -> "OAuthServer":
        server: OAuthServer = self.server
        return server

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        consenter: Consenter = request.user
        data = request.payload.data
        now = self.store.ctx.clock.now()
        self.store.session.add(
            AuthCode(
                code_digest=token_digest(code),
                app_id=request.client.app.id,
                holder_id=consenter.holder.id,
                subject_id=consenter.subject_id,
                redirect_uri=data["redirect_uri"],
                scope=request.scope,
                code_challenge=data["code_challenge"],
                code_challenge_method=data["code_challenge_method"],
                duration_days=consenter.duration_days,
                expires_at=now + timedelta(seconds=self.store.ctx.settings.auth_code_seconds),
            )
        )

    def query_authorization_code(self, code: str, client: AppClient) -> IssuedCode | None:
        session, now = self.store.session, self.store.ctx.clock.now()
        row = session.exec(select(AuthCode).where(AuthCode.code_digest == token_digest(code))).first()
        if row is None or row.app_id != client.app.id:
            return None
        if row.used_at is not None:  # a replay: the code leaked, so what it gave is revoked
            session.execute(update(AppToken).where(col(AppToken.code_id) == row.id).values(revoked=True))
            session.commit()
            return None
        if as_utc(row.expires_at) <= now:
            return None
        return IssuedCode(row)

    def save_token(self, token: dict[str, Any]) -> None:
        """Spend the code first, in one statement: of exchanges sent at once, one writes the
        connection and its token, the others get invalid_grant (not a clash on the connection)."""
        unused = (col(AuthCode.id) == self.request.authorization_code.row.id, col(AuthCode.used_at).is_(None))
        if not claim(self.store.session, AuthCode, *unused, used_at=self.store.ctx.clock.now()):
            raise InvalidGrantError("Invalid 'code' in request.")
        super().save_token(token)

    def delete_authorization_code(self, authorization_code: IssuedCode) -> None:
        """Spent already, before its token was saved (`save_token`)."""

    def authenticate_user(self, authorization_code: IssuedCode) -> Holder | None:
        holder = self.store.session.get(Holder, authorization_code.row.holder_id)
        return holder if holder is not None and holder.status == SpaceStatus.ACTIVE else None

    def generate_token(self, user: Any = None, scope: Any = None, grant_type: Any = None, **_: Any) -> Any:
        """The token lives as long as the consent chosen on the consent screen (no refresh token)."""
        days = self.request.authorization_code.row.duration_days
        return super().generate_token(
            user=user,
            scope=scope,
            grant_type=grant_type,
            expires_in=days * 86400,
            include_refresh_token=False,
        )


def _bearer(
    grant_type: str, client: AppClient, user: Any = None, scope: Any = None, expires_in: Any = None, **_: Any
) -> dict[str, Any]:
    return {"token_type": "Bearer", "access_token": new_token(), "expires_in": expires_in, "scope": scope}


class OAuthServer(AuthorizationServer):  # type: ignore[misc]
    """authlib's authorisation server over one database session (one per request)."""

    def __init__(self, session: Session, ctx: Context) -> None:
        super().__init__(scopes_supported=list(scopes()))
        self.session, self.ctx = session, ctx
        self.register_grant(CodeGrant, [S256Challenge(required=True)])
        self.register_token_generator("default", _bearer)

    def query_client(self, client_id: str) -> AppClient | None:
        """A suspended app is no client: it can neither ask nor exchange."""
        app = self.session.get(App, client_id) if client_id else None
        return AppClient(app) if app is not None and app.status == "active" else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """One connection per (holder, app, space): a new consent replaces the old one and its tokens."""
        code: AuthCode = request.authorization_code.row
        now = self.ctx.clock.now()
        connection = self.session.exec(
            select(AppConnection).where(
                AppConnection.holder_id == code.holder_id,
                AppConnection.app_id == code.app_id,
                AppConnection.subject_id == code.subject_id,
            )
        ).first() or AppConnection(holder_id=code.holder_id, app_id=code.app_id, subject_id=code.subject_id)
        connection.scopes = scope_to_list(code.scope)
        connection.since, connection.until = now, now + timedelta(days=code.duration_days)
        connection.revoked_at = None
        self.session.add(connection)
        self.session.execute(
            update(AppToken).where(col(AppToken.connection_id) == connection.id).values(revoked=True)
        )
        self.session.add(
            AppToken(
                token_digest=token_digest(token["access_token"]),
                connection_id=connection.id,
                code_id=code.id,
                expires_at=now + timedelta(seconds=int(token["expires_in"])),
            )
        )

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signals here."""

    def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
        return request

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> OAuthResponse:
        return OAuthResponse(status, body, list(headers))


# --- the three steps ----------------------------------------------------------------------------


def _answer(server: OAuthServer, request: OAuth2Request | None, error: OAuth2Error) -> OAuthResponse:
    response: OAuthResponse = server.handle_error_response(request, error)
    return response


def authorize(
    *, session: Session, ctx: Context, uri: str, items: list[tuple[str, str]], headers: dict[str, str]
) -> OAuthResponse:
    """Check the app's request (authlib); send the person to the app's consent screen with an id."""
    server = OAuthServer(session, ctx)
    try:
        request = _Request("GET", uri, items, headers)
        grant = server.get_consent_grant(request)
    except OAuth2Error as error:
        return _answer(server, None, error)
    data = request.payload.data
    request_id = new_token()
    session.add(
        ConsentRequest(
            id_digest=token_digest(request_id),
            app_id=grant.client.app.id,
            redirect_uri=grant.redirect_uri,
            scope=request.scope,
            state=data.get("state", ""),
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
            expires_at=ctx.clock.now() + timedelta(minutes=ctx.settings.consent_request_minutes),
        )
    )
    session.commit()
    consent = f"{ctx.settings.public_app_url.rstrip('/')}/?consent={request_id}"
    return OAuthResponse(302, "", [("Location", consent)])


def pending(*, session: Session, ctx: Context, request_id: str) -> tuple[ConsentRequest, App]:
    """A request waiting for a decision, with its app; gone, decided or expired says so."""
    row = session.get(ConsentRequest, token_digest(request_id))
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    if row.decided_at is not None or as_utc(row.expires_at) <= ctx.clock.now():
        raise DomainError(ErrorCode.CONSENT_EXPIRED)
    app = session.get(App, row.app_id)
    if app is None or app.status != "active":
        raise DomainError(ErrorCode.APP_SUSPENDED)
    return row, app


def subjects(holder: Holder) -> list[str]:
    """Whose space the holder may connect an app to: their own (children's spaces come later)."""
    return [holder.id]


def decide(
    *,
    session: Session,
    ctx: Context,
    uri: str,
    holder: Holder,
    request_id: str,
    approve: bool,
    duration: str = "3m",
    subject_id: str | None = None,
) -> str:
    """The holder's answer: the URL that takes the person back to the app (code or access_denied)."""
    row, _ = pending(session=session, ctx=ctx, request_id=request_id)
    subject = subject_id or holder.id
    if subject not in subjects(holder):
        raise DomainError(ErrorCode.CONSENT_SUBJECT)
    now = ctx.clock.now()
    # Decided in one statement: of answers sent at once (two server processes), one gives a code.
    undecided = (
        col(ConsentRequest.id_digest) == row.id_digest,
        col(ConsentRequest.decided_at).is_(None),
        col(ConsentRequest.expires_at) > now,
    )
    if not claim(session, ConsentRequest, *undecided, decided_at=now):
        raise DomainError(ErrorCode.CONSENT_EXPIRED)
    items = [
        ("response_type", "code"),
        ("client_id", row.app_id),
        ("redirect_uri", row.redirect_uri),
        ("scope", row.scope),
        ("code_challenge", row.code_challenge),
        ("code_challenge_method", row.code_challenge_method),
    ] + ([("state", row.state)] if row.state else [])
    server = OAuthServer(session, ctx)
    try:
        request = _Request("GET", uri, items, {})
        grant = server.get_consent_grant(request)
    except OAuth2Error as error:  # the app changed meanwhile: tell it, if it can be told
        response = _answer(server, None, error)
    else:
        # A parent approving on a child's space (X-Space) consents as themself: `by_parent` then.
        by = gatekeeper.acting_guardian() or holder
        user = Consenter(by, subject, int(durations()[duration]["days"])) if approve else None
        response = server.create_authorization_response(request, grant_user=user, grant=grant)
    session.commit()
    if response.location is None:
        raise DomainError(ErrorCode.APP_UNKNOWN)
    return response.location


def token(
    *, session: Session, ctx: Context, uri: str, items: list[tuple[str, str]], headers: dict[str, str]
) -> OAuthResponse:
    """Exchange a code and its PKCE verifier for an access token (authlib checks them)."""
    server = OAuthServer(session, ctx)
    try:
        request = _Request("POST", uri, items, headers)
    except OAuth2Error as error:
        return _answer(server, None, error)
    response: OAuthResponse = server.create_token_response(request)
    if response.status == 200:
        session.commit()
    else:
        session.rollback()
    return response
