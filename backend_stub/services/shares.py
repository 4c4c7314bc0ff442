"""Share links: a selection of the holder's documents for anyone with the link AND its code.

The link's token and the code are random and shown once to the holder; the server keeps HMAC
digests only. A link ends at its expiry, when the holder revokes it, or after five wrong codes.
Each opening with the right code, each document downloaded and each wrong code is written to the
holder's access log (actor: the link, named by the holder's label), and an opening notifies them.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.core.clock import as_utc
from backend_stub.errors import DomainError
from backend_stub.models import Holder, Record
from backend_stub.services import audit, notifications
from backend_stub.services.sync import visible_to_holder
from backend_stub.share_models import ShareLink
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


def _documents(session: Session, holder_id: str, ids: list[str]) -> list[Record]:
    """The holder's live documents among `ids`, in the order asked (gone ones are skipped)."""
    rows = session.exec(
        select(Record).where(
            Record.holder_id == holder_id,
            Record.collection == "document",
            col(Record.id).in_(ids),
            col(Record.deleted).is_(False),
        )
    ).all()
    found = {r.id: r for r in rows if visible_to_holder(r)}
    return [found[i] for i in ids if i in found]


def create(
    *, session: Session, ctx: Context, holder: Holder, document_ids: list[str], days: int, label: str
) -> tuple[ShareLink, str, str]:
    """A new link for these documents: (link, token, code). Unknown or hidden documents are refused."""
    ids = list(dict.fromkeys(document_ids))
    if len(_documents(session, holder.id, ids)) != len(ids):
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
        created_at=now,
        expires_at=now + timedelta(days=days),
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


def by_token(*, session: Session, ctx: Context, token: str) -> ShareLink:
    """The open link of this token; closed and unknown links get the same answer."""
    link = session.exec(
        select(ShareLink).where(ShareLink.token_digest == ctx.hasher.digest("share", token))
    ).first()
    if link is None or not is_open(link, ctx.clock.now()):
        raise DomainError(ErrorCode.SHARE_CLOSED)
    return link


def _log(session: Session, ctx: Context, link: ShareLink, outcome: str, **what: str) -> None:
    audit.append(
        session=session,
        holder_id=link.holder_id,
        actor=LinkActor(id=link.id, first_name=link.label or "—"),
        access=audit.Access(action="read", mode="share", outcome=outcome, **what),
        at=ctx.clock.now(),
    )


def open_with_code(
    *, session: Session, ctx: Context, token: str, code: str
) -> tuple[ShareLink, list[Record]]:
    """Check the code: the documents on success; a wrong code is logged and counted."""
    link = by_token(session=session, ctx=ctx, token=token)
    holder = session.get(Holder, link.holder_id)
    assert holder is not None
    if not secrets.compare_digest(
        ctx.hasher.digest("share-code", f"{link.id}|{_typed_code(code)}"), link.code_digest
    ):
        link.failures += 1
        if link.failures >= MAX_FAILURES:  # someone is guessing: the link stops, as if the holder did it
            link.revoked_at = ctx.clock.now()
        session.add(link)
        _log(session, ctx, link, "refused", target="share", detail=WRONG_CODE_IN_LOG)
        session.commit()
        raise DomainError(ErrorCode.SHARE_CODE_WRONG, attempts_left=max(MAX_FAILURES - link.failures, 0))
    link.failures, link.opens = 0, link.opens + 1
    session.add(link)
    _log(session, ctx, link, "allowed", target="share")
    notifications.notify(session=session, ctx=ctx, holder=holder, kind="share_opened", name=link.label)
    session.commit()
    return link, _documents(session, link.holder_id, link.document_ids)


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
    link = by_token(session=session, ctx=ctx, token=token)
    found = _documents(session, link.holder_id, [record_id]) if record_id in link.document_ids else []
    if not found:
        raise DomainError(ErrorCode.NOT_FOUND)
    record = found[0]
    _log(session, ctx, link, "allowed", target=record.id, target_title=str(record.data.get("title", "")))
    session.commit()
    return record
