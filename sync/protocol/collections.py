"""The kinds of records a space holds, and which of their fields are free text.

Conflict rule (shared by server and device): when two writes to the same record cross, the
structured fields take the write the server ordered last; a free-text field that differs keeps
the server's text and records the other one as a conflict for the person to settle.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Collection:
    """A record kind: its name on the wire and its free-text fields."""

    name: str
    free_text: frozenset[str] = frozenset()


COLLECTIONS: dict[str, Collection] = {
    c.name: c
    for c in (
        Collection("note", frozenset({"title", "body"})),
        Collection("measurement", frozenset({"note"})),
        Collection("document", frozenset({"description"})),
        Collection("profile_entry", frozenset({"notes"})),
        Collection("appointment", frozenset({"notes"})),
        Collection("setting"),
        Collection("checkup"),  # a check-up reminder marked done or dismissed (agenda)
        Collection("questionnaire"),  # the answers to a key-age questionnaire (protocol/questionnaires.py)
        Collection("conversation", frozenset({"subject"})),
        Collection("message", frozenset({"body"})),
    )
}
# What the holder may change of a record once written (a professional's, or a message sent):
# flags only. A professional's document: `masked`, and `pinned` (issue #17: kept at the top of the
# list); a message: `read`; a conversation: `archived`. Any of them may also be masked from the
# holder's helpers (`masked_from_helpers`).
HOLDER_FLAGS: dict[str, frozenset[str]] = {
    "document": frozenset({"masked", "masked_from_helpers", "pinned"}),
    "profile_entry": frozenset({"masked_from_helpers"}),
    "message": frozenset({"read"}),
    "conversation": frozenset({"archived"}),
}


def only_mask_changed(before: dict[str, object], after: dict[str, object]) -> bool:
    """A professional's document: the holder may change its `masked` flag and nothing else."""
    keys = (set(before) | set(after)) - {"masked", "_conflicts"}
    return all(before.get(k) == after.get(k) for k in keys)


def only_flags_changed(collection: str, before: dict[str, object], after: dict[str, object]) -> bool:
    """True when `after` differs from `before` at most in the holder's flags of `collection`."""
    flags = HOLDER_FLAGS.get(collection)
    if flags is None:
        return False
    keys = (set(before) | set(after)) - flags - {"_conflicts"}
    return all(before.get(k) == after.get(k) for k in keys)
