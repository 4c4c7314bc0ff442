"""Password rules shown while typing, and the translation catalogues."""

import re

from sync.protocol.errors import ErrorCode
from sync.protocol.i18n import catalogue, translate, variant_of
from sync.protocol.password import password_is_acceptable, password_rules


def test_rules_report_each_missing_property() -> None:
    rules = dict(password_rules("abc"))
    assert rules == {
        "password.rule.length": False,
        "password.rule.lower": True,
        "password.rule.upper": False,
        "password.rule.digit": False,
        "password.rule.symbol": False,
    }
    assert all(ok for _, ok in password_rules("Soleil-d'hiver-2026"))


def test_acceptable_password() -> None:
    assert password_is_acceptable("Soleil-d'hiver-2026")
    assert not password_is_acceptable("Short-1a")
    assert not password_is_acceptable("soleil-d'hiver-2026")
    assert not password_is_acceptable("Camille.martin-2026", identifier="camille.martin@exemple.fr")


def test_french_and_english_have_the_same_keys_and_placeholders() -> None:
    """Gendered variants (`key.female`, `key.male`) sit beside their plain key, with its placeholders."""
    fr, en = catalogue("fr"), catalogue("en")
    assert fr.keys() == en.keys()
    for texts in (fr, en):
        for key in texts:
            base = variant_of(key) or key
            assert base in texts, key
            placeholders = set(re.findall(r"{(\w+)}", texts[key]))
            assert (
                placeholders == set(re.findall(r"{(\w+)}", fr[base])) == set(re.findall(r"{(\w+)}", en[base]))
            ), key


def test_gendered_words_agree_with_the_reader() -> None:
    key = "notify.majority_letter.subject"
    assert translate(key, "fr", sex="female").startswith("Vous êtes majeure :")
    assert translate(key, "fr", sex="male").startswith("Vous êtes majeur :")
    assert translate(key, "fr").startswith("Vous êtes majeur")  # sex unknown: the plain text
    assert translate(key, "en", sex="female") == translate(key, "en")  # English needs no variant
    assert translate(key, "de", sex="female") == translate(key, "fr", sex="female")


def test_every_error_code_has_a_message_in_both_languages() -> None:
    for code in ErrorCode:
        for lang in ("fr", "en"):
            params = {
                "until_local": "x",
                "attempts_left": 1,
                "retry_after": 1,
                "retry_minutes": 1,
                "wait_seconds": 1,
                "max_mb": 1,
                "low": 1,
                "high": 2,
                "unit": "kg",
                "max": 100,
            }
            text = translate(code.value, lang, **params)
            assert text != code.value, (code, lang)


def test_unknown_language_falls_back_to_french() -> None:
    assert translate("error.login.failed", "de") == translate("error.login.failed", "fr")
