"""Tables of the catalogue of referenced apps and of their OAuth 2.0 consents (times in UTC).

Secrets (consent request ids, authorisation codes, access tokens) are kept as SHA-256 digests
only. Every app call looks its token up by digest and checks the token, the consent and the app
in the database, so a revocation or a suspension takes effect on the next call.
"""

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from backend_stub.models.base import new_id, utc_column


# A referenced app of the catalogue; its id is the OAuth `client_id` (a public client: PKCE).
class App(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=100)
    publisher: str = Field(max_length=200)
    category: str = Field(index=True, max_length=32)
    description_fr: str = Field(default="", max_length=1000)
    description_en: str = Field(default="", max_length=1000)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    redirect_uris: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="active", max_length=16)  # active | suspended
    created_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    updated_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]


# An authorisation request checked by the server, waiting for the holder's decision in the app.
class ConsentRequest(SQLModel, table=True):
    id_digest: str = Field(primary_key=True, max_length=64)
    app_id: str = Field(foreign_key="app.id", max_length=64, ondelete="CASCADE")
    redirect_uri: str = Field(max_length=500)
    scope: str = Field(max_length=500)
    state: str = Field(default="", max_length=500)
    code_challenge: str = Field(max_length=128)
    code_challenge_method: str = Field(max_length=8)
    expires_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    decided_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]


# A one-time authorisation code (short-lived); kept after use so a replay can be detected.
class AuthCode(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    code_digest: str = Field(unique=True, index=True, max_length=64)
    app_id: str = Field(foreign_key="app.id", max_length=64, ondelete="CASCADE")
    holder_id: str = Field(foreign_key="holder.id", index=True, max_length=32, ondelete="CASCADE")
    subject_id: str = Field(max_length=32)
    redirect_uri: str = Field(max_length=500)
    scope: str = Field(max_length=500)
    code_challenge: str = Field(max_length=128)
    code_challenge_method: str = Field(max_length=8)
    duration_days: int
    expires_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    used_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]


# What a holder let an app do, on whose space (the holder's, later a child's), until when.
class AppConnection(SQLModel, table=True):
    __table_args__ = (
        Index("ix_connection_holder_app_subject", "holder_id", "app_id", "subject_id", unique=True),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    holder_id: str = Field(foreign_key="holder.id", max_length=32, ondelete="CASCADE")  # who consented
    subject_id: str = Field(max_length=32)  # whose data the app reaches
    app_id: str = Field(foreign_key="app.id", max_length=64, ondelete="CASCADE")
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    since: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    until: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    revoked_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]
    last_used_at: datetime | None = utc_column(nullable=True)  # type: ignore[assignment]


# An access token of a connected app, bound to one connection (app, holder, scopes, expiry).
class AppToken(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    token_digest: str = Field(unique=True, index=True, max_length=64)
    connection_id: str = Field(foreign_key="appconnection.id", index=True, max_length=32, ondelete="CASCADE")
    code_id: str = Field(index=True, max_length=32)
    expires_at: datetime = utc_column(nullable=False)  # type: ignore[assignment]
    revoked: bool = False
