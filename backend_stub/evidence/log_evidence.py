"""What the access logs need beyond the database, attached to the engine that writes them."""

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession

from backend_stub.evidence.checkpoints import Checkpointer
from backend_stub.sealed_blobs import MasterKeys


@dataclass
class LogEvidence:
    """What the access logs need beyond the database: the link keys and the checkpoints."""

    keys: MasterKeys
    checkpoints: Checkpointer


_evidence: "WeakKeyDictionary[Engine, LogEvidence]" = WeakKeyDictionary()


def attach(engine: Engine, evidence: LogEvidence) -> None:
    """Logs written through `engine` are linked and checkpointed with `evidence` (build_context)."""
    _evidence[engine] = evidence


def evidence_of(session: OrmSession) -> LogEvidence:
    return _evidence[session.get_bind()]  # type: ignore[index]
