"""Secure messaging rules both ends check: sizes of a message, its attachments, the shape of
the records of a conversation and of a message.

Records of the holder's space:
    conversation  {professional_id, professional_name, profession, subject, started_by, archived}
    message       {conversation_id, body, attachments: [Attachment], sent_at, read}
An attachment is a document of the record {"kind": "document", "document_id", "title", "mime"}
or a file {"kind": "file", "name", "mime", "size", "sha256"} whose bytes travel as an upload.
"""

import re
from typing import Any

from sync.protocol.errors import ErrorCode

MAX_BODY = 5000
MAX_SUBJECT = 200
MAX_ATTACHMENTS = 5
FILE_MIMES = ("application/pdf", "image/jpeg", "image/png")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def body_problem(body: object) -> ErrorCode | None:
    """An empty or too long message is refused (on the phone first, then on the server)."""
    if not isinstance(body, str) or not body.strip():
        return ErrorCode.MESSAGE_EMPTY
    return ErrorCode.MESSAGE_TOO_LONG if len(body) > MAX_BODY else None


def subject_problem(subject: object) -> ErrorCode | None:
    if not isinstance(subject, str) or not subject.strip():
        return ErrorCode.MESSAGE_EMPTY
    return ErrorCode.MESSAGE_TOO_LONG if len(subject) > MAX_SUBJECT else None


def attachment_problem(attachment: Any) -> ErrorCode | None:
    """The shape of one attachment (whether the document is the holder's is the server's check)."""
    if not isinstance(attachment, dict):
        return ErrorCode.MESSAGE_ATTACHMENT
    kind = attachment.get("kind")
    if kind == "document":
        return None if _ID.match(str(attachment.get("document_id", ""))) else ErrorCode.MESSAGE_ATTACHMENT
    if kind == "file":
        ok = (
            _SHA256.match(str(attachment.get("sha256", "")))
            and attachment.get("mime") in FILE_MIMES
            and isinstance(attachment.get("size"), int)
            and 0 < attachment["size"] <= 20 * 1024 * 1024
            and 0 < len(str(attachment.get("name", ""))) <= 200
        )
        return None if ok else ErrorCode.MESSAGE_ATTACHMENT
    return ErrorCode.MESSAGE_ATTACHMENT


def message_problem(data: dict[str, Any]) -> ErrorCode | None:
    """A message record as a whole: its text, then each attachment (one file at most)."""
    if problem := body_problem(data.get("body")):
        return problem
    attachments = data.get("attachments", [])
    if not isinstance(attachments, list) or len(attachments) > MAX_ATTACHMENTS:
        return ErrorCode.MESSAGE_ATTACHMENT
    if sum(isinstance(a, dict) and a.get("kind") == "file" for a in attachments) > 1:
        return ErrorCode.MESSAGE_ATTACHMENT
    return next((p for a in attachments if (p := attachment_problem(a))), None)
