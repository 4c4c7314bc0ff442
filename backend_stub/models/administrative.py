"""Tables of the administrative data: reimbursements imported from the insurer (their care,
professional and label sealed), and the holder's correction requests, waiting for the insurer.

The insurer lists the open ones oldest first through `(status, created_at)`; a holder's own
requests come through `(holder_id, created_at)`.
"""

from datetime import date, datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from backend_stub.core.sealed_columns import SealedText, seal_fields
from backend_stub.models.base import new_id, utc_column


# One reimbursement of health expenses, as imported from the insurer's systems.
class Reimbursement(SQLModel, table=True):
    __table_args__ = (Index("ix_reimbursement_holder_date", "holder_id", "care_date"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    care_date: date
    care: str = Field(sa_column=Column(SealedText(), nullable=False))
    professional: str = Field(default="", sa_column=Column(SealedText(), nullable=False))
    paid_cents: int
    reimbursed_cents: int
    kind: str = Field(default="act", max_length=16)  # consultation, act, medicine, hospital
    label: str = Field(default="", sa_column=Column(SealedText(), nullable=False))  # a medicine, a stay


seal_fields(Reimbursement, "care", "professional", "label")


# A correction of the administrative data the holder asked the insurer for.
class CorrectionRequest(SQLModel, table=True):
    __table_args__ = (
        Index("ix_correction_holder_created", "holder_id", "created_at"),
        Index("ix_correction_status_created", "status", "created_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    field: str = Field(max_length=20)
    value: str = Field(max_length=300)
    note: str = Field(default="", max_length=500)
    status: str = Field(default="open", max_length=10)  # open, accepted, rejected
    created_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    decided_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]
