"""Connected devices against the real server in-process: the list (this device first, with its
name and platform in words), signing another one out, and the name this device gives itself."""

from pathlib import Path

import httpx
import pytest

from mobile.devices.naming import ThisDevice
from mobile.devices.state import DevicesState
from sync.client import AccountClient
from sync.errors import ApiError
from sync.protocol.errors import ErrorCode
from tests.mobile.conftest import APP_PASSWORD, AppServer
from tests.mobile.record_access.test_state import World
from tests.mobile.shell.test_core import vault_state

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture
def world(app_server: AppServer) -> World:
    found = World(app_server, n=31)
    yield found  # type: ignore[misc]
    found.close()


def device(server: AppServer, email: str, name: str, platform: str) -> AccountClient:
    client = server.client()
    client.device_name, client.platform = name, platform
    challenge = client.login(email, APP_PASSWORD)
    client.verify_code(challenge.challenge_id, server.last_otp(email))
    return client


def test_the_devices_this_one_first_and_another_signed_out(world: World, app_server: AppServer) -> None:
    app_server.clock.advance(minutes=1)
    laptop = device(app_server, world.me.email, "Navigateur Firefox sur Windows", "web")
    app_server.clock.advance(minutes=1)
    phone = device(app_server, world.me.email, "Application sur Android", "android")
    devices = DevicesState(laptop)  # the phone was used last; the laptop lists itself first
    assert devices.load() and devices.loaded
    names = [(DevicesState.name_of(d, "fr"), d.current) for d in devices.items]
    assert names[0] == ("Navigateur Firefox sur Windows", True)
    assert names[1] == ("Application sur Android", False)
    assert names[2] == ("Appareil sans nom", False)  # the World's own client named nothing
    assert [DevicesState.platform_of(d, "fr") for d in devices.items[:2]] == [
        "navigateur web",
        "téléphone ou tablette Android",
    ]
    assert DevicesState.platform_of(devices.items[1], "en") == "Android phone or tablet"
    assert devices.items[1].last_used_at > devices.items[0].last_used_at > devices.items[2].last_used_at

    this_one = devices.items[0].id
    assert not devices.sign_out(this_one, "fr")  # this device logs out with "Me déconnecter"
    assert not devices.sign_out("no-such-device", "fr")
    assert len(devices.items) == 3
    phone_id = devices.items[1].id
    assert devices.sign_out(phone_id, "fr")
    assert devices.notice == ("ui.devices.signed_out", {"name": "Application sur Android"})
    assert [d.id for d in devices.items if d.id == phone_id] == []
    with pytest.raises(ApiError) as gone:
        phone.me()
    assert gone.value.code == ErrorCode.DEVICE_SIGNED_OUT  # at its next contact


def test_a_device_already_gone_and_no_network_are_said(world: World, app_server: AppServer) -> None:
    device(app_server, world.me.email, "Tablette", "android")
    devices = DevicesState(world.client)
    assert devices.load()
    tablet = next(d for d in devices.items if d.name == "Tablette")
    elsewhere = DevicesState(world.client)  # the same list open on another screen
    assert elsewhere.load() and elsewhere.sign_out(tablet.id, "fr")
    assert not devices.sign_out(tablet.id, "fr")  # signed out meanwhile
    assert devices.banner is not None and devices.banner.code == ErrorCode.NOT_FOUND

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("offline", request=request)

    offline = AccountClient(http=httpx.Client(transport=httpx.MockTransport(refuse), base_url="http://t"))
    offline.tokens = world.client.tokens
    away = DevicesState(offline)
    assert not away.load() and away.offline and not away.loaded


def test_this_device_names_itself_in_the_persons_words(
    world: World, app_server: AppServer, tmp_path: Path
) -> None:
    agents = {
        CHROME_LINUX: "Navigateur Chrome sur Linux",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0": "Navigateur Edge sur Windows",
        "Mozilla/5.0 (Android 14; Mobile; rv:132.0) Gecko/132.0 Firefox/132.0": (
            "Navigateur Firefox sur Android"
        ),
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Mobile/15E148 Safari/604.1": "Navigateur Safari sur iPhone",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Safari/605.1.15": "Navigateur Safari sur Mac",
        "": "Navigateur web",
    }
    for agent, name in agents.items():
        found = ThisDevice.of(web=True, user_agent=agent)
        assert (found.name("fr"), found.platform) == (name, "web")
    assert ThisDevice.of(web=True, user_agent=CHROME_LINUX).name("en") == "Chrome browser on Linux"
    phone = ThisDevice.of(web=False, platform="android")
    assert (phone.name("fr"), phone.name("en"), phone.platform) == (
        "Application sur Android",
        "App on Android",
        "android",
    )
    assert (ThisDevice.of(web=False, platform="fuchsia").name("fr"), ThisDevice().platform) == (
        "Application",
        "other",
    )

    # At login the app sends it, in the language on screen, and the list shows it.
    state = vault_state(app_server.client(), tmp_path)
    state.this_device = ThisDevice.of(web=True, user_agent=CHROME_LINUX)
    state.toggle_language()  # English on screen
    state.login.set("email", world.me.email)
    state.login.set("password", APP_PASSWORD)
    assert state.submit_login()
    state.login.set("otp", app_server.last_otp(world.me.email))
    assert state.verify_code()
    listed = DevicesState(state.client)
    assert listed.load()
    assert (listed.items[0].name, listed.items[0].platform) == ("Chrome browser on Linux", "web")
