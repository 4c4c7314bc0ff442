"""Who holds parental authority over a minor's space (issue #7), kept with its history."""

from datetime import datetime

from sqlalchemy import Column, DateTime, Index
from sqlmodel import Field, SQLModel

from backend_stub.models.base import new_id


# One holder of parental authority acting on a minor's space; ended at majority or by the insurer.
class Guardianship(SQLModel, table=True):
    __table_args__ = (
        Index("ix_guardianship_guardian", "guardian_id", "ended_at"),
        Index("ix_guardianship_child", "child_id", "ended_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    child_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    guardian_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    since: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    reason: str = Field(default="", max_length=16)  # "majority" or "removed" once ended
