"""Closure, reopening and the scheduled jobs of a space's life (creation after 6 weeks, purge).

Jobs take a batch at a time with row locks that skip rows another instance holds
(`FOR UPDATE SKIP LOCKED` on PostgreSQL), so several instances may run them at once.
"""

from sqlmodel import Session, col, delete, select

from backend_stub.context import Context
from backend_stub.errors import DomainError
from backend_stub.models.accounts import (
    AccountChallenge,
    AuthSession,
    Holder,
    KnownDevice,
    LoginChallenge,
    QueuedMessage,
)
from backend_stub.models.record import Record, SyncClient, Upload
from backend_stub.rules.lifecycle import log_kept_after, purge_date
from backend_stub.services import audit, helpers, ratelimit
from backend_stub.services.accounts import check_password
from backend_stub.services.claims import claim
from backend_stub.services.letters import letter_day
from backend_stub.services.sessions import revoke_all
from sync.protocol.errors import ErrorCode
from sync.protocol.schemas import SpaceStatus


def close(*, session: Session, ctx: Context, holder: Holder, password: str, keep_session: str) -> Holder:
    """Archive the space: hidden from everyone, kept 10 years, then deleted; other devices signed
    out; the delegations it gives or receives end."""
    if holder.status != SpaceStatus.ACTIVE:
        raise DomainError(ErrorCode.SPACE_CLOSED)
    check_password(session=session, ctx=ctx, holder=holder, password=password, wrong=ErrorCode.LOGIN_FAILED)
    now = ctx.clock.now()
    values = {
        "status": SpaceStatus.CLOSED,
        "closed_at": now,
        "purge_after": purge_date(now, years=ctx.settings.archive_years),
    }
    # Closed in one statement: of closures sent at once (a double tap, two devices), one closes the
    # space, ends its delegations and sends the message; the others find it closed.
    active = (col(Holder.id) == holder.id, col(Holder.status) == SpaceStatus.ACTIVE)
    if not claim(session, Holder, *active, **values):
        session.rollback()
        raise DomainError(ErrorCode.SPACE_CLOSED)
    for name, value in values.items():
        setattr(holder, name, value)
    revoke_all(session=session, holder_id=holder.id, keep=keep_session)
    helpers.end_for_space(session=session, ctx=ctx, holder=holder, reason="closed")
    session.commit()
    ctx.notifier.send(
        "email",
        holder.email or "",
        "closed",
        holder.lang,
        first_name=holder.first_name,
        purge=letter_day(holder.purge_after, holder.lang),
    )
    return holder


def reopen(*, session: Session, ctx: Context, holder: Holder) -> Holder:
    """Bring an archived space back with everything it held (rate-limited like closure)."""
    limit = ctx.settings.rate_per_account
    ratelimit.hit(session=session, ctx=ctx, scope="reopen", subject=holder.id, limit=limit)
    if holder.status != SpaceStatus.CLOSED:
        raise DomainError(ErrorCode.SPACE_NOT_CLOSED)
    holder.status = SpaceStatus.ACTIVE
    holder.closed_at = None
    holder.purge_after = None
    session.add(holder)
    session.commit()
    return holder


def create_due_spaces(*, session: Session, ctx: Context, batch_size: int = 1000) -> int:
    """Spaces whose 6 weeks passed with no objection are created (their holder activates later)."""
    now = ctx.clock.now()
    done = 0
    while True:
        rows = session.exec(
            select(Holder)
            .where(Holder.status == SpaceStatus.PENDING, col(Holder.objection_deadline) <= now)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        ).all()
        for holder in rows:
            holder.status = SpaceStatus.CREATED
            holder.created_at = now
            session.add(holder)
        session.commit()
        done += len(rows)
        if len(rows) < batch_size:
            return done


def purge_due_spaces(*, session: Session, ctx: Context, batch_size: int = 1000) -> int:
    """Delete, for good, spaces closed more than 10 years ago (`archive_years`), and never before
    their access log's 3 years (EHDS art. 9)."""
    now = ctx.clock.now()
    done = 0
    while True:
        ids = list(
            session.exec(
                select(Holder.id)
                .where(
                    Holder.status == SpaceStatus.CLOSED,
                    col(Holder.purge_after) <= now,
                    col(Holder.closed_at) <= log_kept_after(now),  # the access log's 3 years
                )
                .limit(batch_size)
                .with_for_update(skip_locked=True)
            ).all()
        )
        if ids:
            for upload_id in session.exec(select(Upload.id).where(col(Upload.holder_id).in_(ids))):
                ctx.blobs.delete(upload_id)
            sign_in = (LoginChallenge, AuthSession, KnownDevice, AccountChallenge, QueuedMessage)
            for table in (*sign_in, Record, SyncClient, Upload):
                session.execute(delete(table).where(col(table.holder_id).in_(ids)))
            session.execute(delete(Holder).where(col(Holder.id).in_(ids)))
            audit.purged(session=session, holder_ids=ids)  # the checkpoints stop expecting their logs
        session.commit()
        done += len(ids)
        if len(ids) < batch_size:
            return done
