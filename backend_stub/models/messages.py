"""Tables of secure messaging: conversations between a holder and a professional, and the index
of their messages.

The messages themselves are records of the holder's space (collection "message", synced to the
holder's devices); these tables are what the professional's side walks: their conversations by
`(professional_id, last_at)`, a conversation's messages by `(conversation_id, n)`. Every query
names a professional or a holder, never a scan.
"""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from backend_stub.models.base import new_id, utc_column


# One conversation: a holder, a professional, a subject; `record_id` is its record in the space.
class Conversation(SQLModel, table=True):
    __table_args__ = (
        Index("ix_conversation_pro_last", "professional_id", "last_at"),
        Index("ix_conversation_holder_record", "holder_id", "record_id", unique=True),
        Index("ix_conversation_holder_pro", "holder_id", "professional_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    professional_id: str = Field(foreign_key="professional.id", max_length=32)
    record_id: str = Field(max_length=64)
    started_by: str = Field(max_length=16)  # "professional" or "holder"
    created_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    last_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    pro_unread: int = 0  # the holder's messages the professional has not read yet
    count: int = 0  # messages so far; each delivery takes the next number


# One message of a conversation, in order (its content is the holder's record `record_id`).
class MessageDelivery(SQLModel, table=True):
    __table_args__ = (
        Index("ix_delivery_conversation_n", "conversation_id", "n", unique=True),
        Index("ix_delivery_holder_record", "holder_id", "record_id", unique=True),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    conversation_id: str = Field(foreign_key="conversation.id", max_length=32, ondelete="CASCADE")
    holder_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")
    record_id: str = Field(max_length=64)
    n: int  # its place in the conversation (1, 2, ...): the cursor of the professional's pages
    sender: str = Field(max_length=16)  # "holder" or "professional"
    at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    read_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]
