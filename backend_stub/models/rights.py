"""Tables of a person's rights over their health data (issue #18): corrections asked of a
professional, the research choice with its history, complaints to the authority.

What a person or a professional wrote (a note, a reason, the entry before its correction, a
complaint) is sealed with the holder's key; ids, statuses and dates stay clear for the indexes.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from backend_stub.core.sealed_columns import SealedJSON, SealedText, seal_fields
from backend_stub.models.base import new_id, utc_column


# A correction of a professional's profile entry the holder asked its author for.
class HealthCorrection(SQLModel, table=True):
    __tablename__ = "health_correction"
    __table_args__ = (
        Index("ix_health_correction_holder_created", "holder_id", "created_at"),
        Index("ix_health_correction_pro_holder", "professional_id", "holder_id", "status"),
        # What waits for a professional across their patients, newest first (GET /pro/corrections).
        Index("ix_health_correction_pro_status_created", "professional_id", "status", "created_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    record_id: str = Field(max_length=64)
    professional_id: str = Field(max_length=32)  # the entry's author, who decides
    status: str = Field(default="open", max_length=10)  # open, accepted, refused
    note: str = Field(sa_column=Column(SealedText(), nullable=False))
    reason: str = Field(default="", sa_column=Column(SealedText(), nullable=False))
    # The entry as it was before an accepted correction (the history); {} until then.
    previous: dict[str, Any] = Field(default_factory=dict, sa_column=Column(SealedJSON(), nullable=False))
    created_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    decided_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]


seal_fields(HealthCorrection, "note", "reason", "previous")


# One change of the holder's choice about research (art. 71); the latest row is the choice.
class ResearchChoiceChange(SQLModel, table=True):
    __tablename__ = "research_choice"

    holder_id: str = Field(foreign_key="holder.id", primary_key=True, max_length=32, ondelete="CASCADE")
    seq: int = Field(primary_key=True, sa_type=BigInteger)
    opted_out: bool
    at: datetime = utc_column(nullable=False)  # type: ignore[assignment]


# A complaint to the digital health authority, kept in the holder's history (art. 21).
class Complaint(SQLModel, table=True):
    __table_args__ = (Index("ix_complaint_holder_created", "holder_id", "created_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    text: str = Field(sa_column=Column(SealedText(), nullable=False))
    access_seq: int | None = Field(default=None, sa_type=BigInteger)  # the access-log line it is about
    authority: str = Field(max_length=320)  # the address it went to
    created_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]


seal_fields(Complaint, "text")
