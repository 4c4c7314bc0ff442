"""How a delegation is said in a card or the band (one place for both screens)."""

from datetime import date

from mobile.shell.words import text
from sync.protocol.helpers_schemas import DelegationOut


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def rights(d: DelegationOut, lang: str) -> str:
    """'Lecture seule' or 'Lecture et ajout', and the messages if allowed."""
    said = text("ui.helpers.may_add" if d.may_add else "ui.helpers.read_only", lang)
    return said + (" · " + text("ui.helpers.with_messages", lang) if d.messages else "")


def status(d: DelegationOut, lang: str) -> str:
    """'Invitation envoyée, à accepter avant le 12/01/2026' or 'Du 05/01/2026 au 31/05/2027'."""
    if d.status == "pending":
        return text("ui.helpers.pending", lang, until=day(d.expires_at.date()))
    return text("ui.helpers.dates", lang, start=day(d.starts_on), end=day(d.ends_on))
