"""The rules benchmark's plain numpy peer (bench/numpy_peer.py) answers what the engine
answers, row by row, on the bench's population: so the speed comparison is honest."""

from __future__ import annotations

import numpy as np
import pytest
from bench.numpy_peer import DT64, ERROR_CODES, MAIN_RULES, TABLES, peer
from bench.population import generate

from yibao.batch.columns import prepare
from yibao.policy.files import load_policy
from yibao.rules.catalogue import RULES
from yibao.rules.engine import evaluate
from yibao.rules.registry import RULE_BIT
from yibao.rules.validation import ERRORS


@pytest.fixture(scope="module", params=[DT64, TABLES], ids=["datetime64", "tables"])
def both(request: pytest.FixtureRequest) -> tuple[object, dict[str, np.ndarray]]:
    policy = load_policy()
    batch = generate(10_000, seed=19).to_batches(max_chunksize=1 << 20)[0]
    prepared = prepare(batch, policy)
    assert not prepared.pre_error.any()
    return evaluate(policy, prepared.columns, explain=False), peer(policy, prepared.columns, request.param)


def test_errors_agree(both: tuple[object, dict[str, np.ndarray]]) -> None:
    engine, mine = both
    assert [e.code for e in ERRORS[:len(ERROR_CODES)]] == list(ERROR_CODES)
    np.testing.assert_array_equal(engine.error, mine["error"])  # type: ignore[attr-defined]


def test_answers_agree_row_by_row(both: tuple[object, dict[str, np.ndarray]]) -> None:
    engine, mine = both
    ok = engine.error == 0  # type: ignore[attr-defined]
    assert ok.mean() > 0.99
    for name in ("amount_known", "start_known", "end", "wait_fixed", "wait_variable",
                 "missing", "continuous", "back_pay"):
        np.testing.assert_array_equal(getattr(engine, name)[ok], mine[name][ok], err_msg=name)
    known = ok & engine.amount_known  # type: ignore[attr-defined]
    np.testing.assert_array_equal(engine.amount[known], mine["amount"][known])  # type: ignore[attr-defined]
    started = ok & engine.start_known  # type: ignore[attr-defined]
    np.testing.assert_array_equal(engine.start[started], mine["start"][started])  # type: ignore[attr-defined]
    bit_of = {RULE_BIT[r.id]: r.id for r in RULES}
    rules = np.array([bit_of[int(b)] for b in engine.main_rule[ok]])  # type: ignore[attr-defined]
    np.testing.assert_array_equal(rules, np.array(MAIN_RULES)[mine["main_rule"][ok]])


def test_population_exercises_every_branch(both: tuple[object, dict[str, np.ndarray]]) -> None:
    """The comparison covers every main rule and both known and unknown amounts."""
    _, mine = both
    assert set(np.unique(mine["main_rule"])) == set(range(len(MAIN_RULES)))
    assert mine["amount_known"].any() and not mine["amount_known"].all()
