"""``tsunagu bench``: the benchmarks (bench/ lives in the repository, beside infra/)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from infra.cli.common import console, progress_bar


def bench(
    scale: Annotated[str, typer.Option(help="small (CI smoke, seconds), ward (5 years) or city (10M case events, "
                                            "10M+ access records).")] = "small",
    fraction: Annotated[float, typer.Option(help="Only this share of the scale's households (to fit a time budget).",
                                            min=0.0001, max=1.0)] = 1.0,
    results_dir: Annotated[Path | None,
                           typer.Option(help="Where to write the results (default bench/results/).")] = None,
) -> None:
    """Benchmarks on PostgreSQL, each figure beside a baseline measured in the same run (bench/results/)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.run import run_bench
    from bench.scales import SCALES

    if scale not in SCALES:
        raise typer.BadParameter(f"choose one of {', '.join(SCALES)}", param_hint="--scale")
    json_path, markdown = run_bench(SCALES[scale].scaled(fraction), progress=progress_bar, say=console.print,
                                    **({"results_dir": results_dir} if results_dir else {}))
    console.print(markdown.read_text(encoding="utf-8"), markup=False, highlight=False)
    console.print(f"{json_path}\n{markdown}", highlight=False)
