"""Statement layouts per channel in force: the shipped ``statements.yaml`` with the published
folder's ``statements.yaml`` (``policy_dir``) laid over it (:mod:`yibao.policy.statements`).

    >>> layout("bank_counter").file, layout("bank_counter").header_row
    ('xlsx', 2)

A malformed file raises :class:`PolicyDataError` naming file, line and field; an unknown
channel :class:`InputError` ``unknown_channel``; a channel without a layout
``statement_layout_missing``.
"""

from __future__ import annotations

from collections.abc import Mapping

from yibao.errors import InputError
from yibao.policy import reference_data as reference
from yibao.policy.files import statement_layouts
from yibao.policy.statements import FIELDS, Columns, Layout

__all__ = ["FIELDS", "Columns", "Layout", "layout", "layouts"]


def layouts() -> Mapping[str, Layout]:
    """Every channel's layout in force by channel code."""
    return statement_layouts()


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
