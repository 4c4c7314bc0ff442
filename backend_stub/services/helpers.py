"""Helpers (aidants) and adults under legal protection: who may act on another adult's space.

A holder delegates to another holder ("Donner accès à mon profil"), who accepts in their own app;
the helper then sends `X-Space: <helped id>` with their own token, as a parent does on a minor's
space (api/deps.py calls `resolve_space`). The insurer records legal protection measures from a
court's decision (`add_measure`, CLI `add-measure`). What a helper may do is the gate's answer
(rules/gate.py, `Helper`); this module states the facts and carries the verdicts out: the line in
the helped person's log under the helper's name, the notices, the ends.

Dates are French calendar days (Europe/Paris), as for minors: a delegation "until 31/05/2027"
opens that whole day. An invitation expires 7 days after it is made, an active delegation at the
end of its last day, and either's space closing ends it for good (reopening does not revive it).
"""

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlmodel import Session, col, or_, select

from backend_stub.context import Context
from backend_stub.core.clock import as_utc
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.models.helpers import Delegation, LegalMeasure
from backend_stub.rules import gate
from backend_stub.services import audit, gatekeeper, notifications, ratelimit
from backend_stub.services.ages import is_minor, local_day
from backend_stub.services.children import by_nir
from backend_stub.services.claims import claim
from backend_stub.services.sequence import lock_holder
from sync.protocol.errors import ErrorCode
from sync.protocol.helpers_schemas import (
    MAX_HELPERS,
    DelegationIn,
    DelegationOut,
    DelegationsOut,
    DelegationStatus,
    Person,
    dates_problem,
    invitation_expires,
)
from sync.protocol.schemas import SpaceStatus

HELPER = "helper"  # the profession code of a helper in the helped person's log
API_PREFIX = "/api/v1"
OPEN = (DelegationStatus.PENDING.value, DelegationStatus.ACTIVE.value)

# --- what a delegation is, now ---------------------------------------------------------------------


def status_of(d: Delegation, now: datetime) -> DelegationStatus:
    """The stored status read against the clock: an unanswered invitation expires, a delegation
    ends after its last day."""
    if d.status == DelegationStatus.PENDING and now >= invitation_expires(as_utc(d.created_at)):
        return DelegationStatus.EXPIRED
    if d.status == DelegationStatus.ACTIVE and local_day(now) > d.ends_on:
        return DelegationStatus.ENDED
    return DelegationStatus(d.status)


def _person(holder: Holder) -> Person:
    return Person(id=holder.id, first_name=holder.first_name, last_name=holder.last_name)


def out(session: Session, d: Delegation, now: datetime) -> DelegationOut:
    helped, helper = session.get(Holder, d.helped_id), session.get(Holder, d.helper_id)
    assert helped is not None and helper is not None
    return DelegationOut(
        id=d.id,
        helped=_person(helped),
        helper=_person(helper),
        status=status_of(d, now),
        starts_on=d.starts_on,
        ends_on=d.ends_on,
        may_add=d.may_add,
        messages=d.messages,
        created_at=as_utc(d.created_at),
        expires_at=invitation_expires(as_utc(d.created_at)),
    )


def _open_of(session: Session, *, helped_id: str) -> list[Delegation]:
    return list(
        session.exec(
            select(Delegation).where(Delegation.helped_id == helped_id, col(Delegation.status).in_(OPEN))
        ).all()
    )


# --- the helped person's side -------------------------------------------------------------------


def _helper_by_identity(session: Session, ctx: Context, body: DelegationIn) -> Holder:
    """The holder whose social security number, names and birth date all match: any mismatch
    gets the one answer of an unknown person, so the form cannot be used to probe identities."""
    found = by_nir(session, ctx, body.nir.replace(" ", ""))
    same = (
        found is not None
        and found.first_name.casefold() == body.first_name.strip().casefold()
        and found.last_name.casefold() == body.last_name.strip().casefold()
        and found.birth_date == body.birth_date
    )
    if not same:
        raise DomainError(ErrorCode.HELPER_NOT_FOUND)
    assert found is not None
    return found


def invite(*, session: Session, ctx: Context, helped: Holder, body: DelegationIn) -> DelegationOut:
    """ "Donner accès à mon profil": an invitation the helper answers within 7 days."""
    now = ctx.clock.now()
    if problem := dates_problem(body.starts_on, body.ends_on, local_day(now)):
        raise DomainError(problem)
    # Each search names a person by identity: limited per holder, like the letter's identifiers.
    limit = ctx.settings.rate_per_account
    ratelimit.hit(session=session, ctx=ctx, scope="helper-search", subject=helped.id, limit=limit)
    helper = _helper_by_identity(session, ctx, body)
    if helper.id == helped.id:
        raise DomainError(ErrorCode.HELPER_SELF)
    if is_minor(helper, now):
        raise DomainError(ErrorCode.HELPER_MINOR)
    if helper.status != SpaceStatus.ACTIVE:
        raise DomainError(ErrorCode.HELPER_SPACE_NOT_ACTIVE)
    lock_holder(session, helped.id)  # two invitations at once cannot both be the 3rd
    live = [d for d in _open_of(session, helped_id=helped.id) if status_of(d, now) in OPEN]
    if any(d.helper_id == helper.id for d in live):
        raise DomainError(ErrorCode.HELPER_ALREADY)
    if len(live) >= MAX_HELPERS:
        raise DomainError(ErrorCode.HELPER_TOO_MANY)
    made = Delegation(
        helped_id=helped.id,
        helper_id=helper.id,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        may_add=body.may_add,
        messages=body.messages,
        created_at=now,
    )
    session.add(made)
    name = f"{helper.first_name} {helper.last_name}"
    notifications.notify(session=session, ctx=ctx, holder=helped, kind="delegation_new", name=name)
    notifications.notify(
        session=session,
        ctx=ctx,
        holder=helper,
        kind="delegation_invited",
        name=f"{helped.first_name} {helped.last_name}",
    )
    session.commit()
    return out(session, made, now)


def lists(*, session: Session, ctx: Context, holder: Holder) -> DelegationsOut:
    """Both sides, open ones first then the last ended, newest first (a holder has a handful)."""
    now = ctx.clock.now()
    rows = session.exec(
        select(Delegation)
        .where(or_(Delegation.helped_id == holder.id, Delegation.helper_id == holder.id))
        .order_by(col(Delegation.created_at).desc())
        .limit(50)
    ).all()
    shown = [out(session, d, now) for d in rows]
    return DelegationsOut(
        given=[d for d in shown if d.helped.id == holder.id],
        received=[d for d in shown if d.helper.id == holder.id and d.status != DelegationStatus.REFUSED],
    )


def _mine(session: Session, *, holder: Holder, delegation_id: str, side: str) -> Delegation:
    """A delegation of this holder on that side; anyone else's answers as one that does not exist."""
    found = session.get(Delegation, delegation_id[:32])
    if found is None or getattr(found, f"{side}_id") != holder.id:
        raise DomainError(ErrorCode.NOT_FOUND)
    return found


def answer(
    *, session: Session, ctx: Context, helper: Holder, delegation_id: str, accept: bool
) -> DelegationOut:
    """The helper accepts (the helped person is told) or refuses an invitation within its 7 days."""
    now = ctx.clock.now()
    found = _mine(session, holder=helper, delegation_id=delegation_id, side="helper")
    helped = session.get(Holder, found.helped_id)
    assert helped is not None
    lock_holder(session, helped.id)
    session.refresh(found)
    status = status_of(found, now)
    if status == DelegationStatus.EXPIRED:
        raise DomainError(ErrorCode.HELPER_INVITATION_EXPIRED)
    if status != DelegationStatus.PENDING:
        raise DomainError(ErrorCode.NOT_FOUND)
    if accept and helped.status != SpaceStatus.ACTIVE:
        raise DomainError(ErrorCode.HELPER_SPACE_NOT_ACTIVE)
    live = [d for d in _open_of(session, helped_id=helped.id) if status_of(d, now) == DelegationStatus.ACTIVE]
    if accept and len(live) >= MAX_HELPERS:
        raise DomainError(ErrorCode.HELPER_TOO_MANY)
    status = DelegationStatus.ACTIVE if accept else DelegationStatus.REFUSED
    # Written only if still pending, in one statement: an invitation the helped person ends while
    # the helper accepts it (the end does not take the lock above) stays ended.
    pending = (col(Delegation.id) == found.id, col(Delegation.status) == DelegationStatus.PENDING)
    if not claim(session, Delegation, *pending, status=status, answered_at=now):
        raise DomainError(ErrorCode.NOT_FOUND)
    found.status, found.answered_at = status, now
    if accept:
        name = f"{helper.first_name} {helper.last_name}"
        notifications.notify(session=session, ctx=ctx, holder=helped, kind="delegation_accepted", name=name)
    session.commit()
    return out(session, found, now)


def end(*, session: Session, ctx: Context, holder: Holder, delegation_id: str) -> DelegationOut:
    """Either side ends it at once (an invitation too); the helped person is told."""
    now = ctx.clock.now()
    found = session.get(Delegation, delegation_id[:32])
    if found is None or holder.id not in (found.helped_id, found.helper_id):
        raise DomainError(ErrorCode.NOT_FOUND)
    if status_of(found, now) in OPEN:
        _close(session, ctx, found, "helped" if holder.id == found.helped_id else "helper", now)
        session.commit()
    return out(session, found, now)


def _close(session: Session, ctx: Context, d: Delegation, reason: str, now: datetime) -> None:
    was_active = d.status == DelegationStatus.ACTIVE
    d.status, d.ended_at, d.ended_reason = DelegationStatus.ENDED, now, reason
    session.add(d)
    helped, helper = session.get(Holder, d.helped_id), session.get(Holder, d.helper_id)
    assert helped is not None and helper is not None
    if was_active and helped.status == SpaceStatus.ACTIVE:
        name = f"{helper.first_name} {helper.last_name}"
        notifications.notify(session=session, ctx=ctx, holder=helped, kind="delegation_ended", name=name)


def end_for_space(*, session: Session, ctx: Context, holder: Holder, reason: str) -> int:
    """A space closed (or its holder died): every delegation it gives or receives ends, for good.
    The caller commits."""
    now = ctx.clock.now()
    rows = session.exec(
        select(Delegation).where(
            or_(Delegation.helped_id == holder.id, Delegation.helper_id == holder.id),
            col(Delegation.status).in_(OPEN),
        )
    ).all()
    for d in rows:
        _close(session, ctx, d, reason, now)
    return len(rows)


# --- acting on the helped person's space (X-Space) ----------------------------------------------


@dataclass(frozen=True)
class HelperActor:
    """A helper or representative as written in the helped person's access log."""

    id: str
    first_name: str
    last_name: str
    profession: str = HELPER


def _actor(holder: Holder, measure: str) -> HelperActor:
    return HelperActor(holder.id, holder.first_name, holder.last_name, measure or HELPER)


def facts(session: Session, ctx: Context, *, caller: Holder, helped: Holder) -> gate.Helper | None:
    """What the gate needs to know of the caller on the helped person's space; None when no
    delegation was ever accepted nor any measure recorded (a stranger, for the gate)."""
    now = ctx.clock.now()
    today = local_day(now)
    both_active = caller.status == SpaceStatus.ACTIVE and helped.status == SpaceStatus.ACTIVE
    measures = session.exec(
        select(LegalMeasure).where(
            LegalMeasure.protected_id == helped.id, LegalMeasure.representative_id == caller.id
        )
    ).all()
    for m in measures:
        if m.ended_at is None and m.starts_on <= today <= m.ends_on:
            return gate.Helper(
                linked=both_active, may_add=True, messages=m.kind in gate.REPRESENTS, measure=m.kind
            )
    delegations = session.exec(
        select(Delegation).where(
            Delegation.helped_id == helped.id,
            Delegation.helper_id == caller.id,
            col(Delegation.answered_at).is_not(None),
            Delegation.status != DelegationStatus.REFUSED,
        )
    ).all()
    for d in delegations:
        if status_of(d, now) == DelegationStatus.ACTIVE and d.starts_on <= today:
            return gate.Helper(linked=both_active, may_add=d.may_add, messages=d.messages)
    if measures or delegations:
        return gate.Helper(linked=False, measure=measures[0].kind if measures else "")
    return None


def _request_item(method: str, route: str, own_space_only: bool, polling: bool) -> gate.Item:
    """A helper's request as the gate sees it: polling for changes is the one unlogged act."""
    label = route.removeprefix(API_PREFIX)
    action = "write" if method != "GET" else ("list" if polling else "read")
    return gate.Item(action=action, own_space_only=own_space_only, route=label)


def resolve_space(
    *,
    session: Session,
    ctx: Context,
    caller: Holder,
    helped: Holder,
    helper: gate.Helper,
    method: str,
    route: str,
    path_params: dict[str, str],
    own_space_only: bool,
    polling: bool,
) -> Holder:
    """The helped person's space if the gate lets the helper in; the line goes to their log,
    under the helper's name (committed here, before the route)."""
    verdict = gate.decide(
        helper,
        gatekeeper.space_of(helped),
        _request_item(method, route, own_space_only, polling),
        ctx.clock.now(),
    )
    label = route.removeprefix(API_PREFIX)
    target = path_params.get("record_id") or path_params.get("message_id") or label
    kind = "write" if method != "GET" else "read"
    line = audit.Access(
        kind, helper.measure or HELPER, "allowed", target[:64], detail=label if kind == "read" else method
    )
    who = _actor(caller, helper.measure)
    if not verdict.allowed:
        gatekeeper.refuse(
            ctx=ctx,
            session=session,
            verdict=verdict,
            holder_id=helped.id,
            who=who,
            access=replace(line, target=label[:64]),
            actor_kind="holder",
        )
    if verdict.log == gate.Log.SPACE:
        audit.append(session=session, holder_id=helped.id, actor=who, access=line, at=ctx.clock.now())
        session.commit()
    return helped


def document_added(*, session: Session, ctx: Context, helped: Holder, helper: Holder, title: str) -> None:
    """Every document a helper adds is told to the helped person (in the caller's transaction)."""
    notifications.notify(
        session=session,
        ctx=ctx,
        holder=helped,
        kind="helper_document",
        name=f"{helper.first_name} {helper.last_name}",
        title=title[:200],
    )


# --- the insurer: legal protection measures ------------------------------------------------------


def add_measure(
    *,
    session: Session,
    ctx: Context,
    protected_nir: str,
    representative_nir: str,
    kind: str,
    starts_on: date,
    ends_on: date,
) -> LegalMeasure:
    """Record a court's measure: the representative acts on the protected adult's space within its kind."""
    protected, representative = by_nir(session, ctx, protected_nir), by_nir(session, ctx, representative_nir)
    now = ctx.clock.now()
    if protected is None or representative is None:
        raise ValueError("the protected person and the representative must both be enrolled")
    if kind not in gate.MEASURES:
        raise ValueError(f"kind must be one of {', '.join(sorted(gate.MEASURES))}")
    if protected.id == representative.id or is_minor(protected, now) or is_minor(representative, now):
        raise ValueError("two different adults")
    if ends_on < starts_on or ends_on < local_day(now):
        raise ValueError("the end (or review) date must come after the start, and not be past")
    measure = LegalMeasure(
        protected_id=protected.id,
        representative_id=representative.id,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    session.add(measure)
    session.commit()
    return measure


def end_measure(*, session: Session, ctx: Context, protected_nir: str, representative_nir: str) -> int:
    """The measure ends (lifted, or not renewed): the representative's next request is refused."""
    protected, representative = by_nir(session, ctx, protected_nir), by_nir(session, ctx, representative_nir)
    if protected is None or representative is None:
        return 0
    rows = session.exec(
        select(LegalMeasure).where(
            LegalMeasure.protected_id == protected.id,
            LegalMeasure.representative_id == representative.id,
            col(LegalMeasure.ended_at).is_(None),
        )
    ).all()
    for m in rows:
        m.ended_at = ctx.clock.now()
        session.add(m)
    session.commit()
    return len(rows)


def record_death(*, session: Session, ctx: Context, nir: str) -> int:
    """The insurer learns of a death: every delegation and measure naming the person ends now
    (their space's archiving follows the usual closure rules). The number of links ended."""
    holder = by_nir(session, ctx, nir)
    if holder is None:
        return 0
    ended = end_for_space(session=session, ctx=ctx, holder=holder, reason="death")
    rows = session.exec(
        select(LegalMeasure).where(
            or_(LegalMeasure.protected_id == holder.id, LegalMeasure.representative_id == holder.id),
            col(LegalMeasure.ended_at).is_(None),
        )
    ).all()
    for m in rows:
        m.ended_at = ctx.clock.now()
        session.add(m)
    session.commit()
    return ended + len(rows)
