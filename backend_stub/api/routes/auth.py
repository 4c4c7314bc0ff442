"""Login with password and one-time code, token refresh, logout."""

from fastapi import APIRouter, Response

from backend_stub.api.deps import ClientDep, ContextDep, SessionDep, SignedDep
from backend_stub.services import auth
from sync.protocol.schemas import (
    ChallengeRef,
    LoginChallenge,
    LoginRequest,
    OtpVerifyRequest,
    RefreshRequest,
    TokenPair,
)

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login")
def login(body: LoginRequest, ctx: ContextDep, session: SessionDep, client: ClientDep) -> LoginChallenge:
    """Check identifier and password, then send a one-time code."""
    return auth.login(session=session, ctx=ctx, email=body.email, password=body.password, client=client)


@router.post("/otp/verify")
def verify(body: OtpVerifyRequest, ctx: ContextDep, session: SessionDep, client: ClientDep) -> TokenPair:
    """Check the one-time code and open a session."""
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
    return auth.refresh(session=session, ctx=ctx, refresh_token=body.refresh_token)


@router.post("/logout", status_code=204)
def logout(signed: SignedDep, session: SessionDep) -> Response:
    """End this device's session on the server."""
    auth.logout(session=session, auth=signed.session)
    return Response(status_code=204)
