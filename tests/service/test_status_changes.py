"""Status changes as registry events (contract §2.2, docs/rules.md C37), against real servers.

A Yunfu veteran discharged on 2025-03-10 who enrols on 2025-05-20 after two lapse years is
quoted and enrolled without waiting once a clerk has recorded the discharge: the person's
quote and payment read it from the registry.  Yunfu's 2025 share and July-1 rule are not in
the requirement documents, so ``published`` is a second server on the same database with a
folder publishing them (contract §5), as a bureau would.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from yibao.local_server import running_server

from .conftest import SECRET, Server
from .helpers import assert_error, new_id, register

YUNFU = """description: 个人缴费标准
unit: fen
values:
  "445300":
    - {from: 2025-01-01, to: 2025-12-31, value: 38000, source: "测试: 云浮2025年度个人缴费标准380元"}
"""
ONTIME = """description: 只缴个人部分的最后一天
unit: month_day
values:
  "445300":
    - {from: 2025-01-01, to: 2025-12-31, value: "06-30", source: "测试: 云浮2025年6月30日前只缴个人部分"}
"""
UVICORN = ["-m", "uvicorn", "yibao.server:create_app", "--factory", "--host", "127.0.0.1",
           "--port", "{port}", "--log-level", "warning"]
VETERAN = {"kind": "discharged_veteran", "date": "2025-03-10", "source": "退役军人事务局退役证明"}


@pytest.fixture(scope="module")
def published(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second server on the same database, with Yunfu's 2025 figures published."""
    folder = tmp_path_factory.mktemp("yunfu")
    (folder / "individual_share.yaml").write_text(YUNFU, encoding="utf-8")
    (folder / "ontime_fee_deadline.yaml").write_text(ONTIME, encoding="utf-8")
    env = {**os.environ, "YIBAO_DATABASE_URL": server.db_url, "YIBAO_SECRET_KEY": SECRET,
           "YIBAO_POLICY_DIR": str(folder)}
    with running_server(UVICORN, env=env, cwd=Path(tmp_path_factory.mktemp("cwd18"))) as base:
        yield base


def _on(published: str, server: Server, role: str) -> httpx.Client:
    return httpx.Client(base_url=published, timeout=30,
                        headers={"Authorization": f"Bearer {server.tokens[role]}"})


@pytest.fixture
def yunfu(published: str, server: Server) -> Iterator[httpx.Client]:
    """A clerk on the server with Yunfu's figures."""
    with _on(published, server, "clerk") as c:
        yield c


def _veteran(clerk: httpx.Client) -> str:
    """A Yunfu resident covered in 2021 and 2022, not since (two lapse years before 2025)."""
    return register(clerk, region="445302", id_number=new_id("445302"),
                    covered_years=[2021, 2022])


def _quote(client: httpx.Client, number: str, paid: str) -> dict[str, object]:
    r = client.get(f"/api/v1/persons/{number}/quote",
                   params={"coverage_year": 2025, "payment_date": paid})
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_a_yunfu_veteran_is_quoted_and_enrolled_without_waiting(
    server: Server, yunfu: httpx.Client, clerk: httpx.Client, admin: httpx.Client
) -> None:
    number = _veteran(clerk)
    before = _quote(yunfu, number, "2025-05-20")
    assert before["status_change"] is None
    assert before["benefit_start"] == "2025-09-20"  # fixed 3 + 1 for the second lapse year
    assert before["waiting_months"] == {"fixed": 3, "variable": 1}

    made = clerk.post(f"/api/v1/persons/{number}/status-changes", json=VETERAN)
    assert made.status_code == 201, made.text
    change = made.json()["status_change"]
    assert (change["kind"], change["date"], change["withdrawn"]) == (
        "discharged_veteran", "2025-03-10", False)
    assert made.json()["review"] == []  # nothing paid yet

    after = _quote(yunfu, number, "2025-05-20")
    assert after["status_change"] == {"id": change["id"], "kind": "discharged_veteran",
                                      "date": "2025-03-10"}
    assert after["benefit_start"] == "2025-05-20"
    assert after["waiting_months"] == {"fixed": 0, "variable": 0}
    assert after["main_rule"] == "R-WAIT-EXEMPT" and after["amount_due"] == "380.00"

    paid = yunfu.post("/api/v1/payments", json={
        "id_number": number, "coverage_year": 2025, "channel": "tax_hall",
        "channel_txn_id": f"SC{number[:17]}", "amount": "380.00", "paid_at": "2025-05-20"})
    assert paid.status_code == 201, paid.text
    enrollment = paid.json()["enrollment"]
    assert enrollment["benefit_start"] == "2025-05-20"
    assert enrollment["waiting_months"] == {"fixed": 0, "variable": 0}

    listed = clerk.get(f"/api/v1/persons/{number}/status-changes")
    assert listed.headers["X-Total-Count"] == "1" and listed.json()[0]["id"] == change["id"]
    trail = admin.get("/api/v1/audit", params={"action": "record_status_change"}).json()
    assert any(e["after"]["status_change_id"] == change["id"] for e in trail["items"])


def test_a_change_recorded_after_the_payment_is_listed_for_review_not_applied(
    server: Server, published: str, yunfu: httpx.Client, clerk: httpx.Client
) -> None:
    number = _veteran(clerk)
    paid = yunfu.post("/api/v1/payments", json={
        "id_number": number, "coverage_year": 2025, "channel": "tax_hall",
        "channel_txn_id": f"SR{number[:17]}", "amount": "380.00", "paid_at": "2025-05-20"}).json()
    eid = paid["enrollment"]["id"]
    assert paid["enrollment"]["benefit_start"] == "2025-09-20"

    made = yunfu.post(f"/api/v1/persons/{number}/status-changes", json=VETERAN).json()
    assert made["review"] == [{
        "enrollment_id": eid, "coverage_year": 2025, "benefit_start": "2025-09-20",
        "benefit_start_with_change": "2025-05-20",
        "waiting_months_with_change": {"fixed": 0, "variable": 0}}]
    assert clerk.get(f"/api/v1/enrollments/{eid}").json()["benefit_start"] == "2025-09-20"

    with _on(published, server, "admin") as admin:
        fixed = admin.post(f"/api/v1/enrollments/{eid}/corrections",
                           json={"reason": "补录退役证明后重新计算", "recompute": True})
    assert fixed.status_code == 201, fixed.text
    assert fixed.json()["after"]["benefit_start"] == "2025-05-20"


def test_elsewhere_the_change_changes_nothing_and_says_so(clerk: httpx.Client) -> None:
    number = register(clerk, covered_years=[2021, 2022, 2023, 2024])
    assert clerk.post(f"/api/v1/persons/{number}/status-changes", json=VETERAN).status_code == 201
    quoted = _quote(clerk, number, "2025-05-20")
    assert quoted["status_change"]["kind"] == "discharged_veteran"
    assert "status_change_no_effect" in quoted["warning_codes"]
    assert quoted["waiting_months"] == {"fixed": 3, "variable": 0}
    # a change of 2025 is not carried by a 2027 quote (C37: the coverage year or the year before)
    later = clerk.get(f"/api/v1/persons/{number}/quote",
                      params={"coverage_year": 2027, "payment_date": "2026-12-01"}).json()
    assert later["status_change"] is None
    assert "status_change_no_effect" not in later["warning_codes"]


def test_refusals_and_withdrawal(server: Server, clerk: httpx.Client, auditor: httpx.Client,
                                 yunfu: httpx.Client) -> None:
    number = _veteran(clerk)
    url = f"/api/v1/persons/{number}/status-changes"
    before = server.counts()
    assert_error(clerk.post(url, json={**VETERAN, "date": "2099-01-01"}), 422,
                 "status_change_in_future")
    assert_error(clerk.post(url, json={**VETERAN, "date": "1900-01-02"}), 422,
                 "status_change_before_birth")
    assert_error(clerk.post(url, json={**VETERAN, "kind": "graduated"}), 422, "invalid_value")
    assert_error(clerk.post(url, json={**VETERAN, "source": ""}), 422)
    assert_error(auditor.post(url, json=VETERAN), 403)
    assert_error(clerk.post(f"/api/v1/persons/{new_id('445302')}/status-changes",
                            json=VETERAN), 404, "person_not_found")
    assert server.counts() == before
    made = clerk.post(url, json=VETERAN).json()["status_change"]
    assert_error(clerk.post(url, json=VETERAN), 409, "status_change_exists")

    withdraw = f"{url}/{made['id']}/withdraw"
    assert_error(clerk.post(withdraw, json={"reason": ""}), 422)
    done = clerk.post(withdraw, json={"reason": "日期登记错误"})
    assert done.status_code == 200, done.text
    assert done.json()["withdrawn"] is True and done.json()["withdraw_reason"] == "日期登记错误"
    assert _quote(yunfu, number, "2025-05-20")["status_change"] is None
    assert_error(clerk.post(withdraw, json={"reason": "日期登记错误"}), 409,
                 "status_change_withdrawn")
    other = register(clerk)
    assert_error(clerk.post(f"/api/v1/persons/{other}/status-changes/{made['id']}/withdraw",
                            json={"reason": "日期登记错误"}), 404, "status_change_not_found")
    # withdrawn, the same change may be recorded again (correctly this time)
    again = clerk.post(url, json={**VETERAN, "date": "2025-03-11"})
    assert again.status_code == 201
    listed = auditor.get(url).json()
    assert [c["withdrawn"] for c in listed] == [True, False]


# --- which change a quote carries (C37), as a property ------------------------------------

def test_a_quote_carries_the_latest_change_that_can_apply_and_never_one_after_payment() -> None:
    import datetime as dt

    from hypothesis import given
    from hypothesis import strategies as st

    from yibao.quoting.answers import answer
    from yibao.services.registry.history import History
    from yibao.services.registry.quotes import PersonFacts, QuoteFacts, person_request
    from yibao.services.registry.status_facts import StatusFact

    kinds = st.sampled_from(["released_from_prison", "discharged_veteran",
                             "severe_disability_certified"])
    days = st.dates(dt.date(2018, 1, 1), dt.date(2026, 12, 31))

    @given(st.lists(st.tuples(kinds, days), max_size=5), st.sampled_from([2025, 2026]),
           st.integers(0, 480))
    def check(changes: list[tuple[str, dt.date]], year: int, offset: int) -> None:
        paid = dt.date(year - 1, 9, 1) + dt.timedelta(days=offset)
        facts = tuple(StatusFact(i + 1, k, d) for i, (k, d) in enumerate(changes))
        who = PersonFacts(1, None, "445302", dt.date(1980, 1, 1), facts)
        request, _ = person_request(who, QuoteFacts(year, paid), None,
                                    History(known=True, before=frozenset({2021})))
        carried = request.status_change
        usable = [f for f in facts if f.date <= paid and f.date.year >= year - 1]
        if not usable:
            assert carried is None
            return
        latest = max(usable, key=lambda f: (f.date, f.id))
        assert carried is not None and (carried.kind, carried.date) == (latest.kind, latest.date)
        quote = answer(request)  # never refused for the change (status_change_after_payment)
        if latest.date + dt.timedelta(days=89) >= paid:  # well inside the 3 months (C30)
            assert quote.waiting_fixed == quote.waiting_variable == 0

    check()
