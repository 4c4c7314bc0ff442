""" "Mes droits" as the app's state sees it, against the real server in-process: a correction asked
of a professional and their answer, the research choice and its history, a complaint about an
access-log line; texts checked before sending, nothing typed lost, offline said plainly."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from backend_stub.services import professionals
from mobile.rights.state import RightsState
from sync.errors import NetworkError
from sync.protocol.errors import ErrorCode
from tests.mobile.administrative.test_state import _signed_in
from tests.mobile.conftest import AppServer, Person


def _doctor_writes(server: AppServer, person: Person) -> tuple[TestClient, dict[str, str], str]:
    with Session(server.ctx.engine) as session:
        _, key = professionals.register(
            session=session,
            ctx=server.ctx,
            rpps="10000000009",
            first_name="Alex",
            last_name="Durand",
            profession="doctor",
        )
    api = TestClient(server.app, base_url="http://test")
    headers = {"X-Api-Key": key, "X-Patient-Nir": person.nir, "X-Consent": "declared"}
    body = {"section": "allergy", "data": {"substance": "Pénicilline"}}
    added = api.post("/api/v1/pro/profile-entries", headers=headers, json=body)
    assert added.status_code == 200, added.text
    return api, headers, added.json()["id"]


def test_a_correction_asked_and_answered(app_server: AppServer) -> None:
    client, person = _signed_in(app_server)
    api, headers, entry = _doctor_writes(app_server, person)
    rights = RightsState(client)
    assert rights.load() and rights.corrections == [] and not rights.opted_out

    rights.start_correction(entry, "Pénicilline")
    form = rights.correction_form
    assert form is not None
    form.set("note", "?")
    assert not rights.send_correction()
    assert form.errors["note"].code == ErrorCode.RIGHTS_TEXT_EMPTY and form.values["note"] == "?"
    form.set("note", "Je n'ai jamais été allergique")
    assert rights.send_correction() and rights.correction_form is None
    assert rights.notice == ("ui.rights.correction.sent", {})
    assert rights.open_request(entry) is not None

    request_id = rights.corrections[0].id
    answer = {"accept": False, "reason": "Réaction notée en 2019 aux urgences."}
    api.post(f"/api/v1/pro/corrections/{request_id}/decision", headers=headers, json=answer)
    rights.entered()
    assert rights.load()
    shown = rights.corrections[0]
    assert (shown.status, shown.reason, shown.author_name) == ("refused", answer["reason"], "Alex Durand")
    assert rights.open_request(entry) is None


def test_research_choice_and_a_complaint(app_server: AppServer) -> None:
    client, person = _signed_in(app_server)
    api, headers, _ = _doctor_writes(app_server, person)  # the doctor's access is a line of the log
    rights = RightsState(client)
    assert rights.load()
    assert rights.set_research(True) and rights.opted_out
    assert rights.notice == ("ui.rights.research.out.done", {})
    assert rights.set_research(False) and not rights.opted_out
    assert [c.opted_out for c in rights.research.history] == [False, True]  # type: ignore[union-attr]

    seq = client.access_log().entries[0].seq
    rights.start_complaint(seq)
    assert rights.complaint_form is not None
    rights.complaint_form.set("text", "Je ne connais pas ce médecin.")
    assert rights.send_complaint()
    assert rights.complaints[0].access_seq == seq
    assert rights.notice == (
        "ui.rights.complaint.sent",
        {"authority": app_server.ctx.settings.complaint_authority},
    )


def test_offline_is_said_and_nothing_typed_is_lost(app_server: AppServer) -> None:
    client, _ = _signed_in(app_server)
    rights = RightsState(client)
    rights.start_complaint()
    assert rights.complaint_form is not None
    rights.complaint_form.set("text", "Un accès que je ne comprends pas")

    def down(*_: object, **__: object) -> object:
        raise NetworkError()

    client.complain = down  # type: ignore[method-assign]
    assert not rights.send_complaint()
    assert rights.offline and rights.complaint_form.values["text"] == "Un accès que je ne comprends pas"
