"""The messages told to a holder inside the app (a first access, an emergency access...)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from backend_stub.core.sealed_columns import SealedJSON, seal_fields
from backend_stub.models.base import new_id, utc_column


# A message for the holder inside the app (first access by a professional, emergency access...).
class Notification(SQLModel, table=True):
    __table_args__ = (Index("ix_notification_holder_at", "holder_id", "at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    kind: str = Field(max_length=32)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(SealedJSON(), nullable=False))
    read: bool = False


seal_fields(Notification, "params")
