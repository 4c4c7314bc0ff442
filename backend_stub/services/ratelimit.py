"""Token-bucket rate limits kept in the database, so every server process shares them.

The generic cell rate algorithm (GCRA): each key keeps one number, its "theoretical arrival time"
`tat`. A scope allows `limit` attempts at once, then one more every `window / limit`: a bucket
that refills continuously, so a limit never lasts "from one second to ten minutes" depending on
where a fixed window happened to start. One statement decides each attempt:

    INSERT (key, now + step) ON CONFLICT DO UPDATE SET tat = max(tat, now) + step
        WHERE max(tat, now) + step <= now + window  RETURNING tat

A row back means allowed; none, refused (and a refused attempt does not push the bucket further).
SQLite and PostgreSQL both run it atomically, so two processes can never both take the last token.
"""

import math

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from backend_stub.context import Context
from backend_stub.errors import DomainError
from backend_stub.models.security import RateCounter
from sync.protocol.errors import ErrorCode


def _now_ms(ctx: Context) -> int:
    return int(ctx.clock.now().timestamp() * 1000)


def hit(*, session: Session, ctx: Context, scope: str, subject: str, limit: int) -> None:
    """Take one token of `subject` in `scope`; RATE_LIMITED (with the wait) when none is left."""
    settings = ctx.settings
    if not settings.rate_limits_enabled:
        return
    window = settings.rate_window_seconds * 1000
    step = window // max(limit, 1)
    now = _now_ms(ctx)
    key = f"{scope}:{ctx.hasher.digest('rate', subject)[:64]}"
    table = RateCounter.__table__  # type: ignore[attr-defined]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    start = case((table.c.tat > now, table.c.tat), else_=now)
    stmt = (
        dialect.insert(table)
        .values(key=key, tat=now + step)
        .on_conflict_do_update(
            index_elements=["key"], set_={"tat": start + step}, where=start + step <= now + window
        )
        .returning(table.c.tat)
    )
    allowed = session.execute(stmt).first() is not None
    session.commit()
    if not allowed:
        tat = session.execute(select(table.c.tat).where(table.c.key == key)).scalar_one_or_none() or now
        seconds = max(1, math.ceil((max(tat, now) + step - window - now) / 1000))
        # Minutes too: the message says them, also where the server writes it (the share page).
        raise DomainError(ErrorCode.RATE_LIMITED, retry_after=seconds, retry_minutes=math.ceil(seconds / 60))


def purge_old_counters(*, session: Session, ctx: Context) -> int:
    """Drop buckets that are full again (a daily job): a missing row means the same."""
    result = session.execute(
        delete(RateCounter).where(RateCounter.tat < _now_ms(ctx))  # type: ignore[arg-type]
    )
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
