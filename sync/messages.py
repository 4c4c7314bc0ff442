"""Secure messaging on the device: conversations and messages read from the encrypted store,
replies written through the outbox (sent on the next sync, exactly once), files sealed like
documents and uploaded in the background.

A professional's conversation and messages are read-only here except the holder's flags:
`archived` on a conversation, `read` on a message (see `sync.protocol.collections`).
"""

import io
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sync.documents import Documents
from sync.errors import SyncError
from sync.protocol.errors import ErrorCode
from sync.protocol.messaging import MAX_ATTACHMENTS, message_problem, subject_problem
from sync.store import Item, LocalUpload, Store

Fetch = Callable[[str, int], bytes]  # message id, attachment index -> bytes (from the server)


@dataclass(frozen=True)
class Attachment:
    """One thing joined to a message: a document of the record, or a file."""

    index: int
    kind: str  # "document" or "file"
    name: str
    mime: str
    document_id: str = ""
    file_id: str = ""  # set on the device that sent the file (its sealed copy is here)
    type: str = ""  # the document type the professional gave their file ("" none)


@dataclass(frozen=True)
class Message:
    id: str
    conversation_id: str
    mine: bool
    body: str
    sent_at: str  # ISO time (the server's once sent)
    read: bool
    pending: bool  # written here, not yet on the server
    attachments: tuple[Attachment, ...]


@dataclass(frozen=True)
class Conversation:
    id: str
    professional_id: str
    professional_name: str
    profession: str
    subject: str
    archived: bool
    unread: int
    last_at: str
    last_body: str
    words: str  # what the search looks into: subject, name, every message (casefolded)


@dataclass(frozen=True)
class NewFile:
    """A file the holder joins to a message (already checked: PDF, JPEG or PNG, size)."""

    name: str
    mime: str
    content: bytes


def _attachments(data: dict[str, Any]) -> tuple[Attachment, ...]:
    found = []
    for index, raw in enumerate(data.get("attachments", [])):
        if not isinstance(raw, dict):
            continue
        found.append(
            Attachment(
                index=index,
                kind=str(raw.get("kind", "")),
                name=str(raw.get("title") or raw.get("name") or ""),
                mime=str(raw.get("mime", "")),
                document_id=str(raw.get("document_id", "")),
                file_id=str(raw.get("file_id", "")),
                type=str(raw.get("type", "")),
            )
        )
    return tuple(found)


def _message(item: Item) -> Message:
    data = item.data
    return Message(
        id=item.id,
        conversation_id=str(data.get("conversation_id", "")),
        mine=not item.read_only,
        body=str(data.get("body", "")),
        sent_at=str(data.get("sent_at") or item.updated_at),
        read=bool(data.get("read")) or not item.read_only,
        pending=item.pending,
        attachments=_attachments(data),
    )


# Namespace of the ids of documents saved from a message's file: the same file saved twice (on
# this device or another) is the same record.
SAVED_FILES = uuid.UUID("5f1d3c2a-8b7e-4f0a-9c61-2d4e8a7b9c10")


def saved_document_id(message_id: str, index: int) -> str:
    """The record id of the document saved from one file of one message."""
    return uuid.uuid5(SAVED_FILES, f"{message_id}/{index}").hex


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Messaging:
    """One holder's conversations on this device."""

    def __init__(self, store: Store, documents: Documents) -> None:
        self.store, self.documents = store, documents

    # --- reading -----------------------------------------------------------------------------
    def _messages_by_conversation(self) -> dict[str, list[Message]]:
        found: dict[str, list[Message]] = {}
        for item in self.store.items("message"):
            message = _message(item)
            found.setdefault(message.conversation_id, []).append(message)
        for thread in found.values():
            thread.sort(key=lambda m: (m.sent_at, m.id))
        return found

    def conversations(self) -> list[Conversation]:
        """Every conversation, latest activity first."""
        threads = self._messages_by_conversation()
        found = []
        for item in self.store.items("conversation"):
            data, thread = item.data, threads.get(item.id, [])
            last = thread[-1] if thread else None
            name = str(data.get("professional_name", ""))
            subject = str(data.get("subject", ""))
            words = " ".join(
                [subject, name, *(m.body for m in thread), *(a.name for m in thread for a in m.attachments)]
            )
            found.append(
                Conversation(
                    id=item.id,
                    professional_id=str(data.get("professional_id", "")),
                    professional_name=name,
                    profession=str(data.get("profession", "")),
                    subject=subject,
                    archived=bool(data.get("archived")),
                    unread=sum(not m.read for m in thread),
                    last_at=last.sent_at if last else item.updated_at,
                    last_body=last.body if last else "",
                    words=words.casefold(),
                )
            )
        return sorted(found, key=lambda c: (c.last_at, c.id), reverse=True)

    def get(self, conversation_id: str) -> Conversation | None:
        return next((c for c in self.conversations() if c.id == conversation_id), None)

    def thread(self, conversation_id: str) -> list[Message]:
        """A conversation's messages, oldest first."""
        return self._messages_by_conversation().get(conversation_id, [])

    def unread(self) -> int:
        return sum(c.unread for c in self.conversations() if not c.archived)

    def correspondents(self) -> list[tuple[str, str, str]]:
        """(id, name, profession) of the professionals who wrote to the holder: the only ones the
        holder may start a conversation with."""
        seen: dict[str, tuple[str, str, str]] = {}
        for c in self.conversations():
            if c.professional_id and c.professional_id not in seen:
                seen[c.professional_id] = (c.professional_id, c.professional_name, c.profession)
        return sorted(seen.values(), key=lambda p: p[1])

    # --- the holder's writes -------------------------------------------------------------------
    def send(
        self,
        conversation_id: str,
        body: str,
        document_ids: Sequence[str] = (),
        file: NewFile | None = None,
        message_id: str | None = None,
    ) -> str:
        """Queue a message (and seal its file) in one transaction; the next sync sends it once.
        `message_id` lets a caller that may be interrupted write the same message only once."""
        if self.store.get(conversation_id) is None:
            raise SyncError(ErrorCode.MESSAGE_CONVERSATION_UNKNOWN)
        attachments: list[dict[str, Any]] = []
        for document_id in document_ids:
            document = self.store.get(document_id)
            if document is None or document.collection != "document":
                raise SyncError(ErrorCode.MESSAGE_ATTACHMENT)
            attachments.append(
                {
                    "kind": "document",
                    "document_id": document_id,
                    "title": str(document.data.get("title", "")),
                    "mime": str(document.data.get("mime", "")),
                }
            )
        message_id = message_id or uuid.uuid4().hex
        also: list[LocalUpload] = []
        if file is not None:
            file_id, size, sha256 = self.documents.seal(io.BytesIO(file.content))
            attachments.append(
                {
                    "kind": "file",
                    "name": file.name[:200],
                    "mime": file.mime,
                    "size": size,
                    "sha256": sha256,
                    "file_id": file_id,
                }
            )
            also.append(LocalUpload(record_id=message_id, file_id=file_id, size=size, sha256=sha256))
        data = {
            "conversation_id": conversation_id,
            "body": body.strip(),
            "attachments": attachments,
            "sent_at": _now(),
        }
        if len(attachments) > MAX_ATTACHMENTS or (problem := message_problem(data)):
            raise SyncError(ErrorCode.MESSAGE_ATTACHMENT if len(attachments) > MAX_ATTACHMENTS else problem)
        return self.store.put("message", data, record_id=message_id, also=also)

    def start(self, professional_id: str, subject: str, body: str) -> str:
        """A new conversation with a professional who already wrote, and its first message."""
        known = {p[0]: p for p in self.correspondents()}
        if professional_id not in known:
            raise SyncError(ErrorCode.MESSAGE_PRO_UNKNOWN)
        if problem := subject_problem(subject):
            raise SyncError(problem)
        if problem := message_problem({"body": body}):
            raise SyncError(problem)
        _, name, profession = known[professional_id]
        conversation_id = self.store.put(
            "conversation",
            {
                "professional_id": professional_id,
                "professional_name": name,
                "profession": profession,
                "subject": subject.strip(),
                "started_by": "holder",
                "archived": False,
            },
        )
        self.send(conversation_id, body)
        return conversation_id

    def mark_read(self, conversation_id: str) -> int:
        """Mark the professional's unread messages of a conversation read; how many changed."""
        changed = 0
        for item in self.store.items("message"):
            if (
                item.read_only
                and item.data.get("conversation_id") == conversation_id
                and not item.data.get("read")
            ):
                self.store.put("message", item.data | {"read": True}, record_id=item.id)
                changed += 1
        return changed

    def set_archived(self, conversation_id: str, archived: bool) -> None:
        item = self.store.get(conversation_id)
        if item is None or item.collection != "conversation":
            raise SyncError(ErrorCode.MESSAGE_CONVERSATION_UNKNOWN)
        self.store.put("conversation", item.data | {"archived": archived}, record_id=item.id)

    # --- files -------------------------------------------------------------------------------------
    def _attachment(self, message_id: str, index: int) -> Attachment:
        item = self.store.get(message_id)
        found = _attachments(item.data) if item is not None and item.collection == "message" else ()
        if not 0 <= index < len(found):
            raise SyncError(ErrorCode.MESSAGE_ATTACHMENT)
        return found[index]

    def file_bytes(self, message_id: str, index: int, fetch: Fetch) -> bytes:
        """A joined file: this device's sealed copy when it sent it, else the server's."""
        attachment = self._attachment(message_id, index)
        if attachment.kind != "file":
            raise SyncError(ErrorCode.MESSAGE_ATTACHMENT)
        if attachment.file_id and self.documents.path(attachment.file_id).exists():
            return b"".join(self.documents.read(attachment.file_id))
        return fetch(message_id, index)

    def save_to_record(self, message_id: str, index: int, fetch: Fetch, doc_type: str = "other") -> str:
        """Keep a received file as a document of the record (the holder's own, uploaded by sync;
        the server already holds the bytes, so the upload finds them and sends nothing).

        Saving it again gives back the same document (its id comes from the message and the file:
        two devices saving it offline make one record too). The copy keeps who sent it
        (`author_name`, `author_profession`, as an imported copy does) and the type the
        professional gave the file, else `doc_type`; the record stays the holder's own."""
        record_id = saved_document_id(message_id, index)
        saved = self.store.get(record_id)
        if saved is not None and saved.collection == "document":
            return record_id
        attachment = self._attachment(message_id, index)
        content = self.file_bytes(message_id, index, fetch)
        title = attachment.name.rsplit(".", 1)[0][:200] or attachment.name
        metadata = {
            "title": title,
            "type": attachment.type or doc_type,
            "date": datetime.now(UTC).date().isoformat(),
            "mime": attachment.mime,
            "masked": False,
            "description": "",
            "from_message": message_id,
            "from_attachment": index,
        } | self._sender(message_id)
        return self.documents.add(io.BytesIO(content), metadata, record_id=record_id)

    def _sender(self, message_id: str) -> dict[str, str]:
        """Who sent a message: the conversation's professional, or nothing for the holder's own."""
        message = self.store.get(message_id)
        if message is None or not message.read_only:
            return {}
        conversation = self.store.get(str(message.data.get("conversation_id", "")))
        data = conversation.data if conversation is not None else {}
        return {
            "author_name": str(data.get("professional_name", "")),
            "author_profession": str(data.get("profession", "")),
        }
