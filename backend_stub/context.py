"""What every request and command needs, built once per process: settings, clock, keys, senders."""

from dataclasses import dataclass, field

import click
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from backend_stub.blobs import BlobStore
from backend_stub.core.clock import Clock, SystemClock
from backend_stub.core.config import Settings, get_settings
from backend_stub.core.security import Hasher
from backend_stub.db import make_engine
from backend_stub.migrate import upgrade
from backend_stub.notifier import Notifier, build_notifier
from backend_stub.sealed_blobs import MasterKeys, SealedBlobStore


@dataclass
class Context:
    """The server's collaborators; tests build one with a fixed clock and their own senders."""

    settings: Settings
    engine: Engine
    hasher: Hasher
    notifier: Notifier
    blobs: BlobStore
    clock: Clock = field(default_factory=SystemClock)


def sealed_store(settings: Settings) -> SealedBlobStore:
    """The documents' folder, every file sealed with the configured master keys."""
    return SealedBlobStore(settings.data_dir / "blobs", MasterKeys.parse(settings.master_keys))


def build_context(settings: Settings, *, clock: Clock | None = None) -> Context:
    return Context(
        settings=settings,
        engine=make_engine(settings.database_url),
        hasher=Hasher(settings),
        notifier=build_notifier(settings),
        blobs=sealed_store(settings),
        clock=clock or SystemClock(),
    )


def command_context() -> Context:
    """The context of one command-line command: its database pool closes when the command ends
    (also when a test runs the command in-process, where the pool would otherwise linger). On a
    fresh data folder the schema is created first (`enrol` before `migrate` used to crash)."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ctx = build_context(settings)
    if not inspect(ctx.engine).has_table("alembic_version"):
        upgrade(settings.database_url)
    running = click.get_current_context(silent=True)
    if running is not None:
        running.call_on_close(ctx.engine.dispose)
    return ctx
