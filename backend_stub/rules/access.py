"""Who may open a holder's shared record, and which documents they then see. Pure functions.

    access_basis(actor, relation, request) -> Decision   may this professional open the record?
    can_read(actor, document, relation) -> bool           may they see this document?

The answers, in order (seeds, rules 4, 5 and 7):
1. A professional the holder blocked sees nothing, in any mode.
2. Emergency ("break-glass") needs a stated reason and the holder's emergency switch on;
   the regulator mode needs the SAMU-Centre 15 specialty, a reason and the regulator switch on.
3. Otherwise: the attending physician; a professional the holder authorised (not revoked, not
   expired); a member of the care team (consent recorded at the first access). A professional
   with no link may declare the holder's consent at a first access: they join the care team. A
   revoked professional may not re-enter by declaring consent: the holder's decision stands.
4. Per document: the access matrix of the profession/specialty; a masked document only for the
   attending physician and its author.
"""

from dataclasses import dataclass
from datetime import datetime

from sync.protocol.errors import ErrorCode
from sync.protocol.reference import readable_types

REGULATOR_SPECIALTY = "emergency_regulator"


@dataclass(frozen=True)
class Actor:
    """The professional asking."""

    id: str
    profession: str
    specialty: str = ""


@dataclass(frozen=True)
class Relation:
    """What the holder decided about this professional, as of now."""

    attending: bool = False
    blocked: bool = False
    authorised_until: datetime | None = None  # None with `authorised` = for good
    authorised: bool = False
    care_team: bool = False
    revoked: bool = False


@dataclass(frozen=True)
class Request:
    """How the professional asks: mode, stated reason, consent declared for a first access."""

    mode: str = "normal"  # normal, emergency, regulator
    reason: str = ""
    consent_declared: bool = False
    emergency_allowed: bool = True
    regulator_allowed: bool = True


@dataclass(frozen=True)
class Decision:
    """Allowed with a basis (what the access log says in "how"), or refused with a reason code."""

    allowed: bool
    basis: str = ""  # attending, authorised, care_team, new_care_team, emergency, regulator
    refusal: ErrorCode | None = None


def _refuse(code: ErrorCode) -> Decision:
    return Decision(False, refusal=code)


def access_basis(actor: Actor, relation: Relation, request: Request, now: datetime) -> Decision:
    """May `actor` open the record now, and on what basis?"""
    if relation.blocked:
        return _refuse(ErrorCode.ACCESS_BLOCKED)
    if request.mode == "emergency":
        if not request.reason.strip():
            return _refuse(ErrorCode.REASON_REQUIRED)
        return (
            Decision(True, "emergency") if request.emergency_allowed else _refuse(ErrorCode.EMERGENCY_REFUSED)
        )
    if request.mode == "regulator":
        if actor.specialty != REGULATOR_SPECIALTY:
            return _refuse(ErrorCode.NOT_REGULATOR)
        if not request.reason.strip():
            return _refuse(ErrorCode.REASON_REQUIRED)
        return (
            Decision(True, "regulator") if request.regulator_allowed else _refuse(ErrorCode.REGULATOR_REFUSED)
        )
    if relation.attending:
        return Decision(True, "attending")
    if relation.authorised and (relation.authorised_until is None or now < relation.authorised_until):
        return Decision(True, "authorised")
    if relation.care_team:
        return Decision(True, "care_team")
    if relation.revoked:
        return _refuse(ErrorCode.ACCESS_REVOKED)
    if request.consent_declared:
        return Decision(True, "new_care_team")
    return _refuse(ErrorCode.CONSENT_REQUIRED)


@dataclass(frozen=True)
class DocumentFacts:
    """What the rules need to know of a document."""

    type: str
    masked: bool
    author_id: str | None  # the professional who added it, None for the holder's own


def can_read(actor: Actor, document: DocumentFacts, relation: Relation) -> bool:
    """The matrix and the mask, for a professional already let in by `access_basis`."""
    if document.author_id == actor.id:
        return True
    if document.type not in readable_types(actor.profession, actor.specialty):
        return False
    return not document.masked or relation.attending
