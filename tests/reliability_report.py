"""Render the generated part of docs/reliability.md from test-artifacts/reliability.json: the figures one
run of the tests recorded, and how each of those tests ended.

Every sentence this writes is made of a recorded figure or a recorded outcome: nothing is said as fixed
text that the run did not show. A figure from a test that did not pass is printed beside that outcome,
and a claim (a tampering detected, an input refused) is made only for a test that passed.

    ./scripts/test tests/integration/test_faults.py tests/e2e/test_referral_faults.py ... && \\
        .venv/bin/python -m tests.reliability_report
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tests.reliability import ARTIFACT

DOC = Path(__file__).resolve().parent.parent / "docs" / "reliability.md"
FAULT_MODULES = ("test_faults.py", "test_referral_faults.py")
MATRIX, FUZZ, INPUTS, TAMPER = ("test_authorisation_matrix.py", "test_fuzz_openapi.py", "test_bad_input_corpus.py",
                                "test_tamper_evidence.py")
REPORTED = (*FAULT_MODULES, MATRIX, FUZZ, INPUTS, TAMPER)
NOT_RECORDED = "not recorded"


def _module(node: str) -> str:
    return node.split("::", 1)[0].rsplit("/", 1)[-1]


def _store(node: str) -> str:
    return "PostgreSQL" if "[postgres" in node else ("SQLite" if "[sqlite" in node else "—")


def _params(node: str) -> str:
    """The test's parameters, as pytest names them (``[sqlite-topic]``), or nothing."""
    return f" [{node.split('[', 1)[1]}" if "[" in node else ""


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


class Run:
    """One recorded run: its figures, and the outcome of every test in it."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.figures: dict[str, dict[str, Any]] = data["figures"]
        self.outcomes: dict[str, str] | None = data.get("outcomes")

    def outcome(self, node: str) -> str:
        if self.outcomes is None:
            return NOT_RECORDED
        return self.outcomes.get(node, "not run")

    def said(self, node: str) -> str:
        """How a test ended, as printed beside its figures."""
        outcome = self.outcome(node)
        return outcome if outcome in ("passed", NOT_RECORDED, "not run") else f"**{outcome.upper()}**"

    def nodes(self, *modules: str) -> list[str]:
        """The tests of these modules in the run: those with an outcome, and those that recorded figures."""
        known = set(self.figures) | set(self.outcomes or {})
        return sorted(node for node in known if _module(node) in modules)

    def figured(self, *modules: str) -> list[tuple[str, dict[str, Any]]]:
        return [(node, self.figures[node]) for node in self.nodes(*modules) if node in self.figures]


def _get(values: dict[str, Any], key: str) -> Any:
    return values.get(key, NOT_RECORDED)


def _header(run: Run) -> list[str]:
    data = run.data
    arguments = data.get("invocation")
    invocation = (NOT_RECORDED if arguments is None else f"`pytest {' '.join(arguments)}`" if arguments
                  else "`pytest` with no arguments (the whole suite)")
    lines = [f"Generated from the run of {data['run_at']} on {data['machine']}, at commit "
             f"{data.get('commit', NOT_RECORDED)}: {invocation}, pytest exit status {data['exit_status']}."]
    nodes = run.nodes(*REPORTED)
    if run.outcomes is None:
        lines += ["", "This run did not record how its tests ended: no figure below is backed by a test known to "
                      "have passed."]
        return lines
    counts = Counter(run.outcome(node) for node in nodes)
    lines += ["", f"Tests of the reported modules in this run: {len(nodes)}; "
                  + ", ".join(f"{outcome} {n}" for outcome, n in sorted(counts.items())) + "."]
    missing = [module for module in REPORTED if not run.nodes(module)]
    if missing:
        lines.append(f"Not in this run (nothing below comes from them): {', '.join(f'`{m}`' for m in missing)}.")
    failing = [node for node in nodes if run.outcome(node) != "passed"]
    if failing:
        lines += ["", "Did not pass in this run:", ""]
        lines += [f"- `{node}`: {run.said(node)}" for node in failing]
    return lines


def _faults(run: Run) -> list[str]:
    lines = ["## Faults injected", "",
             "| fault | store | what was counted | lost | duplicate effects | test |", "|---|---|---|---|---|---|"]
    for node, values in run.figured(*FAULT_MODULES):
        detail = ", ".join(f"{k}={v}" for k, v in values.items() if k not in ("fault", "lost", "duplicate_effects"))
        lines.append(f"| {_cell(values.get('fault', node))} | {_store(node)} | {_cell(detail)} | "
                     f"{_get(values, 'lost')} | {_get(values, 'duplicate_effects')} | {run.said(node)} |")
    unfigured = [node for node in run.nodes(*FAULT_MODULES) if node not in run.figures]
    if unfigured:
        lines += ["", f"Fault tests that recorded no figures: {len(unfigured)} ("
                  + ", ".join(f"{outcome} {count}" for outcome, count in _tally(run, unfigured)) + ")."]
    return lines


def _tally(run: Run, nodes: Iterable[str]) -> list[tuple[str, int]]:
    counts = Counter(run.outcome(node) for node in nodes)
    return sorted(counts.items())


def _matrix(run: Run) -> list[str]:
    lines = ["## Authorisation matrix", ""]
    for node, v in run.figured(MATRIX):
        if "matrix_cells" not in v:
            continue
        lines.append(
            f"- {_store(node)}: {v['matrix_cells']} cells ({_get(v, 'principals')} principals × "
            f"{_get(v, 'object_states')} object states × {_get(v, 'requests_per_cell')} requests); cells differing "
            f"from the expected table: {_get(v, 'mismatches')}; denied reads recorded: "
            f"{_get(v, 'read_denials_recorded')} of {_get(v, 'read_denials')}; refused writes recorded as answered: "
            f"{_get(v, 'write_denials_recorded')} of {_get(v, 'write_denials')}; state views compared field by "
            f"field with the reader's granted entries: {_get(v, 'state_views_checked')}. Test {run.said(node)}.")
    others = [node for node in run.nodes(MATRIX) if "matrix_cells" not in run.figures.get(node, {})]
    if others:
        lines.append(f"- Other tests of the module: {len(others)}, "
                     + ", ".join(f"{k} {n}" for k, n in _tally(run, others)) + ".")
    return lines


def _fuzz(run: Run) -> list[str]:
    lines = ["## Fuzzing (schemathesis)", ""]
    for node, v in run.figured(FUZZ):
        checks = ", ".join(v.get("checks", [])) or NOT_RECORDED
        if "links" in v:
            roles = v.get("roles")
            lines.append(
                f"- Stateful, {v['links']} links from what is created to the operations that take its id, every "
                f"step sent as {', '.join(roles) if isinstance(roles, list) else roles}: "
                f"{_get(v, 'scenarios')} scenarios, {_get(v, 'requests')} requests, {_get(v, 'cases_created')} cases "
                f"opened; operations run with every id taken from an earlier answer: "
                f"{_get(v, 'operations_on_existing_cases')}, of which answered 2xx there: "
                f"{_get(v, 'operations_succeeding_on_existing_cases')}; 5xx answers: {_get(v, 'server_errors')}; "
                f"operation × role pairs failing a check ({checks}): {_get(v, 'failing_checks')}; "
                f"{_get(v, 'seconds')} s. Test {run.said(node)}.")
        else:
            lines.append(
                f"- Stateless: {_get(v, 'operations')} operations, each as {_get(v, 'roles')} roles and without a "
                f"token: {_get(v, 'requests')} requests; operations failing a check ({checks}, and anonymous "
                f"requests refused): {_get(v, 'failing_operations')}. Test {run.said(node)}.")
    return lines


def _inputs(run: Run) -> list[str]:
    malformed: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    texts, queries = [], []
    for node, v in run.figured(INPUTS):
        if "written" in v:
            malformed[str(v["input"])].append((node, v))
        elif "stored_as_written" in v:
            texts.append((node, v))
        elif "status" in v:
            queries.append((node, v))
    lines = ["## Bad input corpus", "", "| input | store | bytes | status | error code | events written | test |",
             "|---|---|---|---|---|---|---|"]
    for name in sorted(malformed):
        for node, v in malformed[name]:
            lines.append(f"| `{_cell(name)}` | {_store(node)} | {_get(v, 'bytes')} | {_get(v, 'status')} | "
                         f"{_get(v, 'code')} | {_get(v, 'written')} | {run.said(node)} |")
    refused = [n for runs in malformed.values() for n, v in runs
               if 400 <= v["status"] < 500 and v["written"] == 0 and run.outcome(n) == "passed"]
    total = sum(len(runs) for runs in malformed.values())
    lines += ["", f"- Malformed bodies answered 4xx with nothing written, in a test that passed: {len(refused)} of "
                  f"{total}."]
    stored = [n for n, v in texts if v["stored_as_written"] is True and run.outcome(n) == "passed"]
    lines.append(f"- Hostile or unusual text stored exactly as written, in a test that passed: {len(stored)} of "
                 f"{len(texts)}" + (": " + ", ".join(f"`{_cell(repr(t))[:40]}`" for t in
                                                     sorted({str(v['input']) for _, v in texts})) if texts else "")
                 + ".")
    answered = [n for n, v in queries if v["status"] == 422 and run.outcome(n) == "passed"]
    lines.append(f"- Hostile query strings answered 422, in a test that passed: {len(answered)} of {len(queries)}.")
    return lines


def _tamper(run: Run) -> list[str]:
    lines = ["## Tamper evidence", "", "Each tamper test, by what it does, and how it ended:", ""]
    for node, v in run.figured(TAMPER):
        if "tampering" in v:
            lines.append(f"- {v['tampering']}{_params(node)}: test {run.said(node)}")
    others = [node for node in run.nodes(TAMPER) if "tampering" not in run.figures.get(node, {})]
    if others:
        lines.append(f"- Other tests of the module: {len(others)}, "
                     + ", ".join(f"{k} {n}" for k, n in _tally(run, others)) + ".")
    return lines


def render(data: dict[str, Any]) -> str:
    run = Run(data)
    sections = [_header(run)]
    for modules, section in ((FAULT_MODULES, _faults), ((MATRIX,), _matrix), ((FUZZ,), _fuzz),
                             ((INPUTS,), _inputs), ((TAMPER,), _tamper)):
        lines = section(run)
        sections.append(lines if run.nodes(*modules) else [lines[0], "", "Not in this run."])
    return "\n".join(line for section in sections for line in [*section, ""])


def main() -> None:
    if not ARTIFACT.exists():
        sys.exit(f"{ARTIFACT} not found: run the reliability tests first")
    data = json.loads(ARTIFACT.read_text())
    head, _, tail = DOC.read_text(encoding="utf-8").partition("<!-- figures -->")
    _, _, rest = tail.partition("<!-- /figures -->")
    DOC.write_text(f"{head}<!-- figures -->\n{render(data)}<!-- /figures -->{rest}", encoding="utf-8")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
