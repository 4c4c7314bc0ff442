"""What every request and command needs, built once per process: settings, clock, keys, senders."""

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from backend_stub.blobs import BlobStore
from backend_stub.core import sealed_columns
from backend_stub.core.clock import Clock, SystemClock
from backend_stub.core.config import Settings, get_settings
from backend_stub.core.security import Hasher
from backend_stub.db import make_engine
from backend_stub.evidence.checkpoints import Checkpointer, DailyFiles, Signer
from backend_stub.evidence.log_evidence import LogEvidence, attach
from backend_stub.holder_keys import HolderKeys
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
    evidence: LogEvidence  # the access logs' link keys and checkpoints (outside the database)
    signer: Signer  # signs checkpoints and the log heads sent to devices
    clock: Clock = field(default_factory=SystemClock)


def sealed_store(settings: Settings) -> SealedBlobStore:
    """The documents' folder, every file sealed with the configured master keys."""
    return SealedBlobStore(settings.data_dir / "blobs", MasterKeys.parse(settings.master_keys))


def document_store(settings: Settings) -> BlobStore:
    """Where the documents' sealed bytes live: the bucket when one is set, else the data folder."""
    if not settings.s3_bucket:
        return sealed_store(settings)
    import boto3  # only the hosts that use a bucket install it (`.[s3]`)

    from backend_stub.s3_blobs import S3BlobStore

    client = boto3.client("s3", endpoint_url=settings.s3_endpoint_url or None)
    return S3BlobStore(client, settings.s3_bucket, MasterKeys.parse(settings.master_keys))


def build_context(settings: Settings, *, clock: Clock | None = None) -> Context:
    """The keys that are not in the database are attached to the engine here: the holders' keys
    of sealed columns, and the access logs' link keys and checkpoints."""
    if settings.env == "production" and not settings.card_signing_keys:
        # Refused at start, not as a 500 when a person first asks for their vaccination record.
        raise ValueError("ENS_CARD_SIGNING_KEYS must be set in production")
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url)
    master = MasterKeys.parse(settings.master_keys)
    sealed_columns.attach(engine, HolderKeys(master, cache_size=settings.holder_key_cache))
    log_keys, signing_keys = settings.evidence_keys()
    signer = Signer(signing_keys)
    assert settings.checkpoint_dir is not None  # set by the settings' validator
    checkpoints = Checkpointer(
        store=DailyFiles(settings.checkpoint_dir),
        signer=signer,
        clock=clock,
        every=settings.checkpoint_every,
        seconds=settings.checkpoint_seconds,
    )
    evidence = LogEvidence(keys=MasterKeys.parse(log_keys), checkpoints=checkpoints)
    attach(engine, evidence)
    return Context(
        settings=settings,
        engine=engine,
        hasher=Hasher(settings),
        notifier=build_notifier(settings),
        blobs=document_store(settings),
        evidence=evidence,
        signer=signer,
        clock=clock,
    )


class _Closing(Protocol):
    """A running command's context (typer's): it calls these when the command ends."""

    def call_on_close(self, f: Callable[[], Any]) -> Any: ...


_running_command: ContextVar[_Closing | None] = ContextVar("running_command", default=None)


def close_with(command: _Closing) -> None:
    """Set by the CLI's callback: what `command_context` builds is closed when `command` ends.
    (Typer carries its own copy of click, so `click.get_current_context` does not see it.)"""
    _running_command.set(command)


def command_context() -> Context:
    """The context of one command-line command: its database pool closes when the command ends
    (also when a test runs the command in-process, where the pool would otherwise linger), and
    the access-log heads it appended are checkpointed. On a fresh data folder the schema is
    created first (`enrol` before `migrate` used to crash)."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ctx = build_context(settings)
    if not inspect(ctx.engine).has_table("alembic_version"):
        upgrade(settings.database_url)
    running = _running_command.get()
    if running is not None:
        running.call_on_close(ctx.engine.dispose)
        running.call_on_close(ctx.evidence.checkpoints.flush)  # runs first (last in, first out)
    return ctx
