"""Publishing a year's figures without a release, against real servers (contract §5).

The ``server`` fixture serves the shipped figures; ``published`` is a second server on the
same database with ``YIBAO_POLICY_DIR`` naming a folder that publishes Guangxi's 2026
individual share (420.00).  Restarting the server is all it takes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from yibao.local_server import running_server

from .conftest import SECRET, Server
from .helpers import new_id, register

SHARE_2026 = """description: 个人缴费标准
unit: fen
values:
  "450000":
    - {from: 2026-01-01, to: 2026-12-31, value: 42000, source: "测试: 广西2026年度个人缴费标准420元"}
"""
UVICORN = ["-m", "uvicorn", "yibao.server:create_app", "--factory", "--host", "127.0.0.1",
           "--port", "{port}", "--log-level", "warning"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("published")
    (path / "individual_share.yaml").write_text(SHARE_2026, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def published(server: Server, folder: Path,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second server on the same database, with the published folder."""
    env = {**os.environ, "YIBAO_DATABASE_URL": server.db_url, "YIBAO_SECRET_KEY": SECRET,
           "YIBAO_POLICY_DIR": str(folder)}
    with running_server(UVICORN, env=env, cwd=tmp_path_factory.mktemp("cwd2")) as base:
        yield base


def _client(base: str, server: Server, role: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {server.tokens[role]}"} if role else {}
    return httpx.Client(base_url=base, headers=headers, timeout=30)


def test_a_published_figure_answers_in_the_api_and_the_pages(
    server: Server, published: str, anon: httpx.Client
) -> None:
    body = {"region": "450202", "coverage_year": 2026, "payment_date": "2025-12-01"}
    before = anon.post("/api/v1/quote", json=body).json()
    with _client(published, server) as new:
        after = new.post("/api/v1/quote", json=body).json()
        page = new.post("/", data={"region": "450202", "coverage_year": "2026",
                                   "payment_date": "2025-12-01"}).text
        info = new.get("/api/v1/policy").json()
    assert before["amount_due"] is None and before["missing"] == ["individual_share"]
    assert after["amount_due"] == "420.00" and after["missing"] == []
    assert after["policy_version"] != before["policy_version"]
    assert 'id="amount-due">¥420.00<' in page
    assert info["published_dir"] and info["version"] != anon.get("/api/v1/policy").json()["version"]


def test_settle_after_publication_gives_pending_payments_their_cover(
    server: Server, published: str, clerk: httpx.Client
) -> None:
    number = register(clerk, region="450202", id_number=new_id("450202"), covered_years=[2025])
    pay = clerk.post("/api/v1/payments", json={
        "id_number": number, "coverage_year": 2026, "channel": "gx_yibao",
        "channel_txn_id": f"PUB{number[:17]}", "amount": "420.00", "paid_at": "2025-12-01"}).json()
    assert pay["payment"]["settlement"] == "unquoted"
    pending = pay["enrollment"]
    assert pending["status"] == "pending" and pending["benefit_start"] is None
    assert pending["policy_version"]

    with _client(published, server, "admin") as admin:
        done = admin.post("/api/v1/payments/settle").json()
        assert done["settled"] >= 1
        (year,) = [e for e in admin.get(f"/api/v1/persons/{number}/enrollments").json()
                   if e["coverage_year"] == 2026]
        payments = admin.get(f"/api/v1/persons/{number}/payments").json()
        again = admin.post("/api/v1/payments/settle").json()
    assert year["status"] == "paid" and year["benefit_start"] == "2026-01-01"
    assert year["amount_due"] == "420.00"
    assert year["policy_version"] and year["policy_version"] != pending["policy_version"]
    assert [p["settlement"] for p in payments] == ["exact"]
    assert again["settled"] == 0  # idempotent


def test_yibao_payments_settle_reads_the_published_folder(
    server: Server, folder: Path, clerk: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from yibao.cli.main import app
    from yibao.policy.files import load_policy

    number = register(clerk, region="450205", id_number=new_id("450205"), covered_years=[2025])
    clerk.post("/api/v1/payments", json={
        "id_number": number, "coverage_year": 2026, "channel": "gx_yibao",
        "channel_txn_id": f"PUBCLI{number[:17]}", "amount": "420.00", "paid_at": "2025-11-20"})
    monkeypatch.setenv("YIBAO_DATABASE_URL", server.db_url)
    monkeypatch.setenv("YIBAO_POLICY_DIR", str(folder))
    from yibao.settings import get_settings

    get_settings.cache_clear()
    load_policy.cache_clear()
    try:
        result = CliRunner().invoke(app, ["payments", "settle", "--json"])
    finally:
        get_settings.cache_clear()
        load_policy.cache_clear()
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["settled"] >= 1
    (year,) = [e for e in clerk.get(f"/api/v1/persons/{number}/enrollments").json()
               if e["coverage_year"] == 2026]
    assert year["status"] == "paid" and year["benefit_start"] == "2026-01-01"


def test_the_server_refuses_a_bad_published_folder(
    server: Server, tmp_path: Path
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "individual_share.yaml").write_text(SHARE_2026.replace("unit: fen", "unit: months"),
                                               encoding="utf-8")
    env = {**os.environ, "YIBAO_DATABASE_URL": server.db_url, "YIBAO_SECRET_KEY": SECRET,
           "YIBAO_POLICY_DIR": str(bad)}
    log = tmp_path / "server.log"
    with log.open("w") as fh, pytest.raises(RuntimeError):  # noqa: SIM117
        with running_server(UVICORN, env=env, cwd=tmp_path, log=fh, timeout=20):
            pass
    said = log.read_text(encoding="utf-8")
    assert "individual_share.yaml" in said and "单位" in said and "unit" in said
