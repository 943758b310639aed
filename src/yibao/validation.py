"""The one translator of validation problems into yibao's error shape, and strict value types.

    try:
        PaymentIn.model_validate(body)
    except ValidationError as exc:
        raise input_error(exc.errors()) from None

One code per kind of problem, the same for the quote, the API, payments (single, bulk and
files) and the pages:

    unknown_key     a key the input does not have
    missing_field   a required key is absent
    invalid_json    the body is not JSON
    invalid_date    not an ISO date (YYYY-MM-DD) / date-time, or outside 1900-2100
    invalid_value   anything else: wrong JSON type, out of range, too long, bad pattern,
                    blank text, control characters, bidi overrides, zero-width or
                    invisible characters or lone surrogates in text

Messages are Chinese (``message``) and English (``message_en``) and name the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import ErrorDetails, PydanticCustomError

from yibao.errors import InputError

__all__ = [
    "DB_INT_MAX",
    "FIRST_DAY",
    "LAST_DAY",
    "DbId",
    "IsoDate",
    "StrictBool",
    "Text",
    "bad_text",
    "input_error",
    "trim",
]

#: The largest id or count a PostgreSQL ``integer`` column holds.
DB_INT_MAX = 2**31 - 1
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
#: What no text may hold: C0 controls but tab, newline, carriage return; DEL and the C1
#: controls; the soft hyphen; bidi marks, embeddings, overrides and isolates (they make a
#: name read differently from what is stored); zero-width and other invisible characters;
#: line and paragraph separators; interlinear annotations; lone UTF-16 surrogates.
_BAD_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff]")
#: Line breaks and tabs, refused in one-line fields (names, codes).
_LINE_BREAK = re.compile("[\t\n\r]")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def bad_text(value: str) -> bool:
    """Whether ``value`` holds a character no text field may: NUL and other C0 or C1
    controls, a bidi override or mark, a zero-width or invisible character, or a lone
    surrogate."""
    return _BAD_TEXT.search(value) is not None


def _clean_text(value: str) -> str:
    if bad_text(value):
        raise PydanticCustomError("control_characters", "text contains control characters")
    return value


def _iso_day(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str) and _ISO_DAY.match(value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("invalid_date", "not a calendar date") from None
    else:
        raise PydanticCustomError("invalid_date", "expected an ISO date YYYY-MM-DD")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise PydanticCustomError("invalid_date", "date outside 1900-01-01 .. 2100-12-31")
    return day


#: Text without control characters, bidi overrides, invisible characters or lone surrogates.
Text = Annotated[str, AfterValidator(_clean_text)]


def trim(*, min_length: int = 1, one_line: bool = True) -> AfterValidator:
    """A validator for text fields: trimmed of spaces at both ends (U+3000 and the other
    Unicode spaces too), then at least ``min_length`` characters, so a name of spaces only
    is refused, never stored empty; ``one_line``: no tabs or line breaks inside either.

        Name = Annotated[Text, StringConstraints(max_length=64), trim()]
    """

    def check(value: str) -> str:
        value = value.strip()
        if len(value) < min_length:
            raise PydanticCustomError("blank_text", "text is empty or too short once trimmed")
        if one_line and _LINE_BREAK.search(value):
            raise PydanticCustomError("control_characters", "text contains a line break or tab")
        return value

    return AfterValidator(check)
#: An ISO ``YYYY-MM-DD`` string (or a date), between 1900 and 2100; nothing else.
IsoDate = Annotated[dt.date, BeforeValidator(_iso_day)]
#: A row id as JSON: an integer that fits the database.
DbId = Annotated[int, Field(strict=True, ge=1, le=DB_INT_MAX)]
#: ``true`` or ``false``, never ``"true"`` or 1.
StrictBool = Annotated[bool, Field(strict=True)]

_ZH = {
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "dict_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "string_pattern_mismatch": "格式不对",
    "string_too_short": "不能为空或太短",
    "string_too_long": "太长",
    "too_short": "条目太少",
    "too_long": "条目太多",
    "greater_than": "数值太小",
    "greater_than_equal": "数值太小",
    "less_than": "数值太大",
    "less_than_equal": "数值太大",
    "literal_error": "不是可选的值之一",
    "enum": "不是可选的值之一",
    "control_characters": "含有控制字符、不可见字符或无法保存的字符",
    "blank_text": "不能为空(只有空格也不行)",
    "none_required": "应为空",
}
_DATE_KINDS = ("date_", "datetime_", "invalid_date")
_PLACES = ("body", "query", "path", "header", "form", "cookie")


def _path(loc: Sequence[int | str]) -> list[str]:
    parts = [str(p) for p in loc]
    return parts[1:] if parts and parts[0] in _PLACES else parts


def input_error(errors: Sequence[ErrorDetails], *,
                date_fields: Collection[str] = ()) -> InputError:
    """The first problem of a validation as the contract's :class:`InputError`.

    ``date_fields``: top-level keys whose plain ``value_error`` means a bad date (for
    models with date validators of their own).
    """
    if not errors:
        return InputError("invalid_value", "输入无效", "invalid input")
    first = errors[0]
    kind = str(first.get("type", ""))
    parts = _path(tuple(first.get("loc", ())))
    field = ".".join(parts) or None
    name = field or "请求体"
    name_en = field or "body"
    detail = str(first.get("msg", "invalid value"))
    top = parts[0] if parts else ""
    if kind == "extra_forbidden":
        return InputError("unknown_key", f"不认识的字段“{name}”(请检查拼写)",
                          f"unknown key {name_en!r}", field=field)
    if kind == "missing":
        return InputError("missing_field", f"缺少必填字段“{name}”",
                          f"missing required field {name_en!r}", field=field)
    if kind == "json_invalid":
        why = str((first.get("ctx") or {}).get("error", ""))
        if why.startswith("duplicate key: "):  # yibao.http.strict_json
            key = why.removeprefix("duplicate key: ")[:64]
            return InputError("duplicate_key", f"JSON 中的字段“{key}”出现了不止一次",
                              f"the JSON body gives the key {key!r} more than once",
                              field=key)
        return InputError("invalid_json", "请求体不是有效的 JSON", "body is not valid JSON")
    if kind.startswith(_DATE_KINDS) or (kind == "value_error" and top in date_fields):
        return InputError("invalid_date",
                          f"“{name}”不是有效日期(YYYY-MM-DD,1900 至 2100 年)",
                          f"{name_en}: not a valid date (YYYY-MM-DD, 1900-2100): {detail}",
                          field=field)
    zh = _ZH.get(kind, "值无效")
    return InputError("invalid_value", f"“{name}”{zh}", f"{name_en}: {detail}", field=field)
