"""Resident ID numbers (公民身份号码, GB 11643-1999): parse, check, mask, build.

    >>> rid = parse_id_number(" 11010519491231002x ")   # the example of GB 11643-1999
    >>> rid.number, rid.birth_date, rid.sex
    ('11010519491231002X', datetime.date(1949, 12, 31), 'female')

Pure: no clock, no I/O. A number is accepted only if every part is right; it is
never guessed at or corrected. Each kind of fault raises :class:`InputError`
with its own code:

- ``id_number_length``: not 18 characters after stripping whitespace;
- ``id_number_format``: a non-digit (only the last character may be ``X``);
- ``id_number_region``: the first two digits are no GB/T 2260 province code;
- ``id_number_birth_date``: digits 7-14 are no calendar date, or before 1900-01-01;
- ``id_number_checksum``: the ISO 7064 MOD 11-2 check character does not match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

from yibao.errors import InputError

__all__ = [
    "EARLIEST_BIRTH_DATE",
    "PROVINCE_CODES",
    "ResidentId",
    "Sex",
    "check_character",
    "make_id_number",
    "mask_id_number",
    "parse_id_number",
]

Sex = Literal["male", "female"]

#: First two digits of every GB/T 2260 province-level unit (incl. 71 Taiwan, 81/82 HK/Macao).
PROVINCE_CODES: frozenset[str] = frozenset(
    f"{n:02d}"
    for n in (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
    )
)

#: Earliest birth date yibao accepts in an ID number.
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2**(17-i) mod 11
_CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)


@dataclass(frozen=True, slots=True)
class ResidentId:
    """A checked resident ID number and what it encodes."""

    number: str
    region_code: str
    birth_date: date
    sex: Sex


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character ("0"-"9" or "X") for 17 digits."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError("check_character needs exactly 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _fail(code: str, zh: str, en: str, field: str) -> InputError:
    return InputError(code, f"公民身份号码有误：{zh}", f"Invalid ID number: {en}", field=field)


def parse_id_number(number: str, *, field: str = "id_number") -> ResidentId:
    """Check an 18-character resident ID number and return what it encodes (answers are
    cached: the result is immutable; a refusal is raised afresh every time).

    Surrounding whitespace is stripped and a final ``x`` is read as ``X``.
    Raises :class:`InputError` (with ``field``) naming exactly what is wrong.
    """
    return _parse(number, field)  # one cache key however the caller passes ``field``


@lru_cache(maxsize=8192)  # a payment's number is parsed on intake and twice by its quote
def _parse(number: str, field: str) -> ResidentId:
    s = number.strip().upper()
    if len(s) != 18:
        raise _fail(
            "id_number_length",
            f"应为18位，实际为{len(s)}位",
            f"expected 18 characters, got {len(s)}",
            field,
        )
    for i, ch in enumerate(s, start=1):
        ok = ch in "0123456789" or (i == 18 and ch == "X")
        if not ok:
            allowed_zh = "数字或X" if i == 18 else "数字"
            allowed_en = "a digit or X" if i == 18 else "a digit"
            raise _fail(
                "id_number_format",
                f"第{i}位应为{allowed_zh}，实际为“{ch}”",
                f"character {i} must be {allowed_en}, got {ch!r}",
                field,
            )
    province = s[:2]
    if province not in PROVINCE_CODES:
        raise _fail(
            "id_number_region",
            f"前两位“{province}”不是GB/T 2260省级行政区划代码",
            f"the first two digits {province!r} are not a GB/T 2260 province code",
            field,
        )
    birth = s[6:14]
    try:
        birth_date = date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    except ValueError:
        raise _fail(
            "id_number_birth_date",
            f"第7-14位出生日期码“{birth}”不是有效日期",
            f"characters 7-14 ({birth!r}) are not a valid calendar date",
            field,
        ) from None
    if birth_date < EARLIEST_BIRTH_DATE:
        raise _fail(
            "id_number_birth_date",
            f"出生日期{birth_date.isoformat()}早于1900-01-01",
            f"birth date {birth_date.isoformat()} is before 1900-01-01",
            field,
        )
    expected = check_character(s[:17])
    if s[17] != expected:
        raise _fail(
            "id_number_checksum",
            f"第18位校验码应为“{expected}”，实际为“{s[17]}”",
            f"check character (18th) should be {expected!r}, got {s[17]!r}",
            field,
        )
    sex: Sex = "male" if int(s[16]) % 2 == 1 else "female"
    return ResidentId(number=s, region_code=s[:6], birth_date=birth_date, sex=sex)


def mask_id_number(number: str) -> str:
    """Hide the middle of an ID number: ``"450802********1234"``.

    Keeps the first 6 and last 4 characters of an 18-character number; anything
    of another length is masked completely, so nothing leaks from bad input.
    """
    s = number.strip().upper()
    if len(s) != 18:
        return "*" * len(s)
    return f"{s[:6]}{'*' * 8}{s[-4:]}"


def make_id_number(region_code: str, birth_date: date, sequence: int, sex: Sex) -> str:
    """Build a valid ID number (for tests, demo data and benchmarks).

    ``sequence`` (0-499) picks the 3-digit order code ``2 * sequence + (1 if male
    else 0)``, so the 17th digit has the parity GB 11643 gives each sex.
    Raises ValueError for arguments no valid number can have.
    """
    if len(region_code) != 6 or not (region_code.isascii() and region_code.isdigit()):
        raise ValueError(f"region_code must be 6 digits, got {region_code!r}")
    if region_code[:2] not in PROVINCE_CODES:
        raise ValueError(f"region_code {region_code!r} has no GB/T 2260 province prefix")
    if birth_date < EARLIEST_BIRTH_DATE:
        raise ValueError(f"birth_date {birth_date} is before {EARLIEST_BIRTH_DATE}")
    if not 0 <= sequence <= 499:
        raise ValueError(f"sequence must be in 0..499, got {sequence}")
    if sex not in ("male", "female"):
        raise ValueError(f"sex must be 'male' or 'female', got {sex!r}")
    order = 2 * sequence + (1 if sex == "male" else 0)
    first17 = f"{region_code}{birth_date:%Y%m%d}{order:03d}"
    return first17 + check_character(first17)
