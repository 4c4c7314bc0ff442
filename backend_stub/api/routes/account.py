"""The signed-in holder's own account: password, e-mail, phone, code channel, devices.

These act on the caller's own login, never on a child's space: with `X-Space` the gate refuses
them (`OWN_SPACE_ONLY` in api/deps.py)."""

from fastapi import APIRouter

from backend_stub.api.deps import ContextDep, SessionDep, SignedDep
from backend_stub.api.routes.space import me_out
from backend_stub.services import accounts, sessions
from sync.protocol.account_schemas import (
    ContactChallenge,
    ContactChangeRequest,
    ContactConfirm,
    DeviceOut,
    PasswordChangeRequest,
)
from sync.protocol.schemas import Me, Message

router = APIRouter(tags=["account"])


@router.post("/account/password")
def change_password(
    body: PasswordChangeRequest, signed: SignedDep, ctx: ContextDep, session: SessionDep
) -> Message:
    """Change the password (the current one again); the other devices are signed out."""
    accounts.change_password(
        session=session,
        ctx=ctx,
        holder=signed.holder,
        current=body.current_password,
        new=body.new_password,
        keep_session=signed.session.id,
    )
    return Message(message="password.changed")


@router.post("/account/contact")
def start_contact_change(
    body: ContactChangeRequest, signed: SignedDep, ctx: ContextDep, session: SessionDep
) -> ContactChallenge:
    """A new e-mail or phone, or where login codes go: a code is sent to prove it."""
    return accounts.start_contact_change(session=session, ctx=ctx, holder=signed.holder, request=body)


@router.post("/account/contact/confirm")
def confirm_contact_change(
    body: ContactConfirm, signed: SignedDep, ctx: ContextDep, session: SessionDep
) -> Me:
    """The code received: the change is made and the old contact told."""
    return me_out(
        accounts.confirm_contact_change(session=session, ctx=ctx, holder=signed.holder, request=body)
    )


@router.get("/devices")
def devices(signed: SignedDep, ctx: ContextDep, session: SessionDep) -> list[DeviceOut]:
    """ "Appareils connectés": each signed-in device with its first and last use."""
    return sessions.devices(session=session, ctx=ctx, holder=signed.holder, current_id=signed.session.id)


@router.post("/devices/{device_id}/sign-out")
def sign_out_device(
    device_id: str, signed: SignedDep, ctx: ContextDep, session: SessionDep
) -> list[DeviceOut]:
    """ "Déconnecter cet appareil": its session ends at once; it forgets its vault key at its next call."""
    sessions.sign_out_device(session=session, ctx=ctx, holder=signed.holder, device_id=device_id[:64])
    return sessions.devices(session=session, ctx=ctx, holder=signed.holder, current_id=signed.session.id)
