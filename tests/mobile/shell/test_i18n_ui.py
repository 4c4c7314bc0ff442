"""The app's words: every key the screens use exists in French and English, files kept tidy."""

import json
import re
from pathlib import Path

from mobile.shell.state import SECTIONS
from sync.protocol.i18n import ASSETS_DIR, catalogue
from sync.protocol.password import password_rules

MOBILE = Path(__file__).resolve().parents[3] / "mobile"
KEY_RE = re.compile(r"\"((?:ui|error|password)\.[a-z0-9_.]+[a-z0-9_])\"")


def load(lang: str) -> dict[str, str]:
    return catalogue(lang)


def test_both_languages_have_the_same_files_keys_and_tidy_files() -> None:
    folder = ASSETS_DIR / "i18n"
    files = {lang: sorted(p.name for p in (folder / lang).glob("*.json")) for lang in ("fr", "en")}
    assert files["fr"] == files["en"]
    for name in files["fr"]:
        parts = {lang: (folder / lang / name).read_text(encoding="utf-8") for lang in ("fr", "en")}
        data = {lang: json.loads(raw) for lang, raw in parts.items()}
        assert set(data["fr"]) == set(data["en"]), name
        for lang, raw in parts.items():
            assert raw.rstrip("\n") == json.dumps(data[lang], indent=1, ensure_ascii=False, sort_keys=True)


def test_every_key_the_app_uses_is_translated() -> None:
    fr, en = load("fr"), load("en")
    used = {key for path in MOBILE.rglob("*.py") for key in KEY_RE.findall(path.read_text(encoding="utf-8"))}
    used |= {f"ui.section.{name}" for name in SECTIONS} | {f"ui.section.{name}.hint" for name in SECTIONS}
    used |= {key for key, _ in password_rules("")}
    assert len(used) > 80
    missing = sorted(key for key in used if key not in fr or key not in en)
    assert not missing


def test_english_mode_has_no_french_leftovers() -> None:
    fr, en = load("fr"), load("en")
    same = [
        k
        for k in fr
        if k.startswith("ui.")
        and fr[k] == en[k]
        and k not in {"ui.section.documents", "ui.section.agenda", "ui.datetime"}
    ]
    assert not same
