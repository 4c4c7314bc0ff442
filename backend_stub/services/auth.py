"""Login in two steps (password, then a one-time code) from a device the holder may already know.

Codes: six digits from pyotp's HOTP on a fresh random secret per sending; only an HMAC bound to
the challenge is stored. Valid 5 minutes, single use, resend throttled. Five wrong codes lock the
account for a while; the answer says until when. Each code tried first takes its place in the
count by one statement (`otp_failures + 1 ... RETURNING`), so two server processes cannot test a
sixth. During a lock, the right and the wrong password get the same answer.

A device that once completed a login holds a device key (`known_device`): its logins are counted
on their own, and the account's lock does not apply to it (its own codes are counted per login,
five at most), so guesses from elsewhere never lock the owner out of a device they already use.
Sessions and their tokens: services/sessions.py.
"""

import secrets
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import update
from sqlmodel import Session, col, delete, or_, select

from backend_stub.context import Context
from backend_stub.core.clock import as_utc
from backend_stub.core.security import new_token, same, token_digest
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder, KnownDevice, LoginChallenge
from backend_stub.rules.lifecycle import is_locked
from backend_stub.services import notifications, ratelimit, sessions
from sync.protocol.account_schemas import clean_device_name, clean_platform
from sync.protocol.errors import ErrorCode
from sync.protocol.identifiers import InvalidIdentifier, normalize_email
from sync.protocol.schemas import LoginChallenge as ChallengeOut
from sync.protocol.schemas import OtpChannel, SpaceStatus, TokenPair

_CAN_LOG_IN = (SpaceStatus.ACTIVE, SpaceStatus.CLOSED)


def new_code() -> str:
    return pyotp.HOTP(pyotp.random_base32(), digits=6).at(0)


def hint(channel: OtpChannel | str, to: str) -> str:
    """Where a code went, masked: 'j***@e***.fr' or '+33 6** ** ** 78'."""
    if channel == OtpChannel.SMS:
        return to[:4] + "*" * (len(to) - 6) + to[-2:]
    local, _, domain = to.partition("@")
    head, _, tld = domain.rpartition(".")
    return f"{local[:1]}***@{head[:1]}***.{tld}"


def _locked(holder: Holder, now: datetime) -> None:
    if is_locked(as_utc(holder.locked_until) if holder.locked_until else None, now):
        raise DomainError(ErrorCode.ACCOUNT_LOCKED, until=as_utc(holder.locked_until).isoformat())  # type: ignore[arg-type]


def _send_code(*, ctx: Context, holder: Holder, challenge: LoginChallenge, now: datetime) -> None:
    code = new_code()
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
    to = holder.phone if challenge.channel == OtpChannel.SMS and holder.phone else holder.email
    return ChallengeOut(
        challenge_id=challenge.id,
        channel=challenge.channel,
        destination_hint=hint(challenge.channel, to or ""),
        expires_at=as_utc(challenge.expires_at),
        resend_available_at=as_utc(challenge.last_sent_at)
        + timedelta(seconds=ctx.settings.otp_resend_seconds),
    )


def _known_device(session: Session, holder: Holder | None, device_key: str) -> KnownDevice | None:
    """The holder's device this key names, unless it was signed out."""
    if holder is None or not device_key:
        return None
    return session.exec(
        select(KnownDevice).where(
            KnownDevice.key_digest == token_digest(device_key),
            KnownDevice.holder_id == holder.id,
            col(KnownDevice.forgotten_at).is_(None),
        )
    ).first()


def login(
    *,
    session: Session,
    ctx: Context,
    email: str,
    password: str,
    client: str,
    device_name: str = "",
    platform: str = "",
    device_key: str = "",
) -> ChallengeOut:
    """Password step: on success a code is sent and a challenge returned."""
    try:
        email = normalize_email(email)
    except InvalidIdentifier as exc:
        raise DomainError(ErrorCode.LOGIN_FAILED) from exc
    settings = ctx.settings
    ratelimit.hit(
        session=session, ctx=ctx, scope="login-client", subject=client, limit=settings.rate_per_client
    )
    holder = session.exec(select(Holder).where(Holder.email == email)).first()
    known = _known_device(session, holder, device_key)
    ratelimit.hit(  # a known device has a bucket of its own: guesses from elsewhere do not empty it
        session=session,
        ctx=ctx,
        scope="login-device" if known else "login-account",
        subject=known.id if known else email,
        limit=settings.rate_per_account,
    )
    now = ctx.clock.now()
    if known is None and holder is not None and holder.status in _CAN_LOG_IN:
        _locked(holder, now)  # before the password is looked at: right or wrong, the same answer
    ok = ctx.hasher.verify_password(holder.password_hash if holder else None, password)
    if not ok or holder is None or holder.status not in _CAN_LOG_IN:
        raise DomainError(ErrorCode.LOGIN_FAILED)
    challenge = LoginChallenge(
        id=secrets.token_urlsafe(24),
        holder_id=holder.id,
        channel=holder.otp_channel,
        code_digest="",
        expires_at=now,
        last_sent_at=now,
        known_device_id=known.id if known else None,
        device_name=clean_device_name(device_name),
        platform=clean_platform(platform),
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
    if challenge.known_device_id is None:
        _locked(holder, ctx.clock.now())
    return challenge, holder


def _lock(session: Session, ctx: Context, holder: Holder, now: datetime) -> DomainError:
    """Lock the account (unless already locked) and say until when."""
    until = now + timedelta(minutes=ctx.settings.lockout_minutes)
    session.execute(
        update(Holder)
        .where(
            col(Holder.id) == holder.id,
            or_(col(Holder.locked_until).is_(None), col(Holder.locked_until) <= now),
        )
        .values(locked_until=until, otp_failures=0)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    session.refresh(holder)
    return DomainError(ErrorCode.ACCOUNT_LOCKED, until=as_utc(holder.locked_until or until).isoformat())


def _take_attempt(
    session: Session, ctx: Context, challenge: LoginChallenge, holder: Holder, now: datetime
) -> int:
    """Count this code before testing it, in one statement; the tries left if it is wrong."""
    most = ctx.settings.otp_max_attempts
    if challenge.known_device_id is not None:  # a known device: counted on this login only
        taken = session.execute(
            update(LoginChallenge)
            .where(col(LoginChallenge.id) == challenge.id, col(LoginChallenge.consumed).is_(False))
            .where(col(LoginChallenge.attempts) < most)
            .values(attempts=LoginChallenge.attempts + 1)
            .returning(col(LoginChallenge.attempts))
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        session.commit()
        if taken is None:
            raise DomainError(ErrorCode.OTP_EXPIRED)
        return most - taken
    taken = session.execute(
        update(Holder)
        .where(
            col(Holder.id) == holder.id,
            or_(col(Holder.locked_until).is_(None), col(Holder.locked_until) <= now),
        )
        .values(otp_failures=Holder.otp_failures + 1)
        .returning(col(Holder.otp_failures))
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    session.commit()
    if taken is None:  # locked meanwhile, by another attempt
        session.refresh(holder)
        _locked(holder, now)
        raise DomainError(ErrorCode.OTP_EXPIRED)
    if taken > most:  # tried at the same time as the fifth wrong one: never tested
        raise _lock(session, ctx, holder, now)
    return most - taken


def verify_code(*, session: Session, ctx: Context, challenge_id: str, code: str, client: str) -> TokenPair:
    """Code step: a right code opens a session; five wrong ones lock the account (or, from a known
    device, end this login)."""
    ratelimit.hit(
        session=session, ctx=ctx, scope="otp-client", subject=client, limit=ctx.settings.rate_per_client
    )
    challenge, holder = _open_challenge(session, ctx, challenge_id)
    now = ctx.clock.now()
    if now >= as_utc(challenge.expires_at):
        raise DomainError(ErrorCode.OTP_EXPIRED)
    left = _take_attempt(session, ctx, challenge, holder, now)
    typed = "".join(ch for ch in code if ch.isdigit())
    if not same(challenge.code_digest, ctx.hasher.digest(f"otp:{challenge.id}", typed)):
        if left > 0:
            raise DomainError(ErrorCode.OTP_INVALID, attempts_left=left)
        _spend(session, challenge.id)
        if challenge.known_device_id is not None:
            session.commit()
            raise DomainError(ErrorCode.OTP_EXPIRED)
        raise _lock(session, ctx, holder, now)
    if not _spend(session, challenge.id):  # the same right code, twice at once: one session only
        session.rollback()
        raise DomainError(ErrorCode.OTP_EXPIRED)
    if challenge.known_device_id is None:
        holder.otp_failures = 0
        session.add(holder)
    return _open_device_session(session=session, ctx=ctx, holder=holder, challenge=challenge, now=now)


def _spend(session: Session, challenge_id: str) -> bool:
    """Mark a challenge used, in one statement: True for the one request that did it."""
    result = session.execute(
        update(LoginChallenge)
        .where(col(LoginChallenge.id) == challenge_id, col(LoginChallenge.consumed).is_(False))
        .values(consumed=True)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _open_device_session(
    *, session: Session, ctx: Context, holder: Holder, challenge: LoginChallenge, now: datetime
) -> TokenPair:
    """The session of a device; a new device gets its key, and the holder is told of it."""
    key: str | None = None
    if challenge.known_device_id is not None:
        known = session.get(KnownDevice, challenge.known_device_id)
        if known is not None:
            known.last_login_at = now
            session.add(known)
        known_id = challenge.known_device_id
    else:
        key = new_token()
        # The first device after activation is no news; any later new one is told to the holder.
        seen = session.exec(select(KnownDevice.id).where(KnownDevice.holder_id == holder.id)).first()
        device = KnownDevice(
            holder_id=holder.id, key_digest=token_digest(key), created_at=now, last_login_at=now
        )
        session.add(device)
        known_id = device.id
        if seen is not None:
            notifications.notify(
                session=session, ctx=ctx, holder=holder, kind="new_device", name=challenge.device_name
            )
    pair = sessions.open_session(
        session=session,
        ctx=ctx,
        holder_id=holder.id,
        device_name=challenge.device_name,
        platform=challenge.platform,
        known_device_id=known_id,
    )
    return pair.model_copy(update={"device_key": key})


def resend_code(*, session: Session, ctx: Context, challenge_id: str) -> ChallengeOut:
    """Send a new code for the same challenge, at most every minute and three times."""
    challenge, holder = _open_challenge(session, ctx, challenge_id)
    now = ctx.clock.now()
    ready = as_utc(challenge.last_sent_at) + timedelta(seconds=ctx.settings.otp_resend_seconds)
    if now < ready:
        raise DomainError(ErrorCode.OTP_RESEND_TOO_SOON, retry_after=int((ready - now).total_seconds()) + 1)
    if challenge.resends >= ctx.settings.otp_max_resends:
        raise DomainError(ErrorCode.OTP_EXPIRED)
    # The resend takes its place in one statement: requests at once (two server processes, a
    # script) cannot send a second code within the minute or more than the allowed count.
    claimed = session.execute(
        update(LoginChallenge)
        .where(
            col(LoginChallenge.id) == challenge.id,
            col(LoginChallenge.resends) < ctx.settings.otp_max_resends,
            col(LoginChallenge.last_sent_at) <= now - timedelta(seconds=ctx.settings.otp_resend_seconds),
        )
        .values(resends=LoginChallenge.resends + 1, last_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise DomainError(ErrorCode.OTP_RESEND_TOO_SOON, retry_after=ctx.settings.otp_resend_seconds)
    _send_code(ctx=ctx, holder=holder, challenge=challenge, now=now)
    session.add(challenge)
    session.commit()
    return _challenge_out(ctx, holder, challenge)


def purge_challenges(*, session: Session, ctx: Context) -> int:
    """Drop login challenges a day past their expiry (a daily job)."""
    cutoff = ctx.clock.now() - timedelta(days=1)
    result = session.execute(delete(LoginChallenge).where(col(LoginChallenge.expires_at) < cutoff))
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
