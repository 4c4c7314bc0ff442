"""The person's time zone and language, as the page knows them.

Zone: every time the app shows, reads or schedules is in it.

On a phone or a desktop the app runs on the person's device, so the device's own zone is right
(`None`: Python's local time). In web mode the Python code runs on the app server, whose zone is
not the person's: the page itself tells the browser's zone. A line added to Flet's `index.html`
writes `Intl...timeZone` into the browser's storage before the app starts, where the launcher reads
it with the other ids (`ZONE_KEY`, through Flet's SharedPreferences, which keeps `flutter.<key>`
entries as JSON in localStorage).

Language: Flutter's web engine writes its own default (en-US) into `<html lang>`, so a screen reader
would read French with English rules. The same script keeps `lang` at the app's language, which the
app stores under `LANG_KEY` (and finds again at the next visit).
"""

import json
from datetime import tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["LANG_KEY", "ZONE_KEY", "web_assets", "zone_named"]

ZONE_KEY = "ens.tz"
LANG_KEY = "ens.lang"

_SCRIPT = """<script>
try {
  localStorage.setItem('flutter.%(zone)s', JSON.stringify(Intl.DateTimeFormat().resolvedOptions().timeZone));
} catch (e) {}
(function () {
  var key = 'flutter.%(lang)s', root = document.documentElement;
  function apply() {
    var lang = '%(default)s';
    try { lang = JSON.parse(localStorage.getItem(key) || '""') || lang; } catch (e) {}
    if (root.getAttribute('lang') !== lang) root.setAttribute('lang', lang);
  }
  var setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (name) {
    setItem.apply(this, arguments);
    if (name === key) apply();
  };
  new MutationObserver(apply).observe(root, {attributes: true, attributeFilter: ['lang']});
  apply();
})();
</script>"""


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
    script = _SCRIPT % {"zone": ZONE_KEY, "lang": LANG_KEY, "default": lang}
    index = index.replace("<!-- fletAppConfig -->", script + "\n  <!-- fletAppConfig -->", 1)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(index, encoding="utf-8")
    return folder
