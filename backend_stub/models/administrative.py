"""Tables of the administrative data: the holder's correction requests, waiting for the insurer.

The insurer lists the open ones oldest first through `(status, created_at)`; a holder's own
requests come through `(holder_id, created_at)`.
"""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from backend_stub.models import _utc, _uuid


# A correction of the administrative data the holder asked the insurer for.
class CorrectionRequest(SQLModel, table=True):
    __table_args__ = (
        Index("ix_correction_holder_created", "holder_id", "created_at"),
        Index("ix_correction_status_created", "status", "created_at"),
    )

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    field: str = Field(max_length=20)
    value: str = Field(max_length=300)
    note: str = Field(default="", max_length=500)
    status: str = Field(default="open", max_length=10)  # open, accepted, rejected
    created_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    decided_at: datetime | None = _utc(nullable=True)  # type: ignore[assignment]
