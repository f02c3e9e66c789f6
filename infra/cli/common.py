"""What the commands share: the consoles, progress bars, the ``--demo`` option and checked settings."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from infra.bootstrap import Configured, configure, write_private
from infra.startup import RefusedConfiguration
from projections.runner import BatchRunner

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

Demo = Annotated[bool, typer.Option("--demo", help="Use the demo's data directory and its own secrets "
                                                   "(never without this option).")]


def configured(*, demo: bool, tokens: bool, store: bool, create_demo: bool = False) -> Configured:
    """Checked settings for a command; warnings are shown on stderr (refusals reach ``main``)."""
    result = configure(demo=demo, tokens=tokens, store=store, create_demo=create_demo)
    for warning in result.warnings:
        errors.print(warning, style="bold red", markup=False, highlight=False)
    return result


def print_refusal(refusal: RefusedConfiguration) -> None:
    """The refusal's messages only: which variable, and why (never a value)."""
    errors.print("起動できません（設定が安全ではありません） / Refusing to start: unsafe or invalid configuration",
                 style="bold red", markup=False, highlight=False)
    for line in refusal.lines():
        errors.print(f"  {line}", markup=False, highlight=False)


def progress_bar() -> Progress:
    return Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                    TaskProgressColumn(), TimeElapsedColumn(), "残り", TimeRemainingColumn(), console=console)


def catch_up_with_progress(runner: BatchRunner, description: str, *, rebuild: bool = False) -> int:
    """Run the read models up to the head of the log, showing progress and an ETA; returns events/s."""
    with progress_bar() as progress:
        task = progress.add_task(description, total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        started = time.perf_counter()
        done = runner.rebuild(report) if rebuild else runner.catch_up(report)
        elapsed = time.perf_counter() - started
    rate = int(done / elapsed) if elapsed > 0 else 0
    console.print(f"{done:,} 件のログを処理しました（{elapsed:.1f} 秒、{rate:,} 件/秒）", highlight=False)
    return rate


def write_output(path: Path, data: bytes) -> None:
    """An exported file (checkpoint, access log): readable by its owner only."""
    write_private(path, data)
