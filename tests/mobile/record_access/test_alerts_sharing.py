"""Issue #17 in the app's states, against the real server in-process: alerts per channel (first
access only or every access, e-mail and SMS may be off), the third emergency switch (masked
documents readable in an emergency), and which profile sections professionals read."""

import pytest

from mobile.record_access.state import RecordState
from sync.client import AccountClient
from tests.mobile.conftest import AppServer
from tests.mobile.record_access.test_state import World


@pytest.fixture
def world(app_server: AppServer) -> World:
    found = World(app_server, n=16)
    yield found  # type: ignore[misc]
    found.close()


def test_alerts_per_channel(world: World) -> None:
    alerts = world.record.alerts
    assert alerts.load() and alerts.settings is not None
    assert alerts.settings.in_app == "first" and alerts.settings.email == "first"  # as before
    assert alerts.choices("in_app") == ("first", "every") and "off" in alerts.choices("email")
    assert not alerts.set("in_app", "off")  # the in-app one cannot be off: nothing sent
    assert alerts.set("email", "every") and alerts.notice == ("ui.alerts.saved", {})
    assert alerts.set("sms", "off")
    again = RecordState(world.client, world.me.id).alerts
    assert again.load() and again.settings is not None
    assert (again.settings.in_app, again.settings.email, again.settings.sms) == ("first", "every", "off")

    alerts.client = AccountClient("http://127.0.0.1:9")  # the server cannot be reached
    alerts.client.tokens = world.client.tokens
    assert not alerts.set("email", "off")
    assert alerts.offline and alerts.settings.email == "every"  # the screen keeps what the server holds


def test_the_third_emergency_switch(world: World) -> None:
    emergency = world.record.emergency
    assert emergency.load()
    assert "masked_in_emergency" in emergency.SWITCHES and not emergency.value("masked_in_emergency")
    assert emergency.set("masked_in_emergency", True)
    assert emergency.notice == ("ui.emergency.saved.masked_in_emergency.on", {})
    again = RecordState(world.client, world.me.id).emergency
    assert again.load() and again.value("masked_in_emergency") and again.value("emergency_access")


def test_profile_sections_shared_with_professionals(world: World) -> None:
    sharing = world.record.sharing
    assert sharing.load()
    found = {s.section: (s.shared, s.default) for s in sharing.sections()}
    assert found["vaccination"] == (True, True) and found["allergy"] == (False, False)
    assert sharing.set("allergy", True) and sharing.notice == ("ui.sharing.saved.on", {})
    assert sharing.set("vaccination", False) and sharing.notice == ("ui.sharing.saved.off", {})
    assert not sharing.set("not_a_section", True)
    again = RecordState(world.client, world.me.id).sharing
    assert again.load()
    shared = {s.section for s in again.sections() if s.shared}
    assert "allergy" in shared and "vaccination" not in shared
