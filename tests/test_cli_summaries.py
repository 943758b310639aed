"""A bureau's day on the command line, on SQLite, in process: every summary is Chinese first,
then English; every error one message in each. Each command's output is kept as text and
as a terminal picture (SVG) in ``test-output/cli/`` for review."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import create_engine, text

from .cli_runner import yibao

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-output" / "cli"
CJK = re.compile(r"[\u4e00-\u9fff]")
SHARE_420 = """description: 个人缴费标准
unit: fen
values:
  "450000":
    - {from: 2026-01-01, to: 2026-12-31, value: 420, source: "《2026年度城乡居民医保参保缴费通知》"}
"""


def _keep(n: int, name: str, args: tuple[str, ...], result: Any) -> None:
    """The command's output as a text file and a terminal picture."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    shown = f"$ yibao {' '.join(args)}\n{result.stdout}{result.stderr}[exit {result.exit_code}]\n"
    (SHOTS / f"{n:02d}-{name}.txt").write_text(shown, encoding="utf-8")
    console = Console(record=True, width=130, file=io.StringIO(), force_terminal=True)
    console.print(shown, markup=False, highlight=False)
    (SHOTS / f"{n:02d}-{name}.svg").write_text(
        console.export_svg(title=f"yibao {args[0]}"), encoding="utf-8")


def _summary(result: Any) -> tuple[str, str]:
    zh, en = result.stdout.strip().splitlines()[-2:]
    assert CJK.search(zh), zh
    assert not CJK.search(en), en
    return zh, en


def _error(result: Any, code: int) -> tuple[str, str]:
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    zh, en = result.stderr.strip().splitlines()[-2:]
    assert zh.startswith("错误 ") and en.startswith("error: ")
    return zh, en


@pytest.fixture(scope="module")
def bureau(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bureau's folder: settings file, published folder, a SQLite registry."""
    home = tmp_path_factory.mktemp("bureau")
    (home / "policy").mkdir()
    (home / "out").mkdir()
    (home / "yibao.toml").write_text(
        'database_url = "sqlite:///var/yibao.sqlite3"\npolicy_dir = "policy"\n'
        'output_dir = "out"\n', encoding="utf-8")
    return home


def test_a_day_on_the_command_line(bureau: Path) -> None:
    env = {"YIBAO_CONFIG": str(bureau / "yibao.toml"), "YIBAO_DATABASE_URL": None}
    steps = 0

    def run(name: str, *args: str, code: int = 0) -> Any:
        nonlocal steps
        steps += 1
        result = yibao(*args, env=env, cwd=bureau)
        _keep(steps, name, args, result)
        if code == 0:
            assert result.exit_code == 0, result.output
        return result

    _summary(run("db-upgrade", "db", "upgrade"))
    zh, en = _summary(run("demo-generate", "demo", "generate", "--persons", "80", "--seed",
                          "5", "--year", "2025"))
    assert "计划缴费" in zh and "payments planned" in en and str(bureau / "policy") in en
    zh, en = _summary(run("renewal", "renewal", "2025", "--as-of", "2024-10-15"))
    assert "80 人" in zh and "80 residents" in en and "out/renewal-2025" in en
    _summary(run("payments-settle", "payments", "settle"))
    _summary(run("jobs-expire", "jobs", "expire-preregistrations", "--today", "2025-01-01"))
    people = bureau / "people.csv"
    people.write_bytes("region,coverage_year,payment_date,姓名\n450802,2021,2021-03-15,张三\n"
                       .encode("gb18030"))
    batch = run("batch-quote", "batch", "quote", str(people), "-o", str(bureau / "q.csv"),
                "--keep", "姓名", "--workers", "1")
    _summary(batch)
    assert "GB 18030" in batch.stderr
    reform = bureau / "reform"
    reform.mkdir()
    (reform / "individual_share.yaml").write_text(
        SHARE_420.replace("2026", "2025").replace("value: 420,", "value: 42000,"),
        encoding="utf-8")
    population = bureau / "population.csv"
    population.write_bytes("region,coverage_year,payment_date\n450202,2025,2024-10-01\n"
                           "450802,2021,2021-03-15\n".encode("gb18030"))
    sim = run("simulate", "simulate", "--reform", str(reform), "--population", str(population),
              "--chart", str(bureau / "diff.svg"))
    _summary(sim)
    engine = create_engine(f"sqlite:///{bureau / 'var' / 'yibao.sqlite3'}")
    with engine.connect() as conn:
        channel = conn.execute(text(
            "SELECT channel FROM payments WHERE coverage_year = 2024 GROUP BY channel "
            "ORDER BY count(*) DESC, channel LIMIT 1")).scalar_one()
    engine.dispose()
    statement = bureau / "statement.csv"
    _summary(run("demo-statement", "demo", "statement", "--channel", channel, "--year", "2024",
                 "-o", str(statement)))
    _summary(run("reconcile", "reconcile", str(statement), "--channel", channel, "--year",
                 "2024"))
    zh, en = _summary(run("report", "report", "2025", "--region", "450800", "--as-of",
                          "2025-03-01"))
    assert "out/report-2025" in en
    (bureau / "draft").mkdir()
    (bureau / "draft" / "individual_share.yaml").write_text(SHARE_420, encoding="utf-8")
    zh, en = _error(run("policy-check-420", "policy", "check", "draft", code=2), 2)
    assert "420 元应写作 42000" in zh
    (bureau / "draft" / "individual_share.yaml").write_text(
        SHARE_420.replace("value: 420,", "value: 42000,"), encoding="utf-8")
    _summary(run("policy-check", "policy", "check", "draft"))
    _error(run("reconcile-2031", "reconcile", str(statement), "--channel", channel, "--year",
               "2031", code=2), 2)
    _error(run("batch-no-folder", "batch", "quote", str(people), "-o",
               str(bureau / "missing" / "q.csv"), code=2), 2)
    env["YIBAO_DATABASE_URL"] = "postgresql+psycopg://yibao@127.0.0.1:9/yibao"
    zh, en = _error(run("renewal-database-down", "renewal", "2025", "--as-of", "2024-10-15",
                        code=1), 1)
    assert "--resume" in zh and "--resume" in en
    assert len(list(SHOTS.glob("*.svg"))) >= steps
