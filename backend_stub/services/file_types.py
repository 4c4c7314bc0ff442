"""What a stored file is, read from its first bytes, never from what its sender declared.

The same magic numbers as `record_access.check_content` (what professionals and apps send): only
PDF, JPEG and PNG are kept and served, so an HTML page or a script dressed as a document is
refused on the way in and never reaches anyone's browser on the way out.
"""

from backend_stub.services.record_access import MIME_MAGIC

LONGEST_MAGIC = max(len(magic) for magic in MIME_MAGIC.values())


def served_type(head: bytes) -> str | None:
    """The type of a file starting with `head`, or None if it is not one we serve."""
    return next((mime for mime, magic in MIME_MAGIC.items() if head.startswith(magic)), None)
