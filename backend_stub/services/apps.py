"""The catalogue of referenced apps, the holder's connected apps, and what a connected app may do.

An app's call is allowed only while its token, the holder's consent and the app itself are all
valid in the database: a revocation or a suspension takes effect on the very next call. Every
call, allowed or refused, is written to the holder's access log like a professional's, and what
an app writes becomes records authored `app:<id>` (read-only to the holder, synced by pull).
"""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.core.clock import as_utc
from backend_stub.core.security import token_digest
from backend_stub.errors import DomainError
from backend_stub.models.accounts import Holder
from backend_stub.models.apps import App, AppConnection, AppToken, AuthCode, ConsentRequest
from backend_stub.models.record import Record
from backend_stub.rules import gate
from backend_stub.services import audit, children, gatekeeper
from backend_stub.services.sequence import lock_holder, stamp
from backend_stub.services.sync import invalid_content
from sync.protocol import measurements
from sync.protocol.apps import APP_AUTHOR_PREFIX, categories, scopes
from sync.protocol.errors import ErrorCode

APP_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{2,31}$")  # also the access log's actor id (32 max)
PAGE = 100
# What the holder's access log names (the log keeps one title per entry, in French like a document's).
LOG_TITLES = {"measurements": "Mesures", "appointments": "Rendez-vous"}
STATUSES = ("active", "suspended")


# --- the catalogue, for the administrator's commands -------------------------------------------


def _check_redirect_uri(uri: str) -> None:
    """HTTPS, or plain HTTP on a loopback address for native apps (RFC 8252 §7.3)."""
    parts = urlsplit(uri)
    loopback = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "::1", "localhost")
    if not (parts.scheme == "https" or loopback) or not parts.hostname or parts.fragment:
        raise ValueError(f"redirect URI must be https (or http on 127.0.0.1), without fragment: {uri}")


def _check(app: App) -> None:
    if not APP_ID_RE.match(app.id):
        raise ValueError("app id: 3 to 32 lower-case letters, digits or dashes")
    if app.category not in categories():
        raise ValueError(f"category must be one of {', '.join(categories())}")
    unknown = set(app.scopes) - set(scopes())
    if unknown or not app.scopes:
        raise ValueError(f"scopes must be among {', '.join(scopes())}")
    if not app.redirect_uris:
        raise ValueError("at least one redirect URI")
    for uri in app.redirect_uris:
        _check_redirect_uri(uri)
    if not app.name.strip() or not app.publisher.strip():
        raise ValueError("name and publisher are required")
    if app.status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")


def add_app(
    *,
    session: Session,
    ctx: Context,
    app_id: str,
    name: str,
    publisher: str,
    category: str,
    scopes: list[str],
    redirect_uris: list[str],
    description_fr: str = "",
    description_en: str = "",
) -> App:
    """Reference a new app (ValueError says what is wrong)."""
    if session.get(App, app_id) is not None:
        raise ValueError(f"the app {app_id} already exists (use update)")
    now = ctx.clock.now()
    app = App(
        id=app_id,
        name=name.strip(),
        publisher=publisher.strip(),
        category=category,
        scopes=sorted(set(scopes)),
        redirect_uris=list(dict.fromkeys(redirect_uris)),
        description_fr=description_fr.strip(),
        description_en=description_en.strip(),
        created_at=now,
        updated_at=now,
    )
    _check(app)
    session.add(app)
    session.commit()
    session.refresh(app)
    return app


def update_app(*, session: Session, ctx: Context, app_id: str, **changes: Any) -> App:
    """Change what is given (None leaves a field as it is); the status goes through `set_status`."""
    app = session.get(App, app_id)
    if app is None:
        raise ValueError(f"no app {app_id}")
    for name, value in changes.items():
        if value is not None and name in (
            "name",
            "publisher",
            "category",
            "description_fr",
            "description_en",
        ):
            setattr(app, name, value.strip() if isinstance(value, str) else value)
        elif value is not None and name in ("scopes", "redirect_uris"):
            setattr(app, name, sorted(set(value)) if name == "scopes" else list(dict.fromkeys(value)))
    _check(app)
    app.updated_at = ctx.clock.now()
    session.add(app)
    session.commit()
    session.refresh(app)
    return app


def set_status(*, session: Session, ctx: Context, app_id: str, status: str) -> App:
    """Suspend (every holder's access ends at once) or reactivate an app."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    app = session.get(App, app_id)
    if app is None:
        raise ValueError(f"no app {app_id}")
    app.status, app.updated_at = status, ctx.clock.now()
    session.add(app)
    session.commit()
    session.refresh(app)
    return app


def all_apps(*, session: Session, active_only: bool = False) -> list[App]:
    """The catalogue by category then name (a few hundred apps at most: one page)."""
    stmt = select(App)
    if active_only:
        stmt = stmt.where(App.status == "active")
    return list(session.exec(stmt.order_by(col(App.category), col(App.name)).limit(500)).all())


# --- the holder's connected apps ----------------------------------------------------------------


def connection_active(connection: AppConnection, app: App, now: datetime) -> bool:
    return connection.revoked_at is None and as_utc(connection.until) > now and app.status == "active"


def connections(*, session: Session, holder: Holder) -> list[tuple[AppConnection, App]]:
    """The apps this holder connected (revoked ones too, for the record), newest first."""
    rows = session.exec(
        select(AppConnection, App)
        .join(App, col(App.id) == col(AppConnection.app_id))
        .where(AppConnection.holder_id == holder.id)
        .order_by(col(AppConnection.since).desc())
        .limit(PAGE)
    ).all()
    return [(c, a) for c, a in rows]


def revoke(*, session: Session, ctx: Context, holder: Holder, connection_id: str) -> None:
    """End a connection now: its tokens die with it (checked on every call anyway)."""
    connection = session.get(AppConnection, connection_id)
    if connection is None or connection.holder_id != holder.id:
        raise DomainError(ErrorCode.NOT_FOUND)
    if connection.revoked_at is None:
        connection.revoked_at = ctx.clock.now()
        session.add(connection)
    session.execute(update(AppToken).where(col(AppToken.connection_id) == connection.id).values(revoked=True))
    session.commit()


def purge_expired(*, session: Session, ctx: Context) -> int:
    """Drop consent requests and codes a day past their end (a daily job; replays of older codes
    are refused anyway, as unknown)."""
    cutoff = ctx.clock.now() - timedelta(days=1)
    dropped = 0
    for table in (ConsentRequest, AuthCode):
        result = session.execute(delete(table).where(col(table.expires_at) < cutoff))
        dropped += int(result.rowcount or 0)  # type: ignore[attr-defined]
    session.commit()
    return dropped


# --- a connected app's calls --------------------------------------------------------------------


@dataclass(frozen=True)
class AppActor:
    """A connected app as the access log names it."""

    id: str
    first_name: str  # the app's name
    last_name: str  # its publisher, in brackets
    profession: str = "app"


@dataclass
class AppAccess:
    """A valid token's app, consent and the space it reaches."""

    app: App
    connection: AppConnection
    subject: Holder

    @property
    def actor(self) -> AppActor:
        return AppActor(id=self.app.id, first_name=self.app.name, last_name=f"({self.app.publisher})")

    @property
    def by_parent(self) -> bool:
        """Connected by a parent on a child's space: the minor's secret items stay out of reach."""
        return self.connection.holder_id != self.connection.subject_id


def authenticate(*, session: Session, ctx: Context, token: str) -> AppAccess:
    """The app, consent and space behind a bearer token, each checked in the database now; the
    gate decides (a refusal about a space the app was connected to is a line of its log)."""
    found = session.exec(
        select(AppToken, AppConnection, App)
        .join(AppConnection, col(AppConnection.id) == col(AppToken.connection_id))
        .join(App, col(App.id) == col(AppConnection.app_id))
        .where(AppToken.token_digest == token_digest(token))
    ).first()
    now = ctx.clock.now()
    if found is None:
        verdict = gate.Verdict(False, refusal=ErrorCode.APP_TOKEN_INVALID, log=gate.Log.SECURITY)
        anonymous = AppActor(id="", first_name="", last_name="")
        gatekeeper.refuse(
            ctx=ctx,
            session=session,
            verdict=verdict,
            holder_id=None,
            who=anonymous,
            access=audit.Access("read", "app", "refused"),
            actor_kind="app",
        )
    row, connection, app = found
    subject = session.get(Holder, connection.subject_id)
    access = AppAccess(app=app, connection=connection, subject=subject)  # type: ignore[arg-type]
    verdict = gate.decide(_facts(session, ctx, access, row), gatekeeper.space_of(subject), gate.SPACE, now)
    if not verdict.allowed:
        gatekeeper.refuse(
            ctx=ctx,
            session=session,
            verdict=verdict,
            holder_id=connection.subject_id,
            who=access.actor,
            access=audit.Access("read", "app", "refused"),
            actor_kind="app",
        )
    return access


def _facts(session: Session, ctx: Context, access: AppAccess, token: AppToken) -> gate.App:
    """A connected app's token as the gate sees it, checked in the database now."""
    now, connection = ctx.clock.now(), access.connection
    live = (
        not token.revoked
        and as_utc(token.expires_at) > now
        and connection.revoked_at is None
        and as_utc(connection.until) > now
    )
    parent_may_act = not access.by_parent or (
        access.subject is not None
        and children.may_act(session, ctx, guardian_id=connection.holder_id, child=access.subject)
    )
    return gate.App(
        scopes=frozenset(connection.scopes),
        consent_live=live,
        app_active=access.app.status == "active",
        by_parent=access.by_parent,
        parent_may_act=parent_may_act,
    )


def _log(session: Session, ctx: Context, access: AppAccess, entry: audit.Access) -> None:
    audit.append(
        session=session, holder_id=access.subject.id, actor=access.actor, access=entry, at=ctx.clock.now()
    )


def _gate_app(access: AppAccess) -> gate.App:
    """The app as already let in by `authenticate` (its consent and status were checked now)."""
    return gate.App(
        scopes=frozenset(access.connection.scopes),
        consent_live=True,
        app_active=True,
        by_parent=access.by_parent,
    )


def allow(*, session: Session, ctx: Context, access: AppAccess, scope: str, action: str, target: str) -> None:
    """Ask the gate for the scope: refuse (logged, committed), or log the access and note the last use.

    The caller commits with what it does, so the entry and the action stand or fall together."""
    line = audit.Access(action, "app", "allowed", target, LOG_TITLES.get(target, ""))
    verdict = gate.decide(
        _gate_app(access),
        gatekeeper.space_of(access.subject),
        gate.Item(action=action, scope=scope),
        ctx.clock.now(),
    )
    if not verdict.allowed:
        gatekeeper.refuse(
            ctx=ctx,
            session=session,
            verdict=verdict,
            holder_id=access.subject.id,
            who=access.actor,
            access=line,
            actor_kind="app",
            scope=scope,
        )
    _log(session, ctx, access, line)
    access.connection.last_used_at = ctx.clock.now()
    session.add(access.connection)


def _visible(access: AppAccess, record: Record) -> bool:
    """The gate: never what the patient may not see yet, nor a minor's secret items for a parent's app."""
    return gate.decide(_gate_app(access), gatekeeper.ACTIVE, gatekeeper.item_of(record), datetime.min).allowed


def records(*, session: Session, access: AppAccess, collection: str, before: int | None) -> list[Record]:
    """A page of the space's records of one kind, newest first (by the holder's sequence)."""
    stmt = select(Record).where(
        Record.holder_id == access.subject.id,
        Record.collection == collection,
        col(Record.deleted).is_(False),
    )
    if before is not None:
        stmt = stmt.where(col(Record.seq) < before)
    rows = session.exec(stmt.order_by(col(Record.seq).desc()).limit(PAGE)).all()
    return [r for r in rows if _visible(access, r)]


def record(*, session: Session, access: AppAccess, collection: str, record_id: str) -> Record:
    found = session.get(Record, (access.subject.id, record_id))
    if found is None or found.collection != collection or found.deleted or not _visible(access, found):
        raise DomainError(ErrorCode.NOT_FOUND)
    return found


def check_measurement(data: dict[str, Any], now: datetime) -> None:
    """The rules of the holder's own readings: an impossible value (said with its range) or a
    moment in the future is refused; an unusual value is the device's word and is kept."""
    second = data.get("second")
    verdict = measurements.check(str(data["kind"]), float(data["value"]), second)
    if verdict.verdict == measurements.Verdict.REFUSE:
        raise DomainError(ErrorCode(verdict.message), **(verdict.params or {}))
    if refusal := invalid_content("measurement", data, now):
        raise DomainError(ErrorCode(refusal))


def write(
    *, session: Session, ctx: Context, access: AppAccess, collection: str, data: dict[str, Any]
) -> Record:
    """A new record authored by the app, in the holder's change feed (devices get it by pull)."""
    lock_holder(session, access.subject.id)
    record = Record(
        holder_id=access.subject.id,
        id=f"app-{uuid.uuid4().hex}",
        collection=collection,
        version=1,
        seq=0,
        author=f"{APP_AUTHOR_PREFIX}{access.app.id}",
        updated_at=ctx.clock.now(),
        data=data | {"author_name": access.app.name, "source": access.app.id},
    )
    stamp(session, record)
    session.add(record)
    return record
