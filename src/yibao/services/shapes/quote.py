"""The quote answer as a shape, derived from the one declaration of its JSON.

    QuoteAnswer.model_validate(quote_to_contract(q))      # what POST /api/v1/quote answers

The contract's quote JSON is declared once, next to the typed answer that fills it:
:class:`yibao.rules.answer_json.QuoteJSON` (a ``TypedDict``; mypy holds
``quote_to_contract`` to it). The rules stay free of Pydantic, so the model the API
declares is built here from that ``TypedDict``: every key, nested objects as frozen
shapes that forbid other keys, ``YuanText`` as :data:`~yibao.services.shapes.base.Yuan`
(int fen inside, "280.00" in JSON) and ``DayText`` as a date. A key added to the answer
is added to ``QuoteJSON`` and nowhere else; a key sent but not declared there fails the
response (and the test that compares answers with the OpenAPI document).
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any, NotRequired, Required, Union, get_args, get_origin, get_type_hints

from pydantic import create_model

from yibao.rules.answer import DayText, YuanText
from yibao.rules.answer_json import QuoteJSON
from yibao.services.shapes.base import ErrorBody, Shape, Yuan
from yibao.services.shapes.ledger import Enrollment
from yibao.services.shapes.registry import History, Person

__all__ = ["PersonAnswers", "PersonQuoteAnswer", "QuoteAnswer", "StatusChangeUsed", "YearAnswer",
           "shape_of"]

_models: dict[str, type[Shape]] = {}


def _swap(tp: Any) -> Any:
    """The shape's type for a type of the JSON declaration."""
    if tp is YuanText:
        return Yuan
    if tp is DayText:
        return dt.date
    if typing.is_typeddict(tp):
        return shape_of(tp)
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, types.UnionType):
        return Union[tuple(_swap(a) for a in args)]  # noqa: UP007  (built at run time)
    if origin in (NotRequired, Required):
        return _swap(args[0])
    if origin in (list, dict):
        return types.GenericAlias(origin, tuple(_swap(a) for a in args))
    return tp


def _required(declaration: Any, tp: Any) -> bool:
    """Whether a key must be present (read from the hint: with postponed annotations the
    ``TypedDict``'s own ``__required_keys__`` cannot see ``NotRequired``)."""
    if get_origin(tp) is NotRequired:
        return False
    return bool(declaration.__total__) or get_origin(tp) is Required


def shape_of(declaration: Any) -> type[Shape]:
    """A frozen shape with the keys of a ``TypedDict`` and its docstring, named after it
    under ``Quote`` (``BreakdownJSON`` → ``QuoteBreakdown``); keys that are
    ``NotRequired`` there may be absent (default None)."""
    stem = declaration.__name__.removesuffix("JSON")
    name = stem if stem.startswith("Quote") else f"Quote{stem}"
    if name in _models:
        return _models[name]
    hints = get_type_hints(declaration, include_extras=True)
    fields: dict[str, Any] = {
        key: (_swap(tp), ...) if _required(declaration, tp) else (_swap(tp) | None, None)
        for key, tp in hints.items()
    }
    model = create_model(name, __base__=Shape, __doc__=declaration.__doc__,
                         __module__=__name__, **fields)
    _models[name] = model
    return model


#: The contract's quote answer (§2) with yibao's documented extensions.
QuoteAnswer: type[Shape] = shape_of(QuoteJSON)


class StatusChangeUsed(Shape):
    """The registry's status change a quote carried (contract §2.2, docs/rules.md C37)."""

    id: int
    kind: str
    date: dt.date


class PersonQuoteAnswer(QuoteAnswer):  # type: ignore[misc,valid-type]
    """A registered person's quote from the registry's facts and history, with the
    history it read, the special group on the payment day, the status change it carried
    (null: none applies) and the year's enrollment."""

    history: History
    history_unknown: bool
    special_group: str | None
    status_change: StatusChangeUsed | None
    person: Person
    enrollment: Enrollment | None


class YearAnswer(Shape):
    """One coverage year of a registered person: the registry's enrollment (no ID number)
    and the answer for paying the year on the day asked — or the engine's refusal."""

    coverage_year: int
    enrollment: Enrollment | None
    answer: QuoteAnswer | None  # type: ignore[valid-type]
    refusal: ErrorBody | None
    history_unknown: bool
    special_group: str | None


class PersonAnswers(Shape):
    """A registered person's years as the console shows them (by row id), answered for
    paying on ``on``."""

    person_id: int
    on: dt.date
    years: list[YearAnswer]
