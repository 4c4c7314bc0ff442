"""Who may act on another adult's space (issue #16): delegations to helpers, legal protection measures."""

from datetime import date, datetime

from sqlalchemy import Column, DateTime, Index
from sqlmodel import Field, SQLModel

from backend_stub.models.base import new_id


# A holder lets a helper (another holder) read, or read and add, for dated days; the helper accepts.
class Delegation(SQLModel, table=True):
    __table_args__ = (
        Index("ix_delegation_helped", "helped_id", "status"),
        Index("ix_delegation_helper", "helper_id", "status"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    helped_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    helper_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    status: str = Field(default="pending", max_length=16)  # pending, active, refused, ended
    starts_on: date
    ends_on: date
    may_add: bool = False
    messages: bool = False
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    answered_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    ended_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    # Why it ended: helped, helper (either side), closed (a space closed), death (the insurer).
    ended_reason: str = Field(default="", max_length=16)


# A court's measure for an adult (tutelle, curatelle, habilitation familiale), recorded by the insurer.
class LegalMeasure(SQLModel, table=True):
    __table_args__ = (
        Index("ix_measure_protected", "protected_id", "ended_at"),
        Index("ix_measure_representative", "representative_id", "ended_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    protected_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    representative_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    kind: str = Field(max_length=24)
    starts_on: date
    ends_on: date  # its end, or the date the judge must review it by
    ended_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
