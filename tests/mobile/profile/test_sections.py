"""The profile sections of issue #17 in the app: blood group (one, then changed), hospital stays,
disabilities and the lifestyle habits as lists of the hub, with the shared checks, and an entry
drafted from "Mon histoire de santé" that waits for the person's save."""

from pathlib import Path

import pytest

from mobile.profile.state import HUB_SECTIONS
from sync.protocol.errors import ErrorCode
from sync.protocol.profile import LIFESTYLE_SECTIONS, RECORD_SECTIONS
from tests.mobile.conftest import AppServer
from tests.mobile.profile.test_state import add, fill
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import signed_in


@pytest.fixture
def world(app_server: AppServer) -> World:
    found = World(app_server, n=12)
    yield found  # type: ignore[misc]
    found.close()


def test_the_hub_opens_every_new_section(world: World, tmp_path: Path) -> None:
    profile = signed_in(world, tmp_path).profile
    assert set(RECORD_SECTIONS + LIFESTYLE_SECTIONS) <= set(HUB_SECTIONS)
    for section in RECORD_SECTIONS + LIFESTYLE_SECTIONS:
        profile.open_list(section)
        assert profile.section == section and profile.can_add()
    profile.open_list("wishes")  # not a list: the first list opens instead
    assert profile.section == "illness"


def test_one_blood_group_then_changed(world: World, tmp_path: Path) -> None:
    state = signed_in(world, tmp_path)
    profile = state.profile
    profile.open_list("blood_group")
    profile.start_add()
    fill(profile, abo="AB", rh="")
    assert not profile.save()
    assert profile.form is not None and profile.form.errors["rh"].code == ErrorCode.PROFILE_REQUIRED
    fill(profile, rh="negative", date="12/03/2001")
    assert profile.save()
    [row] = profile.rows()
    assert row.data == {"section": "blood_group", "abo": "AB", "rh": "negative", "date": "2001-03-12"}
    assert not profile.can_add()  # one blood group: it is changed, not added twice
    assert profile.start_edit(row.id)
    fill(profile, rh="positive")
    assert profile.save() and profile.rows()[0].data["rh"] == "positive"
    assert state.sync_bar.sync() and not profile.rows()[0].pending  # the server took it


def test_hospital_stay_dates_and_lifestyle_numbers(world: World, tmp_path: Path) -> None:
    profile = signed_in(world, tmp_path).profile
    profile.open_list("hospital_stay")
    profile.start_add()
    fill(profile, place="CHU de Lyon", reason="Appendicite", since="10/02/2024", until="08/02/2024")
    assert not profile.save()
    assert (
        profile.form is not None and profile.form.errors["until"].code == ErrorCode.PROFILE_UNTIL_BEFORE_SINCE
    )
    assert profile.form.values["place"] == "CHU de Lyon"  # nothing typed is lost
    fill(profile, until="14/02/2024")
    assert profile.save()
    assert profile.counts() == {"hospital_stay": 1}

    profile.open_list("sleep")
    profile.start_add()
    fill(profile, hours="25")
    assert not profile.save() and profile.form.errors["hours"].code == ErrorCode.PROFILE_NUMBER
    fill(profile, hours="7,5", quality="good")
    assert profile.save() and profile.rows()[0].data["hours"] == "7.5"
    add(profile, "disability", name="Surdité partielle", nature="hearing", accommodations="Parler face à moi")
    assert profile.counts() == {"hospital_stay": 1, "sleep": 1, "disability": 1}


def test_a_drafted_entry_opens_the_form_and_is_written_only_when_saved(world: World, tmp_path: Path) -> None:
    profile = signed_in(world, tmp_path).profile
    profile.start_draft({"section": "treatment", "name": "Amoxicilline 1 g", "since": "2026-01-20"})
    assert profile.section == "treatment" and profile.notice == "ui.profile.drafted"
    assert profile.form is not None and profile.form.editing is None
    assert profile.form.values["name"] == "Amoxicilline 1 g"
    assert profile.form.values["since"] == "20/01/2026"  # as people write days
    assert profile.rows() == []  # nothing written before the person saves
    fill(profile, dose="1 comprimé matin et soir")
    assert profile.save()
    [row] = profile.rows()
    assert row.data["name"] == "Amoxicilline 1 g" and row.data["since"] == "2026-01-20"
