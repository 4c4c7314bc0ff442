"""Schema migrations with Alembic, run by the `migrate` command and by the test fixtures."""

from alembic import command
from alembic.config import Config


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "backend_stub:migrations")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    """Bring the database to the latest schema (idempotent)."""
    command.upgrade(alembic_config(database_url), "head")
