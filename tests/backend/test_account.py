"""The account a person keeps (issue #14): change the password, reset a forgotten one, change the
e-mail, the phone and where login codes go."""

import re

from sqlmodel import Session, func, select

from backend_stub.models.accounts import AccountChallenge, QueuedMessage
from tests.conftest import OTP_RE, PASSWORD, Person, World, bearer

NEW_PASSWORD = "Printemps-2027-vert!"
A = "/api/v1"


def _login_status(world: World, email: str, password: str) -> int:
    return world.api.post(f"{A}/auth/login", json={"email": email, "password": password}).status_code


def _code_in(message: dict[str, str]) -> str:
    found = OTP_RE.search(message["body"])
    assert found
    return found.group(1)


def _rows(world: World, model: type) -> int:
    with Session(world.ctx.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


# --- change -----------------------------------------------------------------------------------------


def test_change_password_signs_out_the_other_devices_and_tells_every_channel(world: World) -> None:
    person = world.enrol()
    world.activate(person, otp_channel="sms", phone="06 12 34 56 78")
    challenge = world.api.post(f"{A}/auth/login", json={"email": person.email, "password": PASSWORD}).json()
    code = world.last_otp("+33612345678")
    here = world.api.post(
        f"{A}/auth/otp/verify", json={"challenge_id": challenge["challenge_id"], "code": code}
    )
    tokens = here.json()
    challenge = world.api.post(f"{A}/auth/login", json={"email": person.email, "password": PASSWORD}).json()
    other = world.api.post(
        f"{A}/auth/otp/verify",
        json={"challenge_id": challenge["challenge_id"], "code": world.last_otp("+33612345678")},
    ).json()

    wrong = {"current_password": "Pas-le-bon-2026", "new_password": NEW_PASSWORD}
    refused = world.api.post(f"{A}/account/password", json=wrong, headers=bearer(tokens))
    assert (refused.status_code, refused.json()["code"]) == (403, "error.password.wrong")
    weak = {"current_password": PASSWORD, "new_password": "court"}
    assert world.api.post(f"{A}/account/password", json=weak, headers=bearer(tokens)).json()["code"] == (
        "error.password.weak"
    )
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    done = world.api.post(f"{A}/account/password", json=body, headers=bearer(tokens))
    assert done.status_code == 200
    assert world.api.get(f"{A}/me", headers=bearer(tokens)).status_code == 200  # this device stays
    assert world.api.get(f"{A}/me", headers=bearer(other)).status_code == 401  # the others are out
    assert _login_status(world, person.email, PASSWORD) == 401
    assert _login_status(world, person.email, NEW_PASSWORD) == 200
    assert world.outbox(person.email)[0]["subject"] == "Votre mot de passe a été changé"
    assert any(m["kind"] == "password_changed" for m in world.outbox("+33612345678"))
    kinds = [n["kind"] for n in world.api.get(f"{A}/notifications", headers=bearer(tokens)).json()]
    assert "password_changed" in kinds


def test_checking_the_password_is_rate_limited_on_change_and_close(world: World) -> None:
    _, tokens = world.active_person()
    limit = world.ctx.settings.rate_per_account
    wrong = {"current_password": "Pas-le-bon-2026", "new_password": NEW_PASSWORD}
    statuses = [
        world.api.post(f"{A}/account/password", json=wrong, headers=bearer(tokens)).status_code
        for _ in range(limit // 2)
    ]
    statuses += [
        world.api.post(
            f"{A}/space/close", json={"password": "Pas-le-bon-2026"}, headers=bearer(tokens)
        ).status_code
        for _ in range(limit - limit // 2 + 1)
    ]
    assert statuses == [403] * (limit // 2) + [401] * (limit - limit // 2) + [429]
    # While limited, the right password gets the same answer as a wrong one.
    right = world.api.post(f"{A}/space/close", json={"password": PASSWORD}, headers=bearer(tokens))
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0
    assert world.api.get(f"{A}/me", headers=bearer(tokens)).json()["status"] == "active"


def test_reopening_is_rate_limited(world: World) -> None:
    _, tokens = world.active_person()
    limit = world.ctx.settings.rate_per_account
    statuses = [
        world.api.post(f"{A}/space/reopen", headers=bearer(tokens)).status_code for _ in range(limit + 1)
    ]
    assert statuses == [409] * limit + [429]


# --- "Mot de passe oublié ?" -------------------------------------------------------------------------


def _start_reset(world: World, person: Person, vitale: str | None = None) -> dict[str, str]:
    body = {"nir": person.nir, "vitale_serial": vitale or person.vitale}
    response = world.api.post(f"{A}/auth/password-reset", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, str] = response.json()
    return data


def _confirm(world: World, challenge_id: str, code: str, password: str = NEW_PASSWORD) -> tuple[int, dict]:  # type: ignore[type-arg]
    body = {"challenge_id": challenge_id, "code": code, "new_password": password}
    response = world.api.post(f"{A}/auth/password-reset/confirm", json=body)
    return response.status_code, response.json()


def test_reset_answers_and_works_the_same_whatever_matched(world: World) -> None:
    person, _ = world.active_person()
    sent_before = len(world.outbox())
    matched = _start_reset(world, person)
    unmatched = _start_reset(world, person, vitale="99999999")
    assert matched.keys() == unmatched.keys() == {"challenge_id", "expires_at"}
    assert matched["expires_at"] == unmatched["expires_at"]
    assert len(world.outbox()) == sent_before  # nothing is sent inside the request
    assert _rows(world, AccountChallenge) == 2 and _rows(world, QueuedMessage) == 2  # the same rows
    assert world.send_queued() == 2
    assert _rows(world, QueuedMessage) == 0
    sent = world.outbox()[: len(world.outbox()) - sent_before]
    assert [(m["to"], m["kind"]) for m in sent] == [(person.email, "reset_code")]  # one code, to the holder
    # Any code for the challenge that matched nobody is refused exactly like a wrong code.
    wrong = f"{(int(_code_in(sent[0])) + 1) % 1_000_000:06d}"
    assert _confirm(world, unmatched["challenge_id"], wrong) == _confirm(
        world, matched["challenge_id"], wrong
    )


def test_reset_with_the_code_sets_the_password_signs_everyone_out_and_tells_every_channel(
    world: World,
) -> None:
    person = world.enrol()
    world.activate(person, otp_channel="sms", phone="06 12 34 56 78")
    challenge = world.api.post(f"{A}/auth/login", json={"email": person.email, "password": PASSWORD}).json()
    tokens = world.api.post(
        f"{A}/auth/otp/verify",
        json={"challenge_id": challenge["challenge_id"], "code": world.last_otp("+33612345678")},
    ).json()
    started = _start_reset(world, person)
    world.send_queued()
    sms = world.outbox("+33612345678")[0]
    assert sms["kind"] == "reset_code" and "nouveau mot de passe" in sms["body"]  # where login codes go
    code = _code_in(sms)
    status, body = _confirm(world, started["challenge_id"], code, password="faible")
    assert (status, body["code"]) == (422, "error.password.weak")
    named = "Person1-et-2027!"  # contains the e-mail's name: refused once the code is right
    assert _confirm(world, started["challenge_id"], code, password=named)[1]["code"] == "error.password.weak"
    assert _confirm(world, started["challenge_id"], code)[0] == 200  # the code was still good
    assert _confirm(world, started["challenge_id"], code)[0] == 410  # once only
    assert world.api.get(f"{A}/me", headers=bearer(tokens)).status_code == 401
    assert _login_status(world, person.email, PASSWORD) == 401
    assert _login_status(world, person.email, NEW_PASSWORD) == 200
    assert world.outbox(person.email)[0]["subject"] == "Votre mot de passe a été réinitialisé"
    assert any(m["kind"] == "password_reset" for m in world.outbox("+33612345678"))


def test_reset_codes_allow_five_tries_and_resets_are_rate_limited(world: World) -> None:
    person, _ = world.active_person()
    started = _start_reset(world, person)
    world.send_queued()
    code = _code_in(world.outbox(person.email)[0])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    answers = [_confirm(world, started["challenge_id"], wrong) for _ in range(5)]
    assert [a[1]["params"].get("attempts_left") for a in answers[:4]] == [4, 3, 2, 1]
    assert answers[4][0] == 410
    assert _confirm(world, started["challenge_id"], code)[0] == 410  # five tries, then never
    limit = world.ctx.settings.rate_messages_per_account
    statuses = [
        world.api.post(f"{A}/auth/password-reset", json={"nir": person.nir, "vitale_serial": v}).status_code
        for v in ["99999999"] * (limit - 1) + [person.vitale]
    ]
    assert statuses == [200] * (limit - 1) + [429]  # per number, matched or not


def test_reset_ends_a_lock_and_a_space_not_yet_activated_gets_no_code(world: World) -> None:
    person, _ = world.active_person()
    challenge = world.api.post(f"{A}/auth/login", json={"email": person.email, "password": PASSWORD}).json()
    wrong = f"{(int(world.last_otp(person.email)) + 1) % 1_000_000:06d}"
    for _ in range(world.ctx.settings.otp_max_attempts):
        world.api.post(
            f"{A}/auth/otp/verify", json={"challenge_id": challenge["challenge_id"], "code": wrong}
        )
    assert _login_status(world, person.email, PASSWORD) == 423
    started = _start_reset(world, person)
    world.send_queued()
    assert _confirm(world, started["challenge_id"], world.last_otp(person.email))[0] == 200
    assert _login_status(world, person.email, NEW_PASSWORD) == 200  # identity proven again: unlocked

    pending = world.enrol()
    before = len(world.outbox())
    _start_reset(world, pending)
    world.send_queued()
    assert len(world.outbox()) == before  # no login to reset: nothing sent, the same answer given


# --- e-mail, phone, code channel ------------------------------------------------------------------


def _contact(
    world: World, tokens: dict[str, str], kind: str, value: str, password: str = PASSWORD
) -> tuple[int, dict]:  # type: ignore[type-arg]
    body = {"kind": kind, "value": value, "password": password}
    response = world.api.post(f"{A}/account/contact", json=body, headers=bearer(tokens))
    return response.status_code, response.json()


def _confirm_contact(world: World, tokens: dict[str, str], challenge_id: str, code: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    body = {"challenge_id": challenge_id, "code": code}
    response = world.api.post(f"{A}/account/contact/confirm", json=body, headers=bearer(tokens))
    return response.status_code, response.json()


def test_a_new_email_is_proven_by_a_code_and_the_old_one_is_told(world: World) -> None:
    person, tokens = world.active_person()
    taken, _ = world.active_person()
    assert _contact(world, tokens, "email", "nouvelle@exemple.fr", "Pas-le-bon-2026")[1]["code"] == (
        "error.password.wrong"
    )
    assert _contact(world, tokens, "email", taken.email)[1]["code"] == "error.email.taken"
    assert _contact(world, tokens, "email", "pas une adresse")[1]["code"] == "error.email.invalid"
    status, challenge = _contact(world, tokens, "email", "Nouvelle@Exemple.fr")
    assert status == 200 and challenge["destination_hint"] == "n***@e***.fr"
    code = world.last_otp("nouvelle@exemple.fr")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert _confirm_contact(world, tokens, challenge["challenge_id"], wrong)[1]["params"] == {
        "attempts_left": 4
    }
    status, me = _confirm_contact(world, tokens, challenge["challenge_id"], code)
    assert status == 200 and me["email"] == "nouvelle@exemple.fr"
    assert world.outbox(person.email)[0]["subject"] == "L'adresse e-mail de votre espace santé a changé"
    assert world.outbox("nouvelle@exemple.fr")[0]["kind"] == "email_changed"
    assert _login_status(world, person.email, PASSWORD) == 401
    assert _login_status(world, "nouvelle@exemple.fr", PASSWORD) == 200


def test_phone_and_channel_changes(world: World) -> None:
    person, tokens = world.active_person()
    status, body = _contact(world, tokens, "channel", "sms")
    assert (status, body["code"]) == (409, "error.account.phone_missing")
    assert _contact(world, tokens, "channel", "pigeon")[0] == 422
    status, challenge = _contact(world, tokens, "phone", "06 12 34 56 78")
    assert status == 200 and challenge["destination_hint"].startswith("+336")
    sms = world.outbox("+33612345678")[0]
    assert sms["channel"] == "sms" and sms["kind"] == "contact_code"
    status, me = _confirm_contact(world, tokens, challenge["challenge_id"], _code_in(sms))
    assert status == 200 and me["phone"] == "+33612345678" and me["otp_channel"] == "email"
    status, challenge = _contact(world, tokens, "channel", "sms")  # the code goes where codes will go
    assert status == 200
    status, me = _confirm_contact(world, tokens, challenge["challenge_id"], world.last_otp("+33612345678"))
    assert status == 200 and me["otp_channel"] == "sms"
    assert world.outbox(person.email)[0]["kind"] == "channel_changed"
    login = world.api.post(f"{A}/auth/login", json={"email": person.email, "password": PASSWORD}).json()
    assert login["channel"] == "sms" and world.outbox("+33612345678")[0]["kind"] == "otp"
    # A new phone: the old one is told by SMS.
    _, challenge = _contact(world, tokens, "phone", "07 98 76 54 32")
    _confirm_contact(world, tokens, challenge["challenge_id"], world.last_otp("+33798765432"))
    assert world.outbox("+33612345678")[0]["kind"] == "phone_changed"
    assert re.fullmatch(r"\+33798765432", world.api.get(f"{A}/me", headers=bearer(tokens)).json()["phone"])


def test_a_parent_cannot_change_a_childs_account_with_x_space(world: World) -> None:
    from tests.backend.test_children import as_parent, family

    _, parent_tokens, _, child_id = family(world)
    headers = as_parent(parent_tokens, child_id)
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    refused = world.api.post(f"{A}/account/password", json=body, headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "error.children.not_guardian")
    assert world.api.get(f"{A}/devices", headers=headers).status_code == 403
