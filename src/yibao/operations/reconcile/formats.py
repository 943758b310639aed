"""Statement layouts per channel, read once from ``policy/reference/statements.yaml``.

    >>> layout("bank_counter").file, layout("bank_counter").header_row
    ('xlsx', 2)

Checked when loaded like the other reference data: every channel code is one of
``channels.yaml``, each channel once, the date format parses what it writes, the mapped
column names distinct. A malformed file raises :class:`PolicyDataError`; an unknown
channel :class:`InputError` ``unknown_channel``; a channel without a layout
``statement_layout_missing``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from yibao.errors import InputError, PolicyDataError
from yibao.policy import reference_data as reference

__all__ = ["FIELDS", "Columns", "Layout", "layout", "layouts"]

NAME = "reference/statements.yaml"
#: Our fields in the order a report names them.
FIELDS = ("txn_id", "id_number", "name", "amount", "paid_at", "coverage_year", "status")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Columns(_Frozen):
    """Our field → the channel's column name."""

    txn_id: str = Field(min_length=1)
    id_number: str = Field(min_length=1)
    name: str | None = None
    amount: str = Field(min_length=1)
    paid_at: str = Field(min_length=1)
    coverage_year: str = Field(min_length=1)
    status: str | None = None

    def mapped(self) -> dict[str, str]:
        """The fields this channel's file has, to their column names."""
        return {f: c for f in FIELDS if (c := getattr(self, f)) is not None}


class Layout(_Frozen):
    """One channel's statement file."""

    channel: str
    file: Literal["csv", "xlsx"]
    encoding: Literal["utf-8", "utf-8-sig", "gb18030"] = "utf-8"
    header_row: int = Field(ge=1, le=50)
    date_format: str = Field(min_length=2)
    columns: Columns
    collected: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Layout:
        names = list(self.columns.mapped().values())
        if len(set(names)) != len(names):
            raise ValueError(f"{self.channel}: two fields map to the same column")
        if (self.columns.status is None) != (not self.collected):
            raise ValueError(f"{self.channel}: a status column needs its collected values "
                             "and collected values need a status column")
        sample = dt.datetime(2024, 12, 31, 23, 59, 58)
        try:
            back = dt.datetime.strptime(sample.strftime(self.date_format), self.date_format)
        except ValueError as exc:
            raise ValueError(f"{self.channel}: date_format {self.date_format!r}: {exc}") from None
        if back.date() != sample.date():
            raise ValueError(f"{self.channel}: date_format {self.date_format!r} loses the date")
        return self


def _malformed(why: str, why_en: str) -> PolicyDataError:
    return PolicyDataError("policy_file_malformed", f"政策数据文件 {NAME} {why}",
                           f"policy data file {NAME} {why_en}")


@cache
def layouts() -> Mapping[str, Layout]:
    """Every channel's layout by channel code (validated once)."""
    try:
        data: Any = yaml.safe_load((files("yibao") / "policy" / NAME).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyDataError("policy_file_unreadable", f"政策数据文件 {NAME} 无法读取：{exc}",
                              f"policy data file {NAME} cannot be read: {exc}") from exc
    items = data.get("statements") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise _malformed("缺少列表“statements”", "has no list 'statements'")
    known = {c.code for c in reference.channels()}
    out: dict[str, Layout] = {}
    for item in items:
        try:
            found = Layout.model_validate(item)
        except ValidationError as exc:
            raise _malformed(f"格式有误：{exc.error_count()}处错误", f"is malformed: {exc}") from exc
        if found.channel not in known:
            raise _malformed(f"中渠道“{found.channel}”不在 channels.yaml 中",
                             f"names channel {found.channel!r}, which channels.yaml lacks")
        if found.channel in out:
            raise _malformed(f"中渠道“{found.channel}”重复", f"repeats channel {found.channel!r}")
        out[found.channel] = found
    return MappingProxyType(out)


def layout(channel: str) -> Layout:
    """The statement layout of ``channel`` (a code of channels.yaml)."""
    reference.channel(channel)  # unknown_channel
    found = layouts().get(channel)
    if found is None:
        raise InputError("statement_layout_missing",
                         f"渠道“{channel}”没有登记对账单格式（statements.yaml）",
                         f"channel {channel!r} has no statement layout in statements.yaml",
                         field="channel")
    return found
