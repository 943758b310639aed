"""Who may enrol: the six categories of 参保范围 (《贵港市2021年度城乡居民医保参保缴费指南》),
checked when a person is registered (docs/rules.md C38).

    check = check_eligibility(EligibilityFacts.of(rid, data))   # or InputError (422)
    check.category, check.basis, check.notes

A registration is refused, with the reason and the list of categories, when someone is
in employee insurance (职工医保) and is neither a flexible worker (category 4, free to
choose) nor a farm worker in difficulty (category 3); when nothing ties the person to the
pooling area (统筹地区: the prefecture city) — no hukou there, no residence permit
(居住证明), not a student there; or when the category contradicts the ID document (a Hong
Kong, Macao or Taiwan resident's residence-permit number belongs to category 5, and
category 5 needs such a number, a residence permit here and no employment). What the clerk
must check by hand (a farm worker's difficulty, the policy behind category 6) comes back
as notes with the accepted registration.
"""

from __future__ import annotations

from dataclasses import dataclass

from yibao.errors import InputError
from yibao.idcard import PROVINCE_CODES, ResidentId
from yibao.policy import reference_data as reference
from yibao.services.inputs import PersonIn
from yibao.services.shapes import EligibilityCheck, EligibilityNote

__all__ = [
    "NOTES",
    "EligibilityFacts",
    "check_eligibility",
    "check_hukou_region",
    "pooling_area",
    "within",
]

#: First digits of the residence-permit numbers of Hong Kong (81), Macao (82) and Taiwan
#: (83; 71 is Taiwan's GB/T 2260 code) residents (港澳台居民居住证).
HMT_PREFIXES = ("81", "82", "83", "71")

#: What the clerk should check by hand, by code (zh, en).
NOTES: dict[str, tuple[str, str]] = {
    "farm_worker_difficulty": (
        "农林场、农垦职工应依法参加职工医保；请核实其属于桂政发〔2007〕29号规定的有困难人员。",
        "Workers of state farms join employee insurance by law: check that this one is in "
        "the difficulty that Guangxi's rule (桂政发〔2007〕29号) names."),
    "flexible_choice": (
        "灵活就业人员可自主选择城乡居民医保或职工医保；选择城乡居民医保的，请停缴职工医保，不要重复参保。",
        "A flexible worker may choose resident or employee insurance: having chosen resident "
        "insurance, the employee insurance should stop (no double cover)."),
    "flexible_work_here": (
        "户籍和居住证明都不在本地：请核实其在本地灵活就业。",
        "Neither the hukou nor a residence permit is local: check that the person works "
        "here as a flexible worker."),
    "other_policy_basis": (
        "按“其他符合政策规定的人员”登记：请核实并留存所依据的国家、自治区或本市政策。",
        "Registered as \"others eligible under policy\": check and keep the national, "
        "regional or city policy it rests on."),
}

_BASIS: dict[str, tuple[str, str]] = {
    "hukou": ("户籍在本统筹地区", "hukou in this pooling area"),
    "permit": ("持本统筹地区居住证明", "a residence permit of this pooling area"),
    "student": ("在本统筹地区学校就读或托幼机构在册", "a student or nursery child here"),
    "farm_worker": ("农林场、农垦职工，有困难的可参加城乡居民医保",
                    "a state-farm worker in difficulty may join resident insurance"),
    "flexible_employment": ("灵活就业人员，可自主选择城乡居民医保或职工医保",
                            "a flexible worker chooses resident or employee insurance"),
    "hk_mo_tw_foreign": ("未就业、持本地居住证的港澳台居民", "a Hong Kong, Macao or Taiwan resident "
                         "with a local residence permit and no employment"),
    "other_policy": ("其他政策规定", "another policy"),
}


def pooling_area(code: str) -> str:
    """The pooling area (统筹地区) of a region: its prefecture city, or the county itself
    where it sits directly under the province (省直辖县级行政区划, e.g. Jiyuan 419001), or
    the code itself when it has no city above it (a province)."""
    regions = reference.load_regions()
    for c in reference.region_chain(code):
        if regions[c].level == "city":
            return code if c.endswith("9000") else c
    return code


def within(code: str, area: str) -> bool:
    """Whether ``code`` lies in ``area`` (GB/T 2260 codes nest by their leading digits)."""
    if area.endswith("0000"):
        return code[:2] == area[:2]
    if area.endswith("00"):
        return code[:4] == area[:4]
    return code == area


def check_hukou_region(code: str) -> str:
    """A hukou region: a region yibao knows, or any GB/T 2260 county or city code of
    another province (a migrant's hukou); else ``unknown_region`` naming ``hukou_region``."""
    try:
        reference.region_chain(code)
        return code
    except InputError:
        if code[:2] in PROVINCE_CODES and code[2:] != "0000":
            return code
        raise InputError("unknown_region", f"未知的户籍地行政区划代码“{code}”",
                         f"unknown hukou region code {code!r}", field="hukou_region") from None


@dataclass(frozen=True, slots=True)
class EligibilityFacts:
    """What a registration says about the person's ties and insurance."""

    id_region: str  # the first six digits of the ID number
    region: str
    hukou_region: str
    residence_permit: bool
    category: str | None
    employee_insurance: bool
    student_at: str | None

    @classmethod
    def of(cls, rid: ResidentId, data: PersonIn) -> EligibilityFacts:
        return cls(rid.region_code, data.region, data.hukou_region or data.region,
                   data.residence_permit, data.eligibility_category, data.employee_insurance,
                   data.student_at)


def _categories() -> tuple[str, str]:
    items = reference.eligibility_categories()
    return ("；".join(f"{n}.{c.name}" for n, c in enumerate(items, 1)),
            "; ".join(f"{n}. {c.name_en}" for n, c in enumerate(items, 1)))


def _refuse(code: str, why: str, why_en: str, field: str) -> InputError:
    zh, en = _categories()
    return InputError(code, f"不在城乡居民医保参保范围：{why}。参保范围：{zh}。",
                      f"Not eligible for resident insurance: {why_en}. Who may enrol: {en}.",
                      field=field)


def check_eligibility(f: EligibilityFacts) -> EligibilityCheck:
    """The category that admits the person and what to check, or ``InputError`` (C38)."""
    area = pooling_area(f.region)
    if f.category is not None:
        reference.eligibility_category(f.category)  # unknown_eligibility_category
    hukou = within(f.hukou_region, area)
    hmt = f.id_region[:2] in HMT_PREFIXES
    studies_here = f.student_at is not None and within(f.student_at, area)
    if f.category == "student" and f.student_at is not None and not studies_here:
        raise _refuse("eligibility_student_elsewhere", "学校或托幼机构不在本统筹地区，学生应在学校所在地参保",
                      "the school is outside this pooling area: students enrol where they study",
                      "student_at")
    if f.employee_insurance and f.category not in ("flexible_employment", "farm_worker"):
        raise _refuse("eligibility_employee_insurance",
                      "已参加（或应当参加）职工医保；只有灵活就业人员可自主选择，农林场、农垦职工有困难的可按规定参加",
                      "in (or obliged to join) employee insurance; only flexible workers may "
                      "choose, and state-farm workers in difficulty may join",
                      "employee_insurance")
    if hmt and f.category not in (None, "hk_mo_tw_foreign"):
        raise _refuse("eligibility_category_mismatch",
                      "证件号码为港澳台居民居住证号码，应按第5类（未就业的港澳台人员、外国人）登记",
                      "the number is a Hong Kong, Macao or Taiwan resident's residence permit: "
                      "register under category 5", "eligibility_category")
    if f.category == "hk_mo_tw_foreign" or hmt:
        if not hmt:
            raise _refuse("eligibility_category_mismatch",
                          "第5类为港澳台人员和外国人，此号码为内地居民身份证号码",
                          "category 5 is for Hong Kong, Macao and Taiwan residents and "
                          "foreigners; this is a mainland resident ID number",
                          "eligibility_category")
        if not f.residence_permit:
            raise _refuse("eligibility_no_residence_permit",
                          "港澳台人员须持本统筹地区居住证",
                          "a Hong Kong, Macao or Taiwan resident needs a residence permit of "
                          "this pooling area", "residence_permit")
        return _admit("hk_mo_tw_foreign", "hk_mo_tw_foreign", [])
    if f.category == "other_policy":
        return _admit("other_policy", "other_policy", ["other_policy_basis"])
    if f.category == "farm_worker":
        return _admit("farm_worker", "farm_worker", ["farm_worker_difficulty"])
    if f.category == "flexible_employment":
        notes = ["flexible_choice"] if f.employee_insurance else []
        if not (hukou or f.residence_permit):
            notes.append("flexible_work_here")
        return _admit("flexible_employment", "flexible_employment", notes)
    # category 1 or none given: the person's ties decide between categories 1 and 2
    if f.category == "student" or (studies_here and not (hukou or f.residence_permit)):
        return _admit("student", "student", [])
    if hukou or f.residence_permit:
        return _admit("resident_hukou", "hukou" if hukou else "permit", [])
    raise _refuse("eligibility_no_local_tie",
                  "户籍和居住证明都不在本统筹地区，也不在本地学校就读",
                  "neither the hukou nor a residence permit is of this pooling area, and the "
                  "person is not a student here", "hukou_region")


def _admit(category: str, basis: str, notes: list[str]) -> EligibilityCheck:
    c = reference.eligibility_category(category)
    return EligibilityCheck(
        category=category, category_name=c.name, category_name_en=c.name_en,
        basis=_BASIS[basis][0], basis_en=_BASIS[basis][1],
        notes=[EligibilityNote(code=n, text=NOTES[n][0], text_en=NOTES[n][1]) for n in notes],
        source=c.source)
