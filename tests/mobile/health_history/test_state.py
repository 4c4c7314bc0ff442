"""'Mon histoire de santé' in the app, against the real server in-process: the years of care
newest first, ten years at most, the search on the device, an item's draft for the profile, and
the screen saying it is offline; the composition root opens the profile's form on the draft."""

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from backend_stub.services import reimbursements
from mobile.health_history.state import MAX_YEARS, HistoryState
from mobile.shell.state import Screen
from sync.client import AccountClient
from sync.errors import NetworkError
from tests.mobile.conftest import AppServer
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import signed_in


@pytest.fixture
def world(app_server: AppServer) -> World:
    found = World(app_server, n=13)
    yield found  # type: ignore[misc]
    found.close()


def seed(server: AppServer, nir: str, folder: Path, lines: list[str]) -> None:
    path = folder / "remb.csv"
    path.write_text(
        "nir,date,care,professional,amount_paid,amount_reimbursed,kind,label\n"
        + "".join(f"{nir},{line}\n" for line in lines),
        encoding="utf-8",
    )
    with Session(server.ctx.engine) as session:
        assert reimbursements.import_csv(session=session, ctx=server.ctx, path=path).imported == len(lines)


def test_years_search_and_drafts(world: World, tmp_path: Path) -> None:
    year = date.today().year
    seed(
        world.server,
        world.nir,
        tmp_path,
        [
            f"{year}-01-20,Pharmacie,Pharmacie du Centre,12,8,medicine,Amoxicilline 1 g",
            f"{year}-01-03,Consultation généraliste,Dr Durand,30,21,consultation,",
            f"{year - 2}-06-11,Séjour hospitalier,Hôpital Édouard Herriot,900,880,hospital,Appendicite",
            f"{year - 12}-03-01,Radiographie,Centre d'imagerie,45,31,act,",
        ],
    )
    history = HistoryState(world.client)
    assert history.load() and history.loaded
    years = history.years()
    assert [y.year for y in years] == [year, year - 2]  # the oldest, beyond ten years, is not asked
    assert history.older and year - 12 < year - MAX_YEARS + 1
    assert [i.title for i in years[0].items] == ["Amoxicilline 1 g", "Consultation généraliste"]

    history.set_query("hopital herriot")  # accents and case ignored
    [found] = history.years()
    assert found.year == year - 2 and found.items[0].title == "Appendicite"
    stay = history.draft(found.items[0].id)
    assert stay == {
        "section": "hospital_stay",
        "place": "Hôpital Édouard Herriot",
        "reason": "Appendicite",
        "since": f"{year - 2}-06-11",
    }
    consultation = years[0].items[1]
    assert history.draft(consultation.id) is None  # a consultation makes no entry
    history.set_query("nothing like this")
    assert history.years() == []


def test_add_to_profile_opens_the_treatment_form(world: World, tmp_path: Path) -> None:
    year = date.today().year
    seed(
        world.server,
        world.nir,
        tmp_path,
        [f"{year}-01-20,Pharmacie,Pharmacie du Centre,12,8,medicine,Doliprane"],
    )
    state = signed_in(world, tmp_path)
    state.go(Screen.PROFILE)
    state.go(Screen.HEALTH_HISTORY)
    assert state.history.load()
    [item] = state.history.years()[0].items
    draft = state.history.draft(item.id)
    assert draft is not None
    state.add_to_profile(draft)
    assert state.screen == Screen.PROFILE_LIST and state.profile.section == "treatment"
    assert state.profile.form is not None and state.profile.form.values["name"] == "Doliprane"
    assert state.profile.save()
    assert [r.data["name"] for r in state.profile.rows("treatment")] == ["Doliprane"]
    state.go(Screen.HEALTH_HISTORY)
    state.back()
    assert state.screen == Screen.PROFILE


def test_offline_is_said_and_retry_works(world: World) -> None:
    down = AccountClient("http://127.0.0.1:9")
    down.tokens = world.client.tokens
    history = HistoryState(down)
    assert not history.load()
    assert history.offline and isinstance(history.banner, NetworkError) and not history.loaded
    history.client = world.client
    assert history.load() and history.loaded and history.years() == []
