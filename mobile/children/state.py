"""A parent's minor children, without a single control: the list, activation or refusal of a
child's space, and the space switcher.

    FamilyState     the children (from the server, a sealed copy for offline), the form of the
                    letter's three identifiers, and which space the app acts on ("" = one's own)
    ChildIdsForm    the provisional code, social security number and Vitale serial of the child

Switching swaps the open `HolderSpace` of the vault for the child's `ChildSpace` (and its
`X-Space` client); the app then rebuilds every feature state for that space.
"""

import contextlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from mobile.shell.spaces import OtherSpaces
from mobile.shell.state import _IdentifiersMixin, local_error
from mobile.shell.vault import VaultState
from mobile.shell.words import text
from sync.child_spaces import ChildSpace
from sync.client import AccountClient
from sync.errors import NetworkError, SyncError
from sync.protocol.reference import load_reference
from sync.protocol.schemas import Me, OtpChannel, SpaceStatus

__all__ = [
    "COLOURS",
    "GROWTH_KINDS",
    "ChildIdsForm",
    "ChildRow",
    "FamilyState",
    "GrowthChart",
    "growth_chart",
]

GROWTH_FILE = "growth_who2007.json"  # WHO growth reference 5-19 years, LMS at yearly points
GROWTH_FILE_UNDER_5 = "growth_who2006.json"  # WHO child growth standards 0-5 years, monthly LMS
UNDER_5_MONTHS = 60  # below this age the chart uses the 0-5 standards, in months
GROWTH_KINDS = ("weight", "height")
CHILDREN_SECRET = "children"  # the last list from the server, sealed in the parent's store
# The child's colour (index given by the server), readable with white text on it (contrast >= 4.5).
COLOURS: tuple[str, ...] = ("#8E24AA", "#00796B", "#C62828", "#1565C0", "#AD5A00", "#5D4037")


class _Child(Protocol):
    """What the app reads of the server's ChildOut."""

    id: str
    first_name: str
    last_name: str
    birth_date: date
    status: Any
    age_years: int
    colour: int
    can_act: bool


@dataclass(frozen=True)
class ChildRow:
    """One child as the list and the band show them."""

    id: str
    first_name: str
    last_name: str
    age: int
    colour: str
    status: str  # pending | active | objected | ...
    can_act: bool
    birth_date: date | None = None


def age_words(row: ChildRow, lang: str, today: date | None = None) -> str:
    """'8 ans', '1 an', or for a child under 2 '14 mois': how parents say a young child's age."""
    if row.birth_date is not None and row.age < 2:
        day = today or date.today()
        months = (day.year - row.birth_date.year) * 12 + day.month - row.birth_date.month
        months -= day.day < row.birth_date.day
        return text("ui.family.age.months", lang, n=max(months, 0))
    return text("ui.family.age.one" if row.age == 1 else "ui.family.age.years", lang, n=row.age)


def _row(child: _Child) -> ChildRow:
    status = getattr(child.status, "value", child.status)
    return ChildRow(
        id=child.id,
        first_name=child.first_name,
        last_name=child.last_name,
        age=int(child.age_years),
        colour=COLOURS[int(child.colour) % len(COLOURS)],
        status=str(status),
        can_act=bool(child.can_act),
        birth_date=child.birth_date,
    )


class ChildIdsForm(_IdentifiersMixin):
    """The three identifiers of the letter addressed to the parent for one child."""

    fields = ("code", "nir", "vitale")

    def __init__(
        self, client: AccountClient, child: ChildRow | None = None, action: str = "activate"
    ) -> None:
        super().__init__(client)
        self.child = child
        self.action = action  # activate | refuse
        self.confirm_name = ""  # the first name the server found: "the space of Léa?"


class FamilyState(OtherSpaces):
    """The parent's children and the space the app acts on."""

    def __init__(self, vault: VaultState, client: AccountClient) -> None:
        super().__init__(vault, client)  # `active`: the child whose space is shown ("" = one's own)
        self.rows: list[ChildRow] = []
        self.loaded = False
        self.offline = False
        self.busy = False
        self.notice = ""  # a message key; its {first_name} is `notice_name`
        self.notice_name = ""
        self.form = ChildIdsForm(client)
        # Called when the list says the child shown can no longer be acted on (majority, loss of
        # parental authority): the app goes back to the parent's own space.
        self.on_lost: Callable[[], None] = lambda: None

    # --- the list -------------------------------------------------------------------------------
    def entered(self) -> None:
        """The screen opens: load the list afresh, old messages go (a form being typed stays)."""
        self.loaded, self.offline, self.banner, self.notice = False, False, None, ""

    def load(self) -> bool:
        """The children from the server (kept sealed for offline use), else the kept copy."""
        self.banner, self.offline = None, False
        parent = self._self()
        try:
            rows = [_row(c) for c in self.client.children()]
        except NetworkError:
            self.offline = True
            rows = self._kept()
        except SyncError as err:
            self.banner = err
            rows = self._kept()
        else:
            if parent is not None and parent.store is not None:
                parent.store.set_secret(CHILDREN_SECRET, [_plain(r) for r in rows])
        self.rows, self.loaded = rows, True
        if self.active and not any(r.id == self.active and r.can_act for r in rows):
            self.on_lost()
        return self.banner is None and not self.offline

    def _kept(self) -> list[ChildRow]:
        parent = self._self()
        kept = parent.store.secret(CHILDREN_SECRET) if parent and parent.store else None
        if not isinstance(kept, list):
            return []
        return [_unplain(r) for r in kept if isinstance(r, dict)]

    def child(self, child_id: str) -> ChildRow | None:
        return next((r for r in self.rows if r.id == child_id), None)

    def switchable(self) -> list[ChildRow]:
        """The children whose space the parent can act on (the switcher's choices)."""
        return [r for r in self.rows if r.can_act]

    # --- activating or refusing a child's space -------------------------------------------------
    def start(self, child_id: str, action: str) -> None:
        """Open the form of the letter for one child (action: activate | refuse)."""
        self.form = ChildIdsForm(self.client, self.child(child_id), action)
        self.notice = ""

    def cancel(self) -> None:
        """Leave the form (nothing is sent)."""
        self.form = ChildIdsForm(self.client)

    def check(self) -> bool:
        """Check the identifiers locally, then with the server: learn whose space it is."""
        form = self.form
        form.clear_errors()
        form.confirm_name = ""
        ids = form.identifiers()
        if ids is None:
            return False

        def ask() -> None:
            form.confirm_name = self.client.check_child(ids)

        return form._call(ask)

    def submit(self) -> bool:
        """Activate or refuse the child's space (after the person confirmed)."""
        form = self.form
        form.clear_errors()
        ids = form.identifiers()
        if ids is None:
            return False
        activating = form.action == "activate"
        action = self.client.activate_child if activating else self.client.object_child
        done: list[Any] = []
        if not form._call(lambda: done.append(action(ids))):
            return False
        row = _row(done[0])
        self.rows = [row if r.id == row.id else r for r in self.rows]
        if all(r.id != row.id for r in self.rows):
            self.rows.append(row)
        self.form = ChildIdsForm(self.client)
        self.load()
        self.notice = "ui.family.activated" if activating else "ui.family.refused"
        self.notice_name = row.first_name
        return True

    # --- the space switcher ---------------------------------------------------------------------
    def current(self) -> ChildRow | None:
        """The child whose space is shown, or None in the parent's own space."""
        return self.child(self.active) if self.active else None

    def switch(self, child_id: str) -> bool:
        """Act on a child's space ("" = one's own): opens the child's store on first use."""
        row = self.child(child_id) if child_id else None
        if child_id and (row is None or not row.can_act):
            self.banner = local_error("ui.family.error.not_active")
            return False
        known = _stand_in(row) if row is not None else None
        return self._enter(child_id, lambda parent: ChildSpace(parent, child_id), known)

    def sync_others(self, progress: Callable[[str, int, int], None] | None = None) -> None:
        """Sync the children's spaces opened on this device but not shown (the loop's spare turn)."""
        for child_id, space in list(self.spaces.items()):
            if child_id != self.active and space.store is not None:
                with contextlib.suppress(Exception):  # closed meanwhile: the next turn tries again
                    space.sync(progress)

    def close(self) -> None:
        """Back to the parent's space and every child's store closed (lock, logout, tab closed)."""
        self.close_spaces()
        self.rows, self.loaded = [], False


def _stand_in(row: ChildRow) -> Me:
    """The child's Me until the server gives it (the first open while offline)."""
    return Me(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        email="",
        status=SpaceStatus.ACTIVE,
        otp_channel=OtpChannel.EMAIL,
        birth_date=row.birth_date,
    )


def _plain(row: ChildRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "age": row.age,
        "colour": row.colour,
        "status": row.status,
        "can_act": row.can_act,
        "birth_date": row.birth_date.isoformat() if row.birth_date else None,
    }


def _unplain(data: dict[str, Any]) -> ChildRow:
    birth = data.get("birth_date")
    return ChildRow(
        id=str(data["id"]),
        first_name=str(data.get("first_name", "")),
        last_name=str(data.get("last_name", "")),
        age=int(data.get("age", 0)),
        colour=str(data.get("colour", COLOURS[0])),
        status=str(data.get("status", "")),
        can_act=bool(data.get("can_act")),
        birth_date=date.fromisoformat(birth) if isinstance(birth, str) else None,
    )


# --- growth charts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrowthChart:
    """One kind's reference curves (3rd, 50th, 97th percentiles) and the child's readings, by age
    in `unit` (months below 5 years, from the WHO 0-5 standards; years after, from the 2007
    reference); `position` says where the latest reading lies (below | within | above | "")."""

    kind: str
    curves: dict[str, list[tuple[float, float]]]
    points: list[tuple[float, float]]
    position: str
    unit: str = "years"


def _lms(l_: float, m: float, s: float, z: float) -> float:
    """The value at z-score `z` of an LMS distribution (Cole and Green)."""
    return m * math.exp(s * z) if l_ == 0 else m * (1 + l_ * s * z) ** (1 / l_)


def _age(birth: date, day: date) -> float:
    return (day - birth).days / 365.25


def growth_chart(
    kind: str,
    sex: str,
    birth: date | None,
    readings: Iterable[tuple[datetime, float]],
    today: date | None = None,
) -> GrowthChart | None:
    """The chart of `kind` for a child of `sex` born on `birth`, or None without a reference
    (unknown sex or birth date, or a kind the reference has not). A child under 5 on `today` gets
    the 0-5 standards in months (0-24 months while under 2, as the WHO's own charts), else the
    5-19 reference in years."""
    if birth is None:
        return None
    now = _age(birth, today or date.today()) * 12
    months = now < UNDER_5_MONTHS
    reference = load_reference(GROWTH_FILE_UNDER_5 if months else GROWTH_FILE)
    table = reference.get(kind, {})
    rows = table.get(sex) if isinstance(table, dict) else None
    if not rows:
        return None
    per = 1 if months else 12  # months of age per unit of the chart
    if months:
        rows = [row for row in rows if row[0] <= (24 if now < 24 else UNDER_5_MONTHS)]
    zs: dict[str, float] = reference["percentiles"]
    curves = {
        name: [(m / per, round(_lms(l_, mm, s, z), 2)) for m, l_, mm, s in rows] for name, z in zs.items()
    }
    low, high = rows[0][0] / per, rows[-1][0] / per
    margin = 0 if months else 0.5
    points = sorted((round(_age(birth, at.date()) * 12 / per, 2), v) for at, v in readings)
    points = [(age, v) for age, v in points if low - margin <= age <= high + margin]
    position = _position(curves, points[-1]) if points else ""
    return GrowthChart(kind, curves, points, position, "months" if months else "years")


def _at(curve: list[tuple[float, float]], age: float) -> float:
    """The curve's value at `age` (straight lines between the reference's points)."""
    for (a0, v0), (a1, v1) in zip(curve, curve[1:], strict=False):
        if a0 <= age <= a1:
            return v0 + (v1 - v0) * (age - a0) / (a1 - a0)
    return curve[0][1] if age < curve[0][0] else curve[-1][1]


def _position(curves: dict[str, list[tuple[float, float]]], point: tuple[float, float]) -> str:
    age, value = point
    if value < _at(curves["p3"], age):
        return "below"
    if value > _at(curves["p97"], age):
        return "above"
    return "within"
