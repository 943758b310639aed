"""The command line as a bureau's IT admin meets it: one settings file, overlay errors with
file, line and field, unit and date plausibility, failures in one message with the next
step, CSV in UTF-8 and GB 18030, clean help texts, charts that render Chinese."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer

from yibao.cli.main import app
from yibao.settings import Settings

from .cli_runner import yibao

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "docs" / "bureau-it.md").read_text(encoding="utf-8")
SHARE_2026 = """description: 个人缴费标准
unit: fen
values:
  "450000":
    - {from: 2026-01-01, to: 2026-12-31, value: 42000, source: "广西2026年度个人缴费标准 (测试用, 2025-08-20)"}
"""
BODY_2026 = json.dumps({"region": "450202", "coverage_year": 2026, "payment_date": "2025-11-01"})


def publish(folder: Path, text: str = SHARE_2026, name: str = "individual_share") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


# -- one settings file ------------------------------------------------------------------

def test_the_settings_file_in_the_working_folder_names_the_overlay(tmp_path: Path) -> None:
    publish(tmp_path / "policy")
    (tmp_path / "yibao.toml").write_text('policy_dir = "policy"\n', encoding="utf-8")
    answer = yibao("quote", "--json", "-", input=BODY_2026, cwd=tmp_path)
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.stdout)["amount_due"] == "420.00"
    # elsewhere, without the file: the figure is unpublished
    assert json.loads(yibao("quote", "--json", "-", input=BODY_2026).stdout)["amount_due"] is None


def test_yibao_config_names_the_file_from_any_folder_and_the_environment_wins(
        tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    publish(etc / "policy")
    config = etc / "yibao.toml"
    config.write_text('# the bureau\'s settings\npolicy_dir = "policy"\n'
                      'database_url = "sqlite:///var/yibao.sqlite3"\n'
                      'output_dir = "/srv/yibao/out"\n', encoding="utf-8")
    elsewhere = tmp_path / "cron"
    elsewhere.mkdir()
    env = {"YIBAO_CONFIG": str(config)}
    answer = yibao("quote", "--json", "-", input=BODY_2026, env=env, cwd=elsewhere)
    assert json.loads(answer.stdout)["amount_due"] == "420.00"
    shown = yibao("policy", "show", "individual_share", "--region", "450202", "--json",
                  env=env, cwd=elsewhere)
    years = {y["year"]: y["shown"] for y in json.loads(shown.stdout)["years"]}
    assert years[2026] == "420.00元"
    import os

    os.environ["YIBAO_CONFIG"] = str(config)
    try:
        settings = Settings()
        assert settings.database_url == f"sqlite:///{etc.resolve()}/var/yibao.sqlite3"
        assert settings.policy_dir == str(etc.resolve() / "policy")
        os.environ["YIBAO_POLICY_DIR"] = "/somewhere/else"
        assert Settings().policy_dir == "/somewhere/else"  # the environment wins
    finally:
        os.environ.pop("YIBAO_CONFIG")
        os.environ.pop("YIBAO_POLICY_DIR", None)


@pytest.mark.parametrize(("text", "code", "words"), [
    ('policy_dir = "p"\npolcy_dir = "q"\n', "config_unknown_key",
     ["第2行", "polcy_dir", "line 2", "policy_dir"]),
    ("token_minutes = \n", "config_invalid", ["yibao.toml", "line 1"]),
    ('token_minutes = "soon"\n', "config_invalid", ["token_minutes", "YIBAO_TOKEN_MINUTES"]),
])
def test_a_bad_settings_file_stops_every_command_naming_file_line_and_key(
        tmp_path: Path, text: str, code: str, words: list[str]) -> None:
    (tmp_path / "yibao.toml").write_text(text, encoding="utf-8")
    result = yibao("quote", "--json", "-", input=BODY_2026, cwd=tmp_path)
    assert result.exit_code == 2, result.output
    error = json.loads(result.stdout)["error"]
    assert error["code"] == code
    assert all(w in result.stderr for w in words), result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_missing_config_file_is_an_error(tmp_path: Path) -> None:
    result = yibao("payments", "settle", env={"YIBAO_CONFIG": str(tmp_path / "nope.toml")})
    assert result.exit_code == 2 and "nope.toml" in result.stderr and "YIBAO_CONFIG" in result.stderr


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_key_of_the_settings_file_is_described_in_the_guide(name: str) -> None:
    assert re.search(rf"^\| `{name}` \|", GUIDE, re.MULTILINE), name
    assert f"YIBAO_{name.upper()}" in GUIDE, name


# -- overlay errors -----------------------------------------------------------------------

def test_an_impossible_date_is_one_error_with_file_line_and_field(tmp_path: Path) -> None:
    folder = publish(tmp_path / "pub", SHARE_2026.replace("to: 2026-12-31", "to: 2027-02-30"))
    checked = yibao("policy", "check", folder)
    assert checked.exit_code == 2
    zh, en = checked.stderr.strip().splitlines()
    assert "individual_share.yaml 第5行" in zh and "2027-02-30" in zh
    assert "line 5" in en and "'to'" in en
    machine = json.loads(yibao("policy", "check", folder, "--json").stdout)
    (problem,) = machine["problems"]
    assert (problem["code"], problem["field"], problem["line"]) == ("policy_date", "to", 5)
    assert problem["file"].endswith("individual_share.yaml")
    for args in (("quote", "--json", "-"), ("quote", "--region", "450202", "--year", "2026",
                                            "--payment-date", "2025-11-01")):
        quoted = yibao(*args, input=BODY_2026, env={"YIBAO_POLICY_DIR": str(folder)})
        assert quoted.exit_code == 2 and "第5行" in quoted.stderr
        assert quoted.exception is None or isinstance(quoted.exception, SystemExit)
    served = yibao("serve", "--port", "1", env={"YIBAO_POLICY_DIR": str(folder),
                                                "YIBAO_SECRET_KEY": "Zq8v-Jk2pW_r7Tn5Xs0cLb3Hm9Gd4Fy6"})
    assert served.exit_code == 2 and "第5行" in served.stderr


def test_yuan_written_in_a_fen_parameter_is_refused_naming_the_mistake(tmp_path: Path) -> None:
    folder = publish(tmp_path / "pub", SHARE_2026.replace("value: 42000", "value: 420"))
    result = yibao("policy", "check", folder)
    assert result.exit_code == 2
    assert "4.20 元" in result.stderr and "400.00 元" in result.stderr
    assert "420 元应写作 42000" in result.stderr and "420 yuan is written 42000" in result.stderr
    too_big = publish(tmp_path / "big", SHARE_2026.replace("value: 42000", "value: 4200000"))
    assert "多写两个 0" in yibao("policy", "check", too_big).stderr
    fine = publish(tmp_path / "fine", SHARE_2026.replace("value: 42000", "value: 44000"))
    assert yibao("policy", "check", fine).exit_code == 0


def test_a_range_off_the_coverage_year_is_refused(tmp_path: Path) -> None:
    folder = publish(tmp_path / "pub", SHARE_2026.replace("from: 2026-01-01", "from: 2026-03-01"))
    result = yibao("policy", "check", folder, "--json")
    assert result.exit_code == 2
    (problem,) = json.loads(result.stdout)["problems"]
    assert problem["code"] == "policy_date_outside_year" and problem["field"] == "from"
    assert "1月1日" in problem["message"] and "1 January" in problem["message_en"]


STATEMENT_LAYOUT = """statements:
  - channel: mobile_pos
    file: csv
    encoding: gb18030
    header_row: 1
    date_format: "%Y/%m/%d %H:%M"
    columns:
      txn_id: 流水号
      id_number: 身份证号
      amount: 金额
      paid_at: 时间
      coverage_year: 年度
"""


def test_a_published_statement_layout_replaces_the_channel_and_is_checked(
        tmp_path: Path) -> None:
    from yibao.operations.reconcile.formats import layout
    from yibao.policy.files import reload_policy

    folder = tmp_path / "pub"
    folder.mkdir()
    (folder / "statements.yaml").write_text(STATEMENT_LAYOUT, encoding="utf-8")
    assert yibao("policy", "check", folder).exit_code == 0
    import os

    os.environ["YIBAO_POLICY_DIR"] = str(folder)
    try:
        reload_policy()
        assert layout("mobile_pos").columns.txn_id == "流水号"
        assert layout("bank_counter").file == "xlsx"  # the others stay as shipped
    finally:
        os.environ.pop("YIBAO_POLICY_DIR")
        reload_policy()
    assert layout("mobile_pos").columns.txn_id != "流水号"
    (folder / "statements.yaml").write_text(
        STATEMENT_LAYOUT.replace("mobile_pos", "carrier_pigeon"), encoding="utf-8")
    bad = yibao("policy", "check", folder, "--json")
    assert bad.exit_code == 2
    (problem,) = json.loads(bad.stdout)["problems"]
    assert (problem["line"], problem["field"]) == (2, "channel")
    assert "carrier_pigeon" in problem["message"]


# -- failures: one message, the next step -----------------------------------------------

def test_a_database_that_is_down_mid_renewal_says_resume(tmp_path: Path) -> None:
    result = yibao("renewal", "2025", "-o", tmp_path / "out", "--as-of", "2024-10-15",
                   env={"YIBAO_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:9/registry"})
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    zh, en = result.stderr.strip().splitlines()[-2:]
    assert "--resume" in zh and "rerun with --resume" in en
    assert f"-o {tmp_path / 'out'}" in en and "--as-of 2024-10-15" in en


def test_a_sqlite_database_in_a_missing_folder_is_a_database_message(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'file'}/nested/y.sqlite3"
    (tmp_path / "file").write_text("in the way", encoding="utf-8")
    result = yibao("payments", "settle", "--json", env={"YIBAO_DATABASE_URL": url})
    assert result.exit_code in (1, 2)
    assert "error" in json.loads(result.stdout)
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_table_less_database_says_db_upgrade(tmp_path: Path) -> None:
    result = yibao("payments", "settle",
                   env={"YIBAO_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    assert result.exit_code == 1 and "yibao db upgrade" in result.stderr


def test_missing_output_folders_exit_2_before_any_work(tmp_path: Path) -> None:
    src = tmp_path / "people.csv"
    src.write_text("region,coverage_year,payment_date\n450802,2021,2021-03-15\n",
                   encoding="utf-8")
    batch = yibao("batch", "quote", src, "-o", tmp_path / "nowhere" / "q.csv")
    assert batch.exit_code == 2 and "输出目录不存在" in batch.stderr and "mkdir -p" in batch.stderr
    folder = publish(tmp_path / "reform")
    sim = yibao("simulate", "--reform", folder, "--population", src, "--chart",
                tmp_path / "nowhere" / "c.svg")
    assert sim.exit_code == 2 and "输出目录不存在" in sim.stderr


# -- CSV in UTF-8 and GB 18030 ---------------------------------------------------------

CSV = "region,coverage_year,payment_date,姓名\n450802,2021,2021-03-15,张三\n450202,2025,2024-10-01,李四\n"


@pytest.mark.parametrize(("encoding", "said"), [
    ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (带 BOM"), ("gb18030", "GB 18030")])
def test_batch_reads_utf8_and_gb18030_with_or_without_bom_and_says_which(
        tmp_path: Path, encoding: str, said: str) -> None:
    import pyarrow.parquet as pq

    src = tmp_path / "people.csv"
    src.write_bytes(CSV.encode(encoding))
    dst = tmp_path / "out.parquet"
    result = yibao("batch", "quote", src, "-o", dst, "--keep", "姓名", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert said in result.stderr
    rows = pq.read_table(dst).to_pylist()
    assert [r["姓名"] for r in rows] == ["张三", "李四"]
    assert [r["amount_due"] for r in rows] == [28000, 40000]


def test_wrong_columns_are_listed_with_the_expected_ones(tmp_path: Path) -> None:
    src = tmp_path / "people.csv"
    src.write_text("地区,年度,缴费日期\n450802,2021,2021-03-15\n", encoding="utf-8")
    result = yibao("batch", "quote", src, "-o", tmp_path / "o.csv", "--json")
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "unknown_columns"
    for column in ("region", "coverage_year", "payment_date", "covered_years", "id_number"):
        assert column in error["message"] and column in error["message_en"]
    no_year = tmp_path / "no-year.csv"
    no_year.write_text("region,payment_date\n450802,2021-03-15\n", encoding="utf-8")
    missing = yibao("batch", "quote", no_year, "-o", tmp_path / "o.csv")
    assert missing.exit_code == 2 and "缺少列: coverage_year" in missing.stderr
    assert "optional: region, id_number" in missing.stderr


def test_text_in_no_known_encoding_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "people.csv"
    src.write_bytes(b"region,coverage_year,payment_date\n\xff\xfe\xff,2021,2021-03-15\n")
    result = yibao("batch", "quote", src, "-o", tmp_path / "o.csv")
    assert result.exit_code == 2 and "GB 18030" in result.stderr and "UTF-8" in result.stderr


# -- help texts -------------------------------------------------------------------------

def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in sorted(group.commands.items()):
        if hasattr(command, "commands"):
            found += _commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


ALL = _commands(typer.main.get_command(app))
GROUPS = {c for c in ALL if any(len(o) > len(c) and o[:len(c)] == c for o in ALL)}


def test_the_walk_finds_every_command() -> None:
    assert len(ALL) > 30 and ("demo", "generate") in ALL and ("policy", "check") in ALL


@pytest.mark.parametrize("command", ALL, ids=lambda c: " ".join(c) or "yibao")
def test_every_help_text_is_clean(command: tuple[str, ...]) -> None:
    result = yibao(*command, "--help")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Usage:" in text
    for bad in ("``", ":class:", ":func:", ":mod:", "[bold]", "[dim]", "\\b"):
        assert bad not in text, (bad, text)
    assert not re.search(r"\{[A-Za-z_]+\}", text), text  # no placeholder left unfilled
    if command and command not in GROUPS and command != ("serve",):
        assert "--json" in text, "machine output on every command"
    assert re.search(r"[\u4e00-\u9fff]", text), "a Chinese description"


# -- charts -----------------------------------------------------------------------------

def _glyph(text: str, font: str) -> bytes:
    from PIL import Image

    from yibao.operations.reports.output import svg_to_png

    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="80" height="40">'
           f'<rect width="80" height="40" fill="#fff"/><text x="4" y="30" font-family="{font}" '
           f'font-size="24">{text}</text></svg>')
    return Image.open(io.BytesIO(svg_to_png(svg))).convert("1").tobytes()


def test_the_charts_font_renders_chinese_not_boxes() -> None:
    from yibao.operations.reform.chart import FONT
    from yibao.operations.reports.output import _FONT

    for font in (FONT, _FONT):
        one, other, blank = _glyph("医", font), _glyph("保", font), _glyph("", font)
        assert one != blank and one != other  # missing glyphs would all be the same box
    assert _glyph("医", "DejaVu Sans") == _glyph("保", "DejaVu Sans")  # what boxes look like


def test_simulate_writes_the_chart_as_svg_and_png(tmp_path: Path) -> None:
    from PIL import Image

    src = tmp_path / "people.csv"
    src.write_text("region,coverage_year,payment_date\n450202,2025,2024-10-01\n"
                   "450802,2021,2021-03-15\n", encoding="utf-8")
    folder = publish(tmp_path / "reform", SHARE_2026.replace("2026", "2025"))
    result = yibao("simulate", "--reform", folder, "--population", src, "--chart",
                   tmp_path / "diff.svg", "--title", "个人缴费标准 400 → 420")
    assert result.exit_code == 0, result.output
    svg = (tmp_path / "diff.svg").read_text(encoding="utf-8")
    assert "Noto Sans CJK SC" in svg and "+20.00 元" in svg
    png = Image.open(tmp_path / "diff.png")
    assert png.format == "PNG" and png.size[0] >= 760
    zh, en = result.stdout.strip().splitlines()[-2:]
    assert "测算 2 人" in zh and "diff.png" in zh and en.startswith("simulated 2 persons")


def test_a_long_county_chart_has_its_scale_at_the_top_and_the_bottom() -> None:
    import xml.etree.ElementTree as ET

    from yibao.operations.reports.model import RegionCounts, ReportRow
    from yibao.operations.reports.output import share_chart

    rows = [ReportRow("county", f"45{i:04d}", f"县{i}", "450000",
                      RegionCounts(registered=10, paid=i % 11)) for i in range(111)]
    root = ET.fromstring(share_chart(rows, "各县缴费率"))
    ns = "{http://www.w3.org/2000/svg}"
    height = float(root.get("height", "0"))
    labels = [(float(t.get("y", "0")), t.text) for t in root.iter(f"{ns}text") if t.text == "100%"]
    assert len(labels) == 2
    assert min(y for y, _ in labels) < 80 and max(y for y, _ in labels) > height - 30


@pytest.mark.postgres
def test_postgresql_failures_are_one_message_with_the_next_step() -> None:
    """A misspelt database name, and a connection the server cuts (what a restart midway
    does: ``AdminShutdown``), each in one message; inside a renewal the message says
    --resume."""
    from sqlalchemy import create_engine, text

    from yibao.cli._output import exit_code, next_step, translate

    from .service.conftest import _postgres_database

    url, admin = _postgres_database()
    try:
        misspelt = url.rsplit("/", 1)[0] + "/yibao_no_such_database"
        result = yibao("payments", "settle", env={"YIBAO_DATABASE_URL": misspelt})
        assert result.exit_code == 1
        zh, en = result.stderr.strip().splitlines()
        assert "数据库不存在" in zh and "yibao_no_such_database" in zh and "database_url" in zh
        assert "does not exist" in en and "YIBAO_DATABASE_URL" in en
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
                with admin.connect() as other:
                    other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
                with pytest.raises(Exception) as cut:
                    conn.execute(text("SELECT 1"))
        finally:
            engine.dispose()
        assert "AdminShutdown" in repr(cut.value.__cause__) or "administrator" in str(cut.value)
        shown = translate(cut.value)
        assert shown is not None and shown.code == "database_unreachable" and exit_code(shown) == 1
        with pytest.raises(Exception) as hinted, next_step("用 --resume 续跑", "rerun with --resume"):
            raise cut.value
        assert "--resume" in hinted.value.message and "rerun with --resume" in hinted.value.message_en  # type: ignore[attr-defined]
    finally:
        name = url.rsplit("/", 1)[1]
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
