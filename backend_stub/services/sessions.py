"""Sessions: one row per signed-in device ("Appareils connectés"), its tokens rotating in place.

Tokens (the database keeps their SHA-256 only):
- access: random at login; then HMAC(server key, previous refresh token).
- refresh: `<session id>.<secret>.<mac>`; the secret random at login, then HMAC(server key,
  previous refresh token); the mac (an HMAC of id and secret) proves the server minted it.

The next pair is derived from the refresh token presented, so when a device presents the previous
token again (killed after the server rotated, before it stored the new pair) the server gives back
the *same* pair without keeping any token in clear. A refresh is at most three statements, each
deciding alone (no read-then-write, so two server processes cannot both rotate one token):

1. rotate: UPDATE ... SET next pair, prev = presented WHERE refresh = presented AND alive.
2. grace: UPDATE ... SET grace_used WHERE prev = presented AND NOT grace_used AND (rotated less
   than `refresh_grace_seconds` ago OR nobody used the new pair yet) AND alive: the same pair, once.
3. theft: any other genuine token of a live session was copied: the session (every token
   descended from its login) is revoked, the server logs it and the holder is told.

A session also ends `session_max_days` after its login whatever the refreshes (password and code
again), on logout, when the holder signs the device out from another one (that device then gets
`error.auth.device_signed_out` and forgets its vault key), on a password change or reset, on closure.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, delete, or_, select

from backend_stub.context import Context
from backend_stub.core.clock import as_utc
from backend_stub.core.security import new_token, same, token_digest
from backend_stub.errors import DomainError
from backend_stub.models.accounts import AuthSession, Holder, KnownDevice
from backend_stub.models.base import new_id
from backend_stub.models.security import SecurityEvent
from backend_stub.services import notifications
from sync.protocol.account_schemas import DeviceOut, clean_device_name, clean_platform
from sync.protocol.errors import ErrorCode
from sync.protocol.schemas import TokenPair

log = logging.getLogger(__name__)
_T = AuthSession
SIGNED_OUT = "signed_out"
REUSE = "reuse"
REUSE_EVENT = "session_reuse"


def _refresh_token(ctx: Context, session_id: str, secret: str) -> str:
    return f"{session_id}.{secret}.{ctx.hasher.digest('refresh-mac', f'{session_id}.{secret}')[:32]}"


def _session_of(ctx: Context, token: str) -> str | None:
    """The session id of a refresh token this server minted, else None (forged or malformed)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    session_id, secret, mac = parts
    expected = ctx.hasher.digest("refresh-mac", f"{session_id}.{secret}")[:32]
    return session_id if same(mac, expected) else None


def _next_pair(ctx: Context, token: str, session_id: str) -> tuple[str, str]:
    """The access and refresh tokens that follow `token`: always the same for the same token."""
    return ctx.hasher.digest("access-next", token), _refresh_token(
        ctx, session_id, ctx.hasher.digest("refresh-next", token)
    )


def _pair(access: str, refresh: str, row: Any) -> TokenPair:
    ends = as_utc(row.ends_at)
    return TokenPair(
        access_token=access,
        refresh_token=refresh,
        access_expires_at=min(as_utc(row.access_expires_at), ends),
        refresh_expires_at=min(as_utc(row.refresh_expires_at), ends),
    )


def open_session(
    *,
    session: Session,
    ctx: Context,
    holder_id: str,
    device_name: str = "",
    platform: str = "",
    known_device_id: str | None = None,
) -> TokenPair:
    """A new device session after a login (password and code) or a reset; committed."""
    now = ctx.clock.now()
    settings = ctx.settings
    session_id = new_id()
    access, refresh = new_token(), _refresh_token(ctx, session_id, new_token())
    row = AuthSession(
        id=session_id,
        holder_id=holder_id,
        access_digest=token_digest(access),
        access_expires_at=now + timedelta(minutes=settings.access_token_minutes),
        refresh_digest=token_digest(refresh),
        refresh_expires_at=now + timedelta(hours=settings.refresh_token_hours),
        created_at=now,
        ends_at=now + timedelta(days=settings.session_max_days),
        last_used_at=now,
        device_name=clean_device_name(device_name),
        platform=clean_platform(platform),
        known_device_id=known_device_id,
    )
    session.add(row)
    session.commit()
    return _pair(access, refresh, row)


def _alive(now: datetime) -> tuple[Any, ...]:
    return (col(_T.revoked).is_(False), col(_T.ends_at) > now, col(_T.refresh_expires_at) > now)


_EXPIRIES = (col(_T.ends_at), col(_T.access_expires_at), col(_T.refresh_expires_at))


def refresh(*, session: Session, ctx: Context, refresh_token: str) -> TokenPair:
    """Rotate, or give back the pair of the grace, or end a session whose old token was reused."""
    session_id = _session_of(ctx, refresh_token)
    if session_id is None:
        raise DomainError(ErrorCode.SESSION_EXPIRED)
    now = ctx.clock.now()
    settings = ctx.settings
    presented = token_digest(refresh_token)
    access, following = _next_pair(ctx, refresh_token, session_id)
    rotated = session.execute(
        update(_T)
        .where(col(_T.id) == session_id, col(_T.refresh_digest) == presented, *_alive(now))
        .values(
            prev_refresh_digest=presented,
            refresh_digest=token_digest(following),
            access_digest=token_digest(access),
            access_expires_at=now + timedelta(minutes=settings.access_token_minutes),
            refresh_expires_at=now + timedelta(hours=settings.refresh_token_hours),
            rotated_at=now,
            grace_used=False,
            pair_used=False,
            last_used_at=now,
        )
        .returning(*_EXPIRIES)
        .execution_options(synchronize_session=False)
    ).first()
    if rotated is None:
        # The token rotated last, presented again: the same pair, once, by one statement too.
        grace_from = now - timedelta(seconds=settings.refresh_grace_seconds)
        rotated = session.execute(
            update(_T)
            .where(
                col(_T.id) == session_id,
                col(_T.prev_refresh_digest) == presented,
                col(_T.grace_used).is_(False),
                or_(col(_T.rotated_at) > grace_from, col(_T.pair_used).is_(False)),
                *_alive(now),
            )
            .values(grace_used=True, last_used_at=now)
            .returning(*_EXPIRIES)
            .execution_options(synchronize_session=False)
        ).first()
    if rotated is not None:
        session.commit()
        return _pair(access, following, rotated)
    raise _reused(session=session, ctx=ctx, session_id=session_id, presented=presented, now=now)


def _reused(*, session: Session, ctx: Context, session_id: str, presented: str, now: datetime) -> DomainError:
    """A genuine token that is no longer current: theft if its session is alive (revoke it whole);
    the error to answer either way."""
    stolen = session.execute(
        update(_T)
        .where(col(_T.id) == session_id, col(_T.refresh_digest) != presented, *_alive(now))
        .values(revoked=True, revoked_reason=REUSE)
        .returning(col(_T.holder_id))
        .execution_options(synchronize_session=False)
    ).first()
    if stolen is not None:
        holder = session.get(Holder, stolen[0])
        log.warning("refresh token reused: its session is revoked as stolen (holder %s)", stolen[0])
        # Listed for the operators by `python -m backend_stub security-events --kind session_reuse`.
        session.add(SecurityEvent(at=now, kind=REUSE_EVENT, actor_kind="holder", actor_id=stolen[0]))
        if holder is not None:
            notifications.notify(session=session, ctx=ctx, holder=holder, kind="session_reuse")
        session.commit()
        return DomainError(ErrorCode.SESSION_EXPIRED)
    session.rollback()
    reason = session.exec(select(_T.revoked_reason).where(_T.id == session_id)).first()
    return DomainError(ErrorCode.DEVICE_SIGNED_OUT if reason == SIGNED_OUT else ErrorCode.SESSION_EXPIRED)


def authenticate(*, session: Session, ctx: Context, access_token: str) -> tuple[AuthSession, Holder]:
    """The session and holder behind a bearer token (one indexed join), or why not."""
    digest = token_digest(access_token)
    found = session.exec(
        select(AuthSession, Holder)
        .join(Holder, col(Holder.id) == col(AuthSession.holder_id))
        .where(AuthSession.access_digest == digest)
    ).first()
    if found is None:
        raise DomainError(ErrorCode.SESSION_EXPIRED)
    row, holder = found
    now = ctx.clock.now()
    if row.revoked:
        raise DomainError(
            ErrorCode.DEVICE_SIGNED_OUT if row.revoked_reason == SIGNED_OUT else ErrorCode.SESSION_EXPIRED
        )
    if now >= as_utc(row.access_expires_at) or now >= as_utc(row.ends_at):
        raise DomainError(ErrorCode.SESSION_EXPIRED)
    if not row.pair_used:  # the device has the pair of its last rotation: the grace may end
        session.execute(
            update(_T)
            .where(col(_T.id) == row.id, col(_T.access_digest) == digest)
            .values(pair_used=True)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    return row, holder


def _revoke(session: Session, reason: str, *where: Any) -> Any:
    return session.execute(
        update(_T)
        .where(col(_T.revoked).is_(False), *where)
        .values(revoked=True, revoked_reason=reason)
        .returning(col(_T.known_device_id))
        .execution_options(synchronize_session=False)
    ).all()


def logout(*, session: Session, auth: AuthSession) -> None:
    _revoke(session, "logout", col(_T.id) == auth.id)
    session.commit()


def revoke_all(*, session: Session, holder_id: str, keep: str | None = None, reason: str = "closed") -> None:
    """End every session of a holder (closure, password change or reset), except `keep`; the
    caller commits."""
    where = [col(_T.holder_id) == holder_id] + ([col(_T.id) != keep] if keep else [])
    _revoke(session, reason, *where)


def devices(*, session: Session, ctx: Context, holder: Holder, current_id: str) -> list[DeviceOut]:
    """The holder's signed-in devices, the last used first."""
    rows = session.exec(
        select(AuthSession)
        .where(AuthSession.holder_id == holder.id, *_alive(ctx.clock.now()))
        .order_by(col(AuthSession.last_used_at).desc())
        .limit(100)
    ).all()
    return [
        DeviceOut(
            id=row.id,
            name=row.device_name,
            platform=row.platform,
            first_used_at=as_utc(row.created_at),
            last_used_at=as_utc(row.last_used_at),
            current=row.id == current_id,
        )
        for row in rows
    ]


def sign_out_device(*, session: Session, ctx: Context, holder: Holder, device_id: str) -> None:
    """ "Déconnecter cet appareil": its tokens stop at once, and it is no longer a known device."""
    ended = _revoke(session, SIGNED_OUT, col(_T.id) == device_id, col(_T.holder_id) == holder.id)
    if not ended:
        session.rollback()
        raise DomainError(ErrorCode.NOT_FOUND)
    if ended[0][0]:
        session.execute(
            update(KnownDevice)
            .where(col(KnownDevice.id) == ended[0][0])
            .values(forgotten_at=ctx.clock.now())
            .execution_options(synchronize_session=False)
        )
    session.commit()


def purge_ended(*, session: Session, ctx: Context) -> int:
    """Drop sessions past their absolute end (a daily job; until then a revoked one still tells its
    device why it ended), and devices signed out or unused for `known_device_days`."""
    now = ctx.clock.now()
    ended = session.execute(delete(AuthSession).where(col(AuthSession.ends_at) < now))
    unused = now - timedelta(days=ctx.settings.known_device_days)
    session.execute(
        delete(KnownDevice).where(
            or_(col(KnownDevice.forgotten_at).is_not(None), col(KnownDevice.last_login_at) < unused)
        )
    )
    session.commit()
    return int(ended.rowcount or 0)  # type: ignore[attr-defined]
