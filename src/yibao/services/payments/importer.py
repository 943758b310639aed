"""Importing a channel's reconciliation file (.csv or .jsonl) of payments.

Each row or line is one item as ``POST /api/v1/payments`` takes it; the file is recorded in
transactions of up to :data:`~yibao.services.payments.MAX_BULK` items with the same
exactly-once semantics (a re-imported file is all replays). CSV: one column per key, an
empty cell is an absent value, year lists as ``2019;2020`` (``[]`` for an empty list).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from yibao.errors import InputError
from yibao.services.common import Actor
from yibao.services.inputs import PaymentIn
from yibao.services.payments.intake import MAX_BULK
from yibao.services.payments.recording import record_payments
from yibao.services.shapes import BulkFailed
from yibao.store.db import Database

__all__ = ["import_payments", "read_items"]

_LISTS = ("covered_years", "back_pay_years")
_INTS = ("coverage_year", "pre_registration_id")
_BOOLS = ("hardship_deferral",)
_KEYS = frozenset(PaymentIn.model_fields)


def _cell(text: str, *, number: bool = False, boolean: bool = False) -> Any:
    """A CSV cell as the JSON value it stands for (validation stays strict for the rest)."""
    if number and len(text) <= 12 and text.isascii() and text.isdigit():
        return int(text)
    if boolean and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _unreadable(path: Path, why: str, why_en: str) -> InputError:
    return InputError(
        "unreadable_file", f"无法读取文件 {path}: {why}", f"{path}: {why_en}", field="file"
    )


def _csv_row(row: dict[str, str]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for key, value in row.items():
        text = (value or "").strip()
        if not text:
            continue
        if key in _LISTS:
            item[key] = [] if text == "[]" else [_cell(y.strip(), number=True)
                                                 for y in text.split(";") if y.strip()]
        else:
            item[key] = _cell(text, number=key in _INTS, boolean=key in _BOOLS)
    return item


def read_items(path: Path) -> list[tuple[int, Any]]:
    """(line number, item) per row or line; an unreadable file raises ``unreadable_file``.

    A JSON line that does not parse becomes an ``invalid_json`` item error, not a stop.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl"):
        raise _unreadable(path, "只支持 .csv 与 .jsonl", "only .csv and .jsonl files are read")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise _unreadable(path, type(exc).__name__, str(exc)) from None
    if suffix == ".jsonl":
        return list(_json_lines(text))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = reader.fieldnames or []
    unknown = [c for c in columns if c not in _KEYS]
    if not columns or unknown:
        shown = ", ".join(unknown) or "(none)"
        raise _unreadable(path, f"未知或缺少列: {shown}", f"unknown or missing columns: {shown}")
    return [(reader.line_num, _csv_row(row)) for row in reader]


def _json_lines(text: str) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError:
            yield (
                number,
                InputError(
                    "invalid_json", "该行不是有效的 JSON", "the line is not valid JSON", field=None
                ),
            )


def import_payments(db: Database, actor: Actor, path: Path) -> dict[str, Any]:
    """Record every item of the file; a summary with each problem's line, status and error."""
    rows = read_items(path)
    summary: dict[str, Any] = {"file": str(path), "items": len(rows)}
    counts = {"created": 0, "replayed": 0, "conflicts": 0, "errors": 0}
    problems: list[dict[str, Any]] = []
    for start in range(0, len(rows), MAX_BULK):
        chunk = rows[start : start + MAX_BULK]
        good = [(line, item) for line, item in chunk if not isinstance(item, InputError)]
        for line, item in chunk:
            if isinstance(item, InputError):
                counts["errors"] += 1
                problems.append({"line": line, "status": "error", **item.to_dict()["error"]})
        if not good:
            continue
        answer = record_payments(db, actor, [item for _, item in good])
        for (line, _), result in zip(good, answer.results, strict=True):
            status = result.status
            key = {"created": "created", "replayed": "replayed", "conflict": "conflicts"}
            counts[key.get(status, "errors")] += 1
            if isinstance(result, BulkFailed):
                problems.append({"line": line, "status": status, **result.error.model_dump()})
    problems.sort(key=lambda p: int(p["line"]))
    return {**summary, **counts, "problems": problems}
