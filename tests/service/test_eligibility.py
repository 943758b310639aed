"""参保范围 checked at registration (docs/rules.md C38): the worked examples of
tests/cases/eligibility/*.yaml through the check itself, then ``POST /api/v1/persons``
against real servers (refused in words with the categories, nothing written; accepted with
the category, the basis and what to check; the contract's minimal body unchanged)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from yibao.errors import InputError
from yibao.services.registry.eligibility import EligibilityFacts, check_eligibility

from .conftest import Server
from .helpers import assert_error, new_id

CASES = [(f"{path.stem}::{case['name']}", case)
         for path in sorted((Path(__file__).parents[1] / "cases" / "eligibility").glob("*.yaml"))
         for case in yaml.safe_load(path.read_text(encoding="utf-8"))]


def _facts(data: dict[str, Any]) -> EligibilityFacts:
    return EligibilityFacts(
        id_region=data["id_region"], region=data["region"],
        hukou_region=data.get("hukou_region", data["region"]),
        residence_permit=data.get("residence_permit", False), category=data.get("category"),
        employee_insurance=data.get("employee_insurance", False),
        student_at=data.get("student_at"))


@pytest.mark.parametrize(("case_id", "case"), CASES, ids=[c[0] for c in CASES])
def test_worked_example(case_id: str, case: dict[str, Any]) -> None:
    expected = case["expected"]
    if "error" in expected:
        with pytest.raises(InputError) as caught:
            check_eligibility(_facts(case["input"]))
        assert (caught.value.code, caught.value.field) == (expected["error"]["code"],
                                                           expected["error"]["field"]), case_id
        # the refusal names the six categories, in both languages
        assert "参保范围：1.具有户籍或居住证明的城乡居民" in caught.value.message
        assert "6." in caught.value.message and "Who may enrol: 1." in caught.value.message_en
        return
    got = check_eligibility(_facts(case["input"]))
    assert got.category == expected["category"], case_id
    if "basis" in expected:
        assert got.basis == expected["basis"], case_id
    if "notes" in expected:
        assert [n.code for n in got.notes] == expected["notes"], case_id
    assert got.source.startswith("《贵港市2021年度城乡居民医保参保缴费指南》 参保范围")
    for note in got.notes:
        assert note.text and note.text_en


def test_the_contracts_minimal_body_still_registers(clerk: httpx.Client) -> None:
    number = new_id("450802")
    r = clerk.post("/api/v1/persons", json={"id_number": number, "name": "韦一", "region": "450802"})
    assert r.status_code == 201, r.text
    person = r.json()
    assert person["eligibility_category"] == "resident_hukou"
    assert person["eligibility"]["category"] == "resident_hukou"
    assert person["eligibility"]["basis"] == "户籍在本统筹地区" and person["eligibility"]["notes"] == []
    # reading the person back gives the person, without the registration's check
    assert "eligibility" not in clerk.get(f"/api/v1/persons/{number}").json()


def test_refusals_write_nothing_and_name_the_categories(server: Server,
                                                         clerk: httpx.Client) -> None:
    before = server.counts()
    base = {"name": "韦二", "region": "450802"}
    err = assert_error(clerk.post("/api/v1/persons", json={
        **base, "id_number": new_id("450802"), "employee_insurance": True}), 422,
        "eligibility_employee_insurance")
    assert err["field"] == "employee_insurance"
    assert "灵活就业人员" in err["message"] and "参保范围：1." in err["message"]
    err = assert_error(clerk.post("/api/v1/persons", json={
        **base, "id_number": new_id("430102"), "hukou_region": "430102"}), 422,
        "eligibility_no_local_tie")
    assert err["field"] == "hukou_region" and "6.其他符合政策规定的人员" in err["message"]
    assert_error(clerk.post("/api/v1/persons", json={
        **base, "id_number": new_id("450802"), "hukou_region": "999999"}), 422, "unknown_region")
    assert_error(clerk.post("/api/v1/persons", json={
        **base, "id_number": new_id("450802"), "student_at": "999999"}), 422, "unknown_region")
    assert_error(clerk.post("/api/v1/persons", json={
        **base, "id_number": new_id("450802"), "employee_insurance": "yes"}), 422,
        "invalid_value")
    assert server.counts() == before


def test_accepted_with_what_to_check_and_audited(clerk: httpx.Client, admin: httpx.Client) -> None:
    r = clerk.post("/api/v1/persons", json={
        "id_number": new_id("450802"), "name": "韦三", "region": "450802",
        "employee_insurance": True, "eligibility_category": "flexible_employment"})
    assert r.status_code == 201, r.text
    check = r.json()["eligibility"]
    assert check["category"] == "flexible_employment"
    assert [n["code"] for n in check["notes"]] == ["flexible_choice"]
    assert "不要重复参保" in check["notes"][0]["text"]
    migrant = clerk.post("/api/v1/persons", json={
        "id_number": new_id("430102"), "name": "李四", "region": "450802",
        "hukou_region": "430102", "residence_permit": True})
    assert migrant.status_code == 201, migrant.text
    assert migrant.json()["hukou_region"] == "430102"
    assert migrant.json()["eligibility"]["basis"] == "持本统筹地区居住证明"
    created = admin.get("/api/v1/audit", params={
        "action": "create", "entity": "person", "entity_id": str(r.json()["id"])}).json()
    (entry,) = created["items"]
    assert entry["after"]["eligibility"] == {
        "category": "flexible_employment", "basis": check["basis"], "employee_insurance": True,
        "student_at": None, "notes": ["flexible_choice"]}
