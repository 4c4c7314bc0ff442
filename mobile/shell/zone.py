"""The person's time zone: every time the app shows, reads or schedules is in it.

On a phone or a desktop the app runs on the person's device, so the device's own zone is right
(`None`: Python's local time). In web mode the Python code runs on the app server, whose zone is
not the person's: the page itself tells the browser's zone. A line added to Flet's `index.html`
writes `Intl...timeZone` into the browser's storage before the app starts, where the launcher reads
it with the other ids (`ZONE_KEY`, through Flet's SharedPreferences, which keeps `flutter.<key>`
entries as JSON in localStorage).
"""

import json
from datetime import tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["ZONE_KEY", "web_assets", "zone_named"]

ZONE_KEY = "ens.tz"

_SCRIPT = (
    "<script>try{localStorage.setItem('flutter." + ZONE_KEY + "',"
    "JSON.stringify(Intl.DateTimeFormat().resolvedOptions().timeZone));}catch(e){}</script>"
)


def zone_named(name: object) -> tzinfo | None:
    """The zone the page named ('Europe/Paris'), or None (this device's own) if it names none we know."""
    if not isinstance(name, str) or not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def web_assets(folder: Path, lang: str) -> Path:
    """A web assets folder whose `index.html` is Flet's own plus the line that tells the zone, and
    the page's language for screen readers until the app draws; returns the folder."""
    from flet_web import get_package_web_dir  # the web client ships with the app server only

    index = (Path(get_package_web_dir()) / "index.html").read_text(encoding="utf-8")
    index = index.replace("<html>", f"<html lang={json.dumps(lang)}>", 1)
    index = index.replace("<!-- fletAppConfig -->", _SCRIPT + "\n  <!-- fletAppConfig -->", 1)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(index, encoding="utf-8")
    return folder
