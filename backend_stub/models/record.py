"""The holder's space as synced: its records, each device's last push, resumable uploads.

A record's `data` is sealed at rest with its holder's key (`core/sealed_columns.py`); what the
feed and the indexes need stays clear: ids, collection, versions, sequences, flags, dates, authors.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from backend_stub.core.sealed_columns import SealedJSON, seal_fields
from backend_stub.models.base import new_id, utc_column


# A record of a holder's space (measurement, note, document metadata...), as synced to devices.
class Record(SQLModel, table=True):
    __table_args__ = (
        Index("ix_record_holder_seq", "holder_id", "seq", unique=True),
        Index("ix_record_holder_collection_seq", "holder_id", "collection", "seq"),
        Index("ix_record_holder_vseq", "holder_id", "vseq"),
        Index("ix_record_holder_gseq", "holder_id", "gseq"),
        Index("ix_record_holder_hseq", "holder_id", "hseq"),
        Index("ix_record_holder_hmseq", "holder_id", "hmseq"),
    )

    holder_id: str = Field(foreign_key="holder.id", primary_key=True, max_length=32, ondelete="CASCADE")
    id: str = Field(primary_key=True, max_length=64)
    collection: str = Field(max_length=32)
    version: int
    seq: int = Field(sa_type=BigInteger)
    # The feed's numbers as the holder (`vseq`), a minor's parents (`gseq`), a helper (`hseq`) and a
    # helper allowed the messages (`hmseq`) see it; None: an item hidden from them, which must leave
    # no gap they could see. `seq` orders every record.
    vseq: int | None = Field(default=None, sa_type=BigInteger)
    gseq: int | None = Field(default=None, sa_type=BigInteger)
    hseq: int | None = Field(default=None, sa_type=BigInteger)
    hmseq: int | None = Field(default=None, sa_type=BigInteger)
    deleted: bool = False
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(SealedJSON(), nullable=False))
    author: str = Field(default="holder", max_length=80)
    updated_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]


seal_fields(Record, "data")


# The last outbox sequence applied for each device of a holder (push is idempotent).
class SyncClient(SQLModel, table=True):
    holder_id: str = Field(foreign_key="holder.id", primary_key=True, max_length=32, ondelete="CASCADE")
    client_id: str = Field(primary_key=True, max_length=64)
    last_seq: int = Field(default=0, sa_type=BigInteger)


# A resumable upload of a document's bytes; identified per holder, audience and the bytes' SHA-256.
# The audience keeps de-duplication inside one secrecy boundary: bytes a professional hid from the
# patient ("patient") or from a minor's parents ("guardians") are never found by the holder's upload.
class Upload(SQLModel, table=True):
    __table_args__ = (Index("ix_upload_holder_sha", "holder_id", "sha256", "audience", unique=True),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", index=True, max_length=32, ondelete="CASCADE")
    sha256: str = Field(max_length=64)
    audience: str = Field(default="", max_length=10)  # "", "guardians", "patient", "helpers"
    size: int = Field(sa_type=BigInteger)
    offset: int = Field(default=0, sa_type=BigInteger)
    complete: bool = False
    created_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
