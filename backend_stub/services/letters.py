"""Provisional codes and the letters that carry them: to the holder, or to a minor's parent.
Enrolment, activation, children and majority all send them."""

import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.models.accounts import Holder
from backend_stub.models.children import Guardianship
from sync.protocol.identifiers import (
    PROVISIONAL_CODE_ALPHABET,
    PROVISIONAL_CODE_LENGTH,
    format_provisional_code,
)


def new_provisional_code() -> str:
    return "".join(secrets.choice(PROVISIONAL_CODE_ALPHABET) for _ in range(PROVISIONAL_CODE_LENGTH))


def issue_code(*, ctx: Context, holder: Holder, now: datetime) -> str:
    """Give the holder a fresh provisional code valid for the objection period (6 weeks)."""
    code = new_provisional_code()
    holder.code_digest = ctx.hasher.digest("code", code)
    holder.code_expires_at = now + timedelta(weeks=ctx.settings.objection_weeks)
    return code


def send_letter(*, ctx: Context, holder: Holder, code: str, kind: str = "letter") -> None:
    """The letter goes by e-mail when the insurer has one, otherwise by post (print queue)."""
    channel = "email" if holder.letter_email else "letter"
    ctx.notifier.send(
        channel,
        holder.letter_email or f"{holder.first_name} {holder.last_name}, {holder.postal_address}",
        kind,
        holder.lang,
        sex=holder.sex,  # "Vous êtes majeure" to a young woman
        first_name=holder.first_name,
        code=format_provisional_code(code),
        expires=holder.code_expires_at.strftime("%d/%m/%Y"),
        deadline=holder.objection_deadline.strftime("%d/%m/%Y"),
        url=ctx.settings.public_app_url,
    )


def send_child_letter(*, ctx: Context, child: Holder, parent: Holder, code: str) -> None:
    """The minor's letter goes to the parent: it names the child, the parent activates it."""
    channel = "email" if parent.letter_email else "letter"
    ctx.notifier.send(
        channel,
        parent.letter_email or f"{parent.first_name} {parent.last_name}, {parent.postal_address}",
        "child_letter",
        parent.lang,
        first_name=parent.first_name,
        child_first_name=child.first_name,
        child_last_name=child.last_name,
        code=format_provisional_code(code),
        expires=child.code_expires_at.strftime("%d/%m/%Y"),
        deadline=child.objection_deadline.strftime("%d/%m/%Y"),
        url=ctx.settings.public_app_url,
    )


def letter_to_parent(*, session: Session, ctx: Context, child: Holder, code: str) -> None:
    """A new code asked for a minor: to the parent who has held parental authority longest."""
    parent = session.exec(
        select(Holder)
        .join(Guardianship, col(Guardianship.guardian_id) == col(Holder.id))
        .where(Guardianship.child_id == child.id, col(Guardianship.ended_at).is_(None))
        .order_by(col(Guardianship.since))
    ).first()
    if parent is not None:
        send_child_letter(ctx=ctx, child=child, parent=parent, code=code)
