"""Share links: a selection of the holder's documents for anyone with the link AND its code.

The link's token and the code are random and shown once to the holder; the server keeps HMAC
digests only. A link ends at its expiry, when the holder revokes it, or after five wrong codes.
Each opening with the right code, each document downloaded and each wrong code is written to the
holder's access log (actor: the link, named by the holder's label), and an opening notifies them.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.core.clock import as_utc
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.models.record import Record
from backend_stub.models.shares import ShareLink
from backend_stub.rules import gate
from backend_stub.services import audit, gatekeeper, notifications, ratelimit
from backend_stub.services.claims import claim
from sync.protocol.errors import ErrorCode

MAX_FAILURES = 5
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L to misread
CODE_LENGTH = 8
SESSION_MINUTES = 15
WRONG_CODE_IN_LOG = "error.access.share_code"  # worded for the holder in their access log


@dataclass(frozen=True)
class LinkActor:
    """The link as it appears in the access log: its label, and 'Lien de partage' as the profession."""

    id: str
    first_name: str
    last_name: str = ""
    profession: str = "share"


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _typed_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _documents(
    session: Session, holder_id: str, ids: list[str], seen: Callable[[Record], bool]
) -> list[Record]:
    """The space's live documents among `ids` that `seen` lets through, in the order asked."""
    rows = session.exec(
        select(Record).where(
            Record.holder_id == holder_id,
            Record.collection == "document",
            col(Record.id).in_(ids),
            col(Record.deleted).is_(False),
        )
    ).all()
    found = {r.id: r for r in rows if seen(r)}
    return [found[i] for i in ids if i in found]


def _recipient(link: ShareLink, now: datetime) -> gate.Link:
    return gate.Link(open=is_open(link, now), by_parent=link.created_by is not None)


def _through_link(link: ShareLink, space: gate.Space) -> Callable[[Record], bool]:
    """What the gate lets the link's recipient see of the space."""
    recipient = gate.Link(open=True, by_parent=link.created_by is not None)
    return lambda record: gate.decide(recipient, space, gatekeeper.item_of(record), datetime.min).allowed


def create(
    *,
    session: Session,
    ctx: Context,
    holder: Holder,
    document_ids: list[str],
    days: int,
    label: str,
    shl_file: str | None = None,
) -> tuple[ShareLink, str, str]:
    """A new link for these documents (and the summary's SMART Health Link file): (link, token,
    code). Unknown or hidden documents are refused, and so is a link with nothing to share."""
    ids = list(dict.fromkeys(document_ids))
    if not ids and not shl_file:
        raise DomainError(ErrorCode.SHARE_DOCUMENT_UNKNOWN)
    if len(_documents(session, holder.id, ids, gatekeeper.visible)) != len(ids):
        raise DomainError(ErrorCode.SHARE_DOCUMENT_UNKNOWN)
    token = secrets.token_urlsafe(32)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    now = ctx.clock.now()
    link = ShareLink(
        holder_id=holder.id,
        token_digest=ctx.hasher.digest("share", token),
        code_digest="",
        label=label.strip(),
        document_ids=ids,
        shl_file=shl_file,
        created_at=now,
        expires_at=now + timedelta(days=days),
        created_by=guardian.id if (guardian := gatekeeper.acting_guardian()) else None,
    )
    link.code_digest = ctx.hasher.digest("share-code", f"{link.id}|{code}")
    session.add(link)
    session.commit()
    session.refresh(link)
    return link, token, format_code(code)


def links(*, session: Session, holder: Holder) -> list[ShareLink]:
    return list(
        session.exec(
            select(ShareLink)
            .where(ShareLink.holder_id == holder.id)
            .order_by(col(ShareLink.created_at).desc())
        )
    )


def revoke(*, session: Session, ctx: Context, holder: Holder, share_id: str) -> ShareLink:
    link = session.get(ShareLink, share_id)
    if link is None or link.holder_id != holder.id:
        raise DomainError(ErrorCode.NOT_FOUND)
    link.revoked_at = link.revoked_at or ctx.clock.now()
    session.add(link)
    session.commit()
    session.refresh(link)
    return link


def is_open(link: ShareLink, now: datetime) -> bool:
    return link.revoked_at is None and as_utc(link.expires_at) > now


def by_token(*, session: Session, ctx: Context, token: str) -> tuple[ShareLink, Holder]:
    """The link of this token and its space, if the gate lets its recipient in: a link that was
    stopped, ran out, or whose space was closed gets the answer of an unknown one (written only to
    the security log: the recipient has no relation to the space any more)."""
    link = session.exec(
        select(ShareLink).where(ShareLink.token_digest == ctx.hasher.digest("share", token))
    ).first()
    holder = session.get(Holder, link.holder_id) if link is not None else None
    now = ctx.clock.now()
    recipient = _recipient(link, now) if link is not None else gate.Link(open=False)
    verdict = gate.decide(recipient, gatekeeper.space_of(holder), gate.SPACE, now)
    if link is None or holder is None or not verdict.allowed:
        gatekeeper.refuse(
            ctx=ctx,
            session=session,
            verdict=verdict,
            holder_id=None,
            who=LinkActor(id=link.id if link else "", first_name=""),
            access=audit.Access("read", "share", "refused"),
            actor_kind="link",
        )
    return link, holder


def _log(session: Session, ctx: Context, link: ShareLink, outcome: str, **what: str) -> None:
    audit.append(
        session=session,
        holder_id=link.holder_id,
        actor=LinkActor(id=link.id, first_name=link.label or "—"),
        access=audit.Access(action="read", mode="share", outcome=outcome, **what),
        at=ctx.clock.now(),
    )


def open_with_code(
    *, session: Session, ctx: Context, token: str, code: str, client: str
) -> tuple[ShareLink, list[Record]]:
    """Check the code: the documents on success; a wrong code is logged and counted.

    Tries are limited per address and per link (token buckets), and each code takes its place in
    the link's count before it is compared, in one statement: guesses sent at once, through the
    page or the SHL manifest, by however many server processes, test five codes at most.
    """
    ratelimit.hit(session=session, ctx=ctx, scope="share", subject=client, limit=ctx.settings.rate_per_client)
    per_link = ctx.settings.rate_per_account
    ratelimit.hit(session=session, ctx=ctx, scope="share-link", subject=token, limit=per_link)
    link, holder = by_token(session=session, ctx=ctx, token=token)
    tried = _take_attempt(session, link)
    if tried is None:  # the fifth wrong code, sent at the same time, stopped it
        session.commit()
        raise DomainError(ErrorCode.SHARE_CLOSED)
    now = ctx.clock.now()
    if not secrets.compare_digest(
        ctx.hasher.digest("share-code", f"{link.id}|{_typed_code(code)}"), link.code_digest
    ):
        if tried >= MAX_FAILURES:  # someone is guessing: the link stops, as if the holder did it
            claim(session, ShareLink, col(ShareLink.id) == link.id, revoked_at=now)
        _log(session, ctx, link, "refused", target="share", detail=WRONG_CODE_IN_LOG)
        session.commit()
        raise DomainError(ErrorCode.SHARE_CODE_WRONG, attempts_left=MAX_FAILURES - tried)
    claim(session, ShareLink, col(ShareLink.id) == link.id, failures=0, opens=ShareLink.opens + 1)
    space = gatekeeper.space_of(holder)
    verdict = gate.decide(_recipient(link, now), space, gate.Item(kind="share"), now)
    _log(session, ctx, link, "allowed", target="share")
    notifications.notify(session=session, ctx=ctx, holder=holder, kind=verdict.notify, name=link.label)
    session.commit()
    return link, _documents(session, link.holder_id, link.document_ids, _through_link(link, space))


def _take_attempt(session: Session, link: ShareLink) -> int | None:
    """Count this code before comparing it: its number among the tries in a row, or None when the
    link has none left."""
    tried = session.execute(
        update(ShareLink)
        .where(col(ShareLink.id) == link.id, col(ShareLink.failures) < MAX_FAILURES)
        .values(failures=ShareLink.failures + 1)
        .returning(col(ShareLink.failures))
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    return None if tried is None else int(tried)


def session_value(ctx: Context, token: str, now: datetime) -> str:
    """What the recipient's cookie holds once the code was right: an expiry and its HMAC."""
    until = int((now + timedelta(minutes=SESSION_MINUTES)).timestamp())
    return f"{until}.{ctx.hasher.digest('share-session', f'{token}|{until}')}"


def session_is_valid(ctx: Context, token: str, value: str) -> bool:
    until, _, mac = value.partition(".")
    if not until.isascii() or not until.isdigit() or int(until) < ctx.clock.now().timestamp():
        return False
    return secrets.compare_digest(mac, ctx.hasher.digest("share-session", f"{token}|{until}"))


def document_for_download(*, session: Session, ctx: Context, token: str, record_id: str) -> Record:
    """One shared document, logged as read through the link."""
    link, holder = by_token(session=session, ctx=ctx, token=token)
    seen = _through_link(link, gatekeeper.space_of(holder))
    found = _documents(session, link.holder_id, [record_id], seen) if record_id in link.document_ids else []
    if not found:
        raise DomainError(ErrorCode.NOT_FOUND)
    record = found[0]
    _log(session, ctx, link, "allowed", target=record.id, target_title=str(record.data.get("title", "")))
    session.commit()
    return record
