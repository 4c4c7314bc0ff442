"""The shared record as the holder sees it, against the real server in-process: professionals,
emergency switches, the access log in words, notifications."""

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from stdnum import luhn

from backend_stub.services import professionals as directory
from mobile.record_access.state import (
    AccessLogState,
    NotificationsState,
    RecordState,
    grant_status,
    record_of,
    until_for,
)
from mobile.shell.state import AppState
from mobile.shell.words import parse_day
from sync.client import AccountClient
from sync.errors import NetworkError
from sync.protocol.record_schemas import AccessEntryOut
from sync.protocol.schemas import ActivationRequest, Identifiers
from tests.mobile.conftest import APP_PASSWORD, AppServer

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def rpps(n: int) -> str:
    body = f"1000{n:06d}"
    return body + luhn.calc_check_digit(body)


@dataclass
class Pro:
    id: str
    key: str
    first_name: str
    last_name: str


class World:
    """One signed-in holder (their RecordState) and professionals who call the API."""

    def __init__(self, server: AppServer, n: int = 1) -> None:
        self.server = server
        person = server.enrol(n, first_name="Camille")
        self.nir = person.nir
        email = f"camille{n}@example.fr"
        self.client = server.client()
        self.client.activate(
            ActivationRequest(
                **Identifiers(
                    provisional_code=person.code, nir=person.nir, vitale_serial=person.vitale
                ).model_dump(),
                email=email,
                password=APP_PASSWORD,
            )
        )
        challenge = self.client.login(email, APP_PASSWORD)
        self.me = self.client.verify_code(challenge.challenge_id, server.last_otp(email))
        self.record = RecordState(self.client, self.me.id)
        self.http = TestClient(server.app, base_url="http://test")
        self._n = 0

    def pro(self, first: str, last: str, profession: str = "doctor", specialty: str = "") -> Pro:
        self._n += 1
        with Session(self.server.ctx.engine) as session:
            found, key = directory.register(
                session=session,
                ctx=self.server.ctx,
                rpps=rpps(self._n),
                first_name=first,
                last_name=last,
                profession=profession,
                specialty=specialty,
                city="Lyon",
            )
        return Pro(found.id, key, first, last)

    def read(
        self, pro: Pro, *, consent: bool = False, mode: str = "normal", reason: str = ""
    ) -> httpx.Response:
        headers = {"X-Api-Key": pro.key, "X-Patient-Nir": self.nir, "X-Access-Mode": mode}
        if consent:
            headers["X-Consent"] = "declared"
        if reason:
            headers["X-Access-Reason"] = quote(reason)
        return self.http.get("/api/v1/pro/documents", headers=headers)

    def add(self, pro: Pro, title: str, *, hidden: bool = False) -> httpx.Response:
        body = {
            "title": title,
            "type": "consultation_report",
            "date": "2026-11-20",
            "mime": "application/pdf",
            "content_b64": base64.b64encode(PDF).decode(),
            "hidden_from_patient": hidden,
        }
        return self.http.post(
            "/api/v1/pro/documents", json=body, headers={"X-Api-Key": pro.key, "X-Patient-Nir": self.nir}
        )

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def world(app_server: AppServer) -> World:
    found = World(app_server)
    yield found  # type: ignore[misc]
    found.close()


def fr(entry: AccessEntryOut) -> str:
    words = AccessLogState.describe(entry, "fr", UTC)
    return " | ".join([words.who, words.profession, words.what, words.how, words.refusal, words.reason])


# --- small rules ---------------------------------------------------------------------------------


def test_periods_and_dates() -> None:
    now = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)
    assert until_for("forever", "", now) is None
    assert until_for("1m", "", now) == datetime(2026, 2, 28, 10, 0, tzinfo=UTC)
    assert until_for("6m", "", now) == datetime(2026, 7, 31, 10, 0, tzinfo=UTC)
    assert until_for("1y", "", now) == datetime(2027, 1, 31, 10, 0, tzinfo=UTC)
    paris = timezone(timedelta(hours=1))
    # The chosen day is included: access ends at the next local midnight.
    assert until_for("date", "15/03/2026", now, paris) == datetime(2026, 3, 15, 23, 0, tzinfo=UTC)
    for text, code in (
        ("", "ui.pros.until.empty"),
        ("31/02/2026", "ui.pros.until.format"),
        ("01/01/2026", "ui.pros.until.past"),
    ):
        with pytest.raises(Exception) as caught:
            until_for("date", text, now, paris)
        assert getattr(caught.value, "code", "") == code
    assert parse_day("2026-03-15") == parse_day("15.03.2026") == parse_day(" 15/03/2026 ")


# --- professionals -------------------------------------------------------------------------------


def test_search_authorise_for_a_period_revoke_block_unblock(world: World) -> None:
    durand = world.pro("Alex", "Durand")
    world.pro("Bea", "Dupont", "pharmacist")
    pros = world.record.professionals
    assert pros.load() and pros.grants == []

    pros.set_query("d")
    assert not pros.search() and pros.query_error is not None
    assert pros.query == "d"  # what was typed stays
    pros.set_query("Du")
    assert pros.search()
    assert [p.last_name for p in pros.results or []] == ["Dupont", "Durand"]
    pros.set_query(rpps(1))
    assert pros.search() and [p.id for p in pros.results or []] == [durand.id]
    pros.set_query("Zorglub")
    assert pros.search() and pros.results == []

    # A wrong date stays under its field; the period choice stays open.
    pros.start_authorise(durand.id, where="search")
    pros.set_period("date")
    pros.set_until("32/13/2026")
    assert not pros.authorise()
    assert pros.until_error is not None and pros.until_error.code == "ui.pros.until.format"
    assert pros.authorising == durand.id and pros.until_text == "32/13/2026"

    pros.set_period("6m")
    assert pros.authorise(now=world.server.clock.now())
    assert pros.authorising is None
    grant = pros.grant_of(durand.id)
    assert grant is not None and grant.until is not None
    assert timedelta(days=180) < grant.until - world.server.clock.now() < timedelta(days=186)
    assert grant_status(grant, world.server.clock.now()) == "authorised"
    assert pros.notice is not None and pros.notice[0] == "ui.pros.done.authorised"
    assert world.read(durand).status_code == 200  # authorised: no consent needed

    assert pros.revoke(durand.id)
    grant = pros.grant_of(durand.id)
    assert grant is not None and grant_status(grant, world.server.clock.now()) == "revoked"
    assert world.read(durand, consent=True).status_code == 403  # the holder's decision stands

    assert pros.block(durand.id)
    grant = pros.grant_of(durand.id)
    assert grant is not None and grant_status(grant, world.server.clock.now()) == "blocked"
    assert world.read(durand, mode="emergency", reason="Coma").status_code == 403

    assert pros.unblock(durand.id)
    grant = pros.grant_of(durand.id)
    assert grant is not None and grant_status(grant, world.server.clock.now()) == "revoked"

    pros.start_authorise(durand.id)
    pros.set_period("forever")
    assert pros.authorise()
    grant = pros.grant_of(durand.id)
    assert grant is not None and grant.until is None and grant.active
    assert pros.notice == ("ui.pros.done.authorised_forever", {"name": "Dr Alex Durand"})


def test_authorisation_expires(world: World) -> None:
    pharmacist = world.pro("Bea", "Dupont", "pharmacist")
    pros = world.record.professionals
    pros.start_authorise(pharmacist.id)
    pros.set_period("1m")
    assert pros.authorise(now=world.server.clock.now())
    grant = pros.grant_of(pharmacist.id)
    assert grant is not None and grant_status(grant, world.server.clock.now()) == "authorised"
    assert world.read(pharmacist).status_code == 200
    world.server.clock.advance(days=32)  # (the holder's session has expired by then: no reload)
    assert grant_status(grant, world.server.clock.now()) == "expired"
    assert world.read(pharmacist).status_code == 403


def test_attending_physician_only_a_doctor_and_not_blocked(world: World) -> None:
    doctor = world.pro("Alex", "Durand")
    other = world.pro("Marc", "Leroy")
    nurse = world.pro("Ines", "Moreau", "nurse")
    pros = world.record.professionals
    assert pros.search() is False  # empty query
    pros.set_query("Moreau")
    assert pros.search()
    nurse_out = (pros.results or [])[0]
    assert not pros.can_be_attending(nurse_out)
    assert not pros.set_attending(nurse.id)
    assert pros.banner is not None and pros.banner.code == "error.request.invalid"

    assert pros.set_attending(doctor.id)
    attending = pros.attending()
    assert attending is not None and attending.professional.id == doctor.id
    assert attending.until is None and attending.active  # authorised for good as well
    assert pros.notice == ("ui.pros.done.attending", {"name": "Dr Alex Durand"})
    # Only one: choosing another replaces the first.
    assert pros.set_attending(other.id)
    assert [g.professional.id for g in pros.grants if g.attending] == [other.id]
    # A blocked doctor cannot be chosen.
    assert pros.block(doctor.id)
    blocked = pros.grant_of(doctor.id)
    assert blocked is not None and not pros.can_be_attending(blocked.professional)
    assert not pros.set_attending(doctor.id)
    assert pros.banner is not None and pros.banner.code == "error.access.blocked"
    # Clearing.
    assert pros.set_attending(None)
    assert pros.attending() is None
    assert pros.notice == ("ui.pros.done.attending_cleared", {"name": "Dr Marc Leroy"})


# --- emergency switches --------------------------------------------------------------------------


def test_emergency_switches_are_saved_and_restored_on_failure(world: World, app_server: AppServer) -> None:
    pro = world.pro("Alex", "Durand")
    emergency = world.record.emergency
    assert emergency.load()
    assert emergency.value("emergency_access") and emergency.value("regulator_access")

    assert emergency.set("emergency_access", False)
    assert emergency.notice == ("ui.emergency.saved.emergency_access.off", {})
    again = RecordState(world.client, world.me.id).emergency
    assert again.load() and not again.value("emergency_access") and again.value("regulator_access")
    response = world.read(pro, mode="emergency", reason="Arrêt cardiaque")
    assert response.status_code == 403 and response.json()["code"] == "error.access.emergency_refused"

    assert emergency.set("regulator_access", False)
    assert again.load() and not again.value("regulator_access")

    # The server cannot be reached: the switch goes back, the screen says why.
    emergency.client = AccountClient("http://127.0.0.1:9")
    emergency.client.tokens = world.client.tokens
    assert not emergency.set("emergency_access", True)
    assert not emergency.value("emergency_access")
    assert emergency.offline and isinstance(emergency.banner, NetworkError)
    assert emergency.saving is None


# --- access log ----------------------------------------------------------------------------------


def test_access_log_in_words(world: World) -> None:
    durand = world.pro("Alex", "Durand")
    nurse = world.pro("Ines", "Moreau", "nurse")
    assert world.read(nurse).status_code == 403  # no consent, no relation: refused, not in the log
    assert world.read(durand, consent=True).status_code == 200
    assert world.add(durand, "Compte rendu de consultation").status_code == 200
    assert world.add(durand, "Résultat confidentiel", hidden=True).status_code == 200
    assert world.read(nurse, mode="emergency", reason="Malaise, patiente inconsciente").status_code == 200
    assert world.record.emergency.load()
    assert world.record.emergency.set("emergency_access", False)
    assert world.read(nurse, mode="emergency", reason="Chute").status_code == 403

    log = world.record.log
    assert log.load()
    lines = [fr(e) for e in log.entries]
    assert lines == [
        "Ines Moreau | Infirmier | A tenté de consulter votre liste de documents | Mode d'accès : urgence"
        + " | vous n'autorisez pas l'accès en urgence. | ",
        "Ines Moreau | Infirmier | A consulté votre liste de documents | Mode d'accès : urgence | "
        + " | Malaise, patiente inconsciente",
        "Dr Alex Durand | Médecin | A ajouté un document | Mode d'accès : équipe de soins |  | ",
        "Dr Alex Durand | Médecin | A ajouté « Compte rendu de consultation » | "
        "Mode d'accès : équipe de soins |  | ",
        "Dr Alex Durand | Médecin | A consulté votre liste de documents | "
        "Mode d'accès : équipe de soins |  | ",
    ]
    first = AccessLogState.describe(log.entries[0], "en", UTC)
    assert first.refused and first.refusal == "you do not allow emergency access."
    at = log.entries[0].at
    assert first.when.startswith(f"{at.day} {at:%b %Y} at ")
    assert AccessLogState.describe(log.entries[1], "en", UTC).reason == "Malaise, patiente inconsciente"
    assert AccessLogState.describe(log.entries[0], "fr", UTC).when.count(" à ") == 1
    assert dict(log.actor_choices("fr")) == {
        durand.id: "Dr Alex Durand (Médecin)",
        nurse.id: "Ines Moreau (Infirmier)",
    }


def test_access_log_filters_and_pages(world: World) -> None:
    durand = world.pro("Alex", "Durand")
    nurse = world.pro("Ines", "Moreau", "nurse")
    assert world.read(durand, consent=True).status_code == 200
    for _ in range(4):
        assert world.read(durand).status_code == 200
    assert world.read(nurse, mode="regulator", reason="Appel").status_code == 403  # not the regulator
    assert world.read(nurse, mode="emergency", reason="Coma").status_code == 200

    log = AccessLogState(world.client, page_size=2)
    assert log.load()
    seen = list(log.entries)
    assert len(seen) == 2 and log.next_before is not None
    while log.next_before is not None:
        assert log.more()
    assert len(log.entries) == 7
    assert [e.seq for e in log.entries] == sorted((e.seq for e in log.entries), reverse=True)  # newest first
    assert log.entries[:2] == seen

    log.page_size = None
    log.set_professional(nurse.id)
    assert log.load() and {e.actor_id for e in log.entries} == {nurse.id} and len(log.entries) == 2
    log.set_professional("")
    log.set_kind("refused")
    assert log.load() and [e.outcome for e in log.entries] == ["refused"]
    log.set_kind("emergency")
    assert log.load() and [e.detail for e in log.entries] == ["Coma"]
    log.set_kind("care_team")
    assert log.load() and len(log.entries) == 5

    # Dates: a wrong one stays under its field and nothing is asked.
    log.set_kind("")
    log.set_date("since", "40/01/2026")
    assert not log.load() and log.errors["since"].code == "ui.log.date.format"
    assert log.since_text == "40/01/2026"
    today = world.server.clock.now().astimezone(UTC)
    day = today.strftime("%d/%m/%Y")
    yesterday, tomorrow = (
        (today - timedelta(days=1)).strftime("%d/%m/%Y"),
        (today + timedelta(days=1)).strftime("%d/%m/%Y"),
    )
    log.tz = UTC
    log.set_date("since", day)
    log.set_date("until", yesterday)
    assert not log.load() and log.errors["until"].code == "ui.log.date.order"
    log.set_date("until", day)  # both days included
    assert log.load() and len(log.entries) == 7
    log.set_date("since", "")
    log.set_date("until", yesterday)
    assert log.load() and log.entries == [] and log.filtered()
    log.set_date("until", "")
    log.set_date("since", tomorrow)
    assert log.load() and log.entries == []
    log.clear_filters()
    assert not log.filtered() and log.load() and len(log.entries) == 7


def test_offline_says_so_and_retry_works(world: World) -> None:
    log = AccessLogState(AccountClient("http://127.0.0.1:9"))
    log.client.tokens = world.client.tokens
    assert not log.load()
    assert log.offline and not log.loaded
    log.client = world.client
    assert log.load() and not log.offline and log.banner is None


# --- notifications -------------------------------------------------------------------------------


def test_notifications_texts_and_unread_count(world: World) -> None:
    durand = world.pro("Alex", "Durand")
    regulator = world.pro("Paul", "Girard", specialty="emergency_regulator")
    assert world.read(durand, consent=True).status_code == 200
    world.server.clock.advance(minutes=1)
    assert world.read(durand, mode="emergency", reason="Accident de la route").status_code == 200
    world.server.clock.advance(minutes=1)
    assert (
        world.read(regulator, mode="regulator", reason="Appel au 15 : douleur thoracique").status_code == 200
    )
    world.server.clock.advance(minutes=1)
    assert world.add(durand, "Ordonnance").status_code == 200

    notes = world.record.notifications
    assert notes.refresh()
    assert notes.unread == 4
    texts = [NotificationsState.describe(n, "fr") for n in notes.items]
    assert texts == [
        "Dr Alex Durand (Médecin) a ajouté un document à votre dossier.",
        "Le médecin régulateur du SAMU-Centre 15, Dr Paul Girard, a consulté votre dossier lors d'un appel "
        "d'urgence. Motif indiqué : « Appel au 15 : douleur thoracique ».",
        "Dr Alex Durand (Médecin) a consulté votre dossier en urgence. "
        "Motif indiqué : « Accident de la route ».",
        "Dr Alex Durand (Médecin) a consulté votre dossier pour la première fois.",
    ]
    assert NotificationsState.describe(notes.items[3], "en") == (
        "Dr Alex Durand (Doctor) accessed your record for the first time."
    )
    assert notes.mark_read(notes.items[0].id)
    assert notes.unread == 3
    again = NotificationsState(world.client)
    assert again.refresh() and again.unread == 3 and again.items[0].read


def test_record_state_is_per_holder(app_server: AppServer) -> None:
    state = AppState(app_server.client())
    first = record_of(state)
    assert record_of(state) is first
    state.me = type("MeLike", (), {"id": "someone-else"})()
    assert record_of(state) is not first


def test_report_an_access_then_block_its_author(world: World) -> None:
    durand = world.pro("Alex", "Durand")
    assert world.read(durand, consent=True).status_code == 200
    log = world.record.log
    assert log.load()
    seq = log.entries[0].seq
    assert AccessLogState.can_block(log.entries[0])
    log.start_report(seq)
    log.report_note = "Je ne connais pas ce médecin"
    log.report_block = True
    assert log.send_report()
    assert log.reporting is None and log.entries[0].reported
    assert log.notice == ("ui.report.sent_blocked", {})
    assert world.read(durand).status_code == 403  # blocked in the same step
    assert log.load() and log.entries[1].reported and not log.entries[0].reported


def test_a_failed_report_keeps_the_note(world: World) -> None:
    durand = world.pro("Alex", "Durand")
    assert world.read(durand, consent=True).status_code == 200
    log = world.record.log
    assert log.load()
    log.start_report(10**6)  # a line that is not in this holder's log
    log.report_note = "Bizarre"
    assert not log.send_report()
    assert log.banner is not None and log.banner.code == "error.not_found"
    assert log.reporting == 10**6 and log.report_note == "Bizarre"


def test_the_account_notices_are_in_the_bell_in_words(world: World) -> None:
    """Issue #14's notices (a new device, the password and contacts changed) each have their words."""
    server = world.server
    email = world.me.email
    other = server.client()
    other.device_name = "Navigateur Firefox sur Windows"
    challenge = other.login(email, APP_PASSWORD)
    other.verify_code(challenge.challenge_id, server.last_otp(email))  # a new device
    world.client.change_password(APP_PASSWORD, "Printemps-vert-2027?")
    started = world.client.request_contact_change("phone", "0612345678", "Printemps-vert-2027?")
    world.client.confirm_contact_change(started.challenge_id, server.last_otp("+33612345678"))
    notes = NotificationsState(world.client)
    assert notes.refresh()
    kinds = {n.kind for n in notes.items}
    assert {"new_device", "password_changed", "phone_changed"} <= kinds
    texts = {n.kind: NotificationsState.describe(n, "fr") for n in notes.items}
    assert texts["new_device"] == (
        "Votre espace a été ouvert sur un nouvel appareil : Navigateur Firefox sur Windows. "
        "Si ce n'est pas vous, déconnectez-le dans Paramètres > Appareils connectés."
    )
    other_words = NotificationsState.describe(notes.items[0].model_copy(update={"kind": "?"}), "fr")
    for kind in ("password_changed", "phone_changed"):
        assert texts[kind] != other_words
    english = {NotificationsState.describe(n, "en") for n in notes.items}
    assert not english & set(texts.values())
