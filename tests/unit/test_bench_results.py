"""Benchmark result files hold what a run measured; analysis is prose in the markdown, marked as written by
hand, and survives the table being written again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import report

COMMITTED = sorted(report.RESULTS.glob("*.json"))


@pytest.mark.parametrize("path", COMMITTED, ids=[p.name for p in COMMITTED])
def test_a_results_file_holds_only_what_its_run_wrote(path: Path) -> None:
    results = json.loads(path.read_text(encoding="utf-8"))
    assert set(results) <= report.RESULT_KEYS, set(results) - report.RESULT_KEYS
    text = path.with_suffix(".md").read_text(encoding="utf-8")
    _title, _, table = report.markdown(results).rstrip("\n").partition("\n")  # a title may say more of the run
    assert table in text, "the table is the one its figures give"
    assert "## Findings" not in text


def test_findings_are_refused_in_the_results_and_an_analysis_is_kept(tmp_path: Path) -> None:
    results = json.loads(COMMITTED[0].read_text(encoding="utf-8"))
    with pytest.raises(ValueError, match="findings"):
        report.write({**results, "findings": ["- faster than ever (a figure nobody measured)"]}, tmp_path)
    _, md = report.write(results, tmp_path)
    md.write_text(md.read_text(encoding="utf-8") + f"\n{report.ANALYSIS_HEADING}\n\nWhy it missed.\n",
                  encoding="utf-8")
    _, md = report.write(results, tmp_path)
    text = md.read_text(encoding="utf-8")
    assert text.count(report.ANALYSIS_HEADING) == 1 and text.rstrip().endswith("Why it missed.")
    assert text.startswith(report.markdown(results).rstrip("\n"))
