"""Tilt assistance (倾斜救助): worked cases, the range's invariants, CLI, API and the page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from yibao.api.routers import assistance
from yibao.errors import InputError
from yibao.http.errors import install_error_handlers
from yibao.quoting.assistance import tilt
from yibao.rules.assistance import TiltTerms, tilt_range

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "assistance" / "tilt.yaml")
                       .read_text(encoding="utf-8"))
TERMS = TiltTerms(60, 90, 10_000_000)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_worked_example(case: dict[str, Any]) -> None:
    expected = case["expected"]
    if "error" in expected:
        with pytest.raises(InputError) as caught:
            tilt(case["input"])
        assert (caught.value.code, caught.value.field) == (expected["error"]["code"],
                                                           expected["error"]["field"])
        assert caught.value.message and caught.value.message_en
        return
    result = tilt(case["input"])
    for key, value in expected.items():
        assert result[key] == value, key
    assert result["rule"]["source"] and result["policy_version"]
    if not result["missing"]:
        assert result["low"] in result["text"] and result["high"] in result["text"]


@given(st.integers(0, 10**9), st.integers(0, 2 * 10**7), st.integers(0, 10**6))
def test_the_range_stays_within_the_cap_and_grows_with_costs(
    costs: int, granted: int, more: int
) -> None:
    r = tilt_range(costs, granted, TERMS)
    assert 0 <= r.low_fen <= r.high_fen <= r.room_fen <= TERMS.annual_cap_fen
    assert r.room_fen == max(TERMS.annual_cap_fen - granted, 0)
    bigger = tilt_range(costs + more, granted, TERMS)
    assert bigger.low_fen >= r.low_fen and bigger.high_fen >= r.high_fen
    if not r.capped:
        assert r.high_fen * 100 >= costs * 90 - 50


def test_cli_prints_the_range_and_exits_2_on_bad_input() -> None:
    from .cli_runner import yibao

    ok = yibao("assistance", "--region", "450202", "--year", "2025", "--costs", "50000",
               "--json")
    assert ok.exit_code == 0, ok.stderr
    assert (json.loads(ok.stdout)["low"], json.loads(ok.stdout)["high"]) == ("30000.00", "45000.00")
    words = yibao("assistance", "--region", "450202", "--year", "2025", "--costs", "50000")
    zh, en = words.stdout.strip().splitlines()
    assert "倾斜救助 30000.00 – 45000.00 元" in zh and en.startswith("tilt assistance 30000.00")
    bad = yibao("assistance", "--region", "450202", "--year", "2025", "--costs", "lots")
    assert bad.exit_code == 2 and "eligible_costs" in bad.stderr


def test_api_answers_and_refuses_bad_input_with_422() -> None:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(assistance.router)
    client = TestClient(app)
    r = client.post("/api/v1/assistance", json={"region": "450202", "year": 2025,
                                                 "eligible_costs": "10000.00"})
    assert r.status_code == 200 and (r.json()["low"], r.json()["high"]) == ("6000.00", "9000.00")
    bad = client.post("/api/v1/assistance", json={"region": "450202", "year": 2025})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "missing_field"
    assert bad.json()["error"]["message"] and bad.json()["error"]["message_en"]


def test_the_resident_page_shows_tilt_assistance_to_special_groups_only() -> None:
    from yibao.web import mount_web

    app = FastAPI()
    mount_web(app)
    client = TestClient(app)
    form = {"region": "450202", "coverage_year": "2025", "payment_date": "2025-03-15"}
    plain = client.post("/", data=form).text
    assert 'id="tilt-assistance"' not in plain
    group = client.post("/", data={**form, "special_group": "tekun"}).text
    assert 'id="tilt-assistance"' in group and "60%至90%" in group and "100000.00元" in group
    guigang = client.post("/", data={**form, "region": "450802", "special_group": "tekun"}).text
    assert 'id="tilt-assistance"' not in guigang  # not published there
