"""Shared set-up of the suite: the tiers (markers), how tests share workers under xdist,
cheap password hashes, the Hypothesis profiles, and the scan of the server logs.

Tiers (``make test-quick`` runs the first only; ``make test`` runs all, on two workers):

- unmarked: in process, SQLite or no database, seconds in all;
- ``postgres``: a PostgreSQL database (a ``postgres`` parameter of a fixture, or marked);
- ``browser``: Chromium driving a real ``yibao serve`` (every test that needs ``chromium``);
- ``spark``: a local Spark (every test that needs the ``spark`` fixture);
- ``slow``: more than a few seconds each (whole-registry runs, subprocess suites);
- ``exclusive``: restarts PostgreSQL, so it runs alone (``make test`` runs it after the rest).

Under pytest-xdist ``make`` runs ``--dist loadscope`` with the scheduler of this file
(:func:`pytest_xdist_make_scheduler`): a unit of work is a module, or one database's half of
it (its SQLite and its PostgreSQL tests build separate fixtures), run on one worker in the
order of a serial run; the units are handed out longest first (``UNIT_SECONDS``, measured),
so no worker is left alone with a long one at the end. Session fixtures (a server per
backend, the pages' server and Chromium, a generated registry, Spark) are built by each
worker that needs them. Each test is also marked with the ``xdist_group`` of the expensive
fixture it shares, for ``--dist loadgroup``; but pytest-xdist 3.8.0 cannot apply groups
under pytest 9.2 (it renames ``item._nodeid``, which pytest 9.2 no longer reads). Names
that must not collide between workers are random (databases, roles) or per process (ports,
log files).

Every server the tests start writes its log under ``test-output/logs/``; at the end of the
session (:func:`pytest_sessionfinish`, in the controlling process) the logs are scanned and
the session fails if any holds a resident's ID number.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

from yibao.idcard import check_character

# Cheap argon2 hashes (1 pass over 1 MiB) for the suite and every server and command it
# starts (they inherit the environment); the production default is tested unchanged in
# tests/test_docs_and_settings.py.
os.environ["YIBAO_PASSWORD_HASH_COST"] = "test"

# Hypothesis: a quick profile by default, a thorough one in CI (.ci/run exports CI=true);
# HYPOTHESIS_PROFILE chooses either by name.
settings.register_profile("default", max_examples=50, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE")
                      or ("ci" if os.environ.get("CI") == "true" else "default"))

CASES_DIR = Path(__file__).parent / "cases"
#: Server logs of the session (``YIBAO_TEST_LOG_DIR``: elsewhere, for the test of the scan).
LOG_DIR = Path(os.environ.get("YIBAO_TEST_LOG_DIR")
               or Path(__file__).resolve().parents[1] / "test-output" / "logs")


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    """Every worked example as (file::name, case)."""
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            out.append((f"{path.stem}::{case['name']}", case))
    return out


# --- tiers and worker groups ----------------------------------------------------------------

#: Session fixtures that name a worker group (with their parameter, when they have one),
#: in the order the groups are handed out: the longest first, so no worker ends alone.
_SESSION_GROUPS = ("chromium", "spark", "registry", "server")


#: Tests of more than a few seconds each (measured on 2 cores), left out of
#: ``make test-quick``: whole modules, or single tests (a node id up to its parameters).
#: A new slow test says so itself: ``@pytest.mark.slow``.
SLOW = (
    "tests/province/test_generate.py",  # a generated registry (300 residents) per backend
    "tests/province/test_reconcile.py",  # the demo registry per backend
    "tests/province/test_renewal.py",
    "tests/province/test_renewal_continuity.py",
    "tests/province/test_reports.py",
    "tests/service/test_publishing.py",  # servers of their own over published folders
    "tests/service/test_schemathesis.py",  # 25 s of generated requests per database
    "tests/web/test_cross_surface.py",  # every surface over one registry, per backend
    "tests/service/test_keys_and_lookup.py::test_limits_are_shared_by_every_server",
    "tests/service/test_keys_and_lookup.py::test_forwarded_for_is_believed_only_from_named_proxies",
    "tests/service/test_keys_and_lookup.py::test_yibao_secret_init_and_rotation_revokes_every_token",
    "tests/service/test_keys_and_lookup.py::test_the_household_part_says_paid_or_not_only",
    "tests/service/test_keys_and_lookup.py::test_random_keys_pass",
    "tests/service/test_lifecycle.py::test_demo_load_is_idempotent",
    "tests/service/test_scope.py::test_the_demo_has_a_clerk_per_city",
    "tests/test_docs_and_settings.py::test_the_app_factory_refuses_a_weak_key",
    "tests/test_fidelity.py::test_every_listed_test_exists",  # a pytest run of its own
    "tests/test_cli_summaries.py::test_a_day_on_the_command_line",  # a bureau's day, 13 steps
    "tests/service/test_keys_and_lookup.py::test_others_cannot_spend_a_persons_look_ups",
    "tests/web/test_web_units.py::test_missing_chromium_fails_under_ci",  # likewise
)


def _fixture_scopes(item: pytest.Item) -> dict[str, str]:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return {}
    return {name: defs[-1].scope for name, defs in info.name2fixturedefs.items() if defs}


def _group(item: pytest.Item) -> tuple[int, str] | None:
    """(rank, name) of the worker group ``item`` belongs to, or None."""
    scopes = _fixture_scopes(item)
    params: dict[str, Any] = getattr(getattr(item, "callspec", None), "params", {})
    for rank, name in enumerate(_SESSION_GROUPS):
        if scopes.get(name) == "session":
            if name == "chromium":
                return rank, "browser"
            if name == "server":  # independent tests: one group per module and backend, so
                # both workers serve (each with a server of its own per backend)
                return rank, f"{item.nodeid.split('::')[0]}-{params[name]}"
            return rank, f"{name}-{params[name]}" if name in params else name
    module = [n for n, s in scopes.items() if s == "module" and not n.startswith("_")]
    if module:
        param = "-".join(str(params[n]) for n in sorted(module) if n in params)
        return len(_SESSION_GROUPS), f"{item.nodeid.split('::')[0]}{'-' + param if param else ''}"
    return None


#: The files of the tests marked ``exclusive`` (the Makefile's EXCLUSIVE_TESTS: ``make test``
#: runs these files alone after the rest, not collecting the suite again)
EXCLUSIVE_FILES = ("tests/service/test_outage.py",)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with its tier and its worker group."""
    for item in items:
        scopes = _fixture_scopes(item)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "chromium" in scopes:
            item.add_marker(pytest.mark.browser)
        if "spark" in scopes:
            item.add_marker(pytest.mark.spark)
        if item.nodeid.split("[")[0].startswith(SLOW) or "registry" in scopes:
            item.add_marker(pytest.mark.slow)
        if "postgres" in params.values():
            item.add_marker(pytest.mark.postgres)
        if item.get_closest_marker("exclusive"):
            if item.nodeid.split("::")[0] not in EXCLUSIVE_FILES:
                raise pytest.UsageError(f"{item.nodeid}: an exclusive test outside "
                                        f"EXCLUSIVE_FILES (make test runs only those alone)")
            if params.get("server") == "sqlite":
                item.add_marker(pytest.mark.skip(
                    reason="restarts PostgreSQL; nothing to do on SQLite"))
        group = _group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group[1]))


class _LongGroupsFirst:
    """The order xdist hands the groups out in (``--no-loadscope-reorder``): the browser,
    Spark, the generated registries, the servers' modules, then the rest; stable, so a
    group keeps its order."""

    @pytest.hookimpl(trylast=True)  # after pytest's own order (fewest fixture set-ups)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        def rank(item: pytest.Item) -> int:
            group = _group(item)
            return group[0] if group else len(_SESSION_GROUPS) + 1

        items.sort(key=rank)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_LongGroupsFirst(), "yibao-long-groups-first")


#: Seconds a unit of work takes on one of two workers (``make test PYTEST_ARGS=--durations=0``,
#: 2026-12-06): the units xdist hands out first, longest first, so that no worker is left
#: with a long unit at the end. Every other unit counts 0.3 s a test.
UNIT_SECONDS = {
    "tests/web/test_web_quality.py": 70,
    "tests/web/test_web_resident.py": 56,
    "tests/test_spark.py": 31,
    "tests/province/test_renewal.py[sqlite]": 30,
    "tests/service/test_schemathesis.py[sqlite]": 29,
    "tests/service/test_keys_and_lookup.py[sqlite]": 29,
    "tests/service/test_schemathesis.py[postgres]": 28,
    "tests/web/test_web_clerk.py": 24,
    "tests/web/test_cross_surface.py[sqlite]": 21,
    "tests/service/test_keys_and_lookup.py[postgres]": 20,
    "tests/web/test_web_phone.py": 18,
    "tests/service/test_sessions.py[postgres]": 17,
    "tests/test_properties.py": 15,
    "tests/web/test_web_security.py": 15,
    "tests/web/test_cross_surface.py[postgres]": 14,
    "tests/web/test_console_day_browser.py": 13,
}
_BACKEND = re.compile(r"\[(?:.*-)?(sqlite|postgres)(?:-.*)?\]$")


def unit_of(nodeid: str) -> str:
    """The unit of work of a test: its module, and its database when it has one (a module's
    SQLite and PostgreSQL halves build separate fixtures, so they may run on two workers)."""
    module = nodeid.split("::")[0]
    backend = _BACKEND.search(nodeid)
    return f"{module}[{backend.group(1)}]" if backend else module


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under ``--dist loadscope``: units per module and database, the longest first."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class LongestFirst(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

        def schedule(self) -> None:  # xdist's, with the work queue in the order above
            if self.collection is not None or not self.collection_is_completed:
                super().schedule()
                return
            if not self._check_nodes_have_same_collection():
                self.log("**Different tests collected, aborting run**")
                return
            self.collection = list(next(iter(self.registered_collections.values())))
            units: dict[str, dict[str, bool]] = {}
            for nodeid in self.collection:
                units.setdefault(unit_of(nodeid), {})[nodeid] = False
            for unit, work in sorted(units.items(),
                                     key=lambda kv: -UNIT_SECONDS.get(kv[0], 0.3 * len(kv[1]))):
                self.workqueue[unit] = work
            for _ in range(max(0, len(self.nodes) - len(self.workqueue))):
                unused, _work = self.assigned_work.popitem()
                unused.shutdown()
            for node in self.nodes:
                self._assign_work_unit(node)
            for node in self.nodes:
                self._reschedule(node)
            if not self.workqueue:
                for node in self.nodes:
                    node.shutdown()

    return LongestFirst(config, log)


# --- the scan of the server logs ------------------------------------------------------------

_CANDIDATE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
_SERVER_TESTS = ("tests/service/", "tests/web/test_web_")


def id_numbers_in(text: str) -> list[str]:
    """Valid 18-character resident ID numbers (checksum right) found in ``text``."""
    return [m for m in _CANDIDATE.findall(text) if check_character(m[:17]) == m[17].upper()]


def scan_logs(log_dir: Path = LOG_DIR) -> dict[str, list[str]]:
    """Per log file of ``log_dir``: the first ID numbers it holds (none: not listed)."""
    found = {}
    for path in sorted(log_dir.glob("*.log")):
        hits = id_numbers_in(path.read_text(encoding="utf-8", errors="replace"))
        if hits:
            found[path.name] = hits[:5]
    return found


def _controller(config: pytest.Config) -> bool:
    """The process that reports the session (not an xdist worker, not a nested pytest)."""
    return not hasattr(config, "workerinput") and \
        os.environ.get("YIBAO_TEST_LOG_OWNER") == str(os.getpid())


def pytest_sessionstart(session: pytest.Session) -> None:
    """Start every session with no server logs but its own (a pytest run inside a test,
    or an xdist worker, keeps the outer session's logs)."""
    if not hasattr(session.config, "workerinput") and "YIBAO_TEST_LOG_OWNER" not in os.environ:
        shutil.rmtree(LOG_DIR, ignore_errors=True)
        os.environ["YIBAO_TEST_LOG_OWNER"] = str(os.getpid())
    LOG_DIR.mkdir(parents=True, exist_ok=True)


_servers_ran: list[str] = []
_log_problems = pytest.StashKey[list[str]]()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Remember (in the controller too: workers send it their reports) that a test of a
    server ran."""
    if report.when == "call" and report.passed and report.nodeid.startswith(_SERVER_TESTS):
        _servers_ran.append(report.nodeid)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Fail the session when a server log holds an ID number (or when servers ran and
    left no log to scan). Runs once, after every test, whatever the order or the workers."""
    config = session.config
    if not _controller(config):
        return
    problems = []
    logs = [p for p in LOG_DIR.glob("*.log") if p.stat().st_size]
    if _servers_ran and not logs:
        problems.append(f"servers ran but left no log to scan in {LOG_DIR}")
    for name, hits in scan_logs().items():
        problems.append(f"ID numbers in the server log {name}: {hits}")
    config.stash[_log_problems] = problems
    if problems and session.exitstatus in (pytest.ExitCode.OK,
                                           pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    problems = config.stash.get(_log_problems, [])
    if problems:
        terminalreporter.section("server log scan: FAILED", sep="=", red=True, bold=True)
        terminalreporter.line("(the session fails: no resident's ID number may reach a log)")
        for line in problems:
            terminalreporter.line(line, red=True)
