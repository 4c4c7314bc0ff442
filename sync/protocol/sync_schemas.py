"""Wire schemas of synchronisation: push of the device's outbox, pull of the server's change feed,
and resumable uploads."""

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

from sync.protocol.log_head import LogHead

MAX_PUSH = 200
MAX_PULL = 1000
MAX_INT = 2**31 - 1  # the database's INTEGER: a larger number would fail there, not here


class Mutation(BaseModel):
    """One change made on a device, in the order it was made there (`seq`, per client)."""

    seq: int = Field(ge=1, le=MAX_INT)
    op: Literal["upsert", "delete"]
    collection: str = Field(max_length=32)
    id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    base_version: int = Field(ge=0, le=MAX_INT)
    data: dict[str, Any] = Field(default_factory=dict)


class PushRequest(BaseModel):
    """A batch of the outbox; `client_id` names the device (the server skips seqs it applied)."""

    client_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    mutations: list[Mutation] = Field(max_length=MAX_PUSH)


class Outcome(StrEnum):
    """What became of a mutation."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"  # already applied earlier (a retry after a crash or a lost answer)
    CONFLICT = "conflict"  # applied by the conflict rule; `record` is the merged server copy
    REJECTED = "rejected"  # refused (e.g. a professional's record is read-only to the holder)


class RecordOut(BaseModel):
    """A record as the server holds it."""

    id: str
    collection: str
    version: int
    seq: int
    deleted: bool
    data: dict[str, Any]
    author: str  # "holder" or "professional:<id>"
    updated_at: datetime


class MutationResult(BaseModel):
    seq: int
    outcome: Outcome
    record: RecordOut | None = None
    error: str | None = None


class PushResponse(BaseModel):
    results: list[MutationResult]


class PullResponse(BaseModel):
    """A page of the change feed, oldest first; pass `cursor` back to get what follows."""

    changes: list[RecordOut]
    cursor: str
    more: bool
    log_head: LogHead | None = None  # the server's signed word on the holder's access log


class UploadCreate(BaseModel):
    """Start (or find again) the upload of a document's bytes, identified by their SHA-256."""

    size: int = Field(ge=1, le=200 * 1024 * 1024)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class UploadState(BaseModel):
    """Where an upload stands: the next byte the server expects, and whether it is complete."""

    id: str
    size: int
    offset: int
    complete: bool
