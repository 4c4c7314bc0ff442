"""Device-side fixtures: a cheap KDF, vaults in tmp folders, clients signed in to the test server."""

from pathlib import Path

import pytest

from sync.client import AccountClient
from sync.crypto import KdfParams
from sync.device import DeviceVault
from sync.engine import Backoff, SyncEngine
from sync.protocol.schemas import TokenPair
from sync.store import Store
from tests.conftest import World

FAST_KDF = KdfParams(iterations=1, lanes=1, memory_kib=1024)


def no_sleep(_: float) -> None:
    pass


@pytest.fixture
def vault(tmp_path: Path) -> DeviceVault:
    return DeviceVault(tmp_path / "device", "holder1", "phone1", kdf=FAST_KDF)


@pytest.fixture
def store(vault: DeviceVault) -> Store:
    key = vault.create("Mimosa-482915")
    return vault.open_store(key)


class Device:
    """One phone of a holder: its own vault, store, client and engine."""

    def __init__(self, world: World, tokens: dict[str, str], folder: Path, name: str) -> None:
        self.vault = DeviceVault(folder, "holder", name, kdf=FAST_KDF)
        self.key = self.vault.create("Mimosa-482915")
        self.store = self.vault.open_store(self.key)
        self.client = AccountClient(http=world.api)
        self.client.tokens = TokenPair.model_validate(tokens)
        self.engine = SyncEngine(self.store, self.client, backoff=Backoff(sleep=no_sleep))


@pytest.fixture
def two_devices(world: World, tmp_path: Path) -> tuple[Device, Device]:
    person, tokens = world.active_person()
    return Device(world, tokens, tmp_path, "phone"), Device(world, world.login(person), tmp_path, "tablet")
