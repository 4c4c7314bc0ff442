"""The name and platform this device gives itself at login, as "Appareils connectés" lists them:
"Navigateur Chrome sur Linux" from the browser's user agent in web mode, "Application sur
Android" on a phone. Pure words: the launcher reads the page, the server cleans the result."""

import re
from dataclasses import dataclass

from mobile.shell.words import text

__all__ = ["ThisDevice"]

# The first match wins: Edge and Opera say "Chrome" too, Chrome says "Safari".
_BROWSERS: tuple[tuple[str, str], ...] = (
    (r"Edg(e|A|iOS)?/", "Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"SamsungBrowser/", "Samsung Internet"),
    (r"Firefox/|FxiOS/", "Firefox"),
    (r"Chromium/", "Chromium"),
    (r"Chrome/|CriOS/", "Chrome"),
    (r"Safari/", "Safari"),
)
_SYSTEMS: tuple[tuple[str, str], ...] = (
    (r"Android", "Android"),
    (r"iPhone", "iPhone"),
    (r"iPad", "iPad"),
    (r"CrOS", "ChromeOS"),
    (r"Windows", "Windows"),
    (r"Macintosh|Mac OS X", "Mac"),
    (r"Linux", "Linux"),
)
# Flet's platform names (PagePlatform values) as people say them, and as the server files them.
_APP_SYSTEMS = {
    "android": ("Android", "android"),
    "android_tv": ("Android", "android"),
    "ios": ("iPhone / iPad", "ios"),
    "windows": ("Windows", "windows"),
    "macos": ("Mac", "macos"),
    "linux": ("Linux", "linux"),
}


def _first(patterns: tuple[tuple[str, str], ...], user_agent: str) -> str:
    return next((name for pattern, name in patterns if re.search(pattern, user_agent)), "")


@dataclass(frozen=True)
class ThisDevice:
    """What this device is: a browser (its name and system, from the user agent) or the app on a
    system (Flet's platform); `platform` is one of the server's PLATFORMS."""

    browser: str = ""
    system: str = ""
    web: bool = False
    platform: str = "other"

    @classmethod
    def of(cls, *, web: bool, user_agent: str | None = None, platform: str | None = None) -> "ThisDevice":
        if web:
            agent = user_agent or ""
            return cls(_first(_BROWSERS, agent), _first(_SYSTEMS, agent), True, "web")
        system, filed = _APP_SYSTEMS.get((platform or "").lower(), ("", "other"))
        return cls("", system, False, filed)

    def name(self, lang: str) -> str:
        """ "Navigateur Chrome sur Linux", "Chrome browser on Linux", "Application sur Android"."""
        if not self.web:
            what = text("ui.devices.name.app", lang)
        elif self.browser:
            what = text("ui.devices.name.browser", lang, browser=self.browser)
        else:
            what = text("ui.devices.name.web", lang)
        return text("ui.devices.name.on", lang, what=what, system=self.system) if self.system else what
