"""A parent's device acting on a child's space: the `X-Space` view of the client, and the child's
own sealed store opened by the parent's unlock."""

import json
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from sync.child_spaces import KEY_SECRET, ChildSpace
from sync.client import AccountClient
from sync.errors import SyncError
from sync.protocol.errors import ErrorCode
from sync.protocol.schemas import Identifiers, Me, OtpChannel, SpaceStatus, TokenPair
from sync.space import HolderSpace
from tests.conftest import World
from tests.sync.conftest import FAST_KDF

PIN = "Mimosa-482915"
PARENT = Me(
    id="parent1",
    first_name="Camille",
    last_name="Martin",
    email="camille@example.fr",
    status=SpaceStatus.ACTIVE,
    otp_channel=OtpChannel.EMAIL,
)


def child_me(child_id: str, first_name: str) -> Me:
    return Me(
        id=child_id,
        first_name=first_name,
        last_name="Martin",
        email="",
        status=SpaceStatus.ACTIVE,
        otp_channel=OtpChannel.EMAIL,
    )


def pair(access: str, refresh: str) -> dict[str, str]:
    later = "2030-01-01T00:00:00Z"
    return {
        "access_token": access,
        "refresh_token": refresh,
        "access_expires_at": later,
        "refresh_expires_at": later,
    }


class FakeServer:
    """Answers /me (the child's Me with X-Space) and /auth/refresh; records every request."""

    def __init__(self) -> None:
        self.seen: list[httpx.Request] = []
        self.expired = False  # the next authenticated call answers 401 once

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        path = request.url.path
        if path == "/api/v1/auth/refresh":
            return httpx.Response(200, json=pair("access-2", "refresh-2"))
        if self.expired:
            self.expired = False
            return httpx.Response(401, json={"code": ErrorCode.SESSION_EXPIRED.value, "params": {}})
        if path == "/api/v1/me":
            space = request.headers.get("X-Space", "")
            me = child_me(space, "Léa").model_copy(update={"sex": "female"}) if space else PARENT
            return httpx.Response(200, json=json.loads(me.model_dump_json()))
        return httpx.Response(404, json={"code": ErrorCode.NOT_FOUND.value, "params": {}})


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


@pytest.fixture
def client(server: FakeServer) -> AccountClient:
    http = httpx.Client(base_url="http://test", transport=httpx.MockTransport(server))
    client = AccountClient(http=http)
    client.tokens = TokenPair.model_validate(pair("access-1", "refresh-1"))
    return client


def test_for_space_adds_the_header_and_shares_the_tokens(server: FakeServer, client: AccountClient) -> None:
    seen_pairs: list[TokenPair | None] = []
    client.on_tokens = seen_pairs.append
    view = client.for_space("child-lea")
    assert view.tokens == client.tokens

    me = view.me()
    assert me.id == "child-lea" and me.first_name == "Léa"
    sent = server.seen[-1]
    assert sent.headers["X-Space"] == "child-lea"
    assert sent.headers["Authorization"] == "Bearer access-1"

    # The parent's own calls carry no X-Space.
    assert client.me().id == "parent1"
    assert "X-Space" not in server.seen[-1].headers

    # A refresh through the view renews the PARENT's pair (and the parent's vault hears of it).
    server.expired = True
    assert view.me().id == "child-lea"
    assert client.tokens is not None and client.tokens.access_token == "access-2"
    assert seen_pairs and seen_pairs[-1] is not None and seen_pairs[-1].refresh_token == "refresh-2"
    assert server.seen[-1].headers["Authorization"] == "Bearer access-2"
    assert server.seen[-1].headers["X-Space"] == "child-lea"

    # Closing a view keeps the parent's pool open.
    view.close()
    assert client.me().id == "parent1"


def open_parent(root: Path, client: AccountClient) -> HolderSpace:
    parent = HolderSpace(root, "device1", client, kdf=FAST_KDF)
    parent.set_pin(PARENT, PIN, PIN)
    return parent


def test_two_spaces_stores_are_separate_and_sealed(tmp_path: Path, client: AccountClient) -> None:
    parent = open_parent(tmp_path, client)
    assert parent.store is not None
    parent.store.put("profile_entry", {"section": "allergies", "label": "pollen-du-parent"})

    lea = ChildSpace(parent, "child-lea")
    lea.open(child_me("child-lea", "Léa"))
    tom = ChildSpace(parent, "child-tom")
    tom.open(child_me("child-tom", "Tom"))
    assert lea.store is not None and tom.store is not None
    # The child's Me comes from the server through the view (the reminders need birth date and sex).
    assert lea.me is not None and lea.me.sex == "female"
    lea.store.put("profile_entry", {"section": "vaccinations", "label": "rougeole-de-lea"})

    assert [i.data["label"] for i in lea.store.items("profile_entry")] == ["rougeole-de-lea"]
    assert tom.store.items("profile_entry") == []
    assert [i.data["label"] for i in parent.store.items("profile_entry")] == ["pollen-du-parent"]

    # Each child's folder is under the parent's vault folder; nothing readable on disk.
    parent_folder = parent.vault(PARENT.id).folder
    lea_db = lea.store.path
    assert lea_db.is_relative_to(parent_folder) and lea_db != tom.store.path
    for db in (lea_db, tom.store.path):
        raw = b"".join(p.read_bytes() for p in db.parent.glob("store.db*"))
        assert b"rougeole" not in raw and "Léa".encode() not in raw
    # The child's key is a sealed secret of the parent's store, different per child.
    key_lea = parent.store.secret(KEY_SECRET + "child-lea")
    key_tom = parent.store.secret(KEY_SECRET + "child-tom")
    assert isinstance(key_lea, str) and key_lea != key_tom
    assert key_lea.encode() not in b"".join(p.read_bytes() for p in parent_folder.glob("store.db*"))
    # The child's store never keeps the session.
    assert lea.store.secret("refresh_token") is None

    # Locked, then unlocked with the parent's PIN: the child's store opens again with its data.
    lea.lock()
    tom.lock()
    parent.lock()
    again = HolderSpace(tmp_path, "device1", client, kdf=FAST_KDF)
    again.unlock(PARENT.id, PIN)
    lea2 = ChildSpace(again, "child-lea")
    lea2.open(child_me("child-lea", "Léa"))
    assert lea2.store is not None
    assert [i.data["label"] for i in lea2.store.items("profile_entry")] == ["rougeole-de-lea"]


def test_a_child_space_needs_the_parents_open_vault(tmp_path: Path, client: AccountClient) -> None:
    parent = HolderSpace(tmp_path, "device1", client, kdf=FAST_KDF)
    with pytest.raises(SyncError) as caught:
        ChildSpace(parent, "child-lea")
    assert caught.value.code == ErrorCode.AUTH_REQUIRED


def test_offline_first_open_uses_the_known_child(tmp_path: Path, client: AccountClient) -> None:
    parent = open_parent(tmp_path, client)
    client.tokens = None  # no session: the child's Me is what the parent's list said
    lea = ChildSpace(parent, "child-lea")
    lea.open(child_me("child-lea", "Léa"))
    assert lea.me is not None and lea.me.first_name == "Léa" and lea.me.sex == ""


def test_a_childs_space_syncs_with_the_server_apart_from_the_parents(world: World, tmp_path: Path) -> None:
    """End to end with the real server: what the parent writes in the child's space on this device
    reaches the child's space on the server, never the parent's."""
    parent_person = world.enrol(letter_email="parent@example.fr")
    world.activate(parent_person)
    tokens = world.login(parent_person)
    born = date.today().replace(year=date.today().year - 8, day=1) - timedelta(days=31)
    kid = world.enrol(
        letter_email="parent@example.fr",
        first_name="Léa",
        birth_date=born.isoformat(),
        parent_nir=parent_person.nir,
    )
    client = AccountClient(http=world.api)
    client.tokens = TokenPair.model_validate(tokens)
    ids = Identifiers(provisional_code=kid.code, nir=kid.nir, vitale_serial=kid.vitale)
    assert client.check_child(ids) == "Léa"
    lea = client.activate_child(ids)
    assert lea.can_act and [c.id for c in client.children()] == [lea.id]

    parent = HolderSpace(tmp_path, "device1", client, kdf=FAST_KDF)
    parent.set_pin(client.me(), PIN, PIN)
    space = ChildSpace(parent, lea.id)
    space.open(child_me(lea.id, "Léa"))
    assert space.me is not None and space.me.birth_date == born  # the child's Me, through X-Space
    assert space.store is not None and parent.store is not None
    space.store.put("profile_entry", {"section": "vaccination", "vaccine": "dtcap", "date": "2026-01-05"})
    parent.store.put("profile_entry", {"section": "allergy", "substance": "pollen"})
    assert space.sync().error is None
    assert parent.sync().error is None

    def on_server(c: AccountClient) -> list[dict[str, object]]:
        return [r.data for r in c.pull("", 500).changes if r.collection == "profile_entry" and r.data]

    assert [d.get("vaccine") for d in on_server(client.for_space(lea.id))] == ["dtcap"]
    assert [d.get("substance") for d in on_server(client)] == ["pollen"]
    # Another holder's X-Space is refused.
    stranger = world.enrol()
    world.activate(stranger)
    other = AccountClient(http=world.api)
    other.tokens = TokenPair.model_validate(world.login(stranger))
    with pytest.raises(SyncError) as refused:
        other.for_space(lea.id).me()
    assert refused.value.code == ErrorCode.CHILD_NOT_GUARDIAN
