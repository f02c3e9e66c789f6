"""Figures the reliability tests record (faults injected, writes acknowledged, events lost,
duplicate effects, cells and inputs checked), written to test-artifacts/reliability.json at
the end of the run; ``python -m tests.reliability_report`` turns them into docs/reliability.md."""

from __future__ import annotations

import json
import platform
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

ARTIFACT = Path(__file__).resolve().parent.parent / "test-artifacts" / "reliability.json"
_figures: dict[str, dict[str, Any]] = {}


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Callable[..., None]:
    """Record figures for this test (merged when called again)."""

    def record(**values: Any) -> None:
        _figures.setdefault(request.node.nodeid, {}).update(values)

    return record


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _figures:
        return
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps({
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()} {platform.python_version()}",
        "exit_status": int(exitstatus), "figures": _figures}, ensure_ascii=False, indent=1))
