"""The catalogue of referenced apps and the holder's connected apps, without a single control.

    CatalogueState      the apps (by category, with what each asks), the connected apps (what
                        each may do, when it last used the data, revoke), and the consent
                        screen of an app asking to connect (duration, whose space, approve/refuse)

A connecting app sends the person to the server, which sends them to this app with only an
opaque request id (`/?consent=<id>`); the id waits here until the holder is signed in with the
vault open, then the consent screen shows. Everything here needs the server (online only).
"""

import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from mobile.shell.online import Online
from mobile.shell.words import text
from sync.client import AccountClient
from sync.protocol.apps import AppOut, ConnectionOut, ConsentRequestOut, categories, durations, scopes, words

__all__ = ["DEFAULT_DURATION", "CatalogueState", "connection_status", "request_id_from_route"]

DEFAULT_DURATION = "3m"
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def request_id_from_route(route: str | None) -> str | None:
    """The consent request id of a start URL like `/?consent=<id>`, if it looks like one."""
    if not route:
        return None
    found = parse_qs(urlsplit(route).query).get("consent", [""])[0]
    return found if _REQUEST_ID_RE.match(found) else None


def connection_status(connection: ConnectionOut, now: datetime) -> str:
    """active, revoked, expired or suspended: what the list says of a connected app."""
    if connection.revoked_at is not None:
        return "revoked"
    if connection.app.status != "active":
        return "suspended"
    if connection.until <= now:
        return "expired"
    return "active"


class CatalogueState(Online):
    """The catalogue screen, the connected apps and the consent screen of one signed-in holder."""

    def __init__(self, client: AccountClient, pending_id: str | None = None) -> None:
        super().__init__(client)
        self.apps: list[AppOut] = []
        self.connections: list[ConnectionOut] = []
        self.category = ""  # "" = every category
        self.pending_id = pending_id  # from the start URL, until the holder is signed in
        self.consent_id: str | None = None  # the request the consent screen shows
        self.consent: ConsentRequestOut | None = None
        self.duration = DEFAULT_DURATION
        self.subject_id = ""  # "" = the holder's own space
        self.redirect_url: str | None = None  # where the person goes back to the app
        self.decided = ""  # "approved" or "refused" once the holder answered

    # --- words --------------------------------------------------------------------------------------
    @staticmethod
    def scope_words(scope: str, lang: str) -> str:
        entry = scopes().get(scope)
        return words(entry, lang) if entry else scope

    @staticmethod
    def scope_writes(scope: str) -> bool:
        return bool(scopes().get(scope, {}).get("write"))

    @staticmethod
    def category_label(code: str, lang: str) -> str:
        entry = categories().get(code)
        return words(entry, lang) if entry else code

    @staticmethod
    def duration_label(code: str, lang: str) -> str:
        return words(durations()[code], lang)

    @staticmethod
    def description(app: AppOut, lang: str) -> str:
        return (app.description_en if lang == "en" else "") or app.description_fr or app.description_en

    # --- the catalogue ------------------------------------------------------------------------------
    def entered(self) -> None:
        """The catalogue screen opens: load it afresh (what the server says now)."""
        self.loaded, self.offline, self.banner, self.notice = False, False, None, None

    def load(self) -> bool:
        def ask() -> None:
            self.apps = self.client.catalogue()
            self.connections = self.client.connected_apps()
            self.loaded = True

        return self._call(ask)

    def set_category(self, code: str) -> None:
        self.category = code if code in categories() else ""

    def category_choices(self, lang: str) -> list[tuple[str, str]]:
        """('' , 'Toutes'), then the categories that have apps, in the reference order."""
        present = {a.category for a in self.apps}
        return [("", text("ui.catalogue.category.all", lang))] + [
            (code, self.category_label(code, lang)) for code in categories() if code in present
        ]

    def shown(self) -> list[AppOut]:
        """The apps of the chosen category, by category then name."""
        order = list(categories())
        found = [a for a in self.apps if not self.category or a.category == self.category]
        return sorted(
            found, key=lambda a: (order.index(a.category) if a.category in order else 99, a.name.lower())
        )

    def connection_of(self, app_id: str, now: datetime) -> ConnectionOut | None:
        """The app's current connection to this space, if it has one."""
        return next(
            (c for c in self.connections if c.app.id == app_id and connection_status(c, now) == "active"),
            None,
        )

    def revoke(self, connection_id: str) -> bool:
        """Disconnect an app: the server refuses its very next call."""
        name = next((c.app.name for c in self.connections if c.id == connection_id), "")

        def ask() -> None:
            self.connections = self.client.revoke_app(connection_id)

        ok = self._call(ask)
        if ok:
            self.notice = ("ui.catalogue.revoked", {"name": name})
        return ok

    # --- the consent screen -------------------------------------------------------------------------
    def keep_request(self, route: str | None) -> bool:
        """Keep the request id of the start URL until the holder is signed in."""
        found = request_id_from_route(route)
        if found:
            self.pending_id = found
        return found is not None

    def take_request(self) -> bool:
        """The holder is signed in: the waiting request becomes the one the consent screen shows."""
        if self.pending_id is None:
            return False
        self.consent_id, self.pending_id = self.pending_id, None
        self.consent, self.redirect_url, self.decided = None, None, ""
        self.duration, self.subject_id = DEFAULT_DURATION, ""
        self.loaded, self.banner, self.notice, self.offline = False, None, None, False
        return True

    def load_consent(self) -> bool:
        """What the app asks, from the server (it may have expired or been answered already)."""
        request_id = self.consent_id
        if request_id is None:
            return False

        def ask() -> None:
            self.consent = self.client.consent_request(request_id)
            self.loaded = True

        return self._call(ask)

    def set_duration(self, code: str) -> None:
        self.duration = code if code in durations() else DEFAULT_DURATION

    def set_subject(self, subject_id: str) -> None:
        """Whose space the app reaches: the holder's own ('') or, later, a child's."""
        allowed = self.consent.subjects if self.consent else []
        self.subject_id = subject_id if subject_id in allowed else ""

    def approve(self) -> bool:
        return self._decide(approve=True)

    def refuse(self) -> bool:
        return self._decide(approve=False)

    def _decide(self, *, approve: bool) -> bool:
        request_id, consent = self.consent_id, self.consent
        if request_id is None or consent is None:
            return False

        def ask() -> None:
            if approve:
                self.redirect_url = self.client.approve_consent(
                    request_id, self.duration, self.subject_id or None
                )
            else:
                self.redirect_url = self.client.refuse_consent(request_id)

        ok = self._call(ask)
        if ok:
            self.decided = "approved" if approve else "refused"
            self.notice = (f"ui.catalogue.consent.{self.decided}", {"name": consent.app.name})
        return ok
