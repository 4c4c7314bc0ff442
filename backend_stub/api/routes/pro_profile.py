"""The professionals' API to the medical profile: read it through the access matrix, add entries.

Same conventions as the documents (`pro.py`): the API key stands in for the CPS card, the patient
is named by the `X-Patient-Nir` header (never in the URL), the access mode, reason and consent
travel in headers, and every access or refusal is written to the patient's access log.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend_stub.api.deps import ContextDep, SessionDep
from backend_stub.api.routes.pro import AccessRequest, CurrentPro, PatientNir
from backend_stub.models.record import Record
from backend_stub.services import pro_profile, record_access
from sync.protocol.admin_schemas import ProProfileEntry, ProProfileEntryCreate, ProProfilePage

router = APIRouter(prefix="/pro", tags=["professionals' API"])


def _open_to_read(
    pro: CurrentPro, nir: PatientNir, request: AccessRequest, ctx: ContextDep, session: SessionDep
) -> record_access.Opened:
    """A dependency that asks the gate (a refusal is logged against the profile)."""
    return record_access.open_record(
        session=session,
        ctx=ctx,
        professional=pro,
        nir=nir,
        request=request,
        action="read",
        target=pro_profile.TARGET,
        kind="profile",
    )


OpenedToRead = Annotated[record_access.Opened, Depends(_open_to_read)]


def _entry(record: Record) -> ProProfileEntry:
    return ProProfileEntry(
        id=record.id,
        collection=record.collection,
        section=pro_profile.section_of(record),
        data=record.data,
        author=record.author,
        entered_by_patient=record.author == "holder",
        updated_at=record.updated_at,
    )


@router.get("/profile")
def read(
    opened: OpenedToRead,
    ctx: ContextDep,
    session: SessionDep,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> ProProfilePage:
    """The profile entries and measurements this professional may read, newest first, by pages."""
    sections, rows, next_before = pro_profile.read_profile(
        session=session, ctx=ctx, opened=opened, before=before
    )
    return ProProfilePage(sections=sections, entries=[_entry(r) for r in rows], next_before=next_before)


@router.post("/profile-entries")
def add(
    body: ProProfileEntryCreate,
    pro: CurrentPro,
    nir: PatientNir,
    request: AccessRequest,
    ctx: ContextDep,
    session: SessionDep,
) -> ProProfileEntry:
    """Add an entry to the patient's profile (read-only to them, with the author shown)."""
    opened = record_access.open_record(
        session=session,
        ctx=ctx,
        professional=pro,
        nir=nir,
        request=request,
        action="write",
        target=pro_profile.TARGET,
        kind="profile",
        section=body.section,
        secret=bool(body.data.get("hidden_from_guardians")),  # a minor's secret entry
    )
    record = pro_profile.add_entry(
        session=session, ctx=ctx, opened=opened, section=body.section, data=body.data
    )
    return _entry(record)
