"""Login in two steps (password, then a one-time code), sessions, refresh and logout.

Codes: six digits from pyotp's HOTP on a fresh random secret per sending; only an HMAC bound to
the challenge is stored. Valid 5 minutes, single use, resend throttled. Five wrong codes lock
the account for a while; the answer says until when.
"""

import secrets
from datetime import datetime, timedelta

import pyotp
from sqlmodel import Session, col, select, update

from backend_stub.context import Context
from backend_stub.core.clock import as_utc
from backend_stub.core.security import new_token, same, token_digest
from backend_stub.errors import DomainError
from backend_stub.models import AuthSession, Holder, LoginChallenge
from backend_stub.rules.lifecycle import is_locked
from backend_stub.services import ratelimit
from sync.protocol.errors import ErrorCode
from sync.protocol.identifiers import InvalidIdentifier, normalize_email
from sync.protocol.schemas import LoginChallenge as ChallengeOut
from sync.protocol.schemas import OtpChannel, SpaceStatus, TokenPair

_CAN_LOG_IN = (SpaceStatus.ACTIVE, SpaceStatus.CLOSED)


def _new_code() -> str:
    return pyotp.HOTP(pyotp.random_base32(), digits=6).at(0)


def _hint(holder: Holder) -> str:
    """Where the code went, masked: 'j***@e***.fr' or '+33 6** ** ** 78'."""
    if holder.otp_channel == OtpChannel.SMS and holder.phone:
        return holder.phone[:4] + "*" * (len(holder.phone) - 6) + holder.phone[-2:]
    local, _, domain = (holder.email or "").partition("@")
    head, _, tld = domain.rpartition(".")
    return f"{local[:1]}***@{head[:1]}***.{tld}"


def _locked(holder: Holder, now: datetime) -> None:
    if is_locked(as_utc(holder.locked_until) if holder.locked_until else None, now):
        raise DomainError(ErrorCode.ACCOUNT_LOCKED, until=as_utc(holder.locked_until).isoformat())  # type: ignore[arg-type]


def _send_code(*, ctx: Context, holder: Holder, challenge: LoginChallenge, now: datetime) -> None:
    code = _new_code()
    challenge.code_digest = ctx.hasher.digest(f"otp:{challenge.id}", code)
    challenge.expires_at = now + timedelta(seconds=ctx.settings.otp_ttl_seconds)
    challenge.last_sent_at = now
    to = holder.phone if challenge.channel == OtpChannel.SMS else holder.email
    minutes = ctx.settings.otp_ttl_seconds // 60
    try:
        ctx.notifier.send(challenge.channel.value, to or "", "otp", holder.lang, code=code, minutes=minutes)  # type: ignore[arg-type]
    except Exception as exc:  # logged by the notifier; nothing is saved, the person tries again
        raise DomainError(ErrorCode.DELIVERY_FAILED) from exc


def _challenge_out(ctx: Context, holder: Holder, challenge: LoginChallenge) -> ChallengeOut:
    return ChallengeOut(
        challenge_id=challenge.id,
        channel=challenge.channel,
        destination_hint=_hint(holder),
        expires_at=as_utc(challenge.expires_at),
        resend_available_at=as_utc(challenge.last_sent_at)
        + timedelta(seconds=ctx.settings.otp_resend_seconds),
    )


def login(*, session: Session, ctx: Context, email: str, password: str, client: str) -> ChallengeOut:
    """Password step: on success a code is sent and a challenge returned."""
    try:
        email = normalize_email(email)
    except InvalidIdentifier as exc:
        raise DomainError(ErrorCode.LOGIN_FAILED) from exc
    settings = ctx.settings
    ratelimit.hit(
        session=session, ctx=ctx, scope="login-client", subject=client, limit=settings.rate_per_client
    )
    ratelimit.hit(
        session=session, ctx=ctx, scope="login-account", subject=email, limit=settings.rate_per_account
    )
    holder = session.exec(select(Holder).where(Holder.email == email)).first()
    ok = ctx.hasher.verify_password(holder.password_hash if holder else None, password)
    if not ok or holder is None or holder.status not in _CAN_LOG_IN:
        raise DomainError(ErrorCode.LOGIN_FAILED)
    now = ctx.clock.now()
    _locked(holder, now)
    challenge = LoginChallenge(
        id=secrets.token_urlsafe(24),
        holder_id=holder.id,
        channel=holder.otp_channel,
        code_digest="",
        expires_at=now,
        last_sent_at=now,
    )
    _send_code(ctx=ctx, holder=holder, challenge=challenge, now=now)
    session.add(challenge)
    session.commit()
    return _challenge_out(ctx, holder, challenge)


def _open_challenge(session: Session, ctx: Context, challenge_id: str) -> tuple[LoginChallenge, Holder]:
    challenge = session.get(LoginChallenge, challenge_id)
    if challenge is None or challenge.consumed:
        raise DomainError(ErrorCode.OTP_EXPIRED)
    holder = session.get(Holder, challenge.holder_id)
    assert holder is not None
    _locked(holder, ctx.clock.now())
    return challenge, holder


def verify_code(*, session: Session, ctx: Context, challenge_id: str, code: str, client: str) -> TokenPair:
    """Code step: a right code opens a session; five wrong ones lock the account."""
    ratelimit.hit(
        session=session, ctx=ctx, scope="otp-client", subject=client, limit=ctx.settings.rate_per_client
    )
    challenge, holder = _open_challenge(session, ctx, challenge_id)
    now = ctx.clock.now()
    if now >= as_utc(challenge.expires_at):
        raise DomainError(ErrorCode.OTP_EXPIRED)
    typed = "".join(ch for ch in code if ch.isdigit())
    if not same(challenge.code_digest, ctx.hasher.digest(f"otp:{challenge.id}", typed)):
        holder.otp_failures += 1
        left = ctx.settings.otp_max_attempts - holder.otp_failures
        if left <= 0:
            holder.otp_failures = 0
            holder.locked_until = now + timedelta(minutes=ctx.settings.lockout_minutes)
            challenge.consumed = True
            session.add_all([holder, challenge])
            session.commit()
            raise DomainError(ErrorCode.ACCOUNT_LOCKED, until=as_utc(holder.locked_until).isoformat())
        session.add(holder)
        session.commit()
        raise DomainError(ErrorCode.OTP_INVALID, attempts_left=left)
    challenge.consumed = True
    holder.otp_failures = 0
    session.add_all([holder, challenge])
    return _open_session(session=session, ctx=ctx, holder_id=holder.id)


def resend_code(*, session: Session, ctx: Context, challenge_id: str) -> ChallengeOut:
    """Send a new code for the same challenge, at most every minute and three times."""
    challenge, holder = _open_challenge(session, ctx, challenge_id)
    now = ctx.clock.now()
    ready = as_utc(challenge.last_sent_at) + timedelta(seconds=ctx.settings.otp_resend_seconds)
    if now < ready:
        raise DomainError(ErrorCode.OTP_RESEND_TOO_SOON, retry_after=int((ready - now).total_seconds()) + 1)
    if challenge.resends >= ctx.settings.otp_max_resends:
        raise DomainError(ErrorCode.OTP_EXPIRED)
    challenge.resends += 1
    _send_code(ctx=ctx, holder=holder, challenge=challenge, now=now)
    session.add(challenge)
    session.commit()
    return _challenge_out(ctx, holder, challenge)


def _open_session(*, session: Session, ctx: Context, holder_id: str) -> TokenPair:
    now = ctx.clock.now()
    access, refresh = new_token(), new_token()
    row = AuthSession(
        holder_id=holder_id,
        access_digest=token_digest(access),
        access_expires_at=now + timedelta(minutes=ctx.settings.access_token_minutes),
        refresh_digest=token_digest(refresh),
        refresh_expires_at=now + timedelta(hours=ctx.settings.refresh_token_hours),
        created_at=now,
    )
    session.add(row)
    session.commit()
    return TokenPair(
        access_token=access,
        refresh_token=refresh,
        access_expires_at=as_utc(row.access_expires_at),
        refresh_expires_at=as_utc(row.refresh_expires_at),
    )


def refresh(*, session: Session, ctx: Context, refresh_token: str) -> TokenPair:
    """Rotate: the old pair dies, a new one is issued, within the refresh token's lifetime."""
    row = session.exec(
        select(AuthSession).where(AuthSession.refresh_digest == token_digest(refresh_token))
    ).first()
    now = ctx.clock.now()
    if row is None or row.revoked or now >= as_utc(row.refresh_expires_at):
        raise DomainError(ErrorCode.SESSION_EXPIRED)
    row.revoked = True
    session.add(row)
    return _open_session(session=session, ctx=ctx, holder_id=row.holder_id)


def authenticate(*, session: Session, ctx: Context, access_token: str) -> tuple[AuthSession, Holder]:
    """The session and holder behind a bearer token (one indexed join), or SESSION_EXPIRED."""
    found = session.exec(
        select(AuthSession, Holder)
        .join(Holder, col(Holder.id) == col(AuthSession.holder_id))
        .where(AuthSession.access_digest == token_digest(access_token))
    ).first()
    if found is None:
        raise DomainError(ErrorCode.SESSION_EXPIRED)
    row, holder = found
    if row.revoked or ctx.clock.now() >= as_utc(row.access_expires_at):
        raise DomainError(ErrorCode.SESSION_EXPIRED)
    return row, holder


def logout(*, session: Session, auth: AuthSession) -> None:
    auth.revoked = True
    session.add(auth)
    session.commit()


def revoke_all(*, session: Session, holder_id: str, keep: str | None = None) -> None:
    """End every session of a holder (closure, password change), except `keep`."""
    stmt = update(AuthSession).where(col(AuthSession.holder_id) == holder_id)
    if keep:
        stmt = stmt.where(col(AuthSession.id) != keep)
    session.execute(stmt.values(revoked=True))
