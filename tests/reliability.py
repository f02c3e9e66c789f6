"""Figures the reliability tests record (faults injected, writes acknowledged, events lost,
duplicate effects, cells and inputs checked), with how every test of the run ended and how the run
was invoked, written to test-artifacts/reliability.json at the end of the run;
``python -m tests.reliability_report`` turns them into docs/reliability.md."""

from __future__ import annotations

import json
import platform
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

ARTIFACT = Path(__file__).resolve().parent.parent / "test-artifacts" / "reliability.json"
_figures: dict[str, dict[str, Any]] = {}
_outcomes: dict[str, str] = {}  # test id -> passed, failed, error (in setup or teardown), skipped, xfailed


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Callable[..., None]:
    """Record figures for this test (merged when called again)."""

    def record(**values: Any) -> None:
        _figures.setdefault(request.node.nodeid, {}).update(values)

    return record


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """How each test ended: a figure means nothing beside a test that failed or never ran."""
    if report.failed:
        outcome = "failed" if report.when == "call" else "error"
    elif report.skipped:
        outcome = "xfailed" if hasattr(report, "wasxfail") else "skipped"
    elif report.when == "call":
        outcome = "passed"
    else:
        return
    if _outcomes.get(report.nodeid) not in ("failed", "error"):  # a teardown error after a pass is an error
        _outcomes[report.nodeid] = outcome


def _commit() -> str:
    """The commit the run was made at, and whether the work tree differed from it."""
    root = ARTIFACT.parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                 capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head} with uncommitted changes" if changed else head


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _figures:
        return
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps({
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()} {platform.python_version()}",
        "exit_status": int(exitstatus), "figures": _figures,
        "invocation": [str(arg) for arg in session.config.invocation_params.args], "commit": _commit(),
        "outcomes": _outcomes}, ensure_ascii=False, indent=1))
