"""Text helpers both ends share."""

import unicodedata

__all__ = ["fold"]


def fold(text: str) -> str:
    """Lower case without accents, for searches that forgive both ("hopital" finds "Hôpital")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
