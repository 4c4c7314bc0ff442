"""The device's watch on its holder's access log (issue #15): the server signs the head of the
log with every pull (`sync.protocol.log_head`); the device keeps the furthest head it has seen.

A later head with fewer entries means entries were cut or the log erased on the server; the
same number of entries with another last link means it was rewritten; a statement that is not
signed by the key the device saw first is not the server's. Each raises the alert kept in the
store (`log_alert`, a message key) for the app to show; nothing is ever sent anywhere from here.
"""

from sync.protocol.errors import ErrorCode
from sync.protocol.log_head import LogHead, signature_valid
from sync.store import Store


def observe(store: Store, statement: LogHead) -> str | None:
    """Check one signed head against what this device saw before; the alert raised, if any."""
    pinned = store.meta("log_key")
    if not signature_valid(statement) or (pinned and pinned != statement.key):
        return _alert(store, ErrorCode.LOG_SIGNATURE)
    if not pinned:
        store.set_meta("log_key", statement.key)
    seen = store.meta("log_head")
    if seen:
        seq, _, head = seen.partition(":")
        if statement.seq < int(seq):
            return _alert(store, ErrorCode.LOG_TRUNCATED)
        if statement.seq == int(seq) and statement.head != head:
            return _alert(store, ErrorCode.LOG_REWRITTEN)
    store.set_meta("log_head", f"{statement.seq}:{statement.head}")
    return None


def alert(store: Store) -> str | None:
    """The alert this device raised about its holder's log, if any (it stays: it is evidence)."""
    return store.meta("log_alert") or None


def _alert(store: Store, code: ErrorCode) -> str:
    store.set_meta("log_alert", code.value)
    return code.value
