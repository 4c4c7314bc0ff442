"""Columns sealed at rest with their holder's key: services read and write plain values (a dict,
a str), the database and its WAL only ever hold AES-256-GCM envelopes bound to their row.

An envelope is `00 01 | key generation (4 bytes) | nonce (12) | ciphertext`; its associated data
is `table|primary key|column`, so an envelope copied to another row, holder or column does not
open. Sealing needs the row's identity, which a column type never sees: it happens in the
mapper's flush events (`before_insert`/`before_update` seal, `after_*` put the plain value back);
opening happens in the `load`/`refresh` events. The keyring (`holder_keys.py`) is found from
the engine the session uses (`attach`), so every context keeps its own keys.

Rows written before sealing existed (plain JSON or text) read as they are until a write or
`seal-existing` seals them. A plain value reaching a sealed column by another path (a Core
UPDATE, a bulk insert) is refused rather than written in clear; a bulk insert seals its rows with
`sealed_row`, the flush's own sealing.
"""

import json
from collections.abc import Callable
from typing import Any, Protocol
from weakref import WeakKeyDictionary

from sqlalchemy import LargeBinary, event, inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm.attributes import set_attribute, set_committed_value
from sqlalchemy.types import TypeDecorator

MAGIC = b"\x00\x01"  # never the first bytes of JSON or of text PostgreSQL accepts (no NUL)


class Envelope(bytes):
    """Sealed bytes as stored; the row's `load` event opens them."""


class PlaintextRefused(RuntimeError):
    """A plain value was about to reach a sealed column without going through the ORM's flush."""


Connect = Callable[[], Connection]  # the session's connection, asked for only when a key is not cached


class Keyring(Protocol):
    """Seals and opens one holder's values (`holder_keys.HolderKeys`)."""

    def seal(self, connect: Connect, holder_id: str, aad: bytes, plain: bytes) -> bytes: ...
    def open(self, connect: Connect, holder_id: str, aad: bytes, envelope: bytes) -> bytes: ...


_keyrings: "WeakKeyDictionary[Engine, Keyring]" = WeakKeyDictionary()


def attach(engine: Engine, keyring: Keyring) -> None:
    """Rows read or written through `engine` are sealed with `keyring` (done by build_context)."""
    _keyrings[engine] = keyring


def keyring_of(engine: Engine) -> Keyring:
    try:
        return _keyrings[engine]
    except KeyError:
        raise PlaintextRefused("no keyring attached to this engine (build it with build_context)") from None


class _Sealed(TypeDecorator[Any]):
    """Stored as bytes; passes envelopes through and refuses anything else."""

    impl = LargeBinary
    cache_ok = True

    def encode(self, value: Any) -> bytes:
        raise NotImplementedError

    def decode(self, raw: bytes) -> Any:
        raise NotImplementedError

    def process_bind_param(self, value: Any, dialect: Any) -> bytes | None:
        if value is None or isinstance(value, Envelope):
            return value
        raise PlaintextRefused("a sealed column was about to be written in clear")

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        raw = value.encode() if isinstance(value, str) else bytes(value)
        return Envelope(raw) if raw.startswith(MAGIC) else self.decode(raw)  # a row from before sealing


class SealedJSON(_Sealed):
    """A JSON document (dict), sealed."""

    cache_ok = True

    def encode(self, value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()

    def decode(self, raw: bytes) -> Any:
        return json.loads(raw)


class SealedText(_Sealed):
    """A text, sealed."""

    cache_ok = True

    def encode(self, value: Any) -> bytes:
        return str(value).encode()

    def decode(self, raw: bytes) -> Any:
        return raw.decode()


# The sealing of each class's row as a dict, for the bulk inserts that bypass the flush (`sealed_row`).
_row_sealers: dict[type, Callable[[Connection, dict[str, Any]], dict[str, Any]]] = {}


def sealed_row(connection: Connection, cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """A row of `cls` for a bulk insert (`insert(table)` with many rows): its sealed columns
    sealed exactly as the flush seals them, so the column types let it through."""
    return _row_sealers[cls](connection, values)


def seal_fields(cls: type, *fields: str) -> None:
    """Seal these columns of `cls` (which has a `holder_id`) with its holder's key."""
    table = cls.__table__  # type: ignore[attr-defined]
    keys = [column.name for column in table.primary_key.columns]
    types: dict[str, _Sealed] = {name: table.c[name].type for name in fields}

    def aad(values: dict[str, Any], name: str) -> bytes:
        return "|".join([table.name, *[str(values[k]) for k in keys], name]).encode()

    def sealed(connection: Connection, keyring: Keyring, values: dict[str, Any], name: str) -> Envelope:
        encoded = types[name].encode(values[name])
        return Envelope(keyring.seal(lambda: connection, values["holder_id"], aad(values, name), encoded))

    def seal(connection: Connection, target: Any, names: list[str]) -> None:
        state, keyring, plain = inspect(target), keyring_of(connection.engine), {}
        for name in names:
            plain[name] = state.dict[name]
            set_attribute(target, name, sealed(connection, keyring, state.dict, name))
        state.info["sealed_plain"] = plain

    def seal_row(connection: Connection, values: dict[str, Any]) -> dict[str, Any]:
        keyring = keyring_of(connection.engine)
        return values | {name: sealed(connection, keyring, values, name) for name in fields if name in values}

    _row_sealers[cls] = seal_row

    def before_insert(_mapper: Any, connection: Connection, target: Any) -> None:
        seal(connection, target, [name for name in fields if name in inspect(target).dict])

    def before_update(_mapper: Any, connection: Connection, target: Any) -> None:
        state = inspect(target)
        seal(
            connection,
            target,
            [n for n in fields if n in state.dict and state.attrs[n].history.has_changes()],
        )

    def after_write(_mapper: Any, _connection: Connection, target: Any) -> None:
        for name, value in inspect(target).info.pop("sealed_plain", {}).items():
            set_committed_value(target, name, value)

    def opened(target: Any, context: Any, attrs: Any = None) -> None:
        values = target.__dict__  # the instance's loaded values (its state's dict), just read
        keyring = None
        for name in fields:
            sealed = values.get(name)
            if type(sealed) is not Envelope or (attrs is not None and name not in attrs):
                continue
            session = context.session
            keyring = keyring or keyring_of(session.bind or session.get_bind())
            plain = keyring.open(session.connection, values["holder_id"], aad(values, name), sealed)
            values[name] = types[name].decode(plain)  # as loaded: no change to flush

    event.listen(cls, "before_insert", before_insert)
    event.listen(cls, "before_update", before_update)
    event.listen(cls, "after_insert", after_write)
    event.listen(cls, "after_update", after_write)
    event.listen(cls, "load", opened)
    event.listen(cls, "refresh", opened)
