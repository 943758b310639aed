"""The catastrophic-cover rise that a count of continuous years earns in a region and year,
in the engine's words (C36), for surfaces that hold the count but not a whole answer (the
renewal notice: the batch gives each member's ``continuous_years``).

    words = rise_words_for("450802", 2027, 3)
    words.rule[0], words.earned[0], words.cap[0]

None where the region publishes no incentive for the year (the count is then all there is
to say) or the count is not kept (before 2025).
"""

from __future__ import annotations

from functools import cache

from yibao.policy.files import load_policy
from yibao.rules.continuity import catastrophic_rise
from yibao.rules.explain import RiseWords, rise_parts

__all__ = ["RiseWords", "rise_words_for"]


@cache
def rise_words_for(region: str, year: int, continuous_years: int) -> RiseWords | None:
    """The rise ``continuous_years`` earns at ``year`` in ``region``, in words."""
    if continuous_years < 0:
        return None
    policy = load_policy()
    if region not in policy.regions:
        return None
    incentive = policy.resolve("catastrophic_incentive", region, year)
    if incentive is None or not incentive.published:
        return None
    base = policy.resolve("catastrophic_base_cap", region, year)
    cap = int(base.value) if base is not None and base.published else None
    return rise_parts(catastrophic_rise(continuous_years, year, incentive.value, cap,
                                        source=incentive.source))
