"""Policy figures resolved into dense arrays, one row per (region, coverage year).

A parameter is looked up at the most specific region that defines it for the
year, walking county → city → province → national (docs/rules.md §2).  An
entry marked unpublished stops the walk: the figure exists but is not known,
so answers list it in ``missing`` (C13) instead of borrowing a parent's value.
Each (region, year) also gets ``version``: a short digest of every figure it
resolves to, which answers carry as ``policy_version``.  Built once from the
data files (see ``yibao.policy.files``); pure afterwards.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from yibao.rules.calendar import date_to_days
from yibao.rules.units import STATUS_KINDS

__all__ = ["F", "ParamEntry", "Policy", "Region", "Resolved", "build_policy", "digest"]

ABSENT, PUBLISHED, UNPUBLISHED = 0, 1, 2
OLD, NEW = 1, 2
ASSIST_NONE, ASSIST_FULL, ASSIST_FIXED, ASSIST_FIXED_UNPUBLISHED = 0, 1, 2, 3
VERSION_CHARS = 12


class F:
    """Columns of ``Policy.table`` by name; the numbers follow the order written here
    (plain ints: the engine reads them in its inner loop).  ``*_ST`` is the status of the
    figure before it (absent, published, unpublished); ``CONC_START``/``CONC_END`` and
    ``DEADLINE`` are month*100+day; ``RESET_MONTHS`` 0 = continuous years not counted;
    ``PREV_SHARE`` is the year before's share (a newborn's birth year, C19); the ``*_DAY``
    fields and ``JAN1``/``DEC31`` are day numbers derived for the coverage year."""

    (
        SHARE,
        SHARE_ST,
        SUBSIDY,
        SUBSIDY_ST,
        CONC_START,
        CONC_END,
        CONC_ST,
        DEADLINE,
        DEADLINE_ST,
        DEFERRAL_MONTH,
        REGIME,
        NB_MONTHS,
        NB_DAYS,
        NB_ST,
        TRANSFER_MONTHS,
        TRANSFER_ST,
        FIXED,
        VAR_PER,
        REPAIR_PER,
        FLOOR,
        FLOOR_FROM,
        FROM_NEXT,
        WAIT_ST,
        RESET_MONTHS,
        PREV_SHARE,
        PREV_SHARE_ST,
        JAN1,
        RESET_DAY,
        DEC31,
        CONC_START_DAY,
        CONC_END_DAY,
        DEADLINE_DAY,
        DEFERRAL_END_DAY,
        # regional variants (docs/rules.md C30-C34): a fixed wait in days (Jieyang); the
        # status changes that skip the wait (bits of STATUS_KINDS) and their window (Yunfu);
        # the start after a lapse (Guilin); a newborn window of the whole birth year
        # (Chaozhou, Yunfu); children past the window only in the concentrated period
        # (Qinghai); the first year whose continuous years count (0 = not counted)
        FIXED_DAYS,
        EXEMPT_KINDS,
        EXEMPT_MONTHS,
        EXEMPT_DAYS,
        RELAPSE_ON,
        RELAPSE_OVER,
        RELAPSE_MONTH,
        STOP_NEXT_MONTH,
        NB_BIRTH_YEAR,
        CHILD_PERIOD_ONLY,
        CHILD_AGE,
        COUNT_FROM,
    ) = range(45)
    COUNT = COUNT_FROM + 1


@dataclass(frozen=True)
class Region:
    """A GB/T 2260 region."""

    code: str
    name: str
    parent: str | None
    level: str


@dataclass(frozen=True)
class ParamEntry:
    """One dated value of one parameter in one region."""

    parameter: str
    region: str
    valid_from: date
    valid_to: date
    value: Any
    published: bool
    source: str


@dataclass(frozen=True)
class Resolved:
    """The value a (parameter, region, year) resolves to, and where it came from."""

    value: Any
    published: bool
    source: str
    region: str


def _md(text: str) -> int:
    month, day = text.split("-")
    return int(month) * 100 + int(day)


def digest(items: object) -> str:
    """A short, stable digest of JSON-able ``items`` (the policy version)."""
    text = json.dumps(items, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:VERSION_CHARS]


@dataclass
class Policy:
    """All regions and parameters, resolved for every (region, year)."""

    regions: dict[str, Region]
    first_year: int
    last_year: int
    groups: tuple[str, ...]
    entries: Mapping[str, Sequence[ParamEntry]]
    region_codes: tuple[str, ...] = field(init=False)
    region_lut: npt.NDArray[np.int32] = field(init=False)
    table: npt.NDArray[np.int64] = field(init=False)
    assist_kind: npt.NDArray[np.int64] = field(init=False)
    assist_amount: npt.NDArray[np.int64] = field(init=False)
    table_t: npt.NDArray[np.int32] = field(init=False)
    profile_of_key: npt.NDArray[np.int32] = field(init=False)
    profile_t: npt.NDArray[np.int32] = field(init=False)
    assist_kind_t: npt.NDArray[np.int32] = field(init=False)
    assist_amount_t: npt.NDArray[np.int32] = field(init=False)
    versions: tuple[str, ...] = field(init=False)
    version: str = field(init=False)
    _by_region: dict[tuple[str, str], list[ParamEntry]] = field(init=False, repr=False)
    _chains: dict[str, list[str]] = field(init=False, repr=False)
    #: per-(region, year) values derived once for explanations (figures, citations)
    memo: dict[tuple[str, int], Any] = field(init=False, repr=False, compare=False,
                                             default_factory=dict)

    def __post_init__(self) -> None:
        self._chains = {}
        self._by_region = {}
        for values in self.entries.values():
            for e in values:
                self._by_region.setdefault((e.parameter, e.region), []).append(e)
        self.region_codes = tuple(sorted(self.regions))
        self.region_lut = np.full(1_000_000, -1, dtype=np.int32)
        for i, code in enumerate(self.region_codes):
            self.region_lut[int(code)] = i
        n_keys = len(self.region_codes) * self.n_years
        self.table = np.zeros((n_keys, F.COUNT), dtype=np.int64)
        self.assist_kind = np.zeros((n_keys, len(self.groups) + 1), dtype=np.int64)
        self.assist_amount = np.zeros((n_keys, len(self.groups) + 1), dtype=np.int64)
        versions: list[str] = []
        for r, code in enumerate(self.region_codes):
            for year in range(self.first_year, self.last_year + 1):
                versions.append(self._fill(r * self.n_years + year - self.first_year, code, year))
        self.versions = tuple(versions)
        self.version = digest(sorted(
            (e.parameter, e.region, e.valid_from, e.valid_to, e.value, e.published, e.source)
            for values in self.entries.values() for e in values))
        self.table_t = np.ascontiguousarray(self.table.T.astype(np.int32))
        # keys with identical parameter rows share a profile (e.g. every Guangxi county in 2025)
        profiles, inverse = np.unique(self.table, axis=0, return_inverse=True)
        self.profile_of_key = np.asarray(inverse, dtype=np.int32).reshape(-1)
        self.profile_t = np.ascontiguousarray(profiles.T.astype(np.int32))
        self.assist_kind_t = np.ascontiguousarray(self.assist_kind.T.astype(np.int32))
        self.assist_amount_t = np.ascontiguousarray(self.assist_amount.T.astype(np.int32))

    @property
    def n_years(self) -> int:
        return self.last_year - self.first_year + 1

    def key(self, code: str, year: int) -> int:
        """The table row of (region ``code``, coverage ``year``)."""
        return int(self.region_lut[int(code)]) * self.n_years + year - self.first_year

    def version_of(self, code: str, year: int) -> str:
        """The digest of the figures a quote for ``code`` and ``year`` is computed with."""
        if code not in self.regions or not self.first_year <= year <= self.last_year:
            return self.version
        return self.versions[self.key(code, year)]

    def chain(self, code: str) -> list[str]:
        """``code`` and its ancestors, most specific first."""
        known = self._chains.get(code)
        if known is not None:
            return known
        out: list[str] = []
        current: str | None = code
        while current is not None and current in self.regions:
            out.append(current)
            current = self.regions[current].parent
        self._chains[code] = out
        return out

    def resolve(self, parameter: str, code: str, year: int) -> Resolved | None:
        """The value of ``parameter`` for ``code`` in coverage ``year``, or None if none is known."""
        jan1 = date(year, 1, 1)
        for level in self.chain(code):
            for entry in self._by_region.get((parameter, level), ()):
                if entry.valid_from <= jan1 <= entry.valid_to:
                    return Resolved(entry.value, entry.published, entry.source, level)
        return None

    def _fill(self, key: int, code: str, year: int) -> str:
        """Fill one table row; returns the digest of every figure it resolved."""
        row = self.table[key]
        seen: dict[str, Any] = {}

        def get(name: str, y: int = year) -> tuple[Any, int]:
            found = self.resolve(name, code, y)
            seen[f"{name}@{y}"] = None if found is None else (
                found.value, found.published, found.source, found.region)
            if found is None:
                return None, ABSENT
            return found.value, PUBLISHED if found.published else UNPUBLISHED

        for name, col, col_st, y in (
            ("individual_share", F.SHARE, F.SHARE_ST, year),
            ("fiscal_subsidy", F.SUBSIDY, F.SUBSIDY_ST, year),
            ("individual_share", F.PREV_SHARE, F.PREV_SHARE_ST, year - 1),
        ):
            value, st = get(name, y)
            row[col], row[col_st] = (int(value) if st == PUBLISHED else 0), st
        value, st = get("concentrated_period")
        row[F.CONC_ST] = st
        if st == PUBLISHED:
            row[F.CONC_START], row[F.CONC_END] = _md(value[0]), _md(value[1])
        value, st = get("ontime_fee_deadline")
        row[F.DEADLINE_ST] = st
        if st == PUBLISHED:
            row[F.DEADLINE] = _md(value)
        value, st = get("hardship_deferral")
        row[F.DEFERRAL_MONTH] = int(value) if st == PUBLISHED else 0
        value, st = get("lapse_reset")
        row[F.RESET_MONTHS] = int(value) if st == PUBLISHED else 0
        self._fill_days(row, year)
        value, st = get("waiting_regime")
        row[F.REGIME] = {"old": OLD, "new": NEW}.get(str(value), 0) if st == PUBLISHED else 0
        value, st = get("newborn_window")
        row[F.NB_ST] = st
        if st == PUBLISHED:
            row[F.NB_MONTHS] = int(value.get("months", 0))
            row[F.NB_DAYS] = int(value.get("days", 0))
            row[F.NB_BIRTH_YEAR] = int(bool(value.get("birth_year", False)))
        value, st = get("transfer_window")
        row[F.TRANSFER_ST] = st
        row[F.TRANSFER_MONTHS] = int(value) if st == PUBLISHED else 0
        value, st = get("waiting_periods")
        row[F.WAIT_ST] = st
        if st == PUBLISHED:
            row[F.FIXED] = int(value["fixed_months"])
            row[F.VAR_PER] = int(value["variable_months_per_lapse_year"])
            row[F.REPAIR_PER] = int(value["repair_months_per_back_paid_year"])
            row[F.FLOOR] = int(value["repair_floor_months"])
            row[F.FLOOR_FROM] = int(value["repair_floor_from_lapse_years"])
            row[F.FROM_NEXT] = int(bool(value["count_from_next_month"]))
            row[F.FIXED_DAYS] = int(value.get("fixed_days", 0))
        self._fill_variants(row, get, year)
        value, st = get("assistance")
        if st == PUBLISHED:
            for g, group in enumerate(self.groups, start=1):
                kind = value.get(group)
                if kind == "full":
                    self.assist_kind[key, g] = ASSIST_FULL
                elif kind == "unpublished":
                    self.assist_kind[key, g] = ASSIST_FIXED_UNPUBLISHED
                elif isinstance(kind, int):
                    self.assist_kind[key, g] = ASSIST_FIXED
                    self.assist_amount[key, g] = kind
        for name in sorted(set(self.entries) - {n.split("@")[0] for n in seen}):
            get(name)  # every other figure an answer may show (notes, tilt assistance, ...)
        return digest(seen)

    def _fill_variants(self, row: npt.NDArray[np.int64],
                       get: Callable[..., tuple[Any, int]], year: int) -> None:
        """The regional variants of the waiting rules (docs/rules.md C30-C34) and the first
        year whose continuous enrollment years count (C36)."""
        value, st = get("waiting_exempt_status")
        if st == PUBLISHED:
            row[F.EXEMPT_KINDS] = sum(1 << STATUS_KINDS.index(k) for k in value["kinds"])
            row[F.EXEMPT_MONTHS] = int(value["window"].get("months", 0))
            row[F.EXEMPT_DAYS] = int(value["window"].get("days", 0))
        value, st = get("lapse_restart")
        if st == PUBLISHED:
            row[F.RELAPSE_ON] = 1
            row[F.RELAPSE_OVER] = int(value["over_months"])
            row[F.RELAPSE_MONTH] = int(value["start_month"])
            row[F.STOP_NEXT_MONTH] = int(value["benefits_stop"] == "next_month")
        value, st = get("child_enrolment")
        if st == PUBLISHED:
            row[F.CHILD_PERIOD_ONLY] = int(bool(value["concentrated_period_only"]))
            row[F.CHILD_AGE] = int(value["under_age"])
        first = year
        while first >= self.first_year:
            value, st = get("lapse_reset", first)
            if st != PUBLISHED or int(value) <= 0:
                break
            first -= 1
        row[F.COUNT_FROM] = first + 1 if first < year else 0

    @staticmethod
    def _fill_days(row: npt.NDArray[np.int64], year: int) -> None:
        def day(y: int, md: int) -> int:
            return date_to_days(date(y, md // 100, md % 100))

        row[F.JAN1] = day(year, 101)
        reset = int(row[F.RESET_MONTHS])
        row[F.RESET_DAY] = day(year, (1 + reset) * 100 + 1) if 0 < reset < 12 else 2**31 - 1
        row[F.DEC31] = day(year, 1231)
        row[F.CONC_START_DAY] = day(year - 1, int(row[F.CONC_START]) or 901)
        row[F.CONC_END_DAY] = day(year - 1, int(row[F.CONC_END]) or 1231)
        row[F.DEADLINE_DAY] = day(year, int(row[F.DEADLINE]) or 1231)
        month = int(row[F.DEFERRAL_MONTH])
        row[F.DEFERRAL_END_DAY] = (
            date_to_days(date(year, month + 1, 1)) - 1 if 0 < month < 12 else -(2**31)
        )

    def column(self, field: int) -> npt.NDArray[np.int32]:
        """One field of the table for every key, contiguous, as int32 (money stays exact)."""
        return np.asarray(self.table_t[field], dtype=np.int32)

    def group_index(self, code: str | None) -> int:
        """1-based index of a special-group code, 0 for none, -1 if unknown."""
        if code is None or code == "":
            return 0
        try:
            return self.groups.index(code) + 1
        except ValueError:
            return -1


def build_policy(
    regions: Sequence[Region],
    entries: Sequence[ParamEntry],
    *,
    first_year: int,
    last_year: int,
) -> Policy:
    """Resolve ``entries`` for every region and year into a ``Policy``."""
    by_param: dict[str, list[ParamEntry]] = {}
    groups: set[str] = set()
    for entry in entries:
        by_param.setdefault(entry.parameter, []).append(entry)
        if entry.parameter == "assistance" and isinstance(entry.value, dict):
            groups.update(entry.value)
    return Policy(
        regions={r.code: r for r in regions},
        first_year=first_year,
        last_year=last_year,
        groups=tuple(sorted(groups)),
        entries=by_param,
    )
