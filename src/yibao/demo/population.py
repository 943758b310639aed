"""A synthetic province for ``yibao demo generate``: who lives where, in which household,
with which cover before the registry and which payments since. Pure and deterministic
for a seed (no database, no clock): the same seed gives the same residents.

    plan = plan_population(1000, seed=7, year=2025, counties=guangxi_counties(), taken=set())

Each resident's cover before the registry (years ``year - 6`` … ``year - 2``) is declared
(continuous, with lapses, never covered) or left unknown; payments through the registry
follow for ``year - 1`` and, for part of them, ``year`` (during its concentrated period).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from yibao.demo.cases import GIVEN, SURNAMES
from yibao.idcard import Sex, make_id_number

__all__ = ["PlannedPayment", "PlannedPerson", "Population", "plan_population"]

#: Special groups given to a few residents (full assistance and a fixed-assistance one).
GROUPS = ("tekun", "orphan", "dibao")
#: ID order codes of generated residents start here (0-499 in GB 11643).
FIRST_SEQUENCE = 250


@dataclass(frozen=True, slots=True)
class PlannedPerson:
    """One resident; ``history`` None = cover before the registry unknown."""

    index: int
    id_number: str
    name: str
    sex: Sex
    birth_date: dt.date
    region: str
    household: int
    history: tuple[int, ...] | None
    group: str | None


@dataclass(frozen=True, slots=True)
class PlannedPayment:
    """A payment a channel will report; its amount is what the engine says is due."""

    person: int
    coverage_year: int
    channel: str
    paid_at: dt.datetime


@dataclass(slots=True)
class Population:
    """Residents, households (index → region) and payments in the order they happen."""

    persons: list[PlannedPerson] = field(default_factory=list)
    households: list[str] = field(default_factory=list)
    payments: list[PlannedPayment] = field(default_factory=list)


def _birth(rng: random.Random, year: int) -> dt.date:
    age = min(int(rng.expovariate(1 / 34)), 95)
    born = year - 1 - age
    day = rng.randint(1, 365)
    return dt.date(born, 1, 1) + dt.timedelta(days=day - 1)


def _history(rng: random.Random, year: int, birth: dt.date) -> tuple[int, ...] | None:
    """Years covered before the registry, or None (unknown)."""
    roll = rng.random()
    if roll < 0.08:
        return None
    years = [y for y in range(year - 6, year - 1) if y >= birth.year]
    if roll < 0.13:
        return ()  # declared: never covered
    if roll < 0.33:  # lapses: a year or two missing
        missing = set(rng.sample(years, k=min(len(years), rng.randint(1, 2))))
        return tuple(y for y in years if y not in missing)
    return tuple(years)


def _pay_day(rng: random.Random, period: tuple[dt.date, dt.date], late: bool,
             today: dt.date) -> dt.datetime | None:
    """A payment time in the period (or up to six months after it when ``late``), never
    after ``today``."""
    first, last = period
    if late:
        first, last = last + dt.timedelta(days=1), last + dt.timedelta(days=181)
    last = min(last, today)
    if last < first:
        return None
    day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
    return dt.datetime.combine(day, dt.time(rng.randint(8, 21), rng.randint(0, 59)))


def _channels_for(county: str, channels: Sequence[tuple[str, tuple[str, ...]]],
                  chain: Iterable[str]) -> tuple[str, ...]:
    up = set(chain)
    return tuple(code for code, regions in channels if up & set(regions))


def plan_population(
    n: int,
    *,
    seed: int,
    year: int,
    counties: Sequence[tuple[str, tuple[str, ...]]],
    channels: Sequence[tuple[str, tuple[str, ...]]],
    periods: dict[tuple[str, int], tuple[dt.date, dt.date] | None],
    today: dt.date,
    taken: set[str],
) -> Population:
    """``n`` residents over ``counties`` ((code, chain up to the root)), deterministic for ``seed``.

    ``periods[(county, y)]``: the concentrated period of coverage year ``y`` (policy data);
    ``taken``: ID numbers already in the registry (never generated again).
    """
    rng = random.Random(seed)
    pop = Population()
    sequence: dict[tuple[str, dt.date], int] = {}
    by_county = {code: _channels_for(code, channels, chain) for code, chain in counties}
    while len(pop.persons) < n:
        county = counties[rng.randrange(len(counties))][0]
        household = len(pop.households)
        pop.households.append(county)
        size = min(rng.choice((1, 2, 2, 3, 3, 4, 5)), n - len(pop.persons))
        for _ in range(size):
            sex: Sex = "male" if rng.random() < 0.5 else "female"
            while True:
                birth = _birth(rng, year)
                seq = sequence.get((county, birth), FIRST_SEQUENCE)
                sequence[(county, birth)] = seq + 1
                if seq > 499:
                    continue
                number = make_id_number(county, birth, seq, sex)
                if number not in taken:
                    taken.add(number)
                    break
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            group = rng.choice(GROUPS) if rng.random() < 0.03 else None
            history = _history(rng, year, birth)
            index = len(pop.persons)
            pop.persons.append(PlannedPerson(index, number, name, sex, birth, county, household,
                                             history, group))
            _plan_payments(rng, pop, index, county, history, year, by_county[county], periods,
                           today)
    pop.payments.sort(key=lambda p: (p.coverage_year, p.person))
    return pop


def _plan_payments(rng: random.Random, pop: Population, index: int, county: str,
                   history: tuple[int, ...] | None, year: int, channels: tuple[str, ...],
                   periods: dict[tuple[str, int], tuple[dt.date, dt.date] | None],
                   today: dt.date) -> None:
    """Payments of ``year - 1`` (most of those covered before; some late) and ``year``."""
    if not channels:
        return
    regular = history is not None and len(history) > 0 and history[-1] == year - 2
    paid_last = rng.random() < (0.5 if history is None else 0.88 if regular else 0.35)
    for y, chance in ((year - 1, 1.0 if paid_last else 0.0),
                      (year, 0.62 if paid_last else 0.15)):
        period = periods.get((county, y))
        if period is None or rng.random() >= chance:
            continue
        at = _pay_day(rng, period, late=rng.random() < 0.08, today=today)
        if at is not None:
            pop.payments.append(PlannedPayment(index, y, rng.choice(channels), at))
