"""The operators' security log: what the holders' logs must not hold (issue #13).

A caller with no relation to a space (an unknown number, a stranger naming someone's id) writes
nothing into that space's log; the attempt is counted here instead, without personal data. The
professionals' emergency accesses are kept here too, so unusual break-glass use raises an alert.
The shared rate counters of sensitive routes live here too.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel

from backend_stub.models.base import new_id, utc_column


# A token bucket shared by every server process (rate limits on sensitive routes): `tat` is the
# generic cell rate algorithm's "theoretical arrival time", in milliseconds (services/ratelimit.py).
class RateCounter(SQLModel, table=True):
    key: str = Field(primary_key=True, max_length=96)
    tat: int = Field(sa_type=BigInteger)


class SecurityEvent(SQLModel, table=True):
    """One refused attempt without relation, one emergency access, or one alert."""

    __tablename__ = "security_event"
    __table_args__ = (Index("ix_security_kind_actor_at", "kind", "actor_id", "at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    kind: str = Field(max_length=24)  # refused, emergency, emergency_alert
    actor_kind: str = Field(max_length=16)  # professional, holder, app, link
    actor_id: str = Field(default="", max_length=64)
    space_id: str = Field(default="", max_length=32)  # emergency uses only (to count distinct patients)
    detail: str = Field(default="", max_length=100)  # an error code, or the alert's count
