"""Activation, objection and new letters: everything proven with the insurer's identifiers.

A wrong triple gets one answer, whichever of the three was wrong, and costs the same work
whether or not the social security number is known, so nothing can be learnt by probing.
"""

from datetime import datetime

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.core.clock import as_utc
from backend_stub.core.security import same
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder, QueuedMessage
from backend_stub.rules.lifecycle import can_object
from backend_stub.services import ratelimit
from backend_stub.services.ages import is_minor
from backend_stub.services.claims import claim
from backend_stub.services.letters import issue_code, letter_to_parent, send_letter
from sync.protocol.errors import ErrorCode
from sync.protocol.identifiers import (
    InvalidIdentifier,
    normalize_email,
    normalize_nir,
    normalize_phone,
    normalize_provisional_code,
    normalize_vitale_serial,
)
from sync.protocol.password import password_is_acceptable
from sync.protocol.prevention import sex_from_nir
from sync.protocol.schemas import (
    ActivationRequest,
    Identifiers,
    IdentityCheck,
    NewLetterRequest,
    OtpChannel,
    SpaceStatus,
)

_ACTIVATABLE = (SpaceStatus.PENDING, SpaceStatus.OBJECTED, SpaceStatus.CREATED)
NEW_CODE = "new_code"  # the kind of a queued letter with a new provisional code


def valid(normalize: object, value: str) -> str:
    """`normalize(value)`, its format error raised as the domain error the app translates."""
    try:
        return normalize(value)  # type: ignore[operator, no-any-return]
    except InvalidIdentifier as exc:
        raise DomainError(exc.code) from exc


def find_holder(*, session: Session, ctx: Context, nir: str, vitale: str) -> Holder | None:
    """The holder whose NIR and Vitale serial both match, or None (same work either way)."""
    holder = session.exec(select(Holder).where(Holder.nir_digest == ctx.hasher.digest("nir", nir))).first()
    expected = holder.vitale_digest if holder else "0" * 64
    return holder if same(expected, ctx.hasher.digest("vitale", vitale)) and holder else None


def identify(*, session: Session, ctx: Context, ids: Identifiers, client: str) -> Holder:
    """The holder the three identifiers name (one answer for any mismatch); rate-limited per
    client and per social security number. A parent checks a child's the same way."""
    code = valid(normalize_provisional_code, ids.provisional_code)
    nir = valid(normalize_nir, ids.nir)
    vitale = valid(normalize_vitale_serial, ids.vitale_serial)
    limits = ctx.settings
    ratelimit.hit(session=session, ctx=ctx, scope="ids-client", subject=client, limit=limits.rate_per_client)
    ratelimit.hit(session=session, ctx=ctx, scope="ids-nir", subject=nir, limit=limits.rate_per_account)
    holder = find_holder(session=session, ctx=ctx, nir=nir, vitale=vitale)
    expected = holder.code_digest if holder else "0" * 64
    if holder is None or not same(expected, ctx.hasher.digest("code", code)):
        raise DomainError(ErrorCode.IDENTIFIERS_MISMATCH)
    return holder


def check_usable(holder: Holder, now: datetime) -> None:
    """A space not yet opened (or opened by a parent, with no login yet) and a live code."""
    if holder.status == SpaceStatus.CLOSED or (holder.status == SpaceStatus.ACTIVE and holder.password_hash):
        raise DomainError(ErrorCode.ALREADY_ACTIVE)
    if now >= as_utc(holder.code_expires_at):
        raise DomainError(ErrorCode.CODE_EXPIRED)


def _match(*, session: Session, ctx: Context, ids: Identifiers, client: str) -> Holder:
    """The identifiers' holder, an adult whose space can be activated or objected to now: a
    minor's space is the parents' to activate, from their own (services/children.py)."""
    holder = identify(session=session, ctx=ctx, ids=ids, client=client)
    now = ctx.clock.now()
    if is_minor(holder, now):
        raise DomainError(ErrorCode.CHILD_ACTIVATES_FROM_PARENT)
    check_usable(holder, now)
    return holder


def check_identifiers(*, session: Session, ctx: Context, ids: Identifiers, client: str) -> IdentityCheck:
    """First activation step: tell the person the identifiers are right and whose they are."""
    holder = _match(session=session, ctx=ctx, ids=ids, client=client)
    return IdentityCheck(
        first_name=holder.first_name,
        status=holder.status,
        code_expires_at=as_utc(holder.code_expires_at),
    )


def activate(*, session: Session, ctx: Context, request: ActivationRequest, client: str) -> Holder:
    """Open the space with its login: e-mail identifier, password, where one-time codes go."""
    email = valid(normalize_email, request.email)
    phone = valid(normalize_phone, request.phone or "") if request.otp_channel == OtpChannel.SMS else None
    if not password_is_acceptable(request.password, identifier=email):
        raise DomainError(ErrorCode.PASSWORD_WEAK)
    holder = _match(session=session, ctx=ctx, ids=request, client=client)
    now = ctx.clock.now()
    values = {
        "sex": holder.sex or sex_from_nir(valid(normalize_nir, request.nir)),  # enrolled before it was kept
        "email": email,
        "password_hash": ctx.hasher.hash_password(request.password),
        "otp_channel": request.otp_channel,
        "phone": phone,
        "status": SpaceStatus.ACTIVE,
        "activated_at": now,
        "created_at": holder.created_at or now,
        "code_expires_at": now,  # the provisional code is spent
    }
    # Checked again as it is written, in one statement: of activations sent at once (two server
    # processes, a script) with one code, one opens the space and the others find it opened.
    try:
        opened = claim(
            session,
            Holder,
            col(Holder.id) == holder.id,
            col(Holder.code_digest) == holder.code_digest,
            col(Holder.code_expires_at) > now,
            col(Holder.status) != SpaceStatus.CLOSED,
            or_(col(Holder.status) != SpaceStatus.ACTIVE, col(Holder.password_hash).is_(None)),
            **values,
        )
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise DomainError(ErrorCode.EMAIL_TAKEN) from exc
    if not opened:
        raise DomainError(ErrorCode.ALREADY_ACTIVE)
    for name, value in values.items():
        setattr(holder, name, value)
    ctx.notifier.send("email", email, "activated", holder.lang, first_name=holder.first_name)
    return holder


def object_to_creation(*, session: Session, ctx: Context, ids: Identifiers, client: str) -> Holder:
    """Refuse the space within the 6 weeks; no space will be created automatically."""
    holder = _match(session=session, ctx=ctx, ids=ids, client=client)
    return record_objection(session=session, ctx=ctx, holder=holder)


def record_objection(*, session: Session, ctx: Context, holder: Holder) -> Holder:
    """Within the window: a pending space, or at 18 the space a parent opened (its data kept,
    and back if the young adult activates later)."""
    now = ctx.clock.now()
    if holder.status == SpaceStatus.OBJECTED:
        raise DomainError(ErrorCode.ALREADY_OBJECTED)
    status = SpaceStatus.PENDING if holder.status == SpaceStatus.ACTIVE else holder.status
    if not can_object(status, as_utc(holder.objection_deadline), now):
        raise DomainError(ErrorCode.OBJECTION_WINDOW_OVER)
    # Written only if nobody changed the space meanwhile (an activation, another objection, sent
    # at once): an objection never overwrites a login just chosen.
    unchanged = (
        col(Holder.id) == holder.id,
        col(Holder.status) == holder.status,
        col(Holder.password_hash).is_not_distinct_from(holder.password_hash),
    )
    objected = claim(session, Holder, *unchanged, status=SpaceStatus.OBJECTED, objected_at=now)
    session.commit()
    if not objected:
        session.refresh(holder)
        raise DomainError(
            ErrorCode.ALREADY_OBJECTED if holder.status == SpaceStatus.OBJECTED else ErrorCode.ALREADY_ACTIVE
        )
    holder.status, holder.objected_at = SpaceStatus.OBJECTED, now
    return holder


def request_new_letter(*, session: Session, ctx: Context, request: NewLetterRequest, client: str) -> None:
    """Queue a new provisional code for the address on file. The answer never says if it matched:
    a row is queued either way (with no holder when nobody matched) and the letter is made and sent
    after the answer, by the queue's sender (services/message_queue.py)."""
    nir = valid(normalize_nir, request.nir)
    vitale = valid(normalize_vitale_serial, request.vitale_serial)
    settings = ctx.settings
    ratelimit.hit(
        session=session, ctx=ctx, scope="letter-client", subject=client, limit=settings.rate_per_client
    )
    ratelimit.hit(
        session=session, ctx=ctx, scope="letter-nir", subject=nir, limit=settings.rate_messages_per_account
    )
    holder = find_holder(session=session, ctx=ctx, nir=nir, vitale=vitale)
    target = holder.id if holder is not None and holder.status in _ACTIVATABLE else None
    session.add(QueuedMessage(kind=NEW_CODE, holder_id=target, created_at=ctx.clock.now()))
    session.commit()


def send_new_letter(*, session: Session, ctx: Context, holder: Holder) -> None:
    """The queued letter: a fresh code (the old one stops), to the holder or a minor's parent."""
    if holder.status not in _ACTIVATABLE:
        return
    code = issue_code(ctx=ctx, holder=holder, now=ctx.clock.now())
    session.add(holder)
    session.commit()
    if is_minor(holder, ctx.clock.now()):  # a minor's letter goes to their parent
        letter_to_parent(session=session, ctx=ctx, child=holder, code=code)
        return
    send_letter(ctx=ctx, holder=holder, code=code, kind="new_code")
