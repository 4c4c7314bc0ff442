"""The person's zone: named by the page in web mode, used by every feature that computes times."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mobile.shell.sync_state import SyncLine
from mobile.shell.words import error_text, format_datetime
from mobile.shell.zone import ZONE_KEY, web_assets, zone_named
from sync.errors import SyncError
from sync.protocol.errors import ErrorCode
from tests.mobile.conftest import AppServer
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import signed_in

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def world(app_server: AppServer) -> World:
    found = World(app_server, n=8)
    yield found  # type: ignore[misc]
    found.close()


def _now_in(zone: ZoneInfo) -> set[str]:
    """The minute it is in `zone`, or the one before (the clock may turn meanwhile)."""
    now = datetime.now(zone)
    return {now.strftime("%H:%M"), (now - timedelta(minutes=1)).strftime("%H:%M")}


def test_a_zone_the_page_names_or_none() -> None:
    assert zone_named("Asia/Tokyo") == TOKYO
    for unknown in (None, "", "Mars/Olympus", "../../etc/passwd", 12, "x" * 100):
        assert zone_named(unknown) is None  # this device's own zone


def test_the_page_tells_the_browsers_zone_and_its_language(tmp_path: Path) -> None:
    index = (web_assets(tmp_path / "web", "fr") / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in index
    assert f"localStorage.setItem('flutter.{ZONE_KEY}'" in index
    assert "Intl.DateTimeFormat().resolvedOptions().timeZone" in index
    assert index.index(ZONE_KEY) < index.index("flutter_bootstrap.js")  # written before the app starts


def test_every_time_shown_is_in_the_persons_zone(world: World, tmp_path: Path) -> None:
    """13:04 UTC is 22:04 in Tokyo: the sync bar, a lock time, the features' forms all say 22:04."""
    app = signed_in(world, tmp_path)
    app.set_zone(TOKYO)
    assert (app.agenda.tz, app.measures.tz, app.docs.tz) == (TOKYO, TOKYO, TOKYO)
    app.sync_bar.sync()
    line = app.sync_bar.line(app.tz)
    assert isinstance(line, SyncLine) and line.key == "ui.sync.up_to_date"
    assert line.params["time"] in _now_in(TOKYO)
    moment = datetime(2026, 12, 7, 13, 4, tzinfo=UTC)
    assert format_datetime(moment, "fr", app.tz) == "07/12/2026 à 22:04"
    locked = SyncError(ErrorCode.ACCOUNT_LOCKED, {"until": moment.isoformat()})
    assert "22:04" in error_text(locked, "fr", app.tz)
    app.measures.new_reading("weight")
    assert app.measures.add.values["time"] in _now_in(TOKYO)
    assert app.measures.add.values["date"] == datetime.now(TOKYO).strftime("%d/%m/%Y")
    app._lock()  # states built anew keep the zone
    assert app.agenda.tz == TOKYO
