"""The server checks pushed profile entries again: what the app would refuse, it refuses too."""

from datetime import timedelta
from typing import Any

from tests.conftest import World, bearer


def push(world: World, tokens: dict[str, str], seq: int, data: dict[str, Any]) -> dict[str, Any]:
    mutation = {
        "seq": seq,
        "op": "upsert",
        "collection": "profile_entry",
        "id": f"entry-{seq:04d}",
        "base_version": 0,
        "data": data,
    }
    response = world.api.post(
        "/api/v1/sync/push", headers=bearer(tokens), json={"client_id": "phone-0001", "mutations": [mutation]}
    )
    assert response.status_code == 200
    result: dict[str, Any] = response.json()["results"][0]
    return result


def test_server_refuses_invalid_profile_entries(world: World) -> None:
    _, tokens = world.active_person()
    today = world.ctx.clock.now().date()
    ok = push(world, tokens, 1, {"section": "allergy", "substance": "Pénicilline", "severity": "severe"})
    assert ok["outcome"] == "applied"
    cases = [
        ({"section": "allergy", "severity": "severe"}, "error.profile.required"),
        ({"section": "allergy", "substance": "Latex", "severity": "deadly"}, "error.profile.choice"),
        ({"section": "vaccination", "vaccine": "ebola", "date": "2020-01-01"}, "error.profile.vaccine"),
        ({"section": "vaccination", "vaccine": "dtp", "date": "2999-01-01"}, "error.profile.future"),
        (
            {"section": "treatment", "name": "X", "since": "2024-05-01", "until": "2024-01-01"},
            "error.profile.until_before_since",
        ),
        ({"section": "contact", "name": "Léa", "relation": "Sœur", "phone": "12"}, "error.phone.invalid"),
        ({"section": "astrology"}, "error.profile.section"),
        # Issue #17's sections, checked again on the server.
        ({"section": "blood_group", "abo": "O", "rh": "maybe"}, "error.profile.choice"),
        ({"section": "hospital_stay", "place": "CHU", "reason": "Chute"}, "error.profile.required"),
        ({"section": "sleep", "hours": "30"}, "error.profile.number"),
        ({"section": "alcohol", "frequency": "sometimes"}, "error.profile.choice"),
    ]
    for seq, (data, code) in enumerate(cases, start=2):
        result = push(world, tokens, seq, data)
        assert (result["outcome"], result["error"]) == ("rejected", code), data
    # A vaccination given today (the holder's local day) is accepted.
    done = push(
        world, tokens, 20, {"section": "vaccination", "vaccine": "influenza", "date": today.isoformat()}
    )
    assert done["outcome"] == "applied"
    for seq, data in enumerate(
        [
            {"section": "blood_group", "abo": "O", "rh": "negative"},
            {"section": "hospital_stay", "place": "CHU", "reason": "Chute", "since": "2024-02-01"},
            {"section": "disability", "name": "Surdité", "accommodations": "Écrire les consignes"},
            {"section": "tobacco", "smoking": "daily", "per_day": "10"},
            {"section": "sleep", "hours": "6,5"},
        ],
        start=30,
    ):
        assert push(world, tokens, seq, data)["outcome"] == "applied", data


def test_server_refuses_a_reading_dated_in_the_future(world: World) -> None:
    _, tokens = world.active_person()
    now = world.ctx.clock.now()

    def reading(seq: int, at: str) -> dict[str, Any]:
        mutation = {
            "seq": seq,
            "op": "upsert",
            "collection": "measurement",
            "id": f"weight-{seq:04d}",
            "base_version": 0,
            "data": {"kind": "weight", "value": 70.5, "unit": "kg", "at": at},
        }
        response = world.api.post(
            "/api/v1/sync/push",
            headers=bearer(tokens),
            json={"client_id": "phone-0002", "mutations": [mutation]},
        )
        result: dict[str, Any] = response.json()["results"][0]
        return result

    assert reading(1, now.isoformat())["outcome"] == "applied"
    assert (
        reading(2, (now + timedelta(minutes=30)).isoformat())["outcome"] == "applied"
    )  # a clock a bit ahead
    late = reading(3, (now + timedelta(days=2)).isoformat())
    assert (late["outcome"], late["error"]) == ("rejected", "error.measurements.future")
    assert reading(4, "hier")["error"] == "error.request.invalid"
