"""Between the services and the gate (rules/gate.py): the facts it needs, and its verdicts carried out.

Services never decide who may see what: they describe the actor, the space and the item with the
helpers here, ask `gate.decide`, and hand a refusal to `refuse`, which writes the line where the
verdict says (the space's access log, or the security log for a caller with no relation) and
answers with the verdict's code. The member asking in a holder route (the holder, a parent acting
on a minor's space with `X-Space`, or a helper acting on the space of someone they help) is set
once per request by api/deps.py.
"""

from contextvars import ContextVar
from dataclasses import replace
from datetime import datetime
from typing import Any, NoReturn

from backend_stub.context import Context
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.models.record import Record
from backend_stub.rules import gate
from backend_stub.services import audit, security
from sync.protocol.errors import ErrorCode
from sync.protocol.reference import shared_sections
from sync.protocol.schemas import SpaceStatus

SECRET = "hidden_from_guardians"  # a minor's item their parents must not see
HIDDEN = "hidden_from_patient"  # until a professional has told the patient in person
MASKED_FROM_HELPERS = "masked_from_helpers"  # the holder hid it from their helpers
HELPERS = "helpers"  # the upload audience of what helpers send (their own de-duplication)
PRO_PREFIX = "professional:"
# Ids the server gives to what others write; a device never creates one, so a push naming one that
# the caller cannot see gets the answer of one that does not exist.
RESERVED_PREFIXES = ("pro-", "app-")
ACTIVE = gate.Space(SpaceStatus.ACTIVE)

_acting: ContextVar[Holder | None] = ContextVar("acting_guardian", default=None)
_helping: ContextVar[tuple[Holder, gate.Helper] | None] = ContextVar("acting_helper", default=None)


def acting_guardian() -> Holder | None:
    """The parent acting on a child's space in this request, or None (the holder themself)."""
    return _acting.get()


def acting_helper() -> tuple[Holder, gate.Helper] | None:
    """The helper (or representative) acting on the space of someone they help, and the gate's
    facts about them, or None."""
    return _helping.get()


def set_acting(guardian: Holder | None, helper: tuple[Holder, gate.Helper] | None = None) -> None:
    """Called once per request by api/deps.py, before any service runs."""
    _acting.set(guardian)
    _helping.set(helper)


def parents() -> bool:
    """The request is a parent's on a minor's space: their own numbering of feeds and logs."""
    return acting_guardian() is not None


def feed() -> str:
    """The numbering of feeds this member reads, in which all they may see, and only that, has a
    number (services/sequence.py): a minor's parents', a helper's (with or without the messages),
    else the holder's. A representative who represents sees what the holder sees."""
    if (helping := acting_helper()) is not None and not helping[1].represents:
        return "hmseq" if helping[1].messages else "hseq"
    return "gseq" if parents() else "vseq"


def on_behalf() -> bool:
    """Someone acts on another person's space (a parent, a helper, a representative)."""
    return acting_guardian() is not None or acting_helper() is not None


def space_of(holder: Holder | None) -> gate.Space:
    if holder is None:
        return gate.Space(None)
    return gate.Space(
        holder.status,
        holder.emergency_access,
        holder.regulator_access,
        holder.masked_in_emergency,
        shared_sections(holder.profile_sharing),
    )


def member() -> gate.Member | gate.Helper:
    """The member asking in this request: the holder, a parent acting on a child's space, or a helper."""
    if (helping := acting_helper()) is not None:
        return helping[1]
    return gate.Member(guardian=acting_guardian() is not None)


def author_id(record: Record) -> str | None:
    return record.author.removeprefix(PRO_PREFIX) if record.author.startswith(PRO_PREFIX) else None


def item_of(record: Record, action: str = "read") -> gate.Item:
    """A record of the space as the gate sees it."""
    data = record.data
    return gate.Item(
        kind=record.collection,
        action=action,
        secret=bool(data.get(SECRET)),
        hidden_from_patient=bool(data.get(HIDDEN)),
        masked=bool(data.get("masked")),
        masked_from_helpers=bool(data.get(MASKED_FROM_HELPERS)),
        type=str(data.get("type", "other")),
        author_id=author_id(record),
    )


def visible(record: Record) -> bool:
    """May the member asking see this record of their (open) space?"""
    return gate.decide(member(), ACTIVE, item_of(record), datetime.min).allowed


def may_see(item: gate.Item) -> bool:
    """The same, for an item that is not a record (a notification, a log line, an upload)."""
    return gate.decide(member(), ACTIVE, item, datetime.min).allowed


def write_refusal(collection: str, *, new: bool) -> ErrorCode | None:
    """May the member asking add (new) or change a record of this collection? (a helper: only
    new documents, measurements and appointments, and only with "read and add")"""
    item = gate.Item(kind=collection, action="write" if new else "change")
    verdict = gate.decide(member(), ACTIVE, item, datetime.min)
    return None if verdict.allowed else verdict.refusal


def secret_data(data: dict[str, Any]) -> bool:
    return bool(data.get(SECRET))


def audience(data: dict[str, Any]) -> str:
    """Who may reach the bytes of an item: everyone of the space (""), not the parents, not the patient."""
    if data.get(HIDDEN):
        return "patient"
    return "guardians" if data.get(SECRET) else ""


def upload_audience() -> str:
    """Where a new upload's bytes de-duplicate: a helper's (not a representative's) stay among the
    helpers' own, so sending the bytes of an item masked from them never finds it."""
    helping = acting_helper()
    return HELPERS if helping is not None and not helping[1].represents else ""


def reserved(record_id: str) -> bool:
    return record_id.startswith(RESERVED_PREFIXES)


def refuse(
    *,
    ctx: Context,
    session: Any,
    verdict: gate.Verdict,
    holder_id: str | None,
    who: audit.Actor,
    access: audit.Access,
    actor_kind: str,
    **params: Any,
) -> NoReturn:
    """Write the refusal where the verdict says, commit it, and answer with its code (and `params`
    for its message)."""
    assert verdict.refusal is not None
    record_refusal(
        ctx=ctx,
        session=session,
        verdict=verdict,
        holder_id=holder_id,
        who=who,
        access=access,
        actor_kind=actor_kind,
    )
    session.commit()
    raise DomainError(verdict.refusal, **params)


def record_refusal(
    *,
    ctx: Context,
    session: Any,
    verdict: gate.Verdict,
    holder_id: str | None,
    who: audit.Actor,
    access: audit.Access,
    actor_kind: str,
) -> None:
    """The refusal's line, in the space's log or in the security log (the caller commits)."""
    assert verdict.refusal is not None
    code = verdict.refusal.value
    if verdict.log == gate.Log.SPACE and holder_id:
        line = replace(access, outcome="refused", detail=code)
        audit.append(
            session=session,
            holder_id=holder_id,
            actor=who,
            access=line,
            at=ctx.clock.now(),
            secret=verdict.secret,
        )
    elif verdict.log == gate.Log.SECURITY:
        security.refused(session=session, ctx=ctx, actor_kind=actor_kind, actor_id=who.id, code=code)
