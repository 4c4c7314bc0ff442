"""The holders' keys of the sealed columns (`core/sealed_columns.py`, `holder_keys.py`).

Each is a random AES-256 key wrapped by a master key (`ENS_MASTER_KEYS`), never stored plain.
`gen` grows at each re-encryption (`rotate-keys --reencrypt`); every envelope names the
generation it was sealed with. Deleting a holder deletes their keys (cascade).
"""

from datetime import datetime

from sqlmodel import Field, SQLModel

from backend_stub.models.base import utc_column


# One generation of a holder's key: wrapped by the master key `kid`.
class HolderKey(SQLModel, table=True):
    holder_id: str = Field(foreign_key="holder.id", primary_key=True, max_length=32, ondelete="CASCADE")
    gen: int = Field(primary_key=True)
    kid: str = Field(max_length=64)
    wrapped: str = Field(max_length=200)  # hex: nonce, key, tag
    created_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
