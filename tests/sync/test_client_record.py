"""The account client's calls for professionals, emergency switches, access log and notifications."""

from datetime import timedelta

from sqlmodel import Session
from stdnum import luhn

from backend_stub.services import professionals
from sync.client import AccountClient
from sync.protocol.record_schemas import EmergencySettings
from sync.protocol.schemas import TokenPair
from tests.conftest import World


def test_holder_manages_professionals_through_the_client(world: World) -> None:
    _, tokens = world.active_person()
    client = AccountClient(http=world.api)
    client.tokens = TokenPair.model_validate(tokens)
    with Session(world.ctx.engine) as session:
        body = "1000555000"
        pro, _ = professionals.register(
            session=session,
            ctx=world.ctx,
            rpps=body + luhn.calc_check_digit(body),
            first_name="Claire",
            last_name="Dubois",
            profession="doctor",
        )
    found = client.search_professionals("dub")
    assert [p.last_name for p in found] == ["Dubois"]
    assert client.search_professionals(pro.rpps)[0].id == pro.id
    until = world.ctx.clock.now() + timedelta(days=30)
    listed = client.authorise(pro.id, until)
    assert listed[0].active and listed[0].until == until
    assert client.set_attending(pro.id)[0].attending
    assert client.revoke(pro.id, block=True)[0].blocked
    assert not client.unblock(pro.id)[0].blocked
    assert client.set_emergency_settings(
        EmergencySettings(emergency_access=False, regulator_access=True)
    ) == (EmergencySettings(emergency_access=False, regulator_access=True))
    assert client.emergency_settings().emergency_access is False
    assert client.access_log().entries == []
    assert client.notifications() == []
