"""The account a person keeps: password change and reset, e-mail, phone and code channel.

- Every check of a password or of a code takes a token of a per-account bucket first
  (services/ratelimit.py), so a stolen unlocked phone cannot guess the password.
- The reset ("Mot de passe oublié ?") proves identity again: social security number and Vitale
  serial, then a one-time code sent where login codes go, then a new password. Its first step
  answers the same and does the same work whether or not the identifiers matched: one challenge row
  and one queued message either way (without a holder when they matched nobody). The code is made
  and sent by the queue's sender after the answer (services/message_queue.py), and a challenge that
  matched nobody refuses every code exactly as a wrong code is refused.
- A new password signs the other devices out (a reset: all of them) and is told on every channel.
  A new e-mail or phone is proven by a code sent to it; the old one gets a notice.
- Codes: five tries per challenge, each counted by one statement before it is compared.
"""

import contextlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from backend_stub.context import Context
from backend_stub.core.clock import as_utc
from backend_stub.core.security import same
from backend_stub.errors import DomainError
from backend_stub.models.accounts import AccountChallenge, Holder, QueuedMessage
from backend_stub.models.notifications import Notification
from backend_stub.services import ratelimit
from backend_stub.services.activation import find_holder, valid
from backend_stub.services.auth import hint, new_code
from backend_stub.services.sessions import revoke_all
from sync.protocol.account_schemas import (
    ContactChallenge,
    ContactChangeRequest,
    ContactConfirm,
    ResetChallenge,
    ResetConfirm,
    ResetRequest,
)
from sync.protocol.errors import ErrorCode
from sync.protocol.identifiers import normalize_email, normalize_nir, normalize_phone, normalize_vitale_serial
from sync.protocol.password import password_is_acceptable
from sync.protocol.schemas import OtpChannel, SpaceStatus

RESET = "reset"
RESET_CODE = "reset_code"  # the kind of a queued reset code
_CONTACT = ("email", "phone", "channel")
_CAN_RESET = (SpaceStatus.ACTIVE, SpaceStatus.CLOSED)


def check_password(
    *, session: Session, ctx: Context, holder: Holder, password: str, wrong: ErrorCode
) -> None:
    """The holder's password typed again (closure, changes), rate-limited per account."""
    limit = ctx.settings.rate_per_account
    ratelimit.hit(session=session, ctx=ctx, scope="password", subject=holder.id, limit=limit)
    if not ctx.hasher.verify_password(holder.password_hash, password):
        raise DomainError(wrong)


def notify_everywhere(
    *,
    session: Session,
    ctx: Context,
    holder: Holder,
    kind: str,
    also: tuple[tuple[str, str], ...] = (),
    **params: Any,
) -> None:
    """The in-app notification, and the message by e-mail and by SMS when there is a phone (and to
    `also`, e.g. an old address); never health content. Delivery failures are logged, not raised:
    the change is made and the in-app notification stays."""
    session.add(Notification(holder_id=holder.id, at=ctx.clock.now(), kind=kind, params=params))
    targets = dict.fromkeys((("email", holder.email or ""), ("sms", holder.phone or ""), *also))
    for channel, to in targets:
        if to:
            with contextlib.suppress(Exception):  # logged by the notifier, without the recipient
                ctx.notifier.send(channel, to, kind, holder.lang, first_name=holder.first_name, **params)  # type: ignore[arg-type]


def change_password(
    *, session: Session, ctx: Context, holder: Holder, current: str, new: str, keep_session: str
) -> None:
    """ "Changer mon mot de passe": the current one, then the new one; other devices signed out."""
    if not password_is_acceptable(new, identifier=holder.email or ""):
        raise DomainError(ErrorCode.PASSWORD_WEAK)
    check_password(session=session, ctx=ctx, holder=holder, password=current, wrong=ErrorCode.PASSWORD_WRONG)
    holder.password_hash = ctx.hasher.hash_password(new)
    session.add(holder)
    revoke_all(session=session, holder_id=holder.id, keep=keep_session, reason="password")
    notify_everywhere(session=session, ctx=ctx, holder=holder, kind="password_changed")
    session.commit()


# --- "Mot de passe oublié ?" ----------------------------------------------------------------------


def start_reset(*, session: Session, ctx: Context, request: ResetRequest, client: str) -> ResetChallenge:
    """First step: the same answer, and the same two rows written, whether or not they matched."""
    nir = valid(normalize_nir, request.nir)
    vitale = valid(normalize_vitale_serial, request.vitale_serial)
    settings = ctx.settings
    ratelimit.hit(
        session=session, ctx=ctx, scope="reset-client", subject=client, limit=settings.rate_per_client
    )
    ratelimit.hit(
        session=session, ctx=ctx, scope="reset-nir", subject=nir, limit=settings.rate_messages_per_account
    )
    holder = find_holder(session=session, ctx=ctx, nir=nir, vitale=vitale)
    if holder is not None and (holder.status not in _CAN_RESET or not holder.password_hash):
        holder = None  # no login to reset (not activated yet, or a minor)
    now = ctx.clock.now()
    challenge = AccountChallenge(
        id=secrets.token_urlsafe(24),
        holder_id=holder.id if holder else None,
        purpose=RESET,
        channel=holder.otp_channel.value if holder else OtpChannel.EMAIL.value,
        expires_at=now + timedelta(seconds=settings.otp_ttl_seconds),
    )
    session.add(challenge)
    session.add(
        QueuedMessage(
            kind=RESET_CODE, holder_id=challenge.holder_id, challenge_id=challenge.id, created_at=now
        )
    )
    session.commit()
    return ResetChallenge(challenge_id=challenge.id, expires_at=as_utc(challenge.expires_at))


def send_reset_code(*, session: Session, ctx: Context, challenge_id: str) -> None:
    """The queued reset code: made now, its digest kept, sent where login codes go."""
    challenge = session.get(AccountChallenge, challenge_id)
    if challenge is None or challenge.holder_id is None or challenge.consumed:
        return
    holder = session.get(Holder, challenge.holder_id)
    if holder is None or ctx.clock.now() >= as_utc(challenge.expires_at):
        return
    code = new_code()
    challenge.code_digest = _digest(ctx, challenge.id, code)
    session.add(challenge)
    session.commit()
    to = holder.phone if challenge.channel == OtpChannel.SMS and holder.phone else holder.email
    channel = "sms" if to == holder.phone else "email"
    minutes = ctx.settings.otp_ttl_seconds // 60
    ctx.notifier.send(channel, to or "", "reset_code", holder.lang, code=code, minutes=minutes)


def confirm_reset(*, session: Session, ctx: Context, request: ResetConfirm, client: str) -> None:
    """Second step: the code and the new password; every session ends, every channel is told."""
    if not password_is_acceptable(request.new_password):
        raise DomainError(ErrorCode.PASSWORD_WEAK)
    limit = ctx.settings.rate_per_client
    ratelimit.hit(session=session, ctx=ctx, scope="reset-code-client", subject=client, limit=limit)
    challenge = _checked(session, ctx, request.challenge_id, request.code, purposes=(RESET,), holder_id=None)
    holder = session.get(Holder, challenge.holder_id)
    assert holder is not None  # a challenge that matched nobody never takes a code
    if not password_is_acceptable(request.new_password, identifier=holder.email or ""):
        raise DomainError(ErrorCode.PASSWORD_WEAK)  # the code stays good for another try
    _spend(session, challenge.id)
    holder.password_hash = ctx.hasher.hash_password(request.new_password)
    holder.otp_failures, holder.locked_until = 0, None  # identity proven again: the lock is over
    session.add(holder)
    revoke_all(session=session, holder_id=holder.id, reason="password")
    notify_everywhere(session=session, ctx=ctx, holder=holder, kind="password_reset")
    session.commit()


# --- e-mail, phone, code channel ------------------------------------------------------------------


def start_contact_change(
    *, session: Session, ctx: Context, holder: Holder, request: ContactChangeRequest
) -> ContactChallenge:
    """A code to the new e-mail or phone (or to the channel chosen for login codes)."""
    value, channel, to = _target(holder, request)
    check_password(
        session=session, ctx=ctx, holder=holder, password=request.password, wrong=ErrorCode.PASSWORD_WRONG
    )
    if request.kind == "email":  # only once the password is right: no probing of who has an account
        taken = session.exec(select(Holder.id).where(Holder.email == value, Holder.id != holder.id)).first()
        if taken is not None:
            raise DomainError(ErrorCode.EMAIL_TAKEN)
    limit = ctx.settings.rate_messages_per_account
    ratelimit.hit(session=session, ctx=ctx, scope="contact-code", subject=holder.id, limit=limit)
    now = ctx.clock.now()
    challenge = AccountChallenge(
        id=secrets.token_urlsafe(24),
        holder_id=holder.id,
        purpose=request.kind,
        value=value,
        channel=channel,
        expires_at=now + timedelta(seconds=ctx.settings.otp_ttl_seconds),
    )
    code = new_code()
    challenge.code_digest = _digest(ctx, challenge.id, code)
    minutes = ctx.settings.otp_ttl_seconds // 60
    try:
        ctx.notifier.send(channel, to, "contact_code", holder.lang, code=code, minutes=minutes)  # type: ignore[arg-type]
    except Exception as exc:  # logged by the notifier; nothing is saved, the person tries again
        raise DomainError(ErrorCode.DELIVERY_FAILED) from exc
    session.add(challenge)
    session.commit()
    return ContactChallenge(
        challenge_id=challenge.id, destination_hint=hint(channel, to), expires_at=as_utc(challenge.expires_at)
    )


def _target(holder: Holder, request: ContactChangeRequest) -> tuple[str, str, str]:
    """The new value (its format checked), the channel of its code and where the code goes."""
    if request.kind == "email":
        email = valid(normalize_email, request.value)
        return email, "email", email
    if request.kind == "phone":
        phone = valid(normalize_phone, request.value)
        return phone, "sms", phone
    if request.value not in (OtpChannel.EMAIL, OtpChannel.SMS):
        raise DomainError(ErrorCode.REQUEST_INVALID, fields=["value"])
    if request.value == OtpChannel.SMS and not holder.phone:
        raise DomainError(ErrorCode.PHONE_MISSING)
    to = holder.phone if request.value == OtpChannel.SMS else holder.email
    return request.value, "sms" if request.value == OtpChannel.SMS else "email", to or ""


def confirm_contact_change(
    *, session: Session, ctx: Context, holder: Holder, request: ContactConfirm
) -> Holder:
    """The code the new contact received: the change is made, the old contact told."""
    limit = ctx.settings.rate_per_account
    ratelimit.hit(session=session, ctx=ctx, scope="contact-verify", subject=holder.id, limit=limit)
    challenge = _checked(
        session, ctx, request.challenge_id, request.code, purposes=_CONTACT, holder_id=holder.id
    )
    _spend(session, challenge.id)
    old: tuple[tuple[str, str], ...] = ()
    if challenge.purpose == "email":
        old, holder.email = (("email", holder.email or ""),), challenge.value
    elif challenge.purpose == "phone":
        old, holder.phone = (("sms", holder.phone or ""),), challenge.value
    else:
        holder.otp_channel = OtpChannel(challenge.value)
    session.add(holder)
    try:
        session.flush()
    except IntegrityError as exc:  # the e-mail was taken meanwhile
        session.rollback()
        raise DomainError(ErrorCode.EMAIL_TAKEN) from exc
    notify_everywhere(session=session, ctx=ctx, holder=holder, kind=f"{challenge.purpose}_changed", also=old)
    session.commit()
    return holder


# --- codes of these challenges ----------------------------------------------------------------------


def _digest(ctx: Context, challenge_id: str, code: str) -> str:
    return ctx.hasher.digest(f"account:{challenge_id}", code)


def _checked(
    session: Session,
    ctx: Context,
    challenge_id: str,
    code: str,
    *,
    purposes: tuple[str, ...],
    holder_id: str | None,
) -> AccountChallenge:
    """The challenge whose code this is (not yet spent). The try is counted first, in one
    statement, so five is the most ever compared, however many server processes answer."""
    now = ctx.clock.now()
    most = ctx.settings.otp_max_attempts
    where = [
        col(AccountChallenge.id) == challenge_id,
        col(AccountChallenge.consumed).is_(False),
        col(AccountChallenge.attempts) < most,
        col(AccountChallenge.expires_at) > now,
        col(AccountChallenge.purpose).in_(purposes),
    ]
    if holder_id is not None:
        where.append(col(AccountChallenge.holder_id) == holder_id)
    taken = session.execute(
        update(AccountChallenge)
        .where(*where)
        .values(attempts=AccountChallenge.attempts + 1)
        .returning(col(AccountChallenge.attempts))
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    session.commit()
    if taken is None:
        raise DomainError(ErrorCode.OTP_EXPIRED)
    challenge = session.get(AccountChallenge, challenge_id)
    assert challenge is not None
    session.refresh(challenge)
    typed = "".join(ch for ch in code if ch.isdigit())
    if not challenge.code_digest or not same(challenge.code_digest, _digest(ctx, challenge_id, typed)):
        if taken >= most:
            raise DomainError(ErrorCode.OTP_EXPIRED)
        raise DomainError(ErrorCode.OTP_INVALID, attempts_left=most - taken)
    return challenge


def _spend(session: Session, challenge_id: str) -> None:
    """Used once: a second request with the same right code finds it spent."""
    spent = session.execute(
        update(AccountChallenge)
        .where(col(AccountChallenge.id) == challenge_id, col(AccountChallenge.consumed).is_(False))
        .values(consumed=True)
        .execution_options(synchronize_session=False)
    )
    if not spent.rowcount:  # type: ignore[attr-defined]
        session.rollback()
        raise DomainError(ErrorCode.OTP_EXPIRED)


def purge_challenges(*, session: Session, ctx: Context) -> int:
    """Drop account challenges a day past their expiry (a daily job)."""
    cutoff: datetime = ctx.clock.now() - timedelta(days=1)
    result = session.execute(delete(AccountChallenge).where(col(AccountChallenge.expires_at) < cutoff))
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
