"""The professionals' directory, and the holder's decisions about them (authorise, revoke,
block, attending physician, emergency switches)."""

import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.core.clock import as_utc
from backend_stub.core.security import token_digest
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.models.professionals import Grant, Professional
from backend_stub.rules import gate
from backend_stub.rules.gate import Relation
from backend_stub.services import gatekeeper
from sync.protocol.errors import ErrorCode
from sync.protocol.identifiers import normalize_rpps
from sync.protocol.record_schemas import ProfileSharing, SectionSharing
from sync.protocol.reference import professions, profile_sections, shared_by_default, shared_sections

SEARCH_LIMIT = 20


def register(
    *,
    session: Session,
    ctx: Context,
    rpps: str,
    first_name: str,
    last_name: str,
    profession: str,
    specialty: str = "",
    city: str = "",
) -> tuple[Professional, str]:
    """Add a professional to the directory; returns them and their API key (shown once)."""
    if profession not in professions():
        raise ValueError(f"unknown profession {profession}")
    api_key = _new_key()
    professional = Professional(
        rpps=normalize_rpps(rpps),
        first_name=first_name,
        last_name=last_name,
        profession=profession,
        specialty=specialty,
        city=city,
        api_key_digest=token_digest(api_key),
        created_at=ctx.clock.now(),
        key_expires_at=ctx.clock.now() + timedelta(days=ctx.settings.pro_key_days),
    )
    session.add(professional)
    session.commit()
    session.refresh(professional)
    return professional, api_key


def _new_key() -> str:
    return "pro_" + secrets.token_urlsafe(32)


def by_api_key(*, session: Session, ctx: Context, api_key: str) -> Professional:
    """The professional of a live key: unknown, expired and struck-off keys get one answer."""
    found = session.exec(
        select(Professional).where(Professional.api_key_digest == token_digest(api_key))
    ).first()
    now = ctx.clock.now()
    if (
        found is None
        or found.revoked_at is not None
        or (found.key_expires_at is not None and as_utc(found.key_expires_at) <= now)
    ):
        raise DomainError(ErrorCode.PRO_KEY_INVALID)
    return found


def by_rpps(session: Session, rpps: str) -> Professional:
    found = session.exec(select(Professional).where(Professional.rpps == normalize_rpps(rpps))).first()
    if found is None:
        raise ValueError("no professional with this RPPS number")
    return found


def rotate_key(*, session: Session, ctx: Context, rpps: str) -> str:
    """A new key for a professional (the old one stops at once); shown once. Lifts a revocation."""
    professional = by_rpps(session, rpps)
    api_key = _new_key()
    professional.api_key_digest = token_digest(api_key)
    professional.key_expires_at = ctx.clock.now() + timedelta(days=ctx.settings.pro_key_days)
    professional.revoked_at = None
    session.add(professional)
    session.commit()
    return api_key


def revoke_key(*, session: Session, ctx: Context, rpps: str) -> Professional:
    """Strike a professional's key off now (lost card, end of practice): every call is refused."""
    professional = by_rpps(session, rpps)
    professional.revoked_at = professional.revoked_at or ctx.clock.now()
    session.add(professional)
    session.commit()
    return professional


def search(*, session: Session, query: str) -> list[Professional]:
    """By RPPS number (exact) or by the start of the last name; at most 20."""
    text = query.strip()
    if not text:
        return []
    compact = text.replace(" ", "")
    if compact.isdigit():
        return list(session.exec(select(Professional).where(Professional.rpps == compact)).all())
    pattern = text.lower().replace("%", "").replace("_", "") + "%"
    return list(
        session.exec(
            select(Professional)
            .where(col(Professional.last_name).ilike(pattern))
            .order_by(col(Professional.last_name))
            .limit(SEARCH_LIMIT)
        ).all()
    )


def grant_of(session: Session, holder_id: str, professional_id: str) -> Grant | None:
    return session.exec(
        select(Grant).where(Grant.holder_id == holder_id, Grant.professional_id == professional_id)
    ).first()


def relation_of(holder: Holder, grant: Grant | None) -> Relation:
    """The holder's decisions about one professional, in the shape the rules take."""
    attending = grant is not None and holder.attending_id == grant.professional_id
    if grant is None:
        return Relation()
    live = grant.revoked_at is None
    return Relation(
        attending=attending and live,
        blocked=grant.blocked,
        authorised=live and grant.kind == "holder",
        authorised_until=as_utc(grant.until) if grant.until else None,
        care_team=live and grant.kind == "care_team",
        revoked=grant.revoked_at is not None,
        seen=grant.first_access_at is not None,
        secret_only=grant.secret_only,
    )


def relation(*, session: Session, holder: Holder, professional_id: str) -> Relation:
    return relation_of(holder, grant_of(session, holder.id, professional_id))


def gate_actor(
    professional: Professional, rel: Relation, request: gate.Professional | None = None
) -> gate.Professional:
    """The professional as the gate sees them: who, the holder's decisions, and how they ask."""
    how = request or gate.Professional("", "")
    return gate.Professional(
        professional.id,
        professional.profession,
        professional.specialty,
        rel,
        how.mode,
        how.reason,
        how.consent_declared,
    )


def _professional(session: Session, professional_id: str) -> Professional:
    found = session.get(Professional, professional_id)
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    return found


def authorise(
    *, session: Session, ctx: Context, holder: Holder, professional_id: str, until: datetime | None
) -> Grant:
    """Authorise a professional for a period (until) or for good (None); lifts a block."""
    _professional(session, professional_id)
    now = ctx.clock.now()
    if until is not None and as_utc(until) <= now:
        raise DomainError(ErrorCode.AUTHORISATION_END_PAST, fields=["until"])
    grant = grant_of(session, holder.id, professional_id) or Grant(
        holder_id=holder.id, professional_id=professional_id, kind="holder", since=now
    )
    grant.kind, grant.since, grant.until = "holder", now, until
    grant.revoked_at, grant.blocked, grant.secret_only = None, False, False
    session.add(grant)
    session.commit()
    return grant


def revoke(
    *, session: Session, ctx: Context, holder: Holder, professional_id: str, block: bool = False
) -> Grant:
    """End a professional's access at once; `block` also refuses any later access, emergency included."""
    _professional(session, professional_id)
    grant = grant_of(session, holder.id, professional_id) or Grant(
        holder_id=holder.id, professional_id=professional_id, kind="holder", since=ctx.clock.now()
    )
    grant.revoked_at = ctx.clock.now()
    grant.blocked = grant.blocked or block
    if holder.attending_id == professional_id:
        holder.attending_id = None
        session.add(holder)
    session.add(grant)
    session.commit()
    return grant


def unblock(*, session: Session, holder: Holder, professional_id: str) -> None:
    grant = grant_of(session, holder.id, professional_id)
    if grant is not None:
        grant.blocked = False
        session.add(grant)
        session.commit()


def set_attending(*, session: Session, holder: Holder, professional_id: str | None) -> None:
    """Choose (or clear) the attending physician: a doctor, not blocked."""
    if professional_id is not None:
        professional = _professional(session, professional_id)
        if professional.profession != "doctor":
            raise DomainError(ErrorCode.REQUEST_INVALID, fields=["professional_id"])
        grant = grant_of(session, holder.id, professional_id)
        if grant is not None and grant.blocked:
            raise DomainError(ErrorCode.ACCESS_BLOCKED)
    holder.attending_id = professional_id
    session.add(holder)
    session.commit()


def profile_sharing(holder: Holder) -> ProfileSharing:
    """Each profile section, shared with professionals or private, and whether that is the default."""
    shared, default = shared_sections(holder.profile_sharing), shared_by_default()
    return ProfileSharing(
        sections=[
            SectionSharing(section=s, shared=s in shared, default=s in default) for s in profile_sections()
        ]
    )


def set_profile_sharing(*, session: Session, holder: Holder, choices: dict[str, bool]) -> ProfileSharing:
    """Record the holder's choices (an unknown section is refused, naming it)."""
    unknown = sorted(set(choices) - set(profile_sections()))
    if unknown:
        raise DomainError(ErrorCode.PROFILE_SECTION, fields=unknown)
    holder.profile_sharing = dict(holder.profile_sharing) | choices
    session.add(holder)
    session.commit()
    return profile_sharing(holder)


def list_grants(*, session: Session, holder: Holder) -> list[tuple[Grant, Professional]]:
    """The holder's professionals as the member asking may see them (a holder has tens, not
    thousands: one indexed query): a relation made only of a minor's secret acts is left out for
    the parents, through the gate."""
    rows = session.exec(
        select(Grant, Professional)
        .join(Professional, col(Professional.id) == col(Grant.professional_id))
        .where(Grant.holder_id == holder.id)
        .order_by(col(Grant.since).desc())
    ).all()
    return [(g, p) for g, p in rows if gatekeeper.may_see(gate.Item(kind="relation", secret=g.secret_only))]
