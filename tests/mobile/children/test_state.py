"""A parent's children in the app: the list, activating or refusing a child's space, the space
switcher (every feature state rebuilt for the child's space) and the child's band on every screen."""

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import flet as ft
import flet_charts as fch
import httpx
import pytest

from backend_stub.demo import nir_for
from mobile.app import VaultAppState
from mobile.children.state import COLOURS, ChildRow, age_words, growth_chart
from mobile.main import BUILDERS, SCREENS
from mobile.record_access.state import record_of
from mobile.shell.router import Router
from mobile.shell.state import Screen
from mobile.shell.words import profession_label, text
from sync.client import AccountClient
from sync.protocol.errors import ErrorCode
from sync.protocol.schemas import Me, OtpChannel, SpaceStatus, TokenPair
from tests.sync.conftest import FAST_KDF

PIN = "Mimosa-482915"
TOM_CODE = "ABCD-EFGH-JKMN"
TOM_NIR = nir_for(71)
PARENT = Me(
    id="parent1",
    first_name="Camille",
    last_name="Martin",
    email="camille@example.fr",
    status=SpaceStatus.ACTIVE,
    otp_channel=OtpChannel.EMAIL,
    birth_date=date(1985, 5, 1),
    sex="female",
)


def child(child_id: str, first_name: str, status: str, born: str, age: int, colour: int) -> dict[str, Any]:
    return {
        "id": child_id,
        "first_name": first_name,
        "last_name": "Martin",
        "birth_date": born,
        "status": status,
        "age_years": age,
        "colour": colour,
        "can_act": status == "active",
    }


class FakeServer:
    """The children's routes and /me as the contract says; records every request's X-Space."""

    def __init__(self) -> None:
        self.children = [
            child("child-lea", "Léa", "active", "2018-03-10", 8, 2),
            child("child-tom", "Tom", "pending", "2020-06-01", 6, 4),
        ]
        self.spaces: list[tuple[str, str]] = []  # (path, X-Space)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/v1")
        space = request.headers.get("X-Space", "")
        self.spaces.append((path, space))
        if path == "/children":
            return httpx.Response(200, json=self.children)
        if path in ("/children/check", "/children/activation", "/children/objection"):
            body = json.loads(request.content)
            if body["provisional_code"] != TOM_CODE.replace("-", ""):
                return httpx.Response(400, json={"code": ErrorCode.IDENTIFIERS_MISMATCH.value, "params": {}})
            tom = self.children[1]
            if path == "/children/check":
                return httpx.Response(200, json={"first_name": "Tom", "status": tom["status"]})
            tom["status"] = "active" if path.endswith("activation") else "objected"
            tom["can_act"] = tom["status"] == "active"
            return httpx.Response(200, json=tom)
        if path == "/me":
            if not space:
                return httpx.Response(200, json=json.loads(PARENT.model_dump_json()))
            kid = next(c for c in self.children if c["id"] == space)
            me = {
                "id": kid["id"],
                "first_name": kid["first_name"],
                "last_name": "Martin",
                "email": "",
                "status": "active",
                "otp_channel": "email",
                "birth_date": kid["birth_date"],
                "sex": "female",
            }
            return httpx.Response(200, json=me)
        return httpx.Response(503, json={"code": ErrorCode.NETWORK.value, "params": {}})


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


@pytest.fixture
def state(tmp_path: Path, server: FakeServer) -> Iterator[VaultAppState]:
    http = httpx.Client(base_url="http://test", transport=httpx.MockTransport(server))
    client = AccountClient(http=http)
    later = "2030-01-01T00:00:00Z"
    client.tokens = TokenPair.model_validate(
        {"access_token": "a", "refresh_token": "r", "access_expires_at": later, "refresh_expires_at": later}
    )
    app = VaultAppState(client, tmp_path, kdf=FAST_KDF)
    app._signed_in(PARENT)
    assert app.screen == Screen.PIN_SETUP
    app.vault.pin_form.set("pin", PIN)
    app.vault.pin_form.set("confirm", PIN)
    assert app.set_pin()
    yield app
    app.tab_closed()


def test_the_children_list(state: VaultAppState) -> None:
    state.open_section("children")
    assert state.screen == Screen.CHILDREN
    assert state.family.load()
    lea, tom = state.family.rows
    assert (lea.first_name, lea.age, lea.colour, lea.status) == ("Léa", 8, COLOURS[2], "active")
    assert lea.can_act
    assert (tom.first_name, tom.status, tom.can_act) == ("Tom", "pending", False)
    assert [c.id for c in state.family.switchable()] == ["child-lea"]
    state.back()
    assert state.screen == Screen.HOME


def test_the_list_offline_is_the_last_one_kept(state: VaultAppState, server: FakeServer) -> None:
    assert state.family.load()
    server.children = []  # what the server says no longer matters: the network is gone
    state.client._http = httpx.Client(base_url="http://test", transport=httpx.MockTransport(_offline))
    state.family.entered()
    assert not state.family.load()
    assert state.family.offline
    assert [r.first_name for r in state.family.rows] == ["Léa", "Tom"]


def _offline(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("no network", request=request)


def test_activation_form_errors_keep_what_was_typed(state: VaultAppState) -> None:
    family = state.family
    family.load()
    family.start("child-tom", "activate")
    form = family.form
    assert form.child is not None and form.child.first_name == "Tom"
    # Local checks: each wrong field says why, under the field.
    form.set("code", "AB")
    form.set("nir", "123")
    form.set("vitale", "")
    assert not family.check()
    assert set(form.errors) == {"code", "nir", "vitale"}
    assert form.values["code"] == "AB" and form.values["nir"] == "123"
    # The server does not know these identifiers: a banner, the values stay.
    form.set("code", "ZZZZ-ZZZZ-ZZZZ")
    form.set("nir", TOM_NIR)
    form.set("vitale", "12345678")
    assert not family.check()
    assert form.banner is not None and form.banner.code == ErrorCode.IDENTIFIERS_MISMATCH
    assert form.values["code"] == "ZZZZ-ZZZZ-ZZZZ"
    # The right letter: the server names the child, then the parent confirms.
    form.set("code", TOM_CODE)
    assert family.check()
    assert form.confirm_name == "Tom"
    assert family.submit()
    assert family.notice == "ui.family.activated" and family.notice_name == "Tom"
    assert family.form.child is None  # the identifiers are forgotten
    assert [c.first_name for c in family.switchable()] == ["Léa", "Tom"]


def test_refusing_a_childs_space(state: VaultAppState) -> None:
    family = state.family
    family.load()
    family.start("child-tom", "refuse")
    for name, value in (("code", TOM_CODE), ("nir", TOM_NIR), ("vitale", "12345678")):
        family.form.set(name, value)
    assert family.check() and family.form.confirm_name == "Tom"
    assert family.submit()
    assert family.notice == "ui.family.refused"
    assert family.child("child-tom").status == "objected"  # type: ignore[union-attr]
    assert [c.first_name for c in family.switchable()] == ["Léa"]


def features(state: VaultAppState) -> tuple[object, ...]:
    return (
        state.docs,
        state.profile,
        state.measures,
        state.agenda,
        state.messages,
        state.export,
        state.shares,
    )


def test_switching_rebuilds_every_feature_state(state: VaultAppState, server: FakeServer) -> None:
    family = state.family
    family.load()
    own_space = state.vault.space
    before = features(state)
    assert state.agenda.person() is not None and state.agenda.person().birth == PARENT.birth_date  # type: ignore[union-attr]

    assert state.switch_space("child-lea")
    assert state.screen == Screen.HOME
    assert family.current() is not None and family.current().first_name == "Léa"  # type: ignore[union-attr]
    after = features(state)
    assert all(a is not b for a, b in zip(before, after, strict=True))
    child_space = state.vault.space
    assert child_space is not own_space and child_space is not None
    # The online states talk through the child's view: X-Space on every call.
    for online in (state.shares, state.admin, state.reimbursements, state.catalogue, record_of(state).log):
        assert online.client.space_id == "child-lea"  # type: ignore[attr-defined]
    assert ("/me", "child-lea") in server.spaces
    # The check-up reminders follow the CHILD's Me (birth date from GET /me with X-Space).
    person = state.agenda.person()
    assert person is not None and person.birth == date(2018, 3, 10)

    # Data written in the child's space stays there; the parent's stays in the parent's.
    assert child_space.store is not None and own_space is not None and own_space.store is not None
    child_space.store.put("profile_entry", {"section": "vaccinations", "label": "ROR"})
    own_space.store.put("profile_entry", {"section": "allergies", "label": "pollen"})

    assert state.switch_space("")
    assert family.current() is None and state.vault.space is own_space
    assert state.vault.client is state.client
    assert [i.data["label"] for i in own_space.store.items("profile_entry")] == ["pollen"]
    assert state.switch_space("child-lea")
    assert state.vault.space is child_space  # the child's store stayed open: the same data
    assert [i.data["label"] for i in state.vault.space.store.items("profile_entry")] == ["ROR"]  # type: ignore[union-attr]

    # A pending child's space cannot be shown.
    assert not state.switch_space("child-tom")
    assert family.banner is not None and family.banner.code == "ui.family.error.not_active"

    # Logging out closes the children's stores and returns to the parent's space.
    state.logout()
    assert family.active == "" and family.spaces == {}
    assert child_space.store is None


class FakePage:
    """What the router needs of a page to draw a screen (no browser)."""

    def __init__(self) -> None:
        self.title = ""
        self.appbar: ft.AppBar | None = None
        self.controls: list[ft.Control] = []
        self.data: dict[str, Any] = {}
        self.web = True
        self.route = "/"
        self.width = 412  # a phone: one pane

    def update(self) -> None:
        pass

    async def push_route(self, route: str) -> None:
        self.route = route

    def run_task(self, *_: Any, **__: Any) -> None:
        pass


def shown(page: FakePage) -> list[ft.Control]:
    """The controls of the screen drawn (inside its scrollable and layout)."""
    found = [page.controls[0]]
    while found:
        control = found.pop()
        if str(getattr(control, "key", "")).startswith("screen-"):
            return control.controls  # type: ignore[attr-defined,no-any-return]
        found.extend(getattr(control, "controls", None) or [])
    raise AssertionError("no screen drawn")


def keyed(controls: list[ft.Control], key: str) -> ft.Control:
    """The control of `key` among the screen's, or inside one of them (a title's heading node)."""
    for control in controls:
        for candidate in (control, getattr(control, "content", None)):
            if candidate is not None and getattr(candidate, "key", None) == key:
                return candidate
    raise AssertionError(f"no {key}")


def drawn_first(page: FakePage) -> ft.Control:
    return shown(page)[0]


SPACE_SCREENS = (
    Screen.HOME,
    Screen.DOCUMENTS,
    Screen.DOCUMENT_ADD,
    Screen.PROFILE,
    Screen.MEASUREMENTS,
    Screen.AGENDA,
    Screen.CHECKUPS,
    Screen.MESSAGES,
    Screen.PROFESSIONALS,
    Screen.ACCESS_LOG,
    Screen.NOTIFICATIONS,
    Screen.SETTINGS,
    Screen.EXPORT,
    Screen.CHILDREN,
)


def test_the_childs_band_shows_on_every_screen(state: VaultAppState) -> None:
    state.family.load()
    page = FakePage()
    router = Router(page, state, SCREENS)  # type: ignore[arg-type]
    state.go(Screen.HOME)
    router.render()
    assert drawn_first(page).key != "space-band-sem"  # the parent's own space: no band
    hello = keyed(shown(page), "hello")
    assert hello.value.startswith("Bonjour")

    assert state.switch_space("child-lea")
    drawn: list[Screen] = []
    for screen in SPACE_SCREENS:
        assert screen in BUILDERS
        state.screen = screen
        router.render()
        band = drawn_first(page)
        assert band.key == "space-band-sem", screen
        assert isinstance(band, ft.Semantics) and band.label and "Léa" in band.label and "8" in band.label
        drawn.append(screen)
    assert drawn == list(SPACE_SCREENS)
    # "Mes enfants" in Léa's space also draws her growth charts (no reading yet: said plainly).
    state.screen = Screen.CHILDREN
    router.render()
    keys = {c.key for c in shown(page)} | {
        getattr(getattr(c, "content", None), "key", None) for c in shown(page)
    }
    assert {"growth-title", "growth-weight-position", "growth-height-position", "growth-source"} <= keys
    state.go(Screen.HOME)
    router.render()
    hello = keyed(shown(page), "hello")
    assert hello.value == "Espace de Léa"


def test_a_babys_growth_charts_are_drawn_in_months(state: VaultAppState, server: FakeServer) -> None:
    baby = date.today().replace(day=1).toordinal() - 400  # about 13 months old, whatever the day
    server.children[0]["birth_date"] = date.fromordinal(baby).isoformat()
    state.family.load()
    assert state.switch_space("child-lea")
    page = FakePage()
    router = Router(page, state, SCREENS)  # type: ignore[arg-type]
    state.screen = Screen.CHILDREN
    router.render()
    controls = shown(page)
    keys = {c.key for c in controls}
    assert {"growth-weight-position", "growth-height-position", "growth-lying", "growth-source"} <= keys
    position = next(c for c in controls if c.key == "growth-weight-position")
    assert position.value.startswith("Pas encore de mesure de poids avant 5 ans.")
    chart = next(c.content for c in controls if isinstance(getattr(c, "content", None), fch.LineChart))
    # Birth to 24 months, a label every 3 months, the axis titled in months.
    assert (chart.min_x, chart.max_x) == (0, 25)
    assert [label.value for label in chart.bottom_axis.labels] == list(range(0, 24, 3))
    assert chart.bottom_axis.title.value == "Âge (mois)"
    assert chart.bottom_axis.label_spacing == 3  # every label drawn, none skipped by the chart


def test_a_lost_space_takes_the_parent_back_to_their_own(state: VaultAppState, server: FakeServer) -> None:
    state.family.load()
    assert state.switch_space("child-lea")
    # Léa turned 18 (or the parent lost parental authority): the list no longer lets them act.
    server.children[0]["can_act"] = False
    state.family.entered()
    state.family.load()
    assert state.family.active == "" and state.family.current() is None
    assert state.vault.client is state.client
    assert state.screen == Screen.HOME
    assert state.banner is not None and state.banner.code == "ui.family.error.not_active"


def test_growth_charts_against_the_who_reference() -> None:
    born = date(2018, 3, 10)
    # An 8-year-old girl: WHO 2007 weight-for-age, 3rd / 50th / 97th percentiles at 8 years.
    chart = growth_chart("weight", "female", born, [(datetime(2026, 3, 10, tzinfo=UTC), 25.0)])
    assert chart is not None
    at_8 = {name: dict(curve)[8.0] for name, curve in chart.curves.items()}
    assert at_8["p50"] == pytest.approx(25.03, abs=0.01)  # the median M of the reference
    assert 18.5 < at_8["p3"] < 19.5 and 34.5 < at_8["p97"] < 35.5
    assert chart.points == [(8.0, 25.0)] and chart.position == "within"
    low = growth_chart("height", "male", born, [(datetime(2026, 3, 10, tzinfo=UTC), 110.0)])
    assert low is not None and low.position == "below"
    high = growth_chart("height", "male", born, [(datetime(2026, 3, 10, tzinfo=UTC), 145.0)])
    assert high is not None and high.position == "above"
    # A reading before 4.5 years lies outside the reference: not drawn.
    early = growth_chart("weight", "female", born, [(datetime(2020, 3, 10, tzinfo=UTC), 12.0)])
    assert early is not None and early.points == [] and early.position == ""
    # Unknown sex or birth date: no reference curve at all.
    assert growth_chart("weight", "", born, []) is None
    assert growth_chart("weight", "female", None, []) is None


WHO_2006_MEDIANS = {  # WHO Child Growth Standards (2006), median M at 0, 12, 24 and 60 months
    ("weight", "male"): (3.3464, 9.6479, 12.1515, 18.3366),
    ("weight", "female"): (3.2322, 8.9481, 11.4775, 18.2193),
    ("height", "male"): (49.8842, 75.7488, 87.1161, 109.9638),  # lying length to 23 months, then standing
    ("height", "female"): (49.1477, 74.015, 85.7153, 109.4233),
}


@pytest.mark.parametrize(("kind", "sex"), list(WHO_2006_MEDIANS))
def test_growth_under_5_uses_the_who_child_growth_standards(kind: str, sex: str) -> None:
    born = date(2022, 1, 1)
    # A 4-year-old: the 0-5 standards, by month, from birth to 60 months.
    chart = growth_chart(kind, sex, born, [], today=date(2026, 1, 1))
    assert chart is not None and chart.unit == "months"
    medians = dict(chart.curves["p50"])
    assert sorted(medians) == list(range(61))
    for month, who in zip((0, 12, 24, 60), WHO_2006_MEDIANS[kind, sex], strict=True):
        assert medians[month] == pytest.approx(who, abs=0.005)
    # The 3rd and 97th percentiles frame the median every month, at plausible distances.
    for (m3, p3), (m50, p50), (m97, p97) in zip(*chart.curves.values(), strict=True):
        assert m3 == m50 == m97 and p3 < p50 < p97
        spread = 0.3 if kind == "weight" else 0.09  # weight is far more spread than length
        assert 1 - spread < p3 / p50 < 1 and 1 < p97 / p50 < 1 + spread * 1.2
    # The median grows month after month, even at 24 months where standing height (about 0.7 cm
    # less than lying length) takes over.
    curve = chart.curves["p50"]
    assert all(v1 > v0 for (_, v0), (_, v1) in zip(curve, curve[1:], strict=False))


def test_growth_chart_of_a_14_month_old_uses_the_0_5_standards() -> None:
    born = date(2025, 1, 10)
    readings = [(datetime(2025, 7, 10, tzinfo=UTC), 7.9), (datetime(2026, 3, 10, tzinfo=UTC), 9.0)]
    chart = growth_chart("weight", "female", born, readings, today=date(2026, 3, 20))
    assert chart is not None and chart.unit == "months"
    # Under 2 years, the chart shows birth to 24 months (the WHO's own 0-2 chart), readings in months.
    assert chart.curves["p50"][0] == (0, 3.23) and chart.curves["p50"][-1] == (24, 11.48)
    assert [age for age, _ in chart.points] == [5.95, 13.93] and chart.position == "within"
    # 9 kg at 14 months: a girl's median is 9.39 kg, her 3rd percentile about 7.3 kg.
    assert 7.0 < dict(chart.curves["p3"])[14] < 7.6
    light = [(datetime(2026, 3, 10, tzinfo=UTC), 6.5)]
    low = growth_chart("weight", "female", born, light, today=date(2026, 3, 20))
    assert low is not None and low.position == "below"
    # At 3 years the chart spans the whole 0-60 months; height is lying length, then standing height.
    older = growth_chart("height", "male", date(2023, 3, 1), [], today=date(2026, 3, 20))
    assert older is not None and older.unit == "months" and older.curves["p50"][-1][0] == 60
    median = dict(older.curves["p50"])  # the WHO's switch at 24 months: a month's growth minus 0.7 cm
    assert 0 < median[24] - median[23] < (median[23] - median[22]) / 2


@pytest.mark.parametrize("kind", ["weight", "height"])
@pytest.mark.parametrize("sex", ["male", "female"])
def test_growth_join_at_5_years_is_continuous(kind: str, sex: str) -> None:
    born = date(2020, 1, 1)
    before = growth_chart(kind, sex, born, [], today=date(2024, 12, 31))  # 59.9 months: 0-5 standards
    after = growth_chart(kind, sex, born, [], today=date(2025, 1, 2))  # 5 years: the 2007 reference
    assert before is not None and before.unit == "months" and after is not None and after.unit == "years"
    # The 2006 curves at 60 months and the 2007 ones at 61 months differ by about a month's growth
    # (at most 0.3 kg or 0.4 cm): the WHO built the 2007 reference to join the standards at 5 years.
    for name in ("p3", "p50", "p97"):
        at_60, at_61 = before.curves[name][-1], after.curves[name][0]
        assert at_60[0] == 60 and at_61[0] == pytest.approx(61 / 12)
        assert abs(at_61[1] - at_60[1]) / at_60[1] < 0.025


def test_closing_is_refused_in_a_childs_space(state: VaultAppState, server: FakeServer) -> None:
    state.family.load()
    assert state.switch_space("child-lea")
    state.closing.set("password", "Tournesol-bleu-2026!")
    calls = len(server.spaces)
    assert not state.close_space()
    assert state.closing.banner is not None and state.closing.banner.code == "ui.family.error.close_child"
    assert len(server.spaces) == calls  # nothing was sent: the parent's own space is untouched


def test_a_parents_line_in_the_childs_access_log_is_worded() -> None:
    assert profession_label("guardian", "fr") == "Parent (autorité parentale)"
    assert text("ui.log.mode.guardian", "en") == "parent, on the child's behalf"


def test_a_childs_space_never_touches_the_parents_card_key(state: VaultAppState) -> None:
    remembered: list[str | None] = []
    state.profile.card_key = b"k" * 32
    state.profile.remember_card_key = remembered.append
    state.family.load()
    assert state.switch_space("child-lea")
    assert state.profile.card_key is None  # the child's card settings are its own
    state.profile.disable_card()
    assert remembered == []  # the browser still keeps the parent's key
    assert state.switch_space("")
    assert state.profile.card_key == b"k" * 32
    state.profile.remember_card_key("again")
    assert remembered == ["again"]


def test_a_childs_age_as_parents_say_it() -> None:
    def row(age: int, born: date) -> ChildRow:
        return ChildRow("c1", "Léa", "Martin", age, "#1B5E20", "active", True, born)

    today = date(2026, 11, 24)
    assert age_words(row(8, date(2018, 3, 1)), "fr", today) == "8 ans"
    assert age_words(row(1, date(2025, 9, 30)), "fr", today) == "13 mois"
    assert age_words(row(0, date(2026, 11, 25)), "en", today) == "0 months old"
    assert age_words(row(1, date(2025, 1, 1)), "en", date(2026, 1, 1)) == "12 months old"
    assert age_words(row(2, date(2024, 1, 1)), "fr", today) == "2 ans"
