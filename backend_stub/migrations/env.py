"""Alembic environment: the models' metadata, the URL from the config the caller built."""

from alembic import context
from sqlmodel import SQLModel

import backend_stub.models  # noqa: F401  (registers the tables)
from backend_stub.db import make_engine

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url") or ""
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
