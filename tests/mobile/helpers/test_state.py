"""Helpers in the app, on a real server: the invitation form's checks, accepting, switching into
the helped person's space (a separate sealed store), adding there, the attestation PDF, and the
end: the helper is taken back to their own space and the copy is wiped from the device."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium

from backend_stub.rules import gate
from mobile.app import VaultAppState
from mobile.helpers.state import HelpersState
from mobile.shell.home import shown_sections
from mobile.shell.state import SECTIONS, Screen
from sync.helped_spaces import HelpedSpace
from sync.protocol.errors import ErrorCode
from sync.protocol.helpers_schemas import DelegationOut, DelegationStatus, Person, helper_sections
from sync.protocol.i18n import long_day_text
from tests.mobile.conftest import AppServer
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import signed_in

APPOINTMENT = {"date": "2026-12-01", "time": "10:30", "professional": "Dr Morel", "reason": "Cardiologue"}


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _fill(helpers: HelpersState, nir: str, **override: str) -> None:
    today = helpers.today()
    values = {
        "first_name": "Camille",
        "last_name": "Martin",
        "birth_date": "01/05/1985",
        "nir": nir,
        "starts_on": _day(today),
        "ends_on": _day(today + timedelta(days=200)),
    } | override
    for name, value in values.items():
        helpers.form.set(name, value)


def _pdf_text(content: bytes) -> str:
    pdf = pdfium.PdfDocument(content)
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def _two(app_server: AppServer, tmp_path: Path) -> tuple[VaultAppState, VaultAppState, World, World]:
    helped_world, helper_world = World(app_server, n=41), World(app_server, n=42)
    helped = signed_in(helped_world, tmp_path / "helped")
    helper = signed_in(helper_world, tmp_path / "helper")
    return helped, helper, helped_world, helper_world


def test_the_form_says_what_is_wrong_before_anything_is_sent(app_server: AppServer, tmp_path: Path) -> None:
    helped, _, _, helper_world = _two(app_server, tmp_path)
    helpers = helped.helpers
    helpers.start()
    assert not helpers.invite()
    assert set(helpers.form.errors) == {
        "first_name",
        "last_name",
        "birth_date",
        "nir",
        "starts_on",
        "ends_on",
    }
    _fill(helpers, helper_world.nir, ends_on=_day(helpers.today() + timedelta(days=366)))
    assert not helpers.invite()
    assert helpers.form.errors["ends_on"].code == ErrorCode.HELPER_DATES
    _fill(helpers, helper_world.nir, first_name="Paul")
    assert not helpers.invite()  # the server found nobody: said in the banner
    assert helpers.form.banner is not None and helpers.form.banner.code == ErrorCode.HELPER_NOT_FOUND
    assert "helpers" in SECTIONS and SECTIONS["helpers"] == Screen.HELPERS


def test_invite_accept_switch_add_attest_end_and_wipe(app_server: AppServer, tmp_path: Path) -> None:
    helped, helper, helped_world, helper_world = _two(app_server, tmp_path)
    helped.helpers.start()
    _fill(helped.helpers, helper_world.nir)
    helped.helpers.form.may_add = True
    assert helped.helpers.invite(), helped.helpers.form.banner
    assert helped.helpers.notice == "ui.helpers.invited"
    assert [d.status for d in helped.helpers.my_helpers()] == ["pending"]

    helper.helpers.load()
    invitation = helper.helpers.invitations()[0]
    assert helper.helpers.answer(invitation.id, "accept")
    assert [d.helped.id for d in helper.helpers.helping()] == [helped_world.me.id]

    # Into the helped person's space: a store of its own, under helped/, and a client with X-Space.
    assert helper.switch_helped(helped_world.me.id)
    space = helper.vault.space
    assert isinstance(space, HelpedSpace) and space.store is not None
    folder = space.vault().folder
    assert "helped" in folder.parts and folder.exists()
    assert helper.helpers.current() is not None and helper.screen == Screen.HOME
    # Its home shows only what a helper can use (read and add, no messages).
    assert shown_sections(helper) == ["documents", "profile", "agenda", "professionals", "catalogue"]
    assert shown_sections(helped) == list(SECTIONS)
    space.store.put("appointment", APPOINTMENT)
    pushed = space.sync()
    assert pushed.error is None and pushed.pending == 0, pushed
    helped.vault.space.sync()  # type: ignore[union-attr]
    assert any(i.data.get("reason") == "Cardiologue" for i in helped.vault.space.store.items("appointment"))  # type: ignore[union-attr]

    # The attestation names both, the rights and the dates.
    pdf = helper.helpers.attestation(invitation.id, "fr")
    assert pdf is not None
    text = _pdf_text(pdf)
    assert "Camille Martin est aidant de Camille Martin" in text and "lecture et ajout" in text
    assert f"au {long_day_text(invitation.ends_on, 'fr')} inclus" in text  # the day in words

    # The helped person ends it: the helper's next look at the list takes them home, copy wiped.
    assert helped.helpers.answer(invitation.id, "end")
    assert helped.helpers.my_helpers() == []
    helper.helpers.load()
    assert helper.helpers.active == "" and not isinstance(helper.vault.space, HelpedSpace)
    assert helper.banner is not None and helper.banner.code == "ui.helped.lost"
    assert not folder.exists()
    assert helper.vault.space is not None and helper.vault.space.store is not None
    assert not helper.vault.space.store.secret(HelpedSpace.KEY_SECRET + helped_world.me.id)
    assert not helper.switch_helped(helped_world.me.id)


def test_a_childs_space_and_a_helped_space_never_mix(app_server: AppServer, tmp_path: Path) -> None:
    """Switching to one's own space from either switcher gives back one's own client and store."""
    helped, helper, helped_world, helper_world = _two(app_server, tmp_path)
    helped.helpers.start()
    _fill(helped.helpers, helper_world.nir)
    assert helped.helpers.invite()
    helper.helpers.load()
    assert helper.helpers.answer(helper.helpers.invitations()[0].id, "accept")
    own_space, own_client = helper.vault.space, helper.vault.client
    assert helper.switch_helped(helped_world.me.id)
    assert helper.vault.client is not own_client
    assert helper.switch_space("")  # the children's switcher: back home too
    assert helper.vault.space is own_space and helper.vault.client is own_client
    assert helper.helpers.active == ""


def test_the_sync_loop_leaves_a_space_the_server_now_refuses(app_server: AppServer, tmp_path: Path) -> None:
    helped, helper, helped_world, helper_world = _two(app_server, tmp_path)
    helped.helpers.start()
    _fill(helped.helpers, helper_world.nir)
    assert helped.helpers.invite()
    helper.helpers.load()
    delegation = helper.helpers.invitations()[0].id
    assert helper.helpers.answer(delegation, "accept")
    assert helper.switch_helped(helped_world.me.id)
    folder = helper.vault.space.vault().folder  # type: ignore[union-attr]
    assert helped.helpers.answer(delegation, "end")
    helper.sync_bar.sync()  # refused now: helpers.ended
    helper.sync_children()  # the loop's spare turn
    assert helper.helpers.active == "" and not folder.exists()


def test_a_helped_space_shows_only_the_sections_a_helper_can_use() -> None:
    who = Person(id="p1", first_name="Marie", last_name="Martin")
    now = datetime(2026, 6, 1, tzinfo=UTC)
    base = {"id": "d1", "helped": who, "helper": who, "status": DelegationStatus.ACTIVE}
    base |= {"starts_on": now.date(), "ends_on": now.date(), "may_add": True, "created_at": now}
    plain = DelegationOut(**base, messages=False, expires_at=now)
    shown = helper_sections(plain)
    assert shown <= set(SECTIONS) and "documents" in shown
    assert not shown & {"settings", "helpers", "children", "access_log", "messages"}
    assert "messages" in helper_sections(plain.model_copy(update={"messages": True}))
    # Each shown section reads through a route the gate lets a helper reach.
    routes = {"documents": "/sync/pull", "profile": "/sync/pull", "agenda": "/sync/pull"}
    routes |= {"professionals": "/professionals", "catalogue": "/catalogue"}
    assert all(routes[name] in gate.HELPER_READS for name in shown)
    assert "/access-log" not in gate.HELPER_READS and "/settings" not in gate.HELPER_READS
