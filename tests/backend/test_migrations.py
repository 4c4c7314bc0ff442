"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from backend_stub.context import Context
from backend_stub.migrate import upgrade


def test_migrations_match_models(ctx: Context) -> None:
    with ctx.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_upgrade_is_idempotent(ctx: Context) -> None:
    upgrade(ctx.settings.database_url)
