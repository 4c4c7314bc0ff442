"""The access log of a holder's space, hash-chained, and the holder's reports of suspicious accesses
("Signaler cet accès"), kept for the insurer's follow-up. An entry's title and detail are sealed."""

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend_stub.core.sealed_columns import SealedText, seal_fields
from backend_stub.models.base import new_id, utc_column


# One access to a holder's record by someone else (allowed or refused), hash-chained per holder.
class AccessEntry(SQLModel, table=True):
    __table_args__ = (
        Index("ix_access_holder_pro", "holder_id", "actor_id", "seq"),
        Index("ix_access_holder_gseq", "holder_id", "gseq"),
    )

    holder_id: str = Field(foreign_key="holder.id", primary_key=True, max_length=32, ondelete="CASCADE")
    seq: int = Field(primary_key=True, sa_type=BigInteger)
    at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    actor_id: str = Field(max_length=32)
    actor_name: str = Field(max_length=200)
    profession: str = Field(max_length=40)
    action: str = Field(max_length=16)  # list, read, write, profile
    target: str = Field(default="", max_length=64)
    target_title: str = Field(default="", sa_column=Column(SealedText(), nullable=False))  # a title
    mode: str = Field(max_length=16)  # attending, authorised, care_team, emergency, regulator
    outcome: str = Field(max_length=8)  # allowed, refused
    detail: str = Field(default="", sa_column=Column(SealedText(), nullable=False))  # or emergency reason
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)  # HMAC of the entry and prev_hash under the log key `kid`
    gseq: int | None = Field(default=None, sa_type=BigInteger)  # parents' numbering; None: a secret item
    kid: str = Field(default="", max_length=64)


seal_fields(AccessEntry, "target_title", "detail")


class AccessReport(SQLModel, table=True):
    """One flagged line of the access log; a line is reported at most once (a new note replaces)."""

    __tablename__ = "access_report"
    __table_args__ = (UniqueConstraint("holder_id", "entry_seq", name="uq_access_report_entry"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE", index=True)
    entry_seq: int = Field(sa_type=BigInteger)
    actor_id: str = Field(max_length=64)
    note: str = Field(default="", max_length=1000)
    blocked: bool = False
    at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
