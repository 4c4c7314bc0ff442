"""The holder's professionals: search the directory, authorise, revoke, block, attending physician,
and the emergency switches."""

from typing import Annotated

from fastapi import APIRouter, Query

from backend_stub.api.deps import ActiveHolder, ContextDep, SessionDep
from backend_stub.core.clock import as_utc
from backend_stub.models.accounts import Holder
from backend_stub.models.professionals import Grant, Professional
from backend_stub.services import professionals
from sync.protocol.record_schemas import (
    AttendingRequest,
    AuthoriseRequest,
    EmergencySettings,
    GrantOut,
    ProfessionalOut,
    ProfileSharing,
    RevokeRequest,
)

router = APIRouter(tags=["professionals"])


def professional_out(pro: Professional) -> ProfessionalOut:
    return ProfessionalOut(
        id=pro.id,
        rpps=pro.rpps,
        first_name=pro.first_name,
        last_name=pro.last_name,
        profession=pro.profession,
        specialty=pro.specialty,
        city=pro.city,
    )


def _grant_out(ctx: ContextDep, holder: Holder, grant: Grant, pro: Professional) -> GrantOut:
    active = bool(professionals.relation_of(holder, grant).live(ctx.clock.now()))
    return GrantOut(
        professional=professional_out(pro),
        kind=grant.kind,
        since=as_utc(grant.since),
        until=as_utc(grant.until) if grant.until else None,
        revoked_at=as_utc(grant.revoked_at) if grant.revoked_at else None,
        blocked=grant.blocked,
        attending=holder.attending_id == pro.id,
        active=active,
    )


@router.get("/professionals/search")
def search(
    q: Annotated[str, Query(max_length=100)], holder: ActiveHolder, session: SessionDep
) -> list[ProfessionalOut]:
    """Find a professional by RPPS number or name."""
    return [professional_out(p) for p in professionals.search(session=session, query=q)]


@router.get("/professionals")
def my_professionals(holder: ActiveHolder, ctx: ContextDep, session: SessionDep) -> list[GrantOut]:
    """The professionals the holder authorised, revoked or blocked, and the care team (for a
    minor's parents, without those known only through the minor's secret items)."""
    return [
        _grant_out(ctx, holder, g, p) for g, p in professionals.list_grants(session=session, holder=holder)
    ]


@router.post("/professionals/{professional_id}/authorise")
def authorise(
    professional_id: str, body: AuthoriseRequest, holder: ActiveHolder, ctx: ContextDep, session: SessionDep
) -> list[GrantOut]:
    """Authorise a professional for a period or for good."""
    professionals.authorise(
        session=session, ctx=ctx, holder=holder, professional_id=professional_id, until=body.until
    )
    return my_professionals(holder, ctx, session)


@router.post("/professionals/{professional_id}/revoke")
def revoke(
    professional_id: str, body: RevokeRequest, holder: ActiveHolder, ctx: ContextDep, session: SessionDep
) -> list[GrantOut]:
    """End a professional's access now, and optionally block them."""
    professionals.revoke(
        session=session, ctx=ctx, holder=holder, professional_id=professional_id, block=body.block
    )
    return my_professionals(holder, ctx, session)


@router.post("/professionals/{professional_id}/unblock")
def unblock(
    professional_id: str, holder: ActiveHolder, ctx: ContextDep, session: SessionDep
) -> list[GrantOut]:
    """Lift a block (the professional is not authorised again by this)."""
    professionals.unblock(session=session, holder=holder, professional_id=professional_id)
    return my_professionals(holder, ctx, session)


@router.put("/attending")
def attending(
    body: AttendingRequest, holder: ActiveHolder, ctx: ContextDep, session: SessionDep
) -> list[GrantOut]:
    """Choose or clear the attending physician."""
    professionals.set_attending(session=session, holder=holder, professional_id=body.professional_id)
    if body.professional_id:
        professionals.authorise(
            session=session, ctx=ctx, holder=holder, professional_id=body.professional_id, until=None
        )
    return my_professionals(holder, ctx, session)


@router.get("/profile-sharing")
def get_profile_sharing(holder: ActiveHolder) -> ProfileSharing:
    """The profile sections professionals may read (on top of the access matrix)."""
    return professionals.profile_sharing(holder)


@router.put("/profile-sharing")
def set_profile_sharing(body: ProfileSharing, holder: ActiveHolder, session: SessionDep) -> ProfileSharing:
    """Share or keep private some sections (`choices`: section -> shared); the others are unchanged."""
    return professionals.set_profile_sharing(session=session, holder=holder, choices=body.choices)


@router.get("/emergency-settings")
def get_emergency(holder: ActiveHolder) -> EmergencySettings:
    """The three emergency switches."""
    return EmergencySettings(
        emergency_access=holder.emergency_access,
        regulator_access=holder.regulator_access,
        masked_in_emergency=holder.masked_in_emergency,
    )


@router.put("/emergency-settings")
def set_emergency(body: EmergencySettings, holder: ActiveHolder, session: SessionDep) -> EmergencySettings:
    """Change the emergency switches (the third only when it is sent)."""
    holder.emergency_access, holder.regulator_access = body.emergency_access, body.regulator_access
    if "masked_in_emergency" in body.model_fields_set:
        holder.masked_in_emergency = body.masked_in_emergency
    session.add(holder)
    session.commit()
    return get_emergency(holder)
