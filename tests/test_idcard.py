"""Resident ID numbers: parsing, every error kind, masking, building."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yibao.errors import InputError
from yibao.idcard import (
    PROVINCE_CODES,
    ResidentId,
    check_character,
    make_id_number,
    mask_id_number,
    parse_id_number,
)

# Check characters by ISO 7064 MOD 11-2, weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2.
VALID = [
    # GB 11643-1999's own example: weighted sum 167, 167 mod 11 = 2 -> "X"
    ("11010519491231002X", "110105", date(1949, 12, 31), "female"),
    ("450802199003070014", "450802", date(1990, 3, 7), "male"),
    ("450202201501011233", "450202", date(2015, 1, 1), "male"),
    ("450802202101150039", "450802", date(2021, 1, 15), "male"),
    ("450881200011304512", "450881", date(2000, 11, 30), "male"),
    ("450802199003070022", "450802", date(1990, 3, 7), "female"),
]


@pytest.mark.parametrize(("number", "region", "birth", "sex"), VALID)
def test_valid_numbers(number: str, region: str, birth: date, sex: str) -> None:
    assert parse_id_number(number) == ResidentId(number, region, birth, sex)  # type: ignore[arg-type]


def test_lower_case_x_and_whitespace_are_normalised() -> None:
    rid = parse_id_number("  11010519491231002x\n")
    assert rid.number == "11010519491231002X"


def test_check_character() -> None:
    assert check_character("11010519491231002") == "X"
    assert check_character("45080219900307001") == "4"
    with pytest.raises(ValueError):
        check_character("123")


def _error(number: str, field: str = "id_number") -> InputError:
    with pytest.raises(InputError) as info:
        parse_id_number(number, field=field)
    return info.value


@pytest.mark.parametrize(
    "number", ["", "4508021990030700", "4508021990030700141", "45080219900307001 4"]
)
def test_length(number: str) -> None:
    err = _error(number)
    assert err.code == "id_number_length"
    assert f"got {len(number.strip())}" in err.message_en
    assert "18位" in err.message


def test_format_non_digit() -> None:
    err = _error("4508021990O3070014")
    assert err.code == "id_number_format"
    assert "character 11" in err.message_en and "'O'" in err.message_en
    assert "第11位" in err.message


def test_format_x_only_last() -> None:
    err = _error("45080219900307001X"[:5] + "X" + "19900307001X")
    assert err.code == "id_number_format"
    assert "character 6" in err.message_en


def test_format_fullwidth_digit_rejected() -> None:
    assert _error("４50802199003070014").code == "id_number_format"


@pytest.mark.parametrize(
    "prefix", ["00", "10", "16", "20", "47", "55", "66", "72", "80", "83", "99"]
)
def test_region(prefix: str) -> None:
    first17 = prefix + "0802199003070" + "01"
    err = _error(first17 + check_character(first17))
    assert err.code == "id_number_region"
    assert repr(prefix) in err.message_en


@pytest.mark.parametrize("birth", ["19900230", "19901301", "19900000", "20230229", "19000001"])
def test_birth_date_not_a_date(birth: str) -> None:
    first17 = "450802" + birth + "001"
    err = _error(first17 + check_character(first17))
    assert err.code == "id_number_birth_date"
    assert birth in err.message_en and birth in err.message


def test_birth_date_before_1900() -> None:
    first17 = "450802" + "18991231" + "001"
    err = _error(first17 + check_character(first17))
    assert err.code == "id_number_birth_date"
    assert "1899-12-31" in err.message_en


def test_leap_day_accepted() -> None:
    assert parse_id_number(
        make_id_number("450802", date(2020, 2, 29), 1, "male")
    ).birth_date == date(2020, 2, 29)


def test_checksum() -> None:
    err = _error("450802199003070015", field="members[0].id_number")
    assert err.code == "id_number_checksum"
    assert "should be '4', got '5'" in err.message_en
    assert "应为“4”" in err.message and "实际为“5”" in err.message
    assert err.field == "members[0].id_number"


def test_every_error_carries_field() -> None:
    for bad in ["1", "45080219900307001?", "990802199003070014", "450802199013070014"]:
        assert _error(bad, field="x").field == "x"


def test_mask() -> None:
    assert mask_id_number("450802199003071234") == "450802********1234"
    assert mask_id_number(" 11010519491231002x ") == "110105********002X"
    assert mask_id_number("12345") == "*****"


def test_make_rejects_impossible_arguments() -> None:
    with pytest.raises(ValueError):
        make_id_number("45080", date(1990, 1, 1), 0, "male")
    with pytest.raises(ValueError):
        make_id_number("990802", date(1990, 1, 1), 0, "male")
    with pytest.raises(ValueError):
        make_id_number("450802", date(1899, 12, 31), 0, "male")
    with pytest.raises(ValueError):
        make_id_number("450802", date(1990, 1, 1), 500, "male")
    with pytest.raises(ValueError):
        make_id_number("450802", date(1990, 1, 1), 0, "other")  # type: ignore[arg-type]


regions = st.builds(
    lambda p, rest: p + rest,
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.integers(0, 9999).map(lambda n: f"{n:04d}"),
)
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
sexes = st.sampled_from(["male", "female"])


@given(regions, births, st.integers(0, 499), sexes)
def test_make_parse_round_trip(region: str, birth: date, seq: int, sex: str) -> None:
    number = make_id_number(region, birth, seq, sex)  # type: ignore[arg-type]
    rid = parse_id_number(number)
    assert (rid.number, rid.region_code, rid.birth_date, rid.sex) == (number, region, birth, sex)
    assert mask_id_number(number) == number[:6] + "********" + number[-4:]


@given(regions, births, st.integers(0, 499), sexes, st.integers(0, 17), st.data())
def test_any_single_character_change_is_rejected(
    region: str, birth: date, seq: int, sex: str, pos: int, data: st.DataObject
) -> None:
    number = make_id_number(region, birth, seq, sex)  # type: ignore[arg-type]
    alphabet = "0123456789X" if pos == 17 else "0123456789"
    new = data.draw(st.sampled_from([c for c in alphabet if c != number[pos]]))
    with pytest.raises(InputError):
        parse_id_number(number[:pos] + new + number[pos + 1 :])
