"""Links that share a selection of documents with anyone holding the link and its code."""

from datetime import datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from backend_stub.models.base import new_id, utc_column


class ShareLink(SQLModel, table=True):
    """Only digests of the link's token and of its code are kept: the server cannot show them again."""

    __tablename__ = "share_link"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE", index=True)
    token_digest: str = Field(max_length=64, unique=True)
    code_digest: str = Field(max_length=64)
    label: str = Field(default="", max_length=100)
    created_by: str | None = Field(default=None, max_length=32)  # the parent who made it in a child's space
    document_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    expires_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    revoked_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]
    failures: int = 0  # wrong codes in a row; the link closes at MAX_FAILURES
    # The patient summary as a SMART Health Link's file: a JWE the device encrypted with a key that
    # travels only in the `shlink:/` (never sent here), so the server keeps it as it came.
    shl_file: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    opens: int = 0
