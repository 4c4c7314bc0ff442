"""Minors' spaces: their parents act on them, their secret items stay hidden, and at 18 it all ends.

A parent sends `X-Space: <child id>` with their own token (api/deps.py calls `resolve_space`,
which asks the gate). The acting parent is kept for the request (`gatekeeper.set_acting`), so
every service that shows something asks the gate as that parent, and the minor's secret items
(`hidden_from_guardians`) do not exist for them. Ages and majority: `services/ages.py`.
"""

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.models.children import Guardianship
from backend_stub.rules import gate
from backend_stub.services import activation, audit, gatekeeper
from backend_stub.services.ages import age_on, born_on_or_before_for_majority, is_minor, local_day
from backend_stub.services.claims import claim
from backend_stub.services.letters import issue_code, send_letter
from sync.protocol.children_schemas import COLOURS, ChildName, ChildOut
from sync.protocol.errors import ErrorCode
from sync.protocol.schemas import Identifiers, SpaceStatus

GUARDIAN = "guardian"  # the profession code of a parent in the child's access log
API_PREFIX = "/api/v1"
# Reads a parent makes that are written to the child's log (lists and sync pulls are not).
LOGGED_READS = ("/content", "/attachments/")

# --- guardianships -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardianActor:
    """A parent as written in the child's access log."""

    id: str
    first_name: str
    last_name: str
    profession: str = GUARDIAN


def actor(holder: Holder) -> GuardianActor:
    return GuardianActor(id=holder.id, first_name=holder.first_name, last_name=holder.last_name)


def any_link(session: Session, *, child_id: str, guardian_id: str) -> bool:
    """Was this holder ever a parent of this child (open or ended guardianship)?"""
    found = session.exec(
        select(Guardianship.id).where(
            Guardianship.child_id == child_id, Guardianship.guardian_id == guardian_id
        )
    ).first()
    return found is not None


def active_link(session: Session, *, child_id: str, guardian_id: str) -> Guardianship | None:
    return session.exec(
        select(Guardianship).where(
            Guardianship.child_id == child_id,
            Guardianship.guardian_id == guardian_id,
            col(Guardianship.ended_at).is_(None),
        )
    ).first()


def may_act(session: Session, ctx: Context, *, guardian_id: str, child: Holder) -> bool:
    """An open guardianship of an active space whose holder is still a minor today."""
    return (
        child.status == SpaceStatus.ACTIVE
        and is_minor(child, ctx.clock.now())
        and active_link(session, child_id=child.id, guardian_id=guardian_id) is not None
    )


def link(session: Session, *, child: Holder, guardian: Holder, now: datetime) -> Guardianship:
    """Attach a holder of parental authority (once: an open link is reused)."""
    found = active_link(session, child_id=child.id, guardian_id=guardian.id)
    if found is None:
        found = Guardianship(child_id=child.id, guardian_id=guardian.id, since=now)
        session.add(found)
    return found


def _route_label(request_path: str) -> str:
    return request_path.removeprefix(API_PREFIX)


def _request_item(method: str, route: str, own_space_only: bool) -> gate.Item:
    """A parent's request as the gate sees it: a change, a content opened, or a list or pull."""
    if method != "GET":
        return gate.Item(action="write", own_space_only=own_space_only)
    if any(part in route for part in LOGGED_READS):
        return gate.Item(kind="content", action="read", own_space_only=own_space_only)
    return gate.Item(action="list", own_space_only=own_space_only)


def _line(method: str, route: str, path_params: dict[str, str]) -> audit.Access:
    """The child's log line of a parent's request (the gate says whether it is written)."""
    label = _route_label(route)
    if method != "GET":
        return audit.Access("write", GUARDIAN, "allowed", label, detail=method)
    target = path_params.get("record_id") or path_params.get("message_id") or label
    return audit.Access("read", GUARDIAN, "allowed", target[:64], detail=label)


def resolve_space(
    *,
    session: Session,
    ctx: Context,
    caller: Holder,
    space_id: str,
    method: str,
    route: str,
    path_params: dict[str, str],
    own_space_only: bool = False,
) -> tuple[Holder, Holder | None]:
    """The space a request acts on and the acting parent (None: the caller's own space), by the gate.

    A refusal is written to the child's log only when the caller was once a parent of that child
    (anyone else who names an id writes to the security log only); an allowed change or a content
    opened is written too, with the parent as actor (committed here, before the route)."""
    if not space_id or space_id == caller.id:
        return caller, None
    child = session.get(Holder, space_id)
    ever = child is not None and any_link(session, child_id=child.id, guardian_id=caller.id)
    linked = (
        child is not None
        and caller.status == SpaceStatus.ACTIVE
        and ever
        and may_act(session, ctx, guardian_id=caller.id, child=child)
    )
    member = gate.Member(guardian=True, linked=linked, ever_linked=ever)
    space = gate.Space(child.status) if child is not None else gate.Space(None)
    verdict = gate.decide(member, space, _request_item(method, route, own_space_only), ctx.clock.now())
    line = _line(method, route, path_params)
    if not verdict.allowed:
        refused = replace(line, target=_route_label(route)[:64])
        gatekeeper.refuse(
            ctx=ctx,
            session=session,
            verdict=verdict,
            holder_id=child.id if child is not None else None,
            who=actor(caller),
            access=refused,
            actor_kind="holder",
        )
    assert child is not None
    if verdict.log == gate.Log.SPACE:
        audit.append(
            session=session, holder_id=child.id, actor=actor(caller), access=line, at=ctx.clock.now()
        )
        session.commit()
    return child, caller


# --- what a parent sees ------------------------------------------------------------------------


def colour(child_id: str) -> int:
    return int(hashlib.sha256(child_id.encode()).hexdigest()[:8], 16) % COLOURS


def child_out(child: Holder, now: datetime) -> ChildOut:
    return ChildOut(
        id=child.id,
        first_name=child.first_name,
        last_name=child.last_name,
        birth_date=child.birth_date,
        status=child.status,
        age_years=age_on(child.birth_date, local_day(now)),
        colour=colour(child.id),
        can_act=child.status == SpaceStatus.ACTIVE and is_minor(child, now),
    )


def children_of(*, session: Session, ctx: Context, guardian: Holder) -> list[ChildOut]:
    """The minors whose parental authority the holder holds today, eldest first."""
    now = ctx.clock.now()
    rows = session.exec(
        select(Holder)
        .join(Guardianship, col(Guardianship.child_id) == col(Holder.id))
        .where(Guardianship.guardian_id == guardian.id, col(Guardianship.ended_at).is_(None))
        .order_by(col(Holder.birth_date), col(Holder.first_name))
    ).all()
    return [child_out(child, now) for child in rows if is_minor(child, now)]


# --- activation by the parent ------------------------------------------------------------------


def _child_by_ids(
    *, session: Session, ctx: Context, guardian: Holder, ids: Identifiers, client: str
) -> Holder:
    """The three identifiers of a child of this parent; any mismatch, or someone else's child,
    gets the one answer of a wrong triple (rate-limited like activation)."""
    child = activation.identify(session=session, ctx=ctx, ids=ids, client=client)
    if active_link(session, child_id=child.id, guardian_id=guardian.id) is None:
        raise DomainError(ErrorCode.IDENTIFIERS_MISMATCH)
    if child.status == SpaceStatus.ACTIVE:
        raise DomainError(ErrorCode.ALREADY_ACTIVE)  # a parent opened it already
    activation.check_usable(child, ctx.clock.now())
    return child


def check(*, session: Session, ctx: Context, guardian: Holder, ids: Identifiers, client: str) -> ChildName:
    child = _child_by_ids(session=session, ctx=ctx, guardian=guardian, ids=ids, client=client)
    return ChildName(first_name=child.first_name, status=child.status)


def activate(*, session: Session, ctx: Context, guardian: Holder, ids: Identifiers, client: str) -> ChildOut:
    """Open the child's space; it has no login (the parents act on it from their own)."""
    child = _child_by_ids(session=session, ctx=ctx, guardian=guardian, ids=ids, client=client)
    now = ctx.clock.now()
    # In one statement, only if the space is as it was read: two parents (or two taps) at once open
    # it once, and an objection written meanwhile by the other parent is never overwritten.
    opened = claim(
        session,
        Holder,
        col(Holder.id) == child.id,
        col(Holder.status) == child.status,
        col(Holder.code_digest) == child.code_digest,
        col(Holder.code_expires_at) > now,
        status=SpaceStatus.ACTIVE,
        activated_at=now,
        created_at=child.created_at or now,
        code_expires_at=now,  # the provisional code is spent
    )
    if not opened:
        session.commit()  # the tries counted stay counted
        session.refresh(child)
        raise DomainError(
            ErrorCode.ALREADY_OBJECTED if child.status == SpaceStatus.OBJECTED else ErrorCode.ALREADY_ACTIVE
        )
    child.status, child.activated_at, child.code_expires_at = SpaceStatus.ACTIVE, now, now  # as written
    child.created_at = child.created_at or now
    audit.append(
        session=session,
        holder_id=child.id,
        actor=actor(guardian),
        access=audit.Access("activate", GUARDIAN, "allowed", "space"),
        at=now,
    )
    session.commit()
    return child_out(child, now)


def object_to(*, session: Session, ctx: Context, guardian: Holder, ids: Identifiers, client: str) -> ChildOut:
    """The parent refuses the child's space within the 6 weeks (same rules as for an adult)."""
    child = _child_by_ids(session=session, ctx=ctx, guardian=guardian, ids=ids, client=client)
    activation.record_objection(session=session, ctx=ctx, holder=child)
    return child_out(child, ctx.clock.now())


# --- the insurer: enrolment, parental authority, majority --------------------------------------


def by_nir(session: Session, ctx: Context, nir: str) -> Holder | None:
    return session.exec(select(Holder).where(Holder.nir_digest == ctx.hasher.digest("nir", nir))).first()


def add_guardian(*, session: Session, ctx: Context, child_nir: str, guardian_nir: str) -> Guardianship:
    """Attach one more holder of parental authority to an enrolled minor."""
    child, guardian = by_nir(session, ctx, child_nir), by_nir(session, ctx, guardian_nir)
    now = ctx.clock.now()
    if child is None or guardian is None:
        raise ValueError("child and parent must both be enrolled")
    if not is_minor(child, now) or is_minor(guardian, now):
        raise ValueError("the child must be a minor and the parent an adult")
    found = link(session, child=child, guardian=guardian, now=now)
    session.commit()
    return found


def remove_guardian(*, session: Session, ctx: Context, child_nir: str, guardian_nir: str) -> bool:
    """Loss of parental authority: the link ends now (the parent's next request is refused)."""
    child, guardian = by_nir(session, ctx, child_nir), by_nir(session, ctx, guardian_nir)
    if child is None or guardian is None:
        return False
    found = active_link(session, child_id=child.id, guardian_id=guardian.id)
    if found is None:
        return False
    found.ended_at, found.reason = ctx.clock.now(), "removed"
    session.add(found)
    session.commit()
    return True


def come_of_age(*, session: Session, ctx: Context, batch_size: int = 1000) -> int:
    """Daily: on their 18th birthday all guardianships end and the young adult gets their own
    letter (new provisional code, a new 6-week objection window); their space and data stay."""
    now = ctx.clock.now()
    cutoff = born_on_or_before_for_majority(local_day(now))
    done = 0
    while True:
        rows = session.exec(
            select(Guardianship, Holder)
            .join(Holder, col(Holder.id) == col(Guardianship.child_id))
            .where(col(Guardianship.ended_at).is_(None), col(Holder.birth_date) <= cutoff)
            .limit(batch_size)
        ).all()
        adults: dict[str, Holder] = {}
        for link_row, child in rows:
            link_row.ended_at, link_row.reason = now, "majority"
            session.add(link_row)
            adults[child.id] = child
        codes = {}
        for child in adults.values():
            codes[child.id] = issue_code(ctx=ctx, holder=child, now=now)
            child.letter_sent_at = now
            child.objection_deadline = now + timedelta(weeks=ctx.settings.objection_weeks)
            session.add(child)
        session.commit()
        for child in adults.values():
            send_letter(ctx=ctx, holder=child, code=codes[child.id], kind="majority_letter")
        done += len(adults)
        if len(rows) < batch_size:
            return done
