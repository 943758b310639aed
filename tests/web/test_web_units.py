"""Fast checks of the page logic without a browser (forms, timeline, routes)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from yibao.web import mount_web
from yibao.web.forms import ResidentForm, default_coverage_year
from yibao.web.timeline import build_timeline


def test_history_questions_become_covered_years() -> None:
    today = date(2025, 3, 1)
    form = ResidentForm.from_mapping({"region": "450802", "coverage_year": "2025",
                                      "insured_last_year": "no", "last_paid_year": "2022"},
                                     today=today)
    payload, errors = form.to_payload()
    assert errors == {}
    assert payload["covered_years"] == [2022]
    assert payload["payment_date"] == "2025-03-01"
    assert form.lapse_years() == [2023, 2024]
    never = ResidentForm.from_mapping({"region": "450802", "insured_last_year": "never"},
                                      today=today)
    assert never.to_payload()[0]["covered_years"] == []
    assert "covered_years" not in ResidentForm.blank(today).to_payload()[0] | {}


def test_form_errors_name_their_field() -> None:
    form = ResidentForm.from_mapping({"coverage_year": "x", "insured_last_year": "no"},
                                     today=date(2025, 3, 1))
    _, errors = form.to_payload()
    assert set(errors) == {"coverage_year", "region", "last_paid_year"}


def test_default_coverage_year_switches_in_september() -> None:
    assert default_coverage_year(date(2025, 8, 31)) == 2025
    assert default_coverage_year(date(2025, 9, 1)) == 2026


def test_timeline_parts() -> None:
    tl = build_timeline(coverage_year=2025, payment_date=date(2025, 3, 15),
                        benefit_start=date(2025, 7, 15), lapse_years=[2023, 2024])
    kinds = [b.kind for b in tl.boxes]
    assert kinds == ["lapse", "lapse", "none", "wait", "cover"]
    assert tl.summary == {"lapse_years": 2, "waiting": 4, "covered": 6}
    early = build_timeline(coverage_year=2025, payment_date=date(2024, 11, 1),
                           benefit_start=date(2025, 1, 1), lapse_years=[])
    assert [b.kind for b in early.boxes] == ["pre", "cover"]
    none = build_timeline(coverage_year=2025, payment_date=date(2025, 11, 1),
                          benefit_start=None, lapse_years=[2024])
    assert "cover" not in [b.kind for b in none.boxes]


def test_public_pages_render_without_the_service() -> None:
    app = FastAPI()
    mount_web(app)
    client = TestClient(app)
    for path in ("/", "/plan", "/pay", "/pay?region=450802", "/?lang=en", "/static/yibao.css"):
        assert client.get(path).status_code == 200, path
    answer = client.post("/", data={"region": "450802", "coverage_year": "2021",
                                    "payment_date": "2021-03-15", "insured_last_year": "no",
                                    "last_paid_year": "2019"})
    assert answer.status_code == 200
    assert 'id="benefit-start">2021-06-01<' in answer.text
    assert "¥280.00" in answer.text


def test_missing_chromium_fails_under_ci(tmp_path: Path) -> None:
    env = {**os.environ, "CI": "true", "YIBAO_CHROMIUM": str(tmp_path / "no-chromium")}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(Path(__file__).with_name("test_web_resident.py")) + "::test_on_time_payer"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode != 0
    assert "CI=true: browser tests must run" in run.stdout
