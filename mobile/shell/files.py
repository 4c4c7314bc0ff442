"""The files a person may add (to the record, or to a message): PDF, JPEG or PNG under 20 MiB,
recognised by their first bytes, because the file's name or the browser's word is not trusted."""

__all__ = ["EXTENSIONS", "MAX_DOCUMENT_BYTES", "sniff_mime"]

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# What the bytes must start with: the file's name or the browser's word is not trusted.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG", "image/png"),
)
EXTENSIONS = ("pdf", "jpg", "jpeg", "png")


def sniff_mime(data: bytes) -> str | None:
    """The document's type from its first bytes (PDF, JPEG, PNG), or None."""
    for magic, mime in MAGIC:
        if data.startswith(magic):
            return mime
    return None
