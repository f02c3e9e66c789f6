"""Mutation testing of the modules that guard people's data and messages: ``./scripts/mutate``.

mutmut (configured in ``[tool.mutmut]`` of pyproject.toml) copies the code into ``mutants/``, makes one
small change at a time in the modules it names, and runs the tests that cover the changed function. A
mutant the tests notice is *killed*; one they do not is a *survivor*: a bug of that shape would go
unnoticed. This module runs it and turns its result into Part 3 of docs/reliability.md: the score per
module and every survivor with its diff and, where one is recorded in ``tests/mutation_survivors.toml``,
the reason it is let live (an equivalent mutant, a change no observer can see). Nothing in that part is
fixed text: each figure is counted from the run's result files.

    ./scripts/mutate            run (or resume: mutmut keeps what it has checked) and write the report
    ./scripts/mutate recheck    check again only the unexplained survivors (after writing tests), then report
    ./scripts/mutate report     write the report from the results already in mutants/

The relay and consumer tests need a real Kafka broker, and the consumer's PostgreSQL inbox a real
PostgreSQL: this starts both (once, not per mutant) unless ``TSUNAGU_TEST_KAFKA_BOOTSTRAP`` /
``TSUNAGU_TEST_POSTGRES_DSN`` name running ones. The other modules are tested on SQLite only (their
PostgreSQL variants run in CI); the consumer's tests run on both stores. ``CI`` is unset for the run, so a
missing service skips a test (the mutant then survives, and shows) rather than failing it (which would count as
a kill).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
DOC = ROOT / "docs" / "reliability.md"
ARTIFACT = ROOT / "test-artifacts" / "mutation.json"
REASONS = Path(__file__).resolve().parent / "mutation_survivors.toml"
KAFKA_BOOTSTRAP_ENV = "TSUNAGU_TEST_KAFKA_BOOTSTRAP"
POSTGRES_DSN_ENV = "TSUNAGU_TEST_POSTGRES_DSN"
TARGET = 0.90
BEGIN, END = "<!-- mutation -->", "<!-- /mutation -->"
# How mutmut's exit codes read (mutmut.stats.status_by_exit_code), folded into what the score needs.
DETECTED = {"killed", "timeout", "caught by type check", "segfault"}
UNDETECTED = {"survived", "no tests", "suspicious", "skipped"}


@dataclass(frozen=True)
class Mutant:
    name: str
    module: str
    status: str
    seconds: float | None = None
    """How long its tests ran (mutmut's record), once checked."""


def mutated_modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
    return list(config["only_mutate"])


def collect(mutants_dir: Path = MUTANTS, status_by_exit_code: dict[int | None, str] | None = None
            ) -> list[Mutant]:
    """Every mutant mutmut generated, with the status its recorded exit code gives (mutmut's own reading of
    exit codes unless one is given)."""
    if status_by_exit_code is None:
        from mutmut.stats import status_by_exit_code as mutmuts

        status_by_exit_code = mutmuts
    statuses = status_by_exit_code
    found: list[Mutant] = []
    for meta in sorted(mutants_dir.rglob("*.py.meta")):
        module = meta.relative_to(mutants_dir).as_posix().removesuffix(".meta")
        recorded = json.loads(meta.read_text(encoding="utf-8"))
        exit_codes: dict[str, int | None] = recorded["exit_code_by_key"]
        durations: dict[str, float] = recorded.get("durations_by_key", {})
        found.extend(Mutant(name, module, statuses[code], durations.get(name) if code is not None else None)
                     for name, code in sorted(exit_codes.items()))
    return found


def diff_of(name: str) -> list[str]:
    """The changed lines of one mutant (``- old`` / ``+ new``), from ``mutmut show``."""
    shown = subprocess.run([sys.executable, "-m", "mutmut", "show", name], cwd=ROOT, capture_output=True,
                           text=True, check=False).stdout
    return [line for line in shown.splitlines()
            if line[:1] in "+-" and not line.startswith(("+++", "---")) and line[1:].strip()]


def reasons() -> dict[str, str]:
    if not REASONS.exists():
        return {}
    return dict(tomllib.loads(REASONS.read_text(encoding="utf-8")).get("reasons", {}))


def result(mutants: list[Mutant], diffs: dict[str, list[str]], seconds: float | None) -> dict[str, Any]:
    """The run as data: counts per module and the survivors; what the report is rendered from."""
    modules: dict[str, dict[str, int]] = {}
    for module in mutated_modules():
        statuses = Counter(m.status for m in mutants if m.module == module)
        modules[module] = dict(statuses)
    known = reasons()
    survivors = [{"name": m.name, "module": m.module, "status": m.status, "diff": diffs.get(m.name, []),
                  "reason": known.get(m.name)}
                 for m in mutants if m.status in UNDETECTED]
    return {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "machine": f"{platform.node()} ({os.cpu_count()} cores, Python {platform.python_version()})",
        "seconds": seconds,
        "tests_seconds": sum(m.seconds or 0.0 for m in mutants),
        "modules": modules,
        "survivors": survivors,
    }


def score(statuses: dict[str, int]) -> tuple[int, int, float | None]:
    detected = sum(n for status, n in statuses.items() if status in DETECTED)
    undetected = sum(n for status, n in statuses.items() if status in UNDETECTED)
    judged = detected + undetected
    return detected, judged, (detected / judged if judged else None)


def render(data: dict[str, Any]) -> str:
    took = f" This last run took {data['seconds'] / 60:.0f} minutes." if data.get("seconds") else ""
    lines = [
        f"Run finished {data['finished_at']} on {data['machine']}, commit `{data['commit']}`.{took} mutmut keeps "
        "each verdict, so the figures gather every resumed run until then; the last check of each mutant ran its "
        f"tests for {data.get('tests_seconds', 0.0) / 60:.0f} minutes of worker time in all.",
        "",
        f"| module | mutants | killed | survived | not checked | score | ≥ {TARGET:.0%} |",
        "|---|---:|---:|---:|---:|---:|:-:|",
    ]
    for module, statuses in data["modules"].items():
        detected, judged, ratio = score(statuses)
        total = sum(statuses.values())
        unchecked = total - judged
        shown = "—" if ratio is None else f"{ratio:.1%}"
        verdict = "—" if ratio is None else ("yes" if ratio >= TARGET else "**no**")
        if unchecked and ratio is not None:
            verdict += ", so far"
        lines.append(f"| `{module}` | {total} | {detected} | {judged - detected} | {unchecked} | {shown} | {verdict} |")
    total = sum(sum(statuses.values()) for statuses in data["modules"].values())
    judged = sum(score(statuses)[1] for statuses in data["modules"].values())
    if judged < total:
        lines += ["", f"{judged} of {total} mutants were checked; the other {total - judged} were not reached in this "
                      "run (`./scripts/mutate` resumes where it stopped). A score is of the mutants checked."]
    survivors = data["survivors"]
    lines += ["", f"### Surviving mutants ({len(survivors)})", ""]
    if not survivors:
        lines.append("None: every mutant that was checked was killed.")
    explained = sum(1 for s in survivors if s["reason"])
    if survivors:
        lines += [f"{explained} of {len(survivors)} have a recorded reason (tests/mutation_survivors.toml); "
                  "the others are tests still to write.", "",
                  "| mutant | status | change | why it lives |", "|---|---|---|---|"]
    for survivor in survivors:
        change = "<br>".join(f"`{_cell(line)}`" for line in survivor["diff"][:4]) or "(diff not shown)"
        why = _cell(survivor["reason"]) if survivor["reason"] else "**no reason recorded**"
        lines.append(f"| `{survivor['name']}` | {survivor['status']} | {change} | {why} |")
    return "\n".join(lines) + "\n"


def write_report(data: dict[str, Any], doc: Path = DOC) -> None:
    text = doc.read_text(encoding="utf-8")
    head, found, rest = text.partition(BEGIN)
    if not found:
        raise SystemExit(f"{doc} has no {BEGIN} marker to write the mutation report under")
    _, _, tail = rest.partition(END)
    doc.write_text(f"{head}{BEGIN}\n{render(data)}{END}{tail}", encoding="utf-8")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'").strip()


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    return done.stdout.strip() or "unknown"


@contextmanager
def services_for_the_run() -> Iterator[dict[str, str]]:
    """One Kafka broker and one PostgreSQL server for the whole run (the tests would otherwise start them in
    every mutant's process), unless the environment names running ones."""
    from tests.services.kafka import start_kafka
    from tests.services.postgres import start_postgres

    scratch = Path(tempfile.mkdtemp(prefix="tsunagu-mutate-"))
    scratch.chmod(0o755)  # PostgreSQL runs as the `postgres` user when this runs as root
    started: list[Any] = []
    env: dict[str, str] = {}
    try:
        if not os.environ.get(KAFKA_BOOTSTRAP_ENV):
            started.append(broker := start_kafka(scratch))
            env[KAFKA_BOOTSTRAP_ENV] = broker.bootstrap_servers
        if not os.environ.get(POSTGRES_DSN_ENV):
            started.append(server := start_postgres(scratch))
            env[POSTGRES_DSN_ENV] = server.dsn
        yield env
    finally:
        for service in reversed(started):
            service.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def run(max_children: int, *, all_mutants: bool = True) -> float:
    """Check every mutant not yet checked, then again every one the tests did not detect and no recorded reason
    explains (mutmut keeps a verdict once given, so a survivor would otherwise stay one after the test that kills
    it is written)."""
    started = datetime.now(UTC)
    with services_for_the_run() as services:
        env = {**os.environ, **services}
        env.pop("CI", None)
        mutmut = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children)]

        def recheck_undetected() -> None:
            # A survivor with a recorded reason is equivalent (no test can tell it apart); mutmut itself checks it
            # again when its function changes.
            known = reasons()
            undetected = [m.name for m in collect() if m.status in UNDETECTED and m.name not in known] \
                if MUTANTS.is_dir() else []
            if undetected:
                subprocess.run([*mutmut, *undetected], cwd=ROOT, env=env, check=False)

        recheck_undetected()  # a resumed run: the tests written since may kill what survived before
        if all_mutants:
            subprocess.run(mutmut, cwd=ROOT, env=env, check=False)
            recheck_undetected()
    return (datetime.now(UTC) - started).total_seconds()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/mutate", description=__doc__.split("\n\n")[0])
    parser.add_argument("what", nargs="?", choices=("run", "recheck", "report"), default="run",
                        help="run: every mutant not yet checked (resumes); recheck: only the survivors no recorded "
                             "reason explains, against the tests as they are now; report: only write the report")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args(argv)
    # Stopped with SIGTERM (kill, a CI timeout): unwind, so that mutmut is stopped and the broker and the
    # PostgreSQL server started for the run are shut down rather than left running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    seconds = None if args.what == "report" else run(args.max_children, all_mutants=args.what == "run")
    mutants = collect()
    if not mutants:
        print("no mutation results in mutants/: run ./scripts/mutate first", file=sys.stderr)
        return 1
    diffs = {m.name: diff_of(m.name) for m in mutants if m.status in UNDETECTED}
    data = result(mutants, diffs, seconds)
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    write_report(data)
    print(render(data).split("\n\n### ")[0])
    print(f"wrote {DOC} (Part 3) and {ARTIFACT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
