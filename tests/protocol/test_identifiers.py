"""The identifier rules people meet first: social security number, Vitale serial, codes."""

import pytest

from backend_stub.demo import nir_for
from sync.protocol.errors import ErrorCode
from sync.protocol.identifiers import (
    InvalidIdentifier,
    format_provisional_code,
    normalize_email,
    normalize_nir,
    normalize_phone,
    normalize_provisional_code,
    normalize_vitale_serial,
)


def _key(body: str) -> str:
    """Key computed independently: 97 - (number mod 97), Corsica 2A -> 19, 2B -> 18."""
    number = int(body.replace("2A", "19").replace("2B", "18"))
    return f"{97 - number % 97:02d}"


@pytest.mark.parametrize(
    "body",
    ["1850575123456", "2951099126111", "185052A123456", "185052B123456", "1000101001001", "2991299999999"],
)
def test_valid_numbers_are_accepted_with_spaces_and_any_case(body: str) -> None:
    nir = body + _key(body)
    spaced = f"{nir[0]} {nir[1:3]} {nir[3:5]} {nir[5:7].lower()} {nir[7:10]} {nir[10:13]} {nir[13:]}"
    assert normalize_nir(spaced) == nir


def test_known_public_examples() -> None:
    assert normalize_nir("2 95 10 99 126 111 93") == "295109912611193"
    assert normalize_nir("253072B07300470") == "253072B07300470"
    assert normalize_nir("253072A07300443") == "253072A07300443"


@pytest.mark.parametrize("body", ["1850575123456", "185052A123456", "185052B123456"])
def test_every_wrong_key_is_refused(body: str) -> None:
    good = int(_key(body))
    for wrong in {(good + 1) % 100, (good + 50) % 100} - {good}:
        with pytest.raises(InvalidIdentifier) as err:
            normalize_nir(f"{body}{wrong:02d}")
        assert err.value.code == ErrorCode.NIR_KEY


def test_corsica_keys_differ_from_the_plain_number() -> None:
    # 2A and 2B do not use the same key: swapping them must fail.
    nir_a = "185052A123456" + _key("185052A123456")
    with pytest.raises(InvalidIdentifier):
        normalize_nir(nir_a.replace("2A", "2B"))


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", ErrorCode.NIR_EMPTY),
        ("   ", ErrorCode.NIR_EMPTY),
        ("18505751234", ErrorCode.NIR_LENGTH),
        ("1850575123456789", ErrorCode.NIR_LENGTH),
        ("18505A5123456XX", ErrorCode.NIR_FORMAT),
        ("1850575I2345678", ErrorCode.NIR_FORMAT),
    ],
)
def test_malformed_numbers_get_a_precise_reason(value: str, code: ErrorCode) -> None:
    with pytest.raises(InvalidIdentifier) as err:
        normalize_nir(value)
    assert err.value.code == code


def test_demo_numbers_are_valid() -> None:
    for n in (1, 99, 12345, 999999):
        assert normalize_nir(nir_for(n)) == nir_for(n)


@pytest.mark.parametrize("value", ["12345678", "1234 5678 90", "123456789012"])
def test_vitale_serials(value: str) -> None:
    assert normalize_vitale_serial(value) == value.replace(" ", "")


@pytest.mark.parametrize("value", ["", "1234567", "1234567890123", "12345678A"])
def test_bad_vitale_serials(value: str) -> None:
    with pytest.raises(InvalidIdentifier):
        normalize_vitale_serial(value)


def test_provisional_code_is_forgiving_about_case_and_dashes() -> None:
    assert normalize_provisional_code("abcd-efgh-jk23") == "ABCDEFGHJK23"
    assert format_provisional_code("ABCDEFGHJK23") == "ABCD-EFGH-JK23"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", ErrorCode.CODE_EMPTY),
        ("ABCD-EFGH", ErrorCode.CODE_FORMAT),
        ("ABCD-EFGH-JK2O", ErrorCode.CODE_FORMAT),
    ],
)
def test_bad_provisional_codes(value: str, code: ErrorCode) -> None:
    with pytest.raises(InvalidIdentifier) as err:
        normalize_provisional_code(value)
    assert err.value.code == code


def test_email_and_phone() -> None:
    assert normalize_email("  Jo.Doe@Exemple.FR ") == "jo.doe@exemple.fr"
    assert normalize_phone("06 12 34 56 78") == "+33612345678"
    assert normalize_phone("+33 7 12 34 56 78") == "+33712345678"
    assert normalize_phone("+32470123456") == "+32470123456"
    for bad in ("jo", "jo@", "@x.fr", "a b@c.fr"):
        with pytest.raises(InvalidIdentifier):
            normalize_email(bad)
    for bad in ("01 23 45 67 89", "12", "+33"):
        with pytest.raises(InvalidIdentifier):
            normalize_phone(bad)


def test_rpps_numbers() -> None:
    from stdnum import luhn

    from sync.protocol.identifiers import normalize_rpps

    body = "1000123456"
    good = body + luhn.calc_check_digit(body)
    assert normalize_rpps(good[:5] + " " + good[5:]) == good
    bad = body + str((int(good[-1]) + 1) % 10)
    for value, code in (
        (bad, ErrorCode.RPPS_KEY),
        ("1234", ErrorCode.RPPS_FORMAT),
        ("1000A234567", ErrorCode.RPPS_FORMAT),
    ):
        with pytest.raises(InvalidIdentifier) as err:
            normalize_rpps(value)
        assert err.value.code == code
