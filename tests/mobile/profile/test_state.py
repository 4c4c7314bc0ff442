"""The medical profile's state: lists, validation, read-only professional entries, the wishes and
the emergency card (on/off/refresh, readable from the lock screen without the PIN, never
plaintext on disk)."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from backend_stub.models.record import Record
from backend_stub.services.sequence import stamp
from mobile.app import VaultAppState
from mobile.profile.state import CARD_SETTING, ProfileState, iso_day, shown_day
from mobile.shell.state import SECTIONS, Screen
from sync.emergency_card import CARD_FILE, CardFile, key_from_text, new_key_text, summarise
from sync.protocol.errors import ErrorCode
from tests.mobile.conftest import AppServer
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import signed_in


@pytest.fixture
def world(app_server: AppServer) -> World:
    found = World(app_server, n=11)
    yield found  # type: ignore[misc]
    found.close()


class Browser:
    """What the launcher keeps in the browser's storage (SharedPreferences)."""

    def __init__(self) -> None:
        self.card_key: str | None = None

    def remember(self, key: str | None) -> None:
        self.card_key = key


def profile_of(state: VaultAppState, browser: Browser) -> ProfileState:
    state.profile.remember_card_key = browser.remember
    return state.profile


def fill(profile: ProfileState, **values: str) -> None:
    assert profile.form is not None
    for name, value in values.items():
        profile.form.set(name, value)


def add(profile: ProfileState, section: str, **values: str) -> str:
    profile.start_add(section)
    fill(profile, **values)
    assert profile.save(), profile.form.errors if profile.form else None
    return next(r.id for r in profile.rows(section) if all(r.data.get(k) for k in values if k != "notes"))


def test_the_home_section_opens_the_hub_and_profile_screens_go_back_to_it(
    world: World, tmp_path: Path
) -> None:
    state = signed_in(world, tmp_path)
    assert SECTIONS["profile"] == Screen.PROFILE
    state.open_section("profile")
    assert state.screen == Screen.PROFILE
    for screen in (Screen.PROFILE_LIST, Screen.WISHES, Screen.EMERGENCY_CARD, Screen.MEASUREMENTS):
        state.go(screen)
        state.back()
        assert state.screen == Screen.PROFILE
    state.back()
    assert state.screen == Screen.HOME


def test_add_edit_delete_with_validation_that_keeps_what_was_typed(world: World, tmp_path: Path) -> None:
    state = signed_in(world, tmp_path)
    profile = state.profile
    profile.open_list("treatment")
    profile.start_add()
    fill(profile, name="", dose="1 comprimé", since="01/05/2024", until="30/04/2024")
    assert not profile.save()
    assert profile.form is not None
    assert {k: e.code for k, e in profile.form.errors.items()} == {
        "name": ErrorCode.PROFILE_REQUIRED,
        "until": ErrorCode.PROFILE_UNTIL_BEFORE_SINCE,
    }
    assert profile.form.values["dose"] == "1 comprimé"  # nothing typed is lost
    fill(profile, name="Levothyrox", until="31/12/2030", since="32/01/2024")
    assert not profile.save()
    assert profile.form.errors["since"].code == ErrorCode.PROFILE_DATE
    fill(profile, since="01/05/2024", notes="le matin à jeun")
    assert profile.save() and profile.form is None and profile.notice == "ui.profile.saved"
    [row] = profile.rows()
    assert row.data == {
        "section": "treatment",
        "name": "Levothyrox",
        "dose": "1 comprimé",
        "since": "2024-05-01",
        "until": "2030-12-31",
        "notes": "le matin à jeun",
    }
    assert row.own and row.pending
    assert profile.counts() == {"treatment": 1}

    assert profile.start_edit(row.id)
    assert profile.form is not None and profile.form.values["since"] == "01/05/2024"
    fill(profile, dose="2 comprimés")
    assert profile.save()
    assert profile.get(row.id).data["dose"] == "2 comprimés"  # type: ignore[union-attr]

    assert state.sync_bar.sync()
    assert not profile.get(row.id).pending  # type: ignore[union-attr]  # the server took it
    assert profile.delete(row.id) and profile.rows() == []
    assert state.sync_bar.sync()
    assert profile.counts() == {}


def test_vaccination_needs_a_listed_vaccine_and_a_past_date(world: World, tmp_path: Path) -> None:
    profile = signed_in(world, tmp_path).profile
    profile.open_list("vaccination")
    profile.start_add()
    tomorrow = (date.today() + timedelta(days=1)).strftime("%d/%m/%Y")
    fill(profile, vaccine="ebola", date=tomorrow)
    assert not profile.save()
    assert profile.form is not None
    assert {k: e.code for k, e in profile.form.errors.items()} == {
        "vaccine": ErrorCode.PROFILE_VACCINE,
        "date": ErrorCode.PROFILE_FUTURE,
    }
    fill(profile, vaccine="mmr", date="15/03/2021", batch="X123")
    assert profile.save()
    assert ProfileState.vaccine_label("mmr", "fr").endswith("(ROR)")


def pro_entry(server: AppServer, holder_id: str, record_id: str, data: dict[str, str]) -> None:
    """An entry a professional wrote, as the server keeps it (it reaches the device by sync)."""
    with Session(server.ctx.engine) as session:
        record = Record(
            holder_id=holder_id,
            id=record_id,
            collection="profile_entry",
            version=1,
            seq=0,
            data=data | {"author_name": "Alex Durand", "author_profession": "doctor"},
            author="professional:pro-1",
            updated_at=datetime.now(UTC),
        )
        stamp(session, record)
        session.add(record)
        session.commit()


def test_a_professionals_entry_shows_its_author_and_is_read_only(
    world: World, app_server: AppServer, tmp_path: Path
) -> None:
    pro_entry(
        app_server,
        world.me.id,
        "pro-entry-0001",
        {"section": "allergy", "substance": "Iode", "severity": "severe"},
    )
    state = signed_in(world, tmp_path)
    assert state.sync_bar.sync()
    profile = state.profile
    profile.open_list("allergy")
    [row] = profile.rows()
    assert (row.own, row.author_name, row.author_profession) == (False, "Alex Durand", "doctor")
    assert not profile.start_edit(row.id) and profile.form is None
    assert profile.banner is not None and profile.banner.code == ErrorCode.SYNC_READ_ONLY
    assert not profile.delete(row.id)
    assert profile.banner.code == ErrorCode.SYNC_READ_ONLY
    assert profile.rows()[0].data["substance"] == "Iode"


def test_wishes_and_relatives_to_notify(world: World, tmp_path: Path) -> None:
    state = signed_in(world, tmp_path)
    profile = state.profile
    profile.open_wishes()
    assert profile.wishes.values["donation"] == "unset" and profile.attending_wanted
    profile.wishes.set("donation", "refuse_some")
    profile.wishes.set("donation_details", "Pas les cornées")
    profile.wishes.set("trusted_name", "Léa Martin")
    profile.wishes.set("trusted_phone", "0612")
    assert not profile.save_wishes()
    assert profile.wishes.errors["trusted_phone"].code == ErrorCode.PHONE_INVALID
    assert profile.wishes.values["donation_details"] == "Pas les cornées"
    profile.wishes.set("trusted_phone", "06 12 34 56 78")
    assert profile.save_wishes()
    profile.open_wishes()  # saved once: changing it updates the same record
    profile.wishes.set("directives", "Pas d'acharnement thérapeutique")
    document = state.vault.space.store.put("document", {"title": "Mes directives anticipées"})  # type: ignore[union-attr]
    assert profile.documents() == [(document, "Mes directives anticipées")]
    profile.wishes.set("directives_document", document)
    assert profile.save_wishes()
    [wishes] = profile.rows("wishes")
    assert wishes.data["directives_document"] == document
    assert wishes.data["trusted_phone"] == "+33612345678"
    assert wishes.data["directives"] == "Pas d'acharnement thérapeutique"

    profile.start_add("contact")
    fill(profile, name="Paul Martin", relation="Frère", phone="12")
    assert not profile.save()
    assert profile.form is not None and profile.form.errors["phone"].code == ErrorCode.PHONE_INVALID
    fill(profile, phone="07 98 76 54 32")
    assert profile.save()
    [contact] = profile.rows("contact")
    assert contact.data["phone"] == "+33798765432"
    assert state.sync_bar.sync()
    assert profile.counts() == {"wishes": 1, "contact": 1}


def test_card_summary_keeps_what_a_rescuer_needs() -> None:
    today = date(2026, 11, 24)
    card = summarise(
        [
            {"section": "allergy", "substance": "Arachide", "severity": "moderate"},
            {
                "section": "allergy",
                "substance": "Pénicilline",
                "severity": "life_threatening",
                "reaction": "choc",
            },
            {"section": "treatment", "name": "Kardegic", "dose": "75 mg"},
            {"section": "treatment", "name": "Amoxicilline", "until": "2026-01-10"},
            {"section": "illness", "name": "Diabète", "status": "current"},
            {"section": "illness", "name": "Varicelle", "status": "past"},
            {"section": "note", "title": "Secret", "notes": "not for the card"},
            {
                "section": "wishes",
                "donation": "donor",
                "trusted_name": "Léa",
                "trusted_phone": "+33612345678",
            },
            {"section": "contact", "name": "Paul", "relation": "Frère", "phone": "+33798765432"},
        ],
        today=today,
        holder_name="Camille Martin",
        attending="Dr Alex Durand",
    )
    assert [a["substance"] for a in card["allergies"]] == ["Pénicilline", "Arachide"]
    assert card["treatments"] == [{"name": "Kardegic", "dose": "75 mg"}]
    assert card["illnesses"] == ["Diabète"]
    assert [c["name"] for c in card["contacts"]] == ["Léa", "Paul"]
    assert (card["donation"], card["attending"], card["holder"]) == (
        "donor",
        "Dr Alex Durand",
        "Camille Martin",
    )
    assert "Secret" not in str(card)


def test_card_key_text_round_trip_and_bad_values() -> None:
    text = new_key_text()
    assert key_from_text(text) == bytes.fromhex(text) and len(bytes.fromhex(text)) == 32
    assert key_from_text(None) is None and key_from_text("zz" * 32) is None and key_from_text("ab") is None


def test_emergency_card_off_by_default_on_refresh_and_off_deletes_it(
    world: World, app_server: AppServer, tmp_path: Path
) -> None:
    state = signed_in(world, tmp_path)
    browser = Browser()
    profile = profile_of(state, browser)
    folder = state.vault.space.vault(state.vault.holder_id).folder  # type: ignore[union-attr,arg-type]
    card_path = folder / CARD_FILE
    add(profile, "allergy", substance="Pénicilline", severity="life_threatening")
    assert not profile.card_enabled() and not card_path.exists()  # off by default: no copy
    assert not profile.card_available_locked()

    assert profile.enable_card() and profile.card_enabled()
    assert browser.card_key is not None and card_path.exists()
    raw = card_path.read_bytes()
    assert "Pénicilline".encode() not in raw and b"Penicilline" not in raw and b"allerg" not in raw
    # The key is not on disk in the device folder (or anywhere under the devices root).
    key = bytes.fromhex(browser.card_key)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert key not in data and browser.card_key.encode() not in data, path
    card = CardFile(folder).read(key)
    assert card is not None and card["allergies"][0]["substance"] == "Pénicilline"

    # A change of the profile refreshes the copy at once.
    add(profile, "treatment", name="Kardegic", dose="75 mg")
    card = CardFile(folder).read(key)
    assert card is not None and card["treatments"] == [{"name": "Kardegic", "dose": "75 mg"}]
    # So does a sync that brings a professional's entry (the sync bar's hook)...
    pro_entry(
        app_server,
        world.me.id,
        "pro-entry-0002",
        {"section": "illness", "name": "Diabète", "status": "current"},
    )
    assert state.sync_bar.sync()
    assert CardFile(folder).read(key)["illnesses"] == ["Diabète"]  # type: ignore[index]
    # ... and the attending physician named by the server, kept for the next unlock.
    profile.set_attending("Dr Alex Durand")
    assert CardFile(folder).read(key)["attending"] == "Dr Alex Durand"  # type: ignore[index]
    assert state.profile.fresh().card()["attending"] == "Dr Alex Durand"

    assert profile.disable_card()
    assert not card_path.exists() and browser.card_key is None and not profile.card_enabled()
    add(profile, "illness", name="Asthme", status="current")  # off: no copy comes back
    assert not card_path.exists()
    assert not profile.card_available_locked()


def test_card_readable_from_the_lock_screen_without_the_pin(world: World, tmp_path: Path) -> None:
    state = signed_in(world, tmp_path)
    browser = Browser()
    profile = profile_of(state, browser)
    add(profile, "allergy", substance="Latex", severity="severe")
    assert profile.enable_card()
    state.lock()
    assert state.screen == Screen.UNLOCK and not state.vault.unlocked

    # A new tab of the same browser: the device id, holder id and card key come from its storage.
    again = VaultAppState(world.client, tmp_path, kdf=state.vault.kdf)
    again.profile.card_key = key_from_text(browser.card_key)
    again.launched(state.vault.device_id, state.vault.holder_id)
    assert again.screen == Screen.UNLOCK
    assert again.profile.card_available_locked()
    assert again.profile.open_locked_card()
    again.go(Screen.EMERGENCY_CARD)
    card = again.profile.locked_card
    assert card is not None and [a["substance"] for a in card["allergies"]] == ["Latex"]
    assert not again.vault.unlocked  # the card did not open the vault
    again.back()
    assert again.screen == Screen.UNLOCK

    # Without the browser's key (another browser), the copy cannot be read.
    stranger = VaultAppState(world.client, tmp_path, kdf=state.vault.kdf)
    stranger.launched(state.vault.device_id, state.vault.holder_id)
    assert not stranger.profile.card_available_locked() and not stranger.profile.open_locked_card()
    stranger.profile.card_key = key_from_text(new_key_text())
    assert not stranger.profile.open_locked_card()


def test_turning_off_on_another_session_or_losing_the_key_keeps_things_safe(
    world: World, tmp_path: Path
) -> None:
    state = signed_in(world, tmp_path)
    browser = Browser()
    profile = profile_of(state, browser)
    assert profile.enable_card()
    folder = state.vault.space.vault(state.vault.holder_id).folder  # type: ignore[union-attr,arg-type]
    # The browser's storage was cleared: the next refresh makes a new key and a new copy.
    profile.card_key = None
    profile.refresh_card()
    assert browser.card_key is not None and CardFile(folder).read(bytes.fromhex(browser.card_key)) is not None
    # The setting says off (e.g. a crash between the two steps): a refresh removes any copy.
    state.vault.space.store.set_secret(CARD_SETTING, {"enabled": False})  # type: ignore[union-attr]
    profile.refresh_card()
    assert not CardFile(folder).exists()


def test_days_as_typed_and_as_shown() -> None:
    assert iso_day("15/03/2021") == "2021-03-15" and iso_day("2021-03-15") == "2021-03-15"
    assert iso_day("31/02/2021") is None and iso_day("demain") is None
    assert shown_day("2021-03-15") == "15/03/2021" and shown_day("bientôt") == "bientôt"
