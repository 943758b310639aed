"""Which persons a staff account may see and act on: the one place every query asks.

    stmt = scoped(select(Person), actor)                   # lists, searches, counts, exports
    require_visible(actor, person.region, person_missing()) # one person: 404 outside scope
    check_assignable(actor, data.region)                    # placing someone in a region

An account limited to a region (``yibao user add --region CODE``, contract §6) sees the
persons whose *current* region (``persons.region``) is CODE or a region under it in
GB/T 2260, and nobody else: outside its scope a person does not exist for it. A read or a
write addressed to such a person is the same :class:`NotFound` as for an unknown one (the
answer does not tell "exists elsewhere" from "does not exist"), and lists, searches,
counts, reports, exports, reconciliation imports and the yearly runs an account starts
leave them out. Rows that belong to a person (payments, enrollments, reversals,
applications, pre-registrations, household memberships) follow their person.
Households have a region of their own and follow it. An account without a region (and
the system's own jobs) sees everyone.

Every service that reads persons goes through :func:`scoped` / :func:`visible` (a SQL
condition on the region column) or :func:`require_visible` (one row already read);
``tests/service/test_scope.py`` calls every route addressed to a person with an account
of another city.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, true
from sqlalchemy.sql import Select

from yibao.errors import UnknownRegion
from yibao.idcard import mask_id_number
from yibao.policy import reference_data as reference
from yibao.services.common import Actor
from yibao.services.errors import Forbidden, NotFound
from yibao.store.models import Person

__all__ = [
    "check_assignable",
    "in_scope",
    "narrow_region",
    "person_missing",
    "region_codes",
    "require_visible",
    "scope_words",
    "scoped",
    "visible",
]

S = TypeVar("S", bound=Select)  # type: ignore[type-arg]


@lru_cache(maxsize=256)
def _subtree(region: str) -> frozenset[str]:
    try:
        return frozenset(reference.region_subtree(region))
    except UnknownRegion:  # a code no longer known: the account sees nobody, never everyone
        return frozenset()


def region_codes(actor: Actor) -> frozenset[str] | None:
    """The region codes ``actor`` may see (None: every region)."""
    return None if actor.region is None else _subtree(actor.region)


def in_scope(actor: Actor, region: str | None) -> bool:
    """Whether a person (or household) of ``region`` exists for ``actor``."""
    codes = region_codes(actor)
    return codes is None or (region is not None and region in codes)


def visible(actor: Actor, column: Any = Person.region) -> ColumnElement[bool]:
    """The SQL condition "``column`` is in the actor's scope" (always true when unlimited)."""
    codes = region_codes(actor)
    if codes is None:
        return true()
    return column.in_(sorted(codes))  # type: ignore[no-any-return]


def scoped(stmt: S, actor: Actor, column: Any = Person.region) -> S:
    """``stmt`` limited to the actor's scope (unchanged when unlimited). The statement must
    read ``column``'s table (join persons first for rows that belong to a person)."""
    if actor.region is None:
        return stmt
    return stmt.where(visible(actor, column))


def narrow_region(actor: Actor, requested: str | None) -> str | None:
    """The region a report, count or run may cover for ``actor``: what was asked when it
    lies in the actor's scope, the actor's own region when more was asked (a city clerk's
    province report is the city's), 403 ``region_out_of_scope`` for another region."""
    if actor.region is None or (requested is not None and not _subtree(requested)):
        return requested  # unlimited, or an unknown code (the caller says unknown_region)
    if requested is None or actor.region in _subtree(requested):
        return actor.region
    if requested in _subtree(actor.region):
        return requested
    check_assignable(actor, requested)
    return requested  # pragma: no cover - check_assignable raised


def person_missing(number: str | None = None, *, field: str = "id_number") -> NotFound:
    """The 404 for a person the actor cannot see: word for word the unknown person's."""
    if number is None:
        return NotFound("person_not_found", "未找到该参保人", "no such person",
                        field="person" if field == "id_number" else field)
    masked = mask_id_number(number)
    return NotFound("person_not_found", f"未找到身份证号为 {masked} 的参保人",
                    f"no person with ID number {masked}", field=field)


def require_visible(actor: Actor, region: str | None, missing: NotFound) -> None:
    """Raise ``missing`` (the route's own 404) unless ``region`` is in the actor's scope."""
    if not in_scope(actor, region):
        raise missing


def check_assignable(actor: Actor, region: str, *, field: str = "region") -> None:
    """A person or household may be placed only in a region the actor may see (403)."""
    if in_scope(actor, region):
        return
    raise Forbidden(
        "region_out_of_scope",
        f"您的账号只负责 {_name(actor.region)},不能办理或查看 {_name(region)} 的参保人",
        f"your account covers {actor.region} only, not {region}",
        field=field,
    )


def _name(code: str | None) -> str:
    if code is None:
        return "全省"
    region = reference.load_regions().get(code)
    return f"{region.name}({code})" if region else code


def scope_words(region: str | None) -> tuple[str, str]:
    """What an account's scope is, in words: (Chinese, English)."""
    if region is None:
        return "全省(不限地区)", "province-wide (every region)"
    found = reference.load_regions().get(region)
    name = found.name if found else region
    return f"{name}({region})及其下辖地区", f"{name} ({region}) and the regions under it"
