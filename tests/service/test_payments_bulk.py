"""Bulk payments: per-item results, exactly once across bulks and threads, the file import."""

from __future__ import annotations

import json
import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from .conftest import SECRET, Server
from .helpers import assert_error, new_id, register

BULK = "/api/v1/payments/bulk"


def _pay(number: str, **extra: Any) -> dict[str, Any]:
    return {
        "id_number": number,
        "coverage_year": 2021,
        "channel": "bank_counter",
        "channel_txn_id": f"K{secrets.token_hex(8)}",
        "amount": "280.00",
        "paid_at": "2020-10-15",
        **extra,
    }


def _bulk(client: httpx.Client, items: list[dict[str, Any]]) -> dict[str, Any]:
    r = client.post(BULK, json={"payments": items})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert [x["index"] for x in body["results"]] == list(range(len(items)))
    return body


def test_mixed_bulk_records_only_valid_items(server: Server, clerk: httpx.Client) -> None:
    a, b = register(clerk), register(clerk)
    items = [
        _pay(a),
        _pay("450802198001010010"),  # bad checksum
        _pay(new_id()),  # nobody registered
        _pay(b, channel="paypal"),
        _pay(b, paid_at="2021-02-30"),
        {**_pay(b), "tip": "1.00"},
        _pay(b, amount=280),
        _pay(b, amount="200.00"),
    ]
    before = server.counts()
    body = _bulk(clerk, items)
    statuses = [x["status"] for x in body["results"]]
    assert statuses == ["created"] + ["error"] * 6 + ["created"]
    codes = [x["error"]["code"] for x in body["results"][1:7]]
    assert codes == [
        "id_number_checksum",
        "person_not_found",
        "unknown_channel",
        "invalid_date",
        "unknown_key",
        "invalid_value",
    ]
    assert all(
        set(x["error"]) == {"code", "message", "message_en", "field"} for x in body["results"][1:7]
    )
    assert (body["created"], body["replayed"], body["errors"]) == (2, 0, 6)
    after = server.counts()
    assert after["payments"] == before["payments"] + 2
    assert after["enrollments"] == before["enrollments"] + 2
    # two payments and two enrollment changes, and one read_id_number for the answer
    assert after["audit_log"] == before["audit_log"] + 5
    first, last = body["results"][0], body["results"][7]
    assert first["payment"]["settlement"] == "exact" and last["payment"]["settlement"] == "under"
    enrollment = first["enrollment"]
    assert enrollment["benefit_start"] == "2021-01-01" and enrollment["benefit_end"] == "2021-12-31"
    assert {r["id"] for r in enrollment["rules"]} >= {"R-FEE-ONTIME", "R-START-ONTIME"}
    assert enrollment["rules"][0]["source"] and enrollment["status"] == "paid"
    stored = clerk.get(f"/api/v1/persons/{a}/enrollments").json()
    assert stored[0]["id"] == enrollment["id"] and stored[0]["rules"] == enrollment["rules"]


def test_replayed_bulk_and_conflicts(server: Server, clerk: httpx.Client) -> None:
    items = [_pay(register(clerk)) for _ in range(3)]
    first = _bulk(clerk, items)
    ids = [x["payment"]["id"] for x in first["results"]]
    before = server.counts()
    again = _bulk(clerk, items)
    assert [x["status"] for x in again["results"]] == ["replayed"] * 3
    assert [x["payment"]["id"] for x in again["results"]] == ids
    assert again["results"][0]["payment"] == first["results"][0]["payment"]
    assert again["results"][0]["enrollment"] == first["results"][0]["enrollment"]
    assert (again["created"], again["replayed"], again["errors"]) == (0, 3, 0)
    single = clerk.post("/api/v1/payments", json=items[1])
    assert single.status_code == 200 and single.json()["payment"]["id"] == ids[1]
    changed = [{**items[0], "amount": "281.00"}, items[1]]
    mixed = _bulk(clerk, changed)
    assert mixed["results"][0]["status"] == "conflict"
    assert mixed["results"][0]["error"]["code"] == "payment_conflict"
    assert mixed["results"][1]["status"] == "replayed"
    after = server.counts()  # no new row; each replay that showed full ID numbers is audited
    assert after == {**before, "audit_log": before["audit_log"] + 3}


def test_duplicate_keys_inside_one_bulk(server: Server, clerk: httpx.Client) -> None:
    number = register(clerk)
    item = _pay(number)
    before = server.counts()
    body = _bulk(clerk, [item, item, {**item, "amount": "100.00"}])
    assert [x["status"] for x in body["results"]] == ["created", "replayed", "conflict"]
    assert body["results"][1]["payment"] == body["results"][0]["payment"]
    assert server.counts()["payments"] == before["payments"] + 1
    # a single request recorded earlier in the same key is a replay inside a bulk too
    single = clerk.post("/api/v1/payments", json=_pay(number, amount="10.00")).json()
    replay = _bulk(
        clerk,
        [
            {
                **_pay(number),
                **{
                    k: v for k, v in single["payment"].items() if k in ("channel", "channel_txn_id")
                },
                "amount": "10.00",
            }
        ],
    )
    assert replay["results"][0]["status"] == "replayed"


def test_concurrent_overlapping_bulks_one_row_per_key(server: Server, clerk: httpx.Client) -> None:
    items = [_pay(register(clerk)) for _ in range(12)]
    bulks = [items[0:8], items[4:12], items[2:10], list(reversed(items))]
    before = server.counts()

    def post(part: list[dict[str, Any]]) -> dict[str, Any]:
        with server.client("clerk") as c:
            return _bulk(c, part)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(post, bulks * 2))
    ids: dict[str, set[int]] = {}
    created = 0
    for part, answer in zip(bulks * 2, answers, strict=True):
        assert answer["errors"] == 0, answer
        created += answer["created"]
        for item, result in zip(part, answer["results"], strict=True):
            ids.setdefault(item["channel_txn_id"], set()).add(result["payment"]["id"])
    assert created == len(items)
    assert all(len(v) == 1 for v in ids.values()) and len(ids) == len(items)
    after = server.counts()
    assert after["payments"] == before["payments"] + len(items)
    assert after["enrollments"] == before["enrollments"] + len(items)


def test_amounts_and_order_inside_one_bulk(server: Server, clerk: httpx.Client) -> None:
    a, b, gap = register(clerk), register(clerk), register(clerk)
    body = _bulk(
        clerk,
        [
            _pay(a, amount="200.00"),
            _pay(a, amount="100.00", paid_at="2020-11-01"),
            _pay(b, amount="300.00"),
            _pay(gap, paid_at="2021-03-15T10:30:00", covered_years=[2018]),
            _pay(gap, coverage_year=2022, amount="320.00", paid_at="2021-10-15"),
        ],
    )
    r = body["results"]
    assert [x["payment"]["settlement"] for x in r[:3]] == ["under", "over", "over"]
    assert r[0]["payment"]["difference"] == "-80.00" and r[0]["enrollment"]["status"] == "underpaid"
    assert r[1]["payment"]["expected"] == "80.00" and r[1]["enrollment"]["amount_paid"] == "300.00"
    assert r[1]["enrollment"]["id"] == r[0]["enrollment"]["id"]
    assert r[2]["payment"]["difference"] == "20.00" and r[2]["enrollment"]["status"] == "overpaid"
    assert r[3]["enrollment"]["benefit_start"] == "2021-06-01"
    assert "R-START-GAP" in {x["id"] for x in r[3]["enrollment"]["rules"]}
    # the 2022 payment sees the 2021 enrollment recorded earlier in the same bulk
    one_by_one = register(clerk)
    clerk.post(
        "/api/v1/payments", json=_pay(one_by_one, paid_at="2021-03-15", covered_years=[2018])
    )
    single = clerk.post(
        "/api/v1/payments",
        json=_pay(one_by_one, coverage_year=2022, amount="320.00", paid_at="2021-10-15"),
    ).json()
    for key in ("benefit_start", "status", "amount_due", "waiting_months"):
        assert r[4]["enrollment"][key] == single["enrollment"][key], key
    assert r[4]["payment"]["expected"] == single["payment"]["expected"]


def test_bulk_roles_and_limits(server: Server, clerk: httpx.Client, auditor: httpx.Client) -> None:
    number = register(clerk)
    before = server.counts()
    assert_error(auditor.post(BULK, json={"payments": [_pay(number)]}), 403, "forbidden")
    with server.client() as anon:
        assert_error(anon.post(BULK, json={"payments": [_pay(number)]}), 401)
    assert_error(clerk.post(BULK, json={"payments": [_pay(number)] * 1001}), 422)
    huge = {"payments": [dict(_pay(number), payer="x" * 2000)] * 600}  # over the 1 MiB bulk limit
    assert_error(clerk.post(BULK, json=huge), 413, "body_too_large")
    assert_error(clerk.post("/api/v1/payments", json=dict(_pay(number), payer="x" * 70_000)), 413,
                 "body_too_large")
    assert_error(clerk.post(BULK, json={"payments": [{}] * 1001}), 422)
    assert_error(clerk.post(BULK, json={"payments": []}), 422)
    assert_error(clerk.post(BULK, json={"payments": [_pay(number)], "x": 1}), 422, "unknown_key")
    assert server.counts() == before


def _cli(server: Server, *args: str) -> Any:
    """``yibao ARGS`` in process against the server's database."""
    from ..cli_runner import yibao

    return yibao(*args, env={"YIBAO_DATABASE_URL": server.db_url, "YIBAO_SECRET_KEY": SECRET})


def test_cli_import_csv(server: Server, clerk: httpx.Client, tmp_path: Path) -> None:
    a, b = register(clerk), register(clerk)
    path = tmp_path / "bank-2020-10-15.csv"
    path.write_text(
        "id_number,coverage_year,channel,channel_txn_id,amount,paid_at,covered_years\n"
        f"{a},2021,bank_counter,F{secrets.token_hex(6)},280.00,2020-10-15,\n"
        f"{b},2021,bank_counter,F{secrets.token_hex(6)},200.00,2020-10-15T09:30:00,2019;2020\n"
        f"{new_id()},2021,bank_counter,F{secrets.token_hex(6)},280.00,2020-10-15,\n"
        f"{a},2021,bank_counter,F{secrets.token_hex(6)},280.00,2020-13-01,\n",
        encoding="utf-8",
    )
    before = server.counts()
    done = _cli(server, "payments", "import", str(path), "--json")
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert (summary["items"], summary["created"], summary["errors"]) == (4, 2, 2)
    assert [(p["line"], p["code"]) for p in summary["problems"]] == [
        (4, "person_not_found"),
        (5, "invalid_date"),
    ]
    assert server.counts()["payments"] == before["payments"] + 2
    listed = clerk.get(f"/api/v1/persons/{b}/payments").json()
    assert listed[0]["settlement"] == "under" and listed[0]["recorded_by"] == "system"
    words = _cli(server, "payments", "import", str(path))
    zh, en = words.stdout.splitlines()[:2]
    assert "4 笔: 新入账 0,重复提交 2" in zh and "4 items: 0 created, 2 replayed" in en
    assert "第4行" in words.stdout and "line 5" in words.stdout
    again = json.loads(_cli(server, "payments", "import", str(path), "--json").stdout)
    assert (again["created"], again["replayed"]) == (0, 2)
    assert server.counts()["payments"] == before["payments"] + 2

    lines = tmp_path / "wechat.jsonl"
    lines.write_text(json.dumps(_pay(a, coverage_year=2022, paid_at="2021-10-01")) + "\n{oops\n\n")
    summary = json.loads(_cli(server, "payments", "import", str(lines), "--json").stdout)
    assert (summary["items"], summary["created"], summary["errors"]) == (2, 1, 1)
    assert summary["problems"][0]["code"] == "invalid_json"

    for bad in (tmp_path / "missing.csv", tmp_path / "file.txt"):
        bad.parent.mkdir(exist_ok=True)
        if bad.suffix == ".txt":
            bad.write_text("x")
        r = _cli(server, "payments", "import", str(bad), "--json")
        assert r.exit_code == 2 and json.loads(r.stdout)["error"]["code"] == "unreadable_file"
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("id_number,tip\n1,2\n")
    refused = _cli(server, "payments", "import", str(unknown))
    assert refused.exit_code == 2 and refused.stderr.startswith("错误 ")
