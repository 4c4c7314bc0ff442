"""Tables of the professionals' directory and of what each holder decided about each of them."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from backend_stub.models.base import new_id, utc_column


# A health professional of the directory; the API key stands in for the CPS card.
class Professional(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    rpps: str = Field(unique=True, index=True, max_length=11)
    first_name: str = Field(max_length=100)
    last_name: str = Field(index=True, max_length=100)
    profession: str = Field(max_length=40)
    specialty: str = Field(default="", max_length=40)
    city: str = Field(default="", max_length=100)
    api_key_digest: str = Field(unique=True, index=True, max_length=64)
    created_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    key_expires_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]
    revoked_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]  # struck off: no key works


# What a holder decided about one professional: authorised (for a time or for good), care team
# (declared with the holder's consent at a first access), revoked, blocked.
class Grant(SQLModel, table=True):
    __table_args__ = (Index("ix_grant_holder_pro", "holder_id", "professional_id", unique=True),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    professional_id: str = Field(foreign_key="professional.id", max_length=32)
    kind: str = Field(max_length=16)  # "holder" or "care_team"
    since: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    until: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]
    revoked_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]
    blocked: bool = False
    consent_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]
    first_access_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]
    secret_only: bool = False  # made only of a minor's secret acts: parents do not see it
