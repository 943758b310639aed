"""What the registry knows of a person's cover, and how a quote reads it (contract §4.1).

Two sources make a person's history: the years covered *before* the registry
(``coverage_history``: declared at registration, imported, or given with a payment
while unknown) and the years paid *through* it (enrollments in a covered status).

    history = History(known=True, before=frozenset({2019, 2020}), paid=frozenset({2021}))
    history.for_quote(2022, birth)   # ([2019, 2020, 2021], False)

When neither source can tell whether the years just before a coverage year were
covered, the quote is computed on the contract's default (continuous cover) and
says so: ``history_unknown``. It is never silently assumed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update
from sqlalchemy.sql.elements import ColumnElement

from yibao.errors import InputError
from yibao.services.common import Actor
from yibao.services.errors import Conflict
from yibao.services.shapes import History as HistoryShape
from yibao.services.shapes import YearRecord
from yibao.store.models import CoverageHistory, Enrollment, Person, utcnow

__all__ = [
    "COVERED_STATUSES",
    "History",
    "HistoryRow",
    "check_declared_years",
    "check_payment_years",
    "declare_years",
    "history_fields",
    "history_view",
    "load_histories",
]

#: Enrollment statuses that count as a covered year (money arrived for the year).
COVERED_STATUSES = ("paid", "overpaid", "underpaid", "pending")

_H: Table = CoverageHistory.__table__  # type: ignore[assignment]
_E: Table = Enrollment.__table__  # type: ignore[assignment]
_PERSON: Table = Person.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One year of cover before the registry, with who recorded it, when and how."""

    year: int
    source: str
    reference: str
    recorded_by: str
    recorded_at: dt.datetime


@dataclass(frozen=True, slots=True)
class History:
    """A person's cover as the registry knows it.

    ``known``: the years before the registry were declared or imported (an empty
    declaration is knowledge too: never covered before). ``before``: those years.
    ``paid``: years paid through the registry. ``held``: every year the registry holds
    an enrollment for (paid or not).
    """

    known: bool = False
    before: frozenset[int] = frozenset()
    paid: frozenset[int] = frozenset()
    held: frozenset[int] = frozenset()
    rows: tuple[HistoryRow, ...] = field(default=(), compare=False)

    def covered_before(self, year: int) -> list[int]:
        """Every covered year before ``year``, oldest first."""
        return sorted(y for y in self.before | self.paid if y < year)

    def for_quote(self, year: int, birth: dt.date | None) -> tuple[list[int] | None, bool]:
        """``covered_years`` for a quote of ``year`` and whether the history is unknown.

        Known when declared or imported, when the registry holds a covered year before
        ``year`` (its own record decides the lapse), or for a child born in ``year`` or the
        year before (C5: years up to the birth year never count). Otherwise ``(None,
        True)``: the contract's default with the ``history_unknown`` warning.
        """
        covered = self.covered_before(year)
        young = birth is not None and birth.year >= year - 1
        if self.known or young or any(y < year for y in self.paid):
            return covered, False
        return None, True

    def with_paid(self, year: int) -> History:
        """The same history after ``year`` was paid through the registry."""
        return History(self.known, self.before, self.paid | {year}, self.held | {year}, self.rows)


def load_histories(
    conn: Connection, person_ids: Iterable[int], *, known: dict[int, bool] | None = None
) -> dict[int, History]:
    """The history of each person (two queries); ``known`` maps person id → declared."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    if known is None:
        known = {
            r.id: r.history_recorded_at is not None
            for r in conn.execute(
                select(_PERSON.c.id, _PERSON.c.history_recorded_at).where(_PERSON.c.id.in_(ids))
            )
        }
    rows: dict[int, list[HistoryRow]] = {}
    for r in conn.execute(
        select(_H).where(_H.c.person_id.in_(ids)).order_by(_H.c.person_id, _H.c.coverage_year)
    ):
        rows.setdefault(r.person_id, []).append(
            HistoryRow(r.coverage_year, r.source, r.reference, r.recorded_by, r.recorded_at)
        )
    paid: dict[int, set[int]] = {}
    held: dict[int, set[int]] = {}
    for r in conn.execute(
        select(_E.c.person_id, _E.c.coverage_year, _E.c.status).where(_E.c.person_id.in_(ids))
    ):
        held.setdefault(r.person_id, set()).add(r.coverage_year)
        if r.status in COVERED_STATUSES:
            paid.setdefault(r.person_id, set()).add(r.coverage_year)
    return {
        pid: History(
            known=bool(known.get(pid)),
            before=frozenset(h.year for h in rows.get(pid, [])),
            paid=frozenset(paid.get(pid, set())),
            held=frozenset(held.get(pid, set())),
            rows=tuple(rows.get(pid, [])),
        )
        for pid in ids
    }


def check_payment_years(history: History, year: int, given: list[int]) -> None:
    """``covered_years`` given with a payment must not contradict the registry (409).

    With a known history, the registry's covered years from the earliest given year to
    the year before ``year`` must be exactly the given ones (all of them for ``[]``).
    With an unknown history only the registry's own years can be contradicted: a year
    it holds uncovered given as covered, or a year paid through it left out.
    """
    claimed = {y for y in given if y < year}
    lowest = min(claimed, default=None)

    def in_range(y: int) -> bool:
        return y < year and (lowest is None or y >= lowest)

    if history.known:
        agrees = {y for y in history.covered_before(year) if in_range(y)} == claimed
    else:
        uncovered = history.held - history.paid
        agrees = {y for y in history.paid if in_range(y)} <= claimed and not claimed & uncovered
    if not agrees:
        raise Conflict(
            "history_conflict",
            "缴费中填写的往年参保年度与登记系统中的参保历史不一致;参保历史以登记系统为准",
            "covered_years in the payment contradict the registry's history of this person; "
            "the registry decides",
            field="covered_years",
        )


def check_declared_years(years: Iterable[int], birth: dt.date, today: dt.date) -> None:
    """Declared years lie between the birth year and this year (422 naming the first bad one)."""
    for year in sorted(set(years)):
        if year < birth.year:
            raise InputError("covered_before_birth", f"参保年度 {year} 早于出生年份 {birth.year}",
                             f"covered year {year} is before the birth year {birth.year}",
                             field="covered_years")
        if year > today.year:
            raise InputError("covered_year_in_future", f"参保年度 {year} 还未到",
                             f"covered year {year} is in the future", field="covered_years")


def declare_years(
    conn: Connection,
    actor: Actor,
    person_id: int,
    years: Iterable[int],
    *,
    source: str,
    reference: str = "",
    registry_years: Iterable[int] = (),
    now: dt.datetime | None = None,
) -> tuple[list[int], list[int]]:
    """Record years covered before the registry; returns (added, skipped).

    Years already recorded are skipped (idempotent), and so are years the registry itself
    holds an enrollment for (its own record wins). The person's history becomes known.
    """
    now = now or utcnow()
    wanted = sorted(set(years))
    held = set(registry_years)
    present = set(
        conn.execute(
            select(_H.c.coverage_year).where(_H.c.person_id == person_id)
        ).scalars()
    )
    added = [y for y in wanted if y not in present and y not in held]
    skipped = [y for y in wanted if y in held]
    if added:
        conn.execute(
            insert(_H),
            [
                {"person_id": person_id, "coverage_year": y, "source": source,
                 "reference": reference[:200], "recorded_by": actor.username, "recorded_at": now}
                for y in added
            ],
        )
    unknown: ColumnElement[bool] = _PERSON.c.history_recorded_at.is_(None)
    conn.execute(
        update(_PERSON).where(_PERSON.c.id == person_id, unknown).values(history_recorded_at=now)
    )
    return added, skipped


def history_fields(history: History, recorded_at: dt.datetime | None) -> dict[str, Any]:
    """The fields every answer about a person's history carries."""
    return {
        "known": history.known,
        "recorded_at": recorded_at,
        "covered_years": sorted(history.before | history.paid),
        "before_registry": [
            YearRecord(year=r.year, source=r.source, reference=r.reference,
                       recorded_by=r.recorded_by, recorded_at=r.recorded_at)
            for r in history.rows
        ],
        "paid_through_registry": sorted(history.paid),
    }


def history_view(history: History, recorded_at: dt.datetime | None = None) -> HistoryShape:
    """A person's history: known or not, every covered year and where each comes from."""
    return HistoryShape(**history_fields(history, recorded_at))
