"""The code's own rules, run with the tests so that CI fails on a violation: ruff (style and common
bugs), mypy (types, strict on the domain) and import-linter (dependencies point inward, to ``domain``).
The configuration of each is in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.mark.parametrize("command", [
    pytest.param([str(BIN / "ruff"), "check", "."], id="ruff"),
    pytest.param([str(BIN / "mypy")], id="mypy"),
    pytest.param([str(BIN / "lint-imports")], id="import-linter"),
])
def test_the_code_keeps_its_own_rules(command: list[str]) -> None:
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, (f"{' '.join(Path(c).name for c in command[:2])} found problems:\n"
                                 f"{run.stdout}{run.stderr}")
