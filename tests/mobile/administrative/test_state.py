"""Administrative data and reimbursements as the app's states see them, against the real server
in-process: the data in words, the correction form's errors under their fields with nothing
typed lost, the requests and their status, reimbursements by month in euros, offline."""

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from backend_stub.services import administrative, reimbursements
from mobile.administrative.state import AdminState, ReimbursementsState, euros, month_label
from mobile.record_access.state import AccessLogState, NotificationsState
from sync.client import AccountClient
from sync.errors import NetworkError
from sync.protocol.errors import ErrorCode
from sync.protocol.record_schemas import AccessEntryOut
from sync.protocol.schemas import ActivationRequest, Identifiers
from tests.mobile.conftest import APP_PASSWORD, AppServer, Person


def _signed_in(server: AppServer, n: int = 1) -> tuple[AccountClient, Person]:
    person = server.enrol(n)
    client = server.client()
    email = f"camille{n}@example.fr"
    ids = Identifiers(provisional_code=person.code, nir=person.nir, vitale_serial=person.vitale)
    client.activate(ActivationRequest(**ids.model_dump(), email=email, password=APP_PASSWORD))
    challenge = client.login(email, APP_PASSWORD)
    client.verify_code(challenge.challenge_id, server.last_otp(email))
    return client, person


def test_money_and_months_in_words() -> None:
    assert euros(123456, "fr") == "1\u00a0234,56\u00a0€"
    assert euros(840, "fr") == "8,40\u00a0€"
    assert euros(5, "fr") == "0,05\u00a0€"
    assert euros(123456, "en") == "€1,234.56"
    assert month_label("2026-11", "fr") == "novembre 2026"
    assert month_label("2026-02", "en") == "February 2026"
    assert month_label("bad", "fr") == "bad"


def test_data_in_words_and_a_correction_asked(app_server: AppServer) -> None:
    client, _ = _signed_in(app_server)
    admin = AdminState(client)
    assert admin.load() and admin.loaded
    assert admin.value_of("last_name", "fr") == "Martin"
    assert admin.value_of("birth_date", "fr") == "01/05/1985"
    assert admin.value_of("insurer", "fr") == "non renseigné"
    assert admin.value_of("insurer", "en") == "not filled in"
    assert admin.requests == []

    admin.open_form()
    form = admin.form
    assert form is not None and form.values["field"] == "postal_address"
    form.set("value", "a" * 301)
    form.set("note", "n" * 501)
    assert not admin.submit()
    assert form.errors["value"].code == ErrorCode.ADMIN_VALUE_TOO_LONG
    assert form.errors["value"].params == {"max": 300}
    assert form.errors["note"].code == ErrorCode.ADMIN_NOTE_TOO_LONG
    assert form.values["value"] == "a" * 301  # nothing typed is lost
    form.set("value", "")
    assert "value" not in form.errors  # the error goes as soon as the person corrects it
    form.set("note", "J'ai déménagé")
    assert not admin.submit() and form.errors["value"].code == ErrorCode.ADMIN_VALUE_EMPTY
    form.set("value", "8 rue de la Paix, 75002 Paris")
    assert admin.submit(), admin.banner
    assert admin.form is None and admin.notice == ("ui.admin.sent", {})
    assert [(r.field, r.value, r.status.value) for r in admin.requests] == [
        ("postal_address", "8 rue de la Paix, 75002 Paris", "open")
    ]
    assert admin.pending("postal_address") and not admin.pending("insurer")
    assert AdminState.status_words(admin.requests[0], "fr") == "En attente de réponse"


def test_birth_date_checks_and_server_refusals_go_under_the_field(app_server: AppServer) -> None:
    client, _ = _signed_in(app_server)
    admin = AdminState(client)
    assert admin.load()
    admin.open_form("birth_date")
    form = admin.form
    assert form is not None
    for bad in ("31/02/1985", "01/01/2999", "mardi"):
        form.set("value", bad)
        assert not admin.submit(date(2026, 1, 5))
        assert form.errors["value"].code == ErrorCode.ADMIN_BIRTH_DATE
    form.set("value", "01/05/1985")
    assert not admin.submit() and form.errors["value"].code == ErrorCode.ADMIN_SAME_VALUE
    form.set("value", "02/05/1985")
    assert admin.submit()
    assert admin.requests[0].value == "1985-05-02"

    # A second request for the same field: the server's refusal shows under the field.
    admin.open_form("birth_date")
    form = admin.form
    assert form is not None
    form.set("value", "03/05/1985")
    assert not admin.submit()
    assert form.errors["field"].code == ErrorCode.ADMIN_ALREADY_OPEN
    assert admin.banner is None and form.values["value"] == "03/05/1985"


def test_the_insurer_decides_and_the_holder_sees_it(app_server: AppServer) -> None:
    client, _ = _signed_in(app_server)
    admin = AdminState(client)
    assert admin.load()
    admin.open_form("first_name")
    assert admin.form is not None
    admin.form.set("value", "Camila")
    assert admin.submit()
    with Session(app_server.ctx.engine) as session:
        administrative.decide(
            session=session, ctx=app_server.ctx, request_id=admin.requests[0].id, accept=True
        )
    admin.entered()
    assert not admin.loaded and admin.notice is None
    assert admin.load()
    assert admin.value_of("first_name", "fr") == "Camila"
    assert admin.requests[0].status.value == "accepted"
    notes = NotificationsState(client)
    assert notes.refresh()
    assert "a accepté votre demande de correction" in NotificationsState.describe(notes.items[0], "fr")


def test_reimbursements_by_month_search_and_years(app_server: AppServer, tmp_path: Path) -> None:
    client, person = _signed_in(app_server)
    year = date.today().year
    path = tmp_path / "remb.csv"
    path.write_text(
        "nir,date,care,professional,amount_paid,amount_reimbursed\n"
        f"{person.nir},{year}-01-03,Consultation généraliste,Dr Durand,30,21\n"
        f'{person.nir},{year}-01-20,Pharmacie,Pharmacie du Centre,"1212,40",8.68\n'
        f"{person.nir},{year - 1}-10-02,Radiographie,Centre d'imagerie,45.50,31.85\n",
        encoding="utf-8",
    )
    with Session(app_server.ctx.engine) as session:
        assert reimbursements.import_csv(session=session, ctx=app_server.ctx, path=path).imported == 3
    reimb = ReimbursementsState(client)
    assert reimb.year == year and not reimb.can_go_forward
    assert reimb.load()
    assert [m.month for m in reimb.months] == [f"{year}-01"]
    month = reimb.months[0]
    assert euros(month.paid_cents, "fr") == "1\u00a0242,40\u00a0€"
    assert euros(month.reimbursed_cents, "fr") == "29,68\u00a0€"
    reimb.set_query("durand")
    assert reimb.load() and reimb.shown_query == "durand"
    assert [i.care for m in reimb.months for i in m.items] == ["Consultation généraliste"]
    reimb.clear_query()
    reimb.step_year(-1)
    assert reimb.load() and [i.care for m in reimb.months for i in m.items] == ["Radiographie"]
    assert reimb.can_go_forward
    reimb.step_year(+1)
    reimb.step_year(+1)  # never after this year
    assert reimb.year == year


def test_offline_is_said_and_retry_works(app_server: AppServer) -> None:
    client, _ = _signed_in(app_server)
    down = AccountClient("http://127.0.0.1:9")
    down.tokens = client.tokens
    for state in (AdminState(down), ReimbursementsState(down)):
        assert not state.load()
        assert state.offline and isinstance(state.banner, NetworkError) and not state.loaded
        state.client = client
        assert state.load() and not state.offline and state.banner is None
    admin = AdminState(client)
    assert admin.load()
    admin.open_form()
    assert admin.form is not None
    admin.form.set("value", "1 place du Marché, 13001 Marseille")
    admin.client = down
    assert not admin.submit()
    assert admin.offline and admin.form is not None
    assert admin.form.values["value"] == "1 place du Marché, 13001 Marseille"


@pytest.mark.parametrize(
    ("action", "title", "outcome", "detail", "fr", "en"),
    [
        (
            "read",
            "allergy,treatment",
            "allowed",
            "",
            "A consulté votre profil médical (allergies, traitements)",
            "known allergies, treatments",
        ),
        (
            "write",
            "allergy",
            "allowed",
            "",
            "A ajouté une information à votre profil médical (allergies)",
            "information to your medical profile (known allergies)",
        ),
        (
            "read",
            "",
            "refused",
            "error.access.profile_not_readable",
            "votre profil médical",
            "your medical profile",
        ),
    ],
)
def test_profile_accesses_in_the_log_in_words(
    action: str, title: str, outcome: str, detail: str, fr: str, en: str
) -> None:
    entry = AccessEntryOut.model_validate(
        {
            "seq": 1,
            "at": "2026-01-05T09:00:00Z",
            "actor_id": "p1",
            "actor_name": "Alex Durand",
            "profession": "optician",
            "action": action,
            "target": "profile",
            "target_title": title,
            "mode": "care_team",
            "outcome": outcome,
            "detail": detail,
        }
    )
    words = AccessLogState.describe(entry, "fr")
    assert fr in words.what
    assert en in AccessLogState.describe(entry, "en").what
    if outcome == "refused":
        assert words.refusal == "sa profession ne donne pas accès à votre profil médical."
