"""Fixed-window rate limits kept in the database, so every server process shares the counters.

One atomic upsert per hit (SQLite and PostgreSQL both have INSERT ... ON CONFLICT ... RETURNING),
so two processes can never both read "9" and both let the 10th attempt through.
"""

from sqlalchemy import case, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from backend_stub.context import Context
from backend_stub.errors import DomainError
from backend_stub.models import RateCounter
from sync.protocol.errors import ErrorCode


def hit(*, session: Session, ctx: Context, scope: str, subject: str, limit: int) -> None:
    """Count one attempt of `subject` in `scope`; raise RATE_LIMITED past `limit` per window."""
    settings = ctx.settings
    if not settings.rate_limits_enabled:
        return
    window = settings.rate_window_seconds
    now = int(ctx.clock.now().timestamp())
    start = now - now % window
    key = f"{scope}:{ctx.hasher.digest('rate', subject)[:64]}"
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = RateCounter.__table__  # type: ignore[attr-defined]
    stmt = dialect.insert(table).values(key=key, window_start=start, count=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "count": case((table.c.window_start == start, table.c.count + 1), else_=1),
            "window_start": start,
        },
    ).returning(table.c.count)
    count = session.execute(stmt).scalar_one()
    session.commit()
    if count > limit:
        raise DomainError(ErrorCode.RATE_LIMITED, retry_after=start + window - now)


def purge_old_counters(*, session: Session, ctx: Context) -> int:
    """Drop counters of windows long gone (a daily job)."""
    cutoff = int(ctx.clock.now().timestamp()) - 2 * ctx.settings.rate_window_seconds
    result = session.execute(
        delete(RateCounter).where(RateCounter.window_start < cutoff)  # type: ignore[arg-type]
    )
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
