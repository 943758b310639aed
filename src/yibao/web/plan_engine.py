"""Many payment days of one resident through one engine call (the planner's speed).

    answers, errors, titles, missing = quote_days(payload, days)

The first day is answered in full (``quoting.answer``: input errors, unpublished
figures in words); then every day is a row of the same engine run over whole columns
(``rules.engine.evaluate``), read back as amounts in fen, dates and rule bits. A day
whose payment date the rules refuse (before the concentrated period opens, after the
coverage year) carries that error in words instead of an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from yibao.errors import InputError
from yibao.web.forms import FieldErrors
from yibao.web.quotes import LABELS, error_for_field

__all__ = ["DayAnswer", "quote_days"]

Pair = tuple[str, str]


@dataclass(frozen=True)
class DayAnswer:
    day: date
    amount_fen: int | None
    start: date | None
    wait: int
    rules: int = 0  # rule bits of the registry's order
    main_rule: str = ""
    missing: int = 0
    error: str = ""
    error_words: Pair = ("", "")


def quote_days(payload: dict[str, Any], days: list[date]) -> tuple[
        list[DayAnswer], FieldErrors, dict[str, Pair], list[Pair]]:
    """Answers for ``payload`` paid on each of ``days``; form errors stop before any."""
    from yibao.policy.files import load_policy
    from yibao.quoting.answers import QuoteRequest, answer, columns_for, input_error_from
    from yibao.rules.calendar import days_to_date
    from yibao.rules.engine import evaluate
    from yibao.rules.explain import main_rule_id
    from yibao.rules.registry import RULES
    from yibao.rules.validation import ERRORS
    from yibao.web.plain import error_words

    titles = {r.id: (r.title, r.title_en) for r in RULES}
    first = {**payload, "payment_date": days[0].isoformat()}
    try:
        answer(first)
    except InputError as exc:
        found = error_for_field(exc)
        if "payment_date" not in found:
            return [], found, titles, []
    try:
        req = QuoteRequest.model_validate(first)
    except Exception as exc:  # pydantic's ValidationError, already worded above
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):
            return [], error_for_field(input_error_from(exc)), titles, []
        raise
    policy = load_policy()
    requests = [req.model_copy(update={"payment_date": d}) for d in days]
    res = evaluate(policy, columns_for(requests, policy))
    out: list[DayAnswer] = []
    for i, day in enumerate(days):
        code = int(res.error[i])
        if code:
            e = ERRORS[code]
            words = error_words(e.code, e.field, e.message, e.message_en, LABELS)
            out.append(DayAnswer(day, None, None, 0, error=e.code, error_words=(words.zh,
                                                                                 words.en)))
            continue
        out.append(DayAnswer(
            day,
            int(res.amount[i]) if res.amount_known[i] else None,
            days_to_date(int(res.start[i])) if res.start_known[i] else None,
            int(res.wait_fixed[i]) + int(res.wait_variable[i]),
            int(res.rules[i]), main_rule_id(int(res.main_rule[i])), int(res.missing[i]),
        ))
    missing: list[Pair] = []
    seen: set[int] = set()
    for q in out:  # unpublished figures in words: one full answer per kind of gap
        if q.missing and q.missing not in seen:
            seen.add(q.missing)
            later = answer({**payload, "payment_date": q.day.isoformat()})
            for pair in zip(later.missing_labels, later.missing_labels_en, strict=True):
                if pair not in missing:
                    missing.append(pair)
    return out, {}, titles, missing
