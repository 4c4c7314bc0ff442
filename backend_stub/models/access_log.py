"""The holder's reports of suspicious accesses ("Signaler cet accès"), kept for the insurer's follow-up."""

from datetime import datetime

from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend_stub.models import _utc, _uuid


class AccessReport(SQLModel, table=True):
    """One flagged line of the access log; a line is reported at most once (a new note replaces)."""

    __tablename__ = "access_report"
    __table_args__ = (UniqueConstraint("holder_id", "entry_seq", name="uq_access_report_entry"),)

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE", index=True)
    entry_seq: int = Field(sa_type=BigInteger)
    actor_id: str = Field(max_length=64)
    note: str = Field(default="", max_length=1000)
    blocked: bool = False
    at: datetime = _utc(nullable=False)  # type: ignore[assignment]
