"""The results of a run: goals checked, the machine described, a JSON file and a markdown table.

The JSON holds what the run measured (and the configuration it ran with, and the goals checked against
those figures): nothing typed by hand. Analysis — why a goal was missed, what was profiled separately,
what would close it — goes in prose in the markdown beside it, under ``## Analysis (written by hand)``,
which is kept when the table is written again."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
# What a run writes into its JSON (``bench.run.run_bench``): its configuration, what it measured, the goals
# checked against those figures. A key outside these is refused: prose and hand-typed figures go in the markdown.
RESULT_KEYS = frozenset({"scale", "label", "fraction", "date", "config", "data", "machine", "rebuild", "write",
                         "timeline", "audit_query", "api", "runner", "referral", "wall_seconds", "goals"})
ANALYSIS_HEADING = "## Analysis (written by hand)"
ANALYSIS_NOTE = ("*Not generated: written by a person after the run. Figures here that are not in the table above "
                 "come from separate measurements that are not part of this run's JSON.*")

# (name, the figure's path in the results, "<=" or ">=", target, unit)
GOALS: tuple[tuple[str, tuple[str, ...], str, float, str], ...] = (
    ("rebuild", ("rebuild", "events_per_s"), ">=", 40_000, "events/s"),
    ("timeline p99 at 50 clients", ("timeline", "p99_ms", "50"), "<=", 50, "ms"),
    ("audit query p95", ("audit_query", "p95_ms"), "<=", 50, "ms"),
    ("referral p99", ("referral", "p99_ms"), "<=", 500, "ms"),
    ("API peak RSS", ("api", "peak_rss_mb"), "<=", 300, "MB"),
)


def machine(postgres_version: str) -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal"))
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(memory_kb / 1024 / 1024, 1),
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "postgres": postgres_version}


def check_goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    checked = []
    for name, path, sense, target, unit in GOALS:
        figure: Any = results
        for key in path:
            figure = figure[key]
        met = figure >= target if sense == ">=" else figure <= target
        checked.append({"goal": name, "figure": figure, "target": f"{sense} {target:,g} {unit}", "met": met})
    return checked


def write(results: dict[str, Any], directory: Path = RESULTS) -> tuple[Path, Path]:
    """Write the JSON (measured figures only) and the markdown table; an analysis already written by hand in
    the markdown is kept below the new table."""
    unknown = set(results) - RESULT_KEYS
    if unknown:
        raise ValueError(f"not a measured figure, not written to the results: {sorted(unknown)}")
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"{results['date']}-{results['label']}"
    json_path, md_path = directory / f"{stem}.json", directory / f"{stem}.md"
    analysis = analysis_of(md_path.read_text(encoding="utf-8")) if md_path.exists() else None
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(markdown(results, analysis), encoding="utf-8")
    return json_path, md_path


def analysis_of(text: str) -> str | None:
    """The hand-written analysis of a results markdown (its heading to the end), if it has one."""
    at = text.find(ANALYSIS_HEADING)
    return text[at:].rstrip() + "\n" if at >= 0 else None


def _n(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def markdown(results: dict[str, Any], analysis: str | None = None) -> str:
    """The run's table, generated from its figures; then ``analysis`` (the hand-written section), if any."""
    data, m = results["data"], results["machine"]
    w, r, t, a, f = (results[k] for k in ("write", "rebuild", "timeline", "audit_query", "referral"))
    api, runner = results["api"], results["runner"]
    goals = {g["goal"]: g for g in results["goals"]}

    def verdict(name: str) -> str:
        goal = goals[name]
        return f"{goal['target']} {'✅' if goal['met'] else '❌'}"

    rows = []
    for clients in w["commands_per_s"]:
        b = w["baseline"]
        rows.append((f"write: command via HTTP, {clients} client(s)",
                     f"{_n(w['commands_per_s'][clients])}/s · p50 {_n(w['p50_ms'][clients])} · "
                     f"p99 {_n(w['p99_ms'][clients])} ms",
                     f"durable INSERT: {_n(b['inserts_per_s'][clients])}/s · p50 {_n(b['p50_ms'][clients])} · "
                     f"p99 {_n(b['p99_ms'][clients])} ms", f"{w['ratio_to_baseline'][clients]:.2f}× throughput", ""))
    rows.append(("projection rebuild (all read models)", f"{_n(r['events_per_s'])} events/s",
                 f"raw log scan: {_n(r['baseline']['raw_scan_events_per_s'])}/s · scan+decode: "
                 f"{_n(r['baseline']['scan_and_decode_events_per_s'])}/s",
                 f"{r['ratio_to_raw_scan']:.2f}× raw scan", verdict("rebuild")))
    for clients in t["p99_ms"]:
        b = t["baseline"]
        rows.append((f"timeline read ({t['case_entries']:,} entries), {clients} client(s)",
                     f"p50 {_n(t['p50_ms'][clients])} · p99 {_n(t['p99_ms'][clients])} ms · "
                     f"{_n(t['reads_per_s'][clients])}/s",
                     f"fetch rows + INSERT: p50 {_n(b['p50_ms'][clients])} · p99 {_n(b['p99_ms'][clients])} ms",
                     f"{t['ratio_p99_to_baseline'][clients]}× p99",
                     verdict("timeline p99 at 50 clients") if clients == "50" else ""))
    rows.append((f"audit query, one person × fiscal year ({a['access_records']:,} access records)",
                 f"p50 {_n(a['p50_ms'])} · p95 {_n(a['p95_ms'])} ms",
                 f"same rows by primary key: p50 {_n(a['baseline']['p50_ms'])} · p95 {_n(a['baseline']['p95_ms'])} ms",
                 f"{a['ratio_p95_to_baseline']}× p95", verdict("audit query p95")))
    rows.append((f"referral commit → agency inbox, {f['rate_per_s']:g}/s via Kafka",
                 f"p50 {_n(f['p50_ms'])} · p99 {_n(f['p99_ms'])} ms (lost {f['lost']})",
                 f"raw produce → consume: p50 {_n(f['baseline']['p50_ms'])} · p99 {_n(f['baseline']['p99_ms'])} ms",
                 f"{f['ratio_p99_to_baseline']}× p99", verdict("referral p99")))
    rows.append(("API peak RSS (VmHWM)", f"{_n(api['peak_rss_mb'])} MB",
                 f"idle after start: {_n(api['baseline']['idle_rss_mb'])} MB · bare interpreter: "
                 f"{_n(api['baseline']['interpreter_rss_mb'])} MB", "", verdict("API peak RSS")))
    rows.append(("projection runner peak RSS (VmHWM)", f"rebuild {_n(runner['peak_rss_mb'])} MB · following "
                 f"{_n(runner['follow_peak_rss_mb'])} MB",
                 f"bare interpreter: {_n(runner['baseline']['interpreter_rss_mb'])} MB",
                 "", ""))
    lines = [
        f"# Tsunagu benchmark — {results['label']} — {results['date']}",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}, Python {m['python']}, "
        f"{m['postgres']} (fsync and synchronous_commit on). Wall time {results['wall_seconds'] / 60:.1f} min.",
        "",
        f"Data: {data['households']:,} households over fiscal years "
        f"{data['fiscal_years'][0]}–{data['fiscal_years'][-1]}, "
        f"{data['case_events']:,} case events, {data['access_records']:,} access records "
        f"({data['generation']['events_per_s']:,} events/s generated through the domain).",
        "",
        "| measure | Tsunagu | same-run baseline | ratio | goal |",
        "|---|---|---|---|---|",
        *(f"| {' | '.join(row)} |" for row in rows),
        "",
    ]
    if analysis:
        lines += [analysis.rstrip(), ""]
    return "\n".join(lines)
