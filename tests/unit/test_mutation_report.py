"""The mutation report (Part 3 of docs/reliability.md) is counted from mutmut's result files: its figures
change with them, and a survivor without a recorded reason is shown as a test still to write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import mutation
from tests.mutation import Mutant, collect, render, result, score, write_report

ACCESS, CHAIN = "domain/access.py", "projections/audit_chain.py"


@pytest.fixture
def modules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mutation, "mutated_modules", lambda: [ACCESS, CHAIN])
    monkeypatch.setattr(mutation, "_commit", lambda: "abc1234")


def mutants(module: str, **counts: int) -> list[Mutant]:
    return [Mutant(f"{module}.x__mutmut_{status}_{n}", module, status.replace("_", " "))
            for status, count in counts.items() for n in range(count)]


def test_the_score_counts_timeouts_as_detected_and_untested_mutants_as_survivors() -> None:
    assert score({"killed": 8, "timeout": 1, "survived": 1}) == (9, 10, 0.9)
    assert score({"killed": 3, "no tests": 1}) == (3, 4, 0.75)
    assert score({"not checked": 5}) == (0, 0, None)


def test_each_module_is_scored_from_its_own_mutants(modules, monkeypatch) -> None:
    monkeypatch.setattr(mutation, "reasons", lambda: {})
    data = result(mutants(ACCESS, killed=9, survived=1) + mutants(CHAIN, killed=1, survived=3), {}, 60.0)
    table = render(data)
    assert f"| `{ACCESS}` | 10 | 9 | 1 | 0 | 90.0% | yes |" in table
    assert f"| `{CHAIN}` | 4 | 1 | 3 | 0 | 25.0% | **no** |" in table
    assert "Surviving mutants (4)" in table and "0 of 4 have a recorded reason" in table
    assert "commit `abc1234`. This last run took 1 minutes." in table


def test_a_survivor_shows_its_diff_and_its_reason_or_that_it_has_none(modules, monkeypatch) -> None:
    [explained, unexplained] = mutants(CHAIN, survived=2)
    monkeypatch.setattr(mutation, "reasons", lambda: {explained.name: "SQL keywords | are case-insensitive"})
    data = result([explained, unexplained], {explained.name: ["-    x = 1", "+    x = 2"]}, None)
    table = render(data)
    assert f"| `{explained.name}` | survived | `-    x = 1`<br>`+    x = 2` | SQL keywords \\| are case-insensitive |" \
        in table
    assert f"| `{unexplained.name}` | survived | (diff not shown) | **no reason recorded** |" in table
    assert "1 of 2 have a recorded reason" in table


def test_with_every_mutant_killed_the_report_says_so(modules, monkeypatch) -> None:
    monkeypatch.setattr(mutation, "reasons", lambda: {})
    assert "None: every mutant that was checked was killed." in render(result(mutants(ACCESS, killed=2), {}, None))


def test_results_are_read_from_mutmuts_meta_files(tmp_path: Path) -> None:
    meta = tmp_path / "domain" / "access.py.meta"
    meta.parent.mkdir()
    meta.write_text(json.dumps({"exit_code_by_key": {"domain.access.x__mutmut_1": 1,
                                                     "domain.access.x__mutmut_2": 0,
                                                     "domain.access.x__mutmut_3": None},
                                "durations_by_key": {"domain.access.x__mutmut_1": 2.5,
                                                     "domain.access.x__mutmut_2": 40.0}}))
    statuses: dict[int | None, str] = {1: "killed", 0: "survived", None: "not checked"}
    found = collect(tmp_path, statuses)
    assert found == [Mutant("domain.access.x__mutmut_1", ACCESS, "killed", 2.5),
                     Mutant("domain.access.x__mutmut_2", ACCESS, "survived", 40.0),
                     Mutant("domain.access.x__mutmut_3", ACCESS, "not checked")]
    assert "ran its tests for 1 minutes of worker time in all" in render(result(found, {}, None))


def test_the_report_replaces_only_what_lies_between_its_markers(modules, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(mutation, "reasons", lambda: {})
    doc = tmp_path / "reliability.md"
    doc.write_text("before\n<!-- mutation -->\nold figures\n<!-- /mutation -->\nafter\n", encoding="utf-8")
    write_report(result(mutants(ACCESS, killed=1), {}, None), doc)
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("before\n<!-- mutation -->\n") and text.endswith("<!-- /mutation -->\nafter\n")
    assert "old figures" not in text and f"| `{ACCESS}` | 1 | 1 | 0 | 0 | 100.0% | yes |" in text


def test_a_run_that_did_not_reach_every_mutant_says_how_many_and_scores_only_those_checked(
        modules, monkeypatch) -> None:
    monkeypatch.setattr(mutation, "reasons", lambda: {})
    data = result(mutants(ACCESS, killed=9, survived=1, not_checked=5) + mutants(CHAIN, killed=2), {}, None)
    table = render(data)
    assert f"| `{ACCESS}` | 15 | 9 | 1 | 5 | 90.0% | yes, so far |" in table
    assert f"| `{CHAIN}` | 2 | 2 | 0 | 0 | 100.0% | yes |" in table
    assert "12 of 17 mutants were checked; the other 5 were not reached in this run" in table
