"""Property-based tests of the identifier parsers: any text gives a canonical value or a clear error."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend_stub.demo import nir_for
from sync.protocol.errors import ErrorCode
from sync.protocol.identifiers import (
    InvalidIdentifier,
    normalize_email,
    normalize_nir,
    normalize_phone,
    normalize_provisional_code,
    normalize_rpps,
    normalize_vitale_serial,
)

PARSERS = (
    normalize_nir,
    normalize_vitale_serial,
    normalize_provisional_code,
    normalize_email,
    normalize_phone,
    normalize_rpps,
)


@pytest.mark.parametrize("parse", PARSERS, ids=lambda f: f.__name__)
@given(text=st.text(max_size=40))
def test_any_text_is_canonical_or_a_known_error(parse: object, text: str) -> None:
    try:
        value = parse(text)  # type: ignore[operator]
    except InvalidIdentifier as exc:
        assert isinstance(exc.code, ErrorCode)
        return
    assert value.isascii() and value == value.strip()
    assert parse(value) == value  # type: ignore[operator]  # canonical forms are fixed points


@given(n=st.integers(min_value=1, max_value=10**6), cuts=st.lists(st.integers(0, 15), max_size=4))
def test_a_valid_number_typed_with_spaces_is_found(n: int, cuts: list[int]) -> None:
    nir = nir_for(n)
    typed = "".join(f" {c}" if i in cuts else c for i, c in enumerate(nir))
    assert normalize_nir(typed) == nir


@given(n=st.integers(min_value=1, max_value=10**6), position=st.integers(0, 14), digit=st.integers(0, 9))
def test_one_changed_digit_is_refused(n: int, position: int, digit: int) -> None:
    nir = nir_for(n)
    changed = nir[:position] + str(digit) + nir[position + 1 :]
    if changed != nir:
        with pytest.raises(InvalidIdentifier):
            normalize_nir(changed)


@pytest.mark.parametrize("text", ["١٢٣٤٥٦٧٨٩", "１２３４５６７８", "12345678²"])
def test_vitale_serial_takes_only_ascii_digits(text: str) -> None:
    with pytest.raises(InvalidIdentifier):
        normalize_vitale_serial(text)
