"""``tsunagu projections``: run, rebuild and inspect the read models."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.table import Table

from infra.bootstrap import build_services
from infra.cli.common import Demo, catch_up_with_progress, configured, console
from projections.runner import BatchRunner

app = typer.Typer(help="Read models (projections): run, rebuild, status.", no_args_is_help=True)


@app.command("run")
def projections_run(
    poll: Annotated[float, typer.Option(help="Seconds between looks at the log when idle.")] = 0.5,
    demo: Demo = False,
) -> None:
    """Keep the read models up to date, as a process of its own (until Ctrl-C)."""
    services = build_services(configured(demo=demo, tokens=False, store=True).settings, with_tokens=False)
    catch_up_with_progress(services.runner, "追いつき中")
    console.print("ログを監視しています（Ctrl-C で終了）。")
    try:
        while True:
            services.runner.catch_up()
            time.sleep(poll)
    except KeyboardInterrupt:
        console.print("終了しました。")


@app.command("rebuild")
def projections_rebuild(
    names: Annotated[list[str] | None, typer.Argument(help="Read models to rebuild (default: all).")] = None,
    demo: Demo = False,
) -> None:
    """Forget read models and replay the whole event log into them, with progress and ETA."""
    services = build_services(configured(demo=demo, tokens=False, store=True).settings, with_tokens=False)
    try:
        models = services.read_models.named(*(names or []))
    except KeyError as error:
        raise typer.BadParameter(str(error.args[0])) from None
    runner = BatchRunner(services.tsunagu, models, batch_size=services.settings.projection_batch_size)
    catch_up_with_progress(runner, "再構築中: " + ", ".join(m.name for m in models), rebuild=True)


@app.command("status")
def projections_status(demo: Demo = False) -> None:
    """How far each read model has processed the event log."""
    services = build_services(configured(demo=demo, tokens=False, store=True).settings, with_tokens=False)
    head = services.tsunagu.recorder.max_notification_id() or 0
    table = Table("read model", "位置", "ログ末尾", "未処理")
    for name, position in services.runner.positions().items():
        table.add_row(name, f"{position:,}", f"{head:,}", f"{head - position:,}")
    console.print(table)
