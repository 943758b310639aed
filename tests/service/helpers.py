"""Helpers of the service tests: fresh ID numbers, registering, the error shape."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from typing import Any

import httpx

from yibao.idcard import make_id_number

_serial = itertools.count(1)


def new_id(region: str = "450802", birth: dt.date | None = None, sex: str = "male") -> str:
    """A valid ID number not used before in this test session."""
    n = next(_serial)
    birth = birth or dt.date(1960, 1, 1) + dt.timedelta(days=(n * 37 + os.getpid()) % 15000)
    return make_id_number(region, birth, n % 500, "male" if sex == "male" else "female")


def register(client: httpx.Client, **extra: Any) -> str:
    """Register a new Guigang resident; returns the ID number."""
    number = extra.pop("id_number", None) or new_id(extra.get("region", "450802"))
    body = {"id_number": number, "name": "测试", "region": "450802", **extra}
    r = client.post("/api/v1/persons", json=body)
    assert r.status_code == 201, r.text
    return number


def assert_error(r: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The response has this status and the contract's error shape."""
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) == {"code", "message", "message_en", "field"}
    assert err["message"] and err["message_en"]
    if code is not None:
        assert err["code"] == code, err
    return dict(err)
