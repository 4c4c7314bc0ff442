"""The devices signed in to the space ("Appareils connectés"), without a single control.

    DevicesState    the list from the server (this device first), and "Déconnecter cet appareil"

The server decides and lists; this device is marked `current`. A device signed out here stops at
once on the server; it locks its vault and forgets its session at its next contact.
"""

from mobile.shell.online import Online
from sync.client import AccountClient
from sync.protocol.account_schemas import DeviceOut
from sync.protocol.i18n import translate

__all__ = ["PLATFORM_WORDS", "DevicesState"]

# The server's platforms (account_schemas.PLATFORMS) as a person names them.
PLATFORM_WORDS = {
    "web": "ui.devices.platform.web",
    "android": "ui.devices.platform.android",
    "ios": "ui.devices.platform.ios",
    "windows": "ui.devices.platform.windows",
    "macos": "ui.devices.platform.macos",
    "linux": "ui.devices.platform.linux",
    "other": "ui.devices.platform.other",
}


class DevicesState(Online):
    """The signed-in devices, this one first, then the last used first."""

    def __init__(self, client: AccountClient) -> None:
        super().__init__(client)
        self.items: list[DeviceOut] = []

    def _keep(self, items: list[DeviceOut]) -> None:
        self.items = sorted(items, key=lambda d: (not d.current, -d.last_used_at.timestamp()))
        self.loaded = True

    def load(self) -> bool:
        return self._call(lambda: self._keep(self.client.devices()))

    def find(self, device_id: str) -> DeviceOut | None:
        return next((d for d in self.items if d.id == device_id), None)

    def sign_out(self, device_id: str, lang: str) -> bool:
        """ "Déconnecter cet appareil" (another one: this one logs out with "Me déconnecter")."""
        device = self.find(device_id)
        if device is None or device.current:
            return False
        name = self.name_of(device, lang)
        if not self._call(lambda: self._keep(self.client.sign_out_device(device_id))):
            return False
        self.notice = ("ui.devices.signed_out", {"name": name})
        return True

    @staticmethod
    def name_of(device: DeviceOut, lang: str) -> str:
        return device.name or translate("ui.devices.unnamed", lang)

    @staticmethod
    def platform_of(device: DeviceOut, lang: str) -> str:
        return translate(PLATFORM_WORDS.get(device.platform, PLATFORM_WORDS["other"]), lang)
