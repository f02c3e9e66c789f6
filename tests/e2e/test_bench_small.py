"""`tsunagu bench --scale small` runs every measure end to end and writes each figure beside its baseline.

A smoke test only: speeds are the benchmark's business, never asserted here.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.kafka_support import TSUNAGU

pytestmark = pytest.mark.integration

# (a figure, its same-run baseline) as paths into the results
FIGURES_AND_BASELINES = [
    (("write", "commands_per_s", "1"), ("write", "baseline", "inserts_per_s", "1")),
    (("write", "p99_ms", "10"), ("write", "baseline", "p99_ms", "10")),
    (("rebuild", "events_per_s"), ("rebuild", "baseline", "raw_scan_events_per_s")),
    *((("timeline", "p99_ms", c), ("timeline", "baseline", "p99_ms", c)) for c in ("1", "10", "50")),
    (("audit_query", "p95_ms"), ("audit_query", "baseline", "p95_ms")),
    (("referral", "p99_ms"), ("referral", "baseline", "p99_ms")),
    (("api", "peak_rss_mb"), ("api", "baseline", "idle_rss_mb")),
    (("runner", "peak_rss_mb"), ("runner", "baseline", "interpreter_rss_mb")),
]


def _at(results: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        results = results[key]
    return results


def test_the_small_benchmark_writes_every_figure_beside_its_baseline_and_a_table(
        tmp_path: Path, kafka_bootstrap: str, postgres_dsn: str) -> None:
    # postgres_dsn: only so that the test skips (or fails in CI) where PostgreSQL cannot be provided;
    # the benchmark starts a durable cluster of its own, with room for its connections.
    env = {name: value for name, value in os.environ.items() if not name.startswith("TSUNAGU_")}
    env.update(TSUNAGU_KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap, COLUMNS="200",  # PostgreSQL: its own, durable
               PYTHONFAULTHANDLER="1")  # a stalled run dumps every thread's stack on SIGABRT (below)
    bench = subprocess.Popen([str(TSUNAGU), "bench", "--scale", "small", "--results-dir", str(tmp_path)], env=env,
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    try:
        stdout, stderr = bench.communicate(timeout=180)  # about 40 s alone on 2 cores
    except subprocess.TimeoutExpired:
        # It has stalled, rarely, inside the full suite (issue 13's note): show where, for the bench and its child.
        os.killpg(bench.pid, signal.SIGABRT)
        stdout, stderr = bench.communicate(timeout=30)
        pytest.fail(f"tsunagu bench did not finish in 180 s; the stacks at that moment:\n{stdout[-2000:]}\n"
                    f"{stderr[-12000:]}")
    assert bench.returncode == 0, stdout[-4000:] + stderr[-4000:]

    [written] = tmp_path.glob("*-small.json")
    results = json.loads(written.read_text(encoding="utf-8"))
    for figure, baseline in FIGURES_AND_BASELINES:
        assert isinstance(_at(results, figure), int | float), figure
        assert isinstance(_at(results, baseline), int | float), baseline
    assert results["data"]["case_events"] > 0 and results["data"]["access_records"] > 0
    assert results["timeline"]["case_entries"] >= 1000
    assert results["referral"]["lost"] == 0
    assert {goal["goal"] for goal in results["goals"]} >= {"rebuild", "timeline p99 at 50 clients",
                                                          "audit query p95", "referral p99", "API peak RSS"}
    table = written.with_suffix(".md").read_text(encoding="utf-8")
    assert "| measure | Tsunagu | same-run baseline | ratio | goal |" in table
    assert "Machine:" in table
