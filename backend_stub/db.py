"""Database engine and sessions; SQLite file by default, PostgreSQL through ENS_DATABASE_URL."""

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import create_engine


def make_engine(url: str) -> Engine:
    """One engine per process; SQLite gets WAL and a busy timeout so workers can share it."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    # pre-ping: a connection dropped by a database restart is replaced, not handed to a request;
    # connect_timeout: an unreachable database fails a request in seconds (503), never hangs it.
    return create_engine(
        url, pool_size=10, max_overflow=20, pool_pre_ping=True, connect_args={"connect_timeout": 5}
    )
