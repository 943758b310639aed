"""Statement (对账单) layouts per payment channel: shipped in ``reference/statements.yaml``,
and publishable like the figures: a ``statements.yaml`` in the published folder
(``policy_dir``) adds a channel's layout or replaces it, without a release.

    found = layouts_with(Path("/etc/yibao/policy"))["bank_counter"]
    found.file, found.header_row            # ('xlsx', 2)

Checked when read: every channel code is one of ``channels.yaml``, each channel once per
file, the date format parses what it writes, the mapped column names distinct. A problem
raises :class:`PolicyFileError` naming the file, the line and the field
(``yibao policy check`` lists it with the parameter files' problems).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from yibao.policy import reference_data as reference
from yibao.policy.locations import PolicyFileError, load_list

__all__ = ["FIELDS", "STATEMENTS", "Columns", "Layout", "layouts_with", "parse_layouts",
           "shipped_layouts"]

#: The file name, in the package's ``reference/`` and in a published folder.
STATEMENTS = "statements.yaml"
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


def parse_layouts(text: str, where: str) -> dict[str, Layout]:
    """The layouts of one ``statements.yaml`` text by channel; ``PolicyFileError`` naming
    file, line and field for the first problem."""
    at, items = load_list(text, where, "statements")
    known = {c.code for c in reference.channels()}
    out: dict[str, Layout] = {}
    for i, item in enumerate(items):
        try:
            found = Layout.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = [str(p) for p in first["loc"]]
            field = ".".join(loc) or None
            msg = first["msg"].removeprefix("Value error, ")
            raise at.error("policy_file_invalid", f"第{i + 1}项 {field or ''}: {msg}",
                           f"item {i + 1} {field or ''}: {msg}", "statements", i, *loc[:1],
                           field=field) from None
        if found.channel not in known:
            raise at.error("policy_statement_channel",
                           f"渠道“{found.channel}”不在 channels.yaml 中",
                           f"channel {found.channel!r} is not one of channels.yaml",
                           "statements", i, "channel", field="channel")
        if found.channel in out:
            raise at.error("policy_statement_channel", f"渠道“{found.channel}”重复",
                           f"channel {found.channel!r} appears twice", "statements", i,
                           "channel", field="channel")
        out[found.channel] = found
    return out


@cache
def shipped_layouts() -> Mapping[str, Layout]:
    """The layouts shipped with the package (validated once)."""
    text = (files("yibao") / "policy" / "reference" / STATEMENTS).read_text(encoding="utf-8")
    return MappingProxyType(parse_layouts(text, f"policy/reference/{STATEMENTS}"))


def layouts_with(folder: Path | None) -> Mapping[str, Layout]:
    """The shipped layouts with ``folder/statements.yaml`` (when there is one) laid over
    them: a channel there replaces the shipped layout of that channel or adds one."""
    if folder is None or not (folder / STATEMENTS).is_file():
        return shipped_layouts()
    path = folder / STATEMENTS
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyFileError("policy_file_invalid", f"{path} 无法读取: {exc}",
                              f"{path} cannot be read: {exc}", file=str(path)) from None
    return MappingProxyType({**shipped_layouts(), **parse_layouts(text, str(path))})
