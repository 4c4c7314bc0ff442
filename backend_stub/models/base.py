"""What every table module needs: new ids and timezone-aware columns (no table here)."""

import uuid

from sqlalchemy import Column, DateTime
from sqlmodel import Field


def new_id() -> str:
    """A random id (32 hex digits), the default primary key of most tables."""
    return uuid.uuid4().hex


def utc_column(**kw: object) -> object:
    """A timezone-aware column (PostgreSQL keeps the offset; SQLite stores UTC text)."""
    return Field(sa_column=Column(DateTime(timezone=True), **kw))  # type: ignore[arg-type]
