"""The one way a stored file's bytes leave the server (documents, attachments, shared files).

The type sent is read from the bytes (`services/file_types.py`), never the one the uploader
declared, and only PDF, JPEG and PNG go out; every answer says `nosniff` and `attachment` (the
app and the apps read the bytes themselves; a browser following a share link saves the file
rather than rendering it in our origin), and nothing a sender wrote reaches a header.

Integrity: `BlobStore.open` reads the whole sealed file against its end segment, size and digest
before the first byte goes out, so a truncated or altered file becomes a clear 410
`error.document.damaged` plus an error-level line for the operators (`damaged`), never half a
document served as whole. The streaming pass checks again; should the file change between the
two passes, the stream is cut (the client sees an unfinished body, not a complete file).
"""

import logging
from collections.abc import Iterable, Iterator
from itertools import chain

from fastapi import Request
from fastapi.responses import JSONResponse, StreamingResponse

from backend_stub.errors import DomainError
from backend_stub.sealed_blobs import BlobDamaged
from backend_stub.services.file_types import served_type
from sync.protocol.errors import ErrorCode

log = logging.getLogger(__name__)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Disposition": "attachment",
    "Cache-Control": "no-store",
}


def send(stream: Iterable[bytes]) -> StreamingResponse:
    """Stream a stored file with the type its bytes show; refuse any other type."""
    pieces = iter(stream)
    head = next(pieces, b"")
    mime = served_type(head)
    if mime is None:
        log.warning("a stored file of a type we do not serve was refused")
        raise DomainError(ErrorCode.DOCUMENT_FORMAT)
    return StreamingResponse(_watched(chain([head], pieces)), media_type=mime, headers=HEADERS)


def _watched(pieces: Iterator[bytes]) -> Iterator[bytes]:
    try:
        yield from pieces
    except BlobDamaged as exc:
        _alert(exc)
        raise  # cuts the response: the body stays unfinished


def _alert(exc: BlobDamaged) -> None:
    """For the operators: which blob (a random id, nothing about its holder) and what is wrong."""
    log.error("sealed file failed its integrity check: %s", exc)


async def damaged(_: Request, exc: Exception) -> JSONResponse:
    """A file found damaged before anything was sent: a clear answer, and the operators' alert."""
    assert isinstance(exc, BlobDamaged)
    _alert(exc)
    return JSONResponse({"code": ErrorCode.DOCUMENT_DAMAGED.value, "params": {}}, 410)
