"""Provisional codes and the letters that carry them: to the holder, or to a minor's parent.
Enrolment, activation, children and majority all send them."""

import secrets
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.core.clock import as_utc
from backend_stub.models.accounts import Holder
from backend_stub.models.children import Guardianship
from backend_stub.notifier import OutgoingMessage
from backend_stub.services.ages import local_day
from sync.protocol.i18n import long_day_text
from sync.protocol.identifiers import (
    PROVISIONAL_CODE_ALPHABET,
    PROVISIONAL_CODE_LENGTH,
    format_provisional_code,
)

# Random bytes below this (a multiple of the alphabet's size) map uniformly onto it; others are drawn again.
_UNIFORM_BELOW = 256 - 256 % len(PROVISIONAL_CODE_ALPHABET)


def new_provisional_code() -> str:
    """Characters drawn uniformly from the alphabet, from one call for random bytes (not one per
    character as `secrets.choice` makes: a tenth of an enrolment's time)."""
    size, chars = len(PROVISIONAL_CODE_ALPHABET), ""
    while len(chars) < PROVISIONAL_CODE_LENGTH:
        drawn = secrets.token_bytes(2 * PROVISIONAL_CODE_LENGTH)
        chars += "".join(PROVISIONAL_CODE_ALPHABET[b % size] for b in drawn if b < _UNIFORM_BELOW)
    return chars[:PROVISIONAL_CODE_LENGTH]


def fresh_code(ctx: Context, now: datetime) -> tuple[str, dict[str, Any]]:
    """A provisional code valid for the objection period (6 weeks), and the holder's columns for it."""
    code = new_provisional_code()
    expires = now + timedelta(weeks=ctx.settings.objection_weeks)
    return code, {"code_digest": ctx.hasher.digest("code", code), "code_expires_at": expires}


def issue_code(*, ctx: Context, holder: Holder, now: datetime) -> str:
    """Give the holder a fresh provisional code."""
    code, columns = fresh_code(ctx, now)
    for name, value in columns.items():
        setattr(holder, name, value)
    return code


def letter_day(moment: datetime | date, lang: str) -> str:
    """A day as a letter or an e-mail writes it, "7 décembre 2026": a moment is taken on the
    French calendar (Europe/Paris), the day the insurer's deadlines are counted on."""
    day = local_day(as_utc(moment)) if isinstance(moment, datetime) else moment
    return long_day_text(day, lang)


# What a letter says of its holder: read from a `Holder` or from an enrolment's row.
LETTER_FIELDS = (
    "letter_email",
    "first_name",
    "last_name",
    "postal_address",
    "lang",
    "sex",
    "code_expires_at",
    "objection_deadline",
)


def letter(*, ctx: Context, to: Mapping[str, Any], code: str, kind: str = "letter") -> OutgoingMessage:
    """The letter goes by e-mail when the insurer has one, otherwise by post (print queue)."""
    channel = "email" if to["letter_email"] else "letter"
    return ctx.notifier.render(
        channel,
        to["letter_email"] or f"{to['first_name']} {to['last_name']}, {to['postal_address']}",
        kind,
        to["lang"],
        sex=to["sex"],  # "Vous êtes majeure" to a young woman
        first_name=to["first_name"],
        code=format_provisional_code(code),
        expires=letter_day(to["code_expires_at"], to["lang"]),
        deadline=letter_day(to["objection_deadline"], to["lang"]),
        url=ctx.settings.public_app_url,
    )


def send_letter(*, ctx: Context, holder: Holder, code: str, kind: str = "letter") -> None:
    to = {name: getattr(holder, name) for name in LETTER_FIELDS}
    ctx.notifier.send_many([letter(ctx=ctx, to=to, code=code, kind=kind)])


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
        expires=letter_day(child.code_expires_at, parent.lang),
        deadline=letter_day(child.objection_deadline, parent.lang),
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
