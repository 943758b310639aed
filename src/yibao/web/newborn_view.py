"""What a newborn's family needs to read beside the quote: the last day of the newborn
window as a date, whether the payment falls inside it, and the hospital pre-registration
(document type "其他个人证件", pay and register a hukou within the window).

    nb = newborn_view("450802", 2021, birth=date(2021, 1, 10), paid=date(2021, 7, 15),
                      last_day=date(2021, 4, 10))     # the answer's ``newborn_last_day``
    nb.inside                    # False
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from yibao.policy import reference_data as reference
from yibao.web.plain import cite

__all__ = ["NewbornView", "Prereg", "newborn_view"]


@dataclass(frozen=True)
class Prereg:
    """Pre-registration at the birth hospital (《贵港市2021年度城乡居民医保参保缴费指南》四.1) in words."""

    conditions: tuple[tuple[str, str], ...]
    document_type: str
    document_type_en: str
    channels: tuple[tuple[str, str], ...]
    deadline_text: str
    deadline_text_en: str
    lapse_text: str
    lapse_text_en: str
    source: str


@dataclass(frozen=True)
class NewbornView:
    birth: date
    last_day: date | None  # last day inside the window (C3), None if unpublished
    paid: date
    prereg: Prereg | None
    window: tuple[str, str] = ("", "")  # "3个月", "3 months" (policy data)

    @property
    def inside(self) -> bool:
        return self.last_day is not None and self.paid <= self.last_day


def _prereg(region: str) -> Prereg | None:
    info = reference.newborn_preregistration()
    try:
        chain = reference.region_chain(region)
    except Exception:  # an unknown region has no pre-registration
        return None
    if info.region not in chain:
        return None
    months = info.deadline_months
    names = {c.code: (c.name, c.name_en) for c in reference.channels()}
    return Prereg(
        conditions=tuple((c.text, c.text_en) for c in info.conditions),
        document_type=info.document_type,
        document_type_en=info.document_type_en,
        channels=tuple(names[c] for c in info.pay_channels if c in names),
        deadline_text=info.deadline_text,
        deadline_text_en=(f"A pre-registered newborn who has been paid for should have a hukou "
                          f"registered within {months} months of birth and then have the "
                          f"medical-insurance office turn the pre-registration into a full one."),
        lapse_text=info.lapse_text,
        lapse_text_en=(f"If nothing is paid within {months} months of birth, the "
                       f"pre-registration lapses and the child must be registered again at "
                       f"the local medical-insurance office."),
        source=cite(info.source, region),
    )


def newborn_view(region: str, year: int, birth: date, paid: date, last_day: date | None
                 ) -> NewbornView:
    """The newborn facts for the resident page; ``last_day`` is the answer's
    ``newborn_last_day`` (the engine's window, C3)."""
    from yibao.policy.files import load_policy
    from yibao.rules.wording import policy_figures

    figures = policy_figures(load_policy(), region, year)
    return NewbornView(birth, last_day, paid, _prereg(region),
                       (figures["window"], figures["window_en"]))
