"""Resumable uploads, tus-style: create (idempotent by SHA-256), ask the offset, send from there.

The device may lose the network or be killed at any point; it asks the offset and resends from
it, so at most the one chunk that was in flight is sent twice.
"""

import hashlib

from sqlmodel import Session, select

from backend_stub.blobs import BlobStore
from backend_stub.context import Context
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.models.record import Upload
from backend_stub.rules import gate
from backend_stub.services import gatekeeper
from backend_stub.services.file_types import served_type
from sync.protocol.errors import ErrorCode
from sync.protocol.sync_schemas import UploadCreate, UploadState

MAX_CHUNK = 8 * 1024 * 1024


def _state(upload: Upload) -> UploadState:
    return UploadState(id=upload.id, size=upload.size, offset=upload.offset, complete=upload.complete)


def create(*, session: Session, ctx: Context, holder: Holder, request: UploadCreate) -> UploadState:
    """A new upload, or the existing one for the same bytes (the checksum is the idempotency key).

    De-duplication stays inside the space's shared audience: bytes a professional hid from the
    patient or from a minor's parents are kept apart, and never found from here; a helper's
    uploads de-duplicate among the helpers' own (gatekeeper.upload_audience)."""
    upload, new = _found_or_new(session=session, ctx=ctx, holder=holder, request=request)
    if new:
        session.commit()
    return _state(upload)


def _found_or_new(
    *, session: Session, ctx: Context, holder: Holder, request: UploadCreate
) -> tuple[Upload, bool]:
    """The upload of these bytes in the member's audience, or a new one added to the session."""
    audience = gatekeeper.upload_audience()
    existing = session.exec(
        select(Upload).where(
            Upload.holder_id == holder.id, Upload.sha256 == request.sha256, Upload.audience == audience
        )
    ).first()
    if existing is not None:
        return existing, False
    upload = Upload(
        holder_id=holder.id,
        sha256=request.sha256,
        size=request.size,
        audience=audience,
        created_at=ctx.clock.now(),
    )
    session.add(upload)
    return upload, True


def whole(
    *, session: Session, ctx: Context, blobs: BlobStore, holder: Holder, sha256: str, data: bytes
) -> UploadState:
    """A document sent whole in one request (most fit in one chunk): its upload found or started,
    checked, sealed and finished in one round trip and one transaction instead of two. A partial
    upload of the same bytes is overwritten from the start: every byte is here."""
    if not data:  # larger than a chunk: refused before it is read (main.py's body limit)
        raise DomainError(ErrorCode.REQUEST_INVALID, fields=["body"])
    request = UploadCreate(size=len(data), sha256=sha256)
    upload, _ = _found_or_new(session=session, ctx=ctx, holder=holder, request=request)
    if upload.complete:
        return _state(upload)
    if upload.size != len(data):
        raise DomainError(ErrorCode.REQUEST_INVALID, fields=["body"])
    return _finish_whole(session=session, blobs=blobs, upload=upload, data=data)


def _finish_whole(*, session: Session, blobs: BlobStore, upload: Upload, data: bytes) -> UploadState:
    """Checked against its SHA-256 first, then sealed and finished in one write (one fsync),
    instead of written, read back and decrypted to be finished; nothing is written if wrong."""
    if served_type(data) is None:
        raise DomainError(ErrorCode.DOCUMENT_FORMAT)  # only what can be served again is kept
    if hashlib.sha256(data).hexdigest() != upload.sha256:
        raise DomainError(ErrorCode.UPLOAD_CHECKSUM)
    blobs.put(upload.id, data)
    upload.offset, upload.complete = upload.size, True
    session.add(upload)
    session.commit()
    return _state(upload)


def get(*, session: Session, holder: Holder, upload_id: str) -> Upload:
    """One of the space's uploads the member may reach, through the gate; any other: not found."""
    upload = session.get(Upload, upload_id)
    item = gate.Item(
        kind="upload",
        owned=upload is not None and upload.holder_id == holder.id,
        hidden_from_patient=upload is not None and upload.audience == "patient",
        secret=upload is not None and upload.audience == "guardians",
    )
    if upload is None or not gatekeeper.may_see(item):
        raise DomainError(ErrorCode.NOT_FOUND)
    return upload


def state(*, session: Session, holder: Holder, upload_id: str) -> UploadState:
    return _state(get(session=session, holder=holder, upload_id=upload_id))


def append(
    *, session: Session, blobs: BlobStore, holder: Holder, upload_id: str, offset: int, data: bytes
) -> UploadState:
    """Write a chunk at the offset the server expects; a wrong offset gets 409 and the right one."""
    upload = get(session=session, holder=holder, upload_id=upload_id)
    if upload.complete:
        return _state(upload)
    if offset != upload.offset:
        raise DomainError(ErrorCode.UPLOAD_OFFSET, offset=upload.offset)
    if not data or upload.offset + len(data) > upload.size:
        raise DomainError(ErrorCode.REQUEST_INVALID, fields=["body"])
    if offset == 0 and len(data) == upload.size:
        return _finish_whole(session=session, blobs=blobs, upload=upload, data=data)
    if offset == 0 and served_type(data) is None:
        raise DomainError(ErrorCode.DOCUMENT_FORMAT)  # only what can be served again is kept
    upload.offset = blobs.write_at(upload.id, offset, data)
    if upload.offset == upload.size:
        if blobs.finish(upload.id) != upload.sha256:
            upload.offset = 0
            session.add(upload)
            session.commit()
            raise DomainError(ErrorCode.UPLOAD_CHECKSUM)
        upload.complete = True
    session.add(upload)
    session.commit()
    return _state(upload)
