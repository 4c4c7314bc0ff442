"""Login with password and one-time code, token refresh, logout, and the forgotten password."""

from fastapi import APIRouter, Response

from backend_stub.api.deps import ClientDep, ContextDep, SessionDep, SignedDep, WakeQueue
from backend_stub.services import accounts, auth, sessions
from sync.protocol.account_schemas import ResetChallenge, ResetConfirm, ResetRequest
from sync.protocol.schemas import (
    ChallengeRef,
    LoginChallenge,
    LoginRequest,
    Message,
    OtpVerifyRequest,
    RefreshRequest,
    TokenPair,
)

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login")
def login(body: LoginRequest, ctx: ContextDep, session: SessionDep, client: ClientDep) -> LoginChallenge:
    """Check identifier and password, then send a one-time code."""
    return auth.login(
        session=session,
        ctx=ctx,
        email=body.email,
        password=body.password,
        client=client,
        device_name=body.device_name,
        platform=body.platform,
        device_key=body.device_key,
    )


@router.post("/otp/verify")
def verify(body: OtpVerifyRequest, ctx: ContextDep, session: SessionDep, client: ClientDep) -> TokenPair:
    """Check the one-time code and open a session (a new device also gets its key)."""
    return auth.verify_code(
        session=session, ctx=ctx, challenge_id=body.challenge_id, code=body.code, client=client
    )


@router.post("/otp/resend")
def resend(body: ChallengeRef, ctx: ContextDep, session: SessionDep) -> LoginChallenge:
    """Send a new one-time code (throttled)."""
    return auth.resend_code(session=session, ctx=ctx, challenge_id=body.challenge_id)


@router.post("/refresh")
def refresh(body: RefreshRequest, ctx: ContextDep, session: SessionDep) -> TokenPair:
    """Exchange a refresh token for a new token pair."""
    return sessions.refresh(session=session, ctx=ctx, refresh_token=body.refresh_token)


@router.post("/logout", status_code=204)
def logout(signed: SignedDep, session: SessionDep) -> Response:
    """End this device's session on the server."""
    sessions.logout(session=session, auth=signed.session)
    return Response(status_code=204)


@router.post("/password-reset", dependencies=[WakeQueue])
def start_reset(
    body: ResetRequest, ctx: ContextDep, session: SessionDep, client: ClientDep
) -> ResetChallenge:
    """ "Mot de passe oublié ?": the same answer whether or not the identifiers matched."""
    return accounts.start_reset(session=session, ctx=ctx, request=body, client=client)


@router.post("/password-reset/confirm")
def confirm_reset(body: ResetConfirm, ctx: ContextDep, session: SessionDep, client: ClientDep) -> Message:
    """The code received and a new password: every device is signed out."""
    accounts.confirm_reset(session=session, ctx=ctx, request=body, client=client)
    return Message(message="password.reset")
