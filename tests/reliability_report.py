"""Render docs/reliability.md from test-artifacts/reliability.json (the figures of a real run).

    ./scripts/test tests/integration/test_faults.py tests/e2e/test_referral_faults.py ... && \
        .venv/bin/python -m tests.reliability_report
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from tests.reliability import ARTIFACT

DOC = Path(__file__).resolve().parent.parent / "docs" / "reliability.md"
FAULT_TESTS = ("test_faults.py", "test_referral_faults.py")


def _group(figures: dict[str, dict[str, Any]], module: str) -> dict[str, dict[str, Any]]:
    return {node: values for node, values in figures.items() if f"/{module}::" in node}


def _input_kind(values: dict[str, Any]) -> str:
    if "written" in values:
        return "malformed body (4xx, nothing written)"
    if "stored_as_written" in values:
        return "hostile or unusual text (stored exactly as written)"
    return "hostile query string (422)"


def render(data: dict[str, Any]) -> str:
    figures = data["figures"]
    lines = [f"Figures from the run of {data['run_at']} on {data['machine']} (pytest exit status "
             f"{data['exit_status']}). Regenerate: see the end of this page.", "",
             "## Faults injected", "",
             "| fault | store | what happened | lost | duplicate effects |", "|---|---|---|---|---|"]
    for module in FAULT_TESTS:
        for node, values in _group(figures, module).items():
            store = "PostgreSQL" if "postgres" in node else ("SQLite" if "sqlite" in node else "—")
            detail = ", ".join(f"{k}={v}" for k, v in values.items()
                               if k not in ("fault", "lost", "duplicate_effects"))
            lines.append(f"| {values.get('fault', node)} | {store} | {detail} | {values.get('lost', '—')} | "
                         f"{values.get('duplicate_effects', '—')} |")
    matrix = {n: v for n, v in figures.items() if "test_authorisation_matrix.py::" in n and "matrix_cells" in v}
    fuzz = [v for n, v in figures.items() if "test_fuzz_openapi.py::" in n]
    inputs = [v for n, v in figures.items() if "test_bad_input_corpus.py::" in n]
    tampering = sorted({v["tampering"] for n, v in figures.items() if "test_tamper_evidence.py::" in n})
    lines += ["", "## Authorisation matrix", ""]
    for node, values in matrix.items():
        store = "PostgreSQL" if "postgres" in node else "SQLite"
        lines.append(f"- {store}: {values['matrix_cells']} cells ({values['principals']} principals x "
                     f"{values['object_states']} object states x 3 requests), mismatches: {values['mismatches']}; "
                     "every denial recorded.")
    lines += ["", "## Fuzzing (schemathesis, as four roles and anonymously)", ""]
    for values in fuzz:
        lines.append(f"- {values['operations']} operations, {values['requests']} requests, failing operations: "
                     f"{values['failing_operations']} (no 5xx, no undocumented status, content type or body).")
    by_kind: dict[str, list[str]] = defaultdict(list)
    for values in inputs:
        by_kind[_input_kind(values)].append(repr(values["input"])[:40].replace("|", "\\|"))
    lines += ["", "## Bad input corpus", "", f"- {len(inputs)} inputs tried (both stores where applicable):"]
    for kind, examples in by_kind.items():
        lines.append(f"  - {kind}: {len(examples)}, e.g. " + ", ".join(f"`{e}`" for e in sorted(set(examples))[:6]))
    lines += ["", "## Tamper evidence", "", "Detected by `tsunagu audit verify`: " + "; ".join(tampering) + ".", ""]
    return "\n".join(lines)


def main() -> None:
    if not ARTIFACT.exists():
        sys.exit(f"{ARTIFACT} not found: run the reliability tests first")
    data = json.loads(ARTIFACT.read_text())
    head, _, tail = DOC.read_text(encoding="utf-8").partition("<!-- figures -->")
    _, _, rest = tail.partition("<!-- /figures -->")
    DOC.write_text(f"{head}<!-- figures -->\n{render(data)}\n<!-- /figures -->{rest}", encoding="utf-8")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
