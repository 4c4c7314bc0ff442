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
    audience = gatekeeper.upload_audience()
    existing = session.exec(
        select(Upload).where(
            Upload.holder_id == holder.id, Upload.sha256 == request.sha256, Upload.audience == audience
        )
    ).first()
    if existing is not None:
        return _state(existing)
    upload = Upload(
        holder_id=holder.id,
        sha256=request.sha256,
        size=request.size,
        audience=audience,
        created_at=ctx.clock.now(),
    )
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
    if offset == 0 and served_type(data) is None:
        raise DomainError(ErrorCode.DOCUMENT_FORMAT)  # only what can be served again is kept
    if offset == 0 and len(data) == upload.size:
        # The whole document at once (most are under a chunk): checked, then sealed and finished
        # in one write, instead of written, read back and decrypted to be finished.
        if hashlib.sha256(data).hexdigest() != upload.sha256:
            raise DomainError(ErrorCode.UPLOAD_CHECKSUM)
        blobs.put(upload.id, data)
        upload.offset, upload.complete = upload.size, True
        session.add(upload)
        session.commit()
        return _state(upload)
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
