"""The quote endpoint writes the engine's answer once (no second validation): what it sends
is exactly what the declared ``QuoteAnswer`` shape gives for the same answer, for requests
of every kind (lapses, back-pay, newborns, hardship deferrals, the old and new regimes)."""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from yibao.errors import InputError
from yibao.quoting.answers import quote
from yibao.server import create_app
from yibao.services.shapes import QuoteAnswer
from yibao.settings import Settings
from yibao.store.db import Database
from yibao.store.migrate import upgrade


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('quote-body')) / 'yibao.sqlite3'}"
    upgrade(url)
    db = Database(url)
    app = create_app(Settings(database_url=url, secret_key=secrets.token_urlsafe(48)), db=db)
    with TestClient(app) as c:
        yield c
    db.dispose()


def _requests(n: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(19)
    while n:
        year = rng.choice([2021, 2022, 2023, 2024, 2025, 2026])
        body: dict[str, Any] = {
            "region": rng.choice(["450202", "450802", "450303", "450102"]),
            "coverage_year": year,
            "payment_date": f"{year - rng.choice([0, 1])}-{rng.randint(1, 12):02d}-"
                            f"{rng.randint(1, 28):02d}",
            "covered_years": sorted(rng.sample(range(year - 8, year), rng.randint(0, 4)))}
        if rng.random() < 0.3:
            body["back_pay_years"] = [year - rng.randint(1, 3)]
        if rng.random() < 0.3:
            body["birth_date"] = f"{rng.randint(year - 2, year)}-{rng.randint(1, 12):02d}-01"
        if rng.random() < 0.2:
            body["hardship_deferral"] = True
        try:
            quote(body)
        except InputError:
            continue
        n -= 1
        yield body


def test_the_endpoint_sends_the_declared_shape_of_the_engine_answer(client: TestClient) -> None:
    shape = TypeAdapter(QuoteAnswer)
    for body in _requests(60):
        r = client.post("/api/v1/quote", json=body)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/json"
        declared = json.loads(shape.dump_json(shape.validate_python(quote(body)),
                                              exclude_unset=True))
        sent = r.json()
        assert sent == declared
        assert list(sent) == list(declared)  # the keys in the contract's order too
