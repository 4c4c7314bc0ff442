"""The server's signed word on a holder's access log, sent with the change feed (issue #15).

`LogHead` says "this holder's log had `seq` entries, the last link being `head`, at `at`",
signed with the server's Ed25519 checkpoint key (never in the database). The device keeps the
highest one it has seen: a later statement with fewer entries means the log was cut (or
erased), the same count with another head means it was rewritten. Both ends build the signed
bytes here.
"""

import base64
import json
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel

HEAD_CONTEXT = b"ens-log-head-v1\n"


class LogHead(BaseModel):
    """A signed statement of the head of one holder's access log."""

    holder_id: str
    seq: int
    head: str
    at: datetime
    kid: str
    key: str  # the public key (raw, base64) that signed it
    signature: str  # base64


def head_message(holder_id: str, seq: int, head: str, at: datetime) -> bytes:
    fields = {"holder": holder_id, "seq": seq, "head": head, "at": at.isoformat()}
    return HEAD_CONTEXT + json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def signature_valid(statement: LogHead) -> bool:
    """Whether the statement was signed by the key it names (the device pins that key)."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(statement.key))
        message = head_message(statement.holder_id, statement.seq, statement.head, statement.at)
        key.verify(base64.b64decode(statement.signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True
