"""Password rules shown while typing, and the translation catalogues."""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from sync.protocol.errors import ErrorCode
from sync.protocol.i18n import catalogue, day_text, long_day_text, moment_text, translate
from sync.protocol.message_format import arguments, format_message
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


def test_french_and_english_have_the_same_keys_and_arguments() -> None:
    """Every message parses as a MessageFormat, and both languages take the same arguments (a
    gender `sex` may be used by one language only: English seldom needs it)."""
    fr, en = catalogue("fr"), catalogue("en")
    assert fr.keys() == en.keys()
    for key in fr:
        assert arguments(fr[key]) - {"sex"} == arguments(en[key]) - {"sex"}, key
    assert not [k for k in fr if re.search(r"\w\((s|e|es)\)", fr[k])]  # no "rappel(s)": plurals agree


def test_plurals_agree_in_french_and_english() -> None:
    texts = {n: translate("share.page.list", "fr", count=n) for n in (0, 1, 2, 1000)}
    assert texts[0].startswith("0 document partagé.")  # French: 0 and 1 are singular
    assert texts[1].startswith("1 document partagé. Chaque consultation est indiquée à la personne qui l'a")
    assert texts[2].startswith("2 documents partagés.")
    assert texts[1000].startswith("1\u202f000 documents partagés.")  # the French thousands space
    assert translate("share.page.list", "en", count=0).startswith("0 shared documents.")
    assert translate("share.page.list", "en", count=1).startswith("1 shared document.")
    assert translate("ui.notif.bell", "fr", count=1) == "Notifications : 1 non lue"
    assert translate("ui.notif.bell", "fr", count=3) == "Notifications : 3 non lues"
    assert translate("ui.agenda.checkups.count", "fr", count=1).startswith("1 rappel de vaccin")
    assert translate("error.otp.invalid", "fr", attempts_left=1) == "Code incorrect. Il vous reste 1 essai."
    assert translate("error.otp.invalid", "en", attempts_left=2) == "Wrong code. You have 2 tries left."


def test_gendered_words_agree_with_the_reader() -> None:
    key = "notify.majority_letter.subject"
    assert translate(key, "fr", sex="female").startswith("Vous êtes majeure :")
    assert translate(key, "fr", sex="male").startswith("Vous êtes majeur :")
    assert translate(key, "fr").startswith("Vous êtes majeur")  # sex unknown: the `other` case
    assert translate(key, "en", sex="female") == translate(key, "en")  # English needs no variant
    assert translate(key, "de", sex="female") == translate(key, "fr", sex="female")
    born = "ui.export.pdf.born"
    assert translate(born, "fr", sex="female", day="x") == "Née le x"
    assert translate(born, "fr", sex="male", day="x") == "Né le x"
    assert translate(born, "fr", day="x") == "Date de naissance : x"  # no "Né(e)"
    done = translate("ui.pros.done.authorised", "fr", name="Sophie Morel", until="x")
    assert "autorisé " not in done  # a professional's gender is not known: words that need none


def test_the_message_format() -> None:
    pattern = "{n, plural, =0 {aucun} one {# seul, {who}} other {# ({who})}}"
    assert format_message(pattern, "fr", {"n": 0, "who": "A"}) == "aucun"
    assert format_message(pattern, "fr", {"n": 1, "who": "A"}) == "1 seul, A"
    assert format_message(pattern, "en", {"n": 1.5, "who": "A"}) == "1.5 (A)"
    assert format_message(pattern, "fr", {"n": "x", "who": "A"}) == "x (A)"  # not a number: other
    assert format_message("l'{a}", "fr", {}, missing="…") == "l'…"  # an apostrophe is a letter
    for broken in ("{a", "a}", "{n, plural, one {x}}", "{n, plural}", "{n, choice, other {x}}"):
        with pytest.raises(ValueError):
            format_message(broken, "fr", {"n": 1, "a": 1})
    with pytest.raises(KeyError):
        format_message("{a}", "fr", {})
    assert arguments(pattern) == {"n", "who"}


def test_a_day_is_written_one_way_everywhere() -> None:
    assert day_text(date(2026, 12, 7), "fr") == "07/12/2026"
    assert day_text(date(2026, 12, 7), "en") == "7 Dec 2026"
    assert day_text(date(2026, 12, 7), "de") == "07/12/2026"


def test_letters_and_pages_write_the_day_out_and_the_time_in_the_readers_zone() -> None:
    assert long_day_text(date(2026, 12, 7), "fr") == "7 décembre 2026"
    assert long_day_text(date(2026, 11, 1), "fr") == "1er novembre 2026"
    assert long_day_text(date(2026, 12, 7), "en") == "7 December 2026"
    at = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert moment_text(at, ZoneInfo("Europe/Paris"), "fr") == "1er janvier 2027 à 00:30"
    assert moment_text(at, ZoneInfo("America/New_York"), "en") == "31 December 2026 at 18:30"


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
