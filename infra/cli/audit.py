"""``tsunagu audit``: verify the access log, export checkpoints and the log itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from infra.bootstrap import Services, build_services
from infra.cli.common import Demo, configured, console, progress_bar, write_output
from infra.settings import Settings
from projections.runner import BatchRunner

app = typer.Typer(help="監査: verify the access log, export it.", no_args_is_help=True)


def _services(demo: bool) -> Services:
    return build_services(configured(demo=demo, tokens=False, store=True).settings, with_tokens=False)


@app.command("verify")
def audit_verify(
    checkpoint: Annotated[Path | None, typer.Option(help="A checkpoint exported earlier (audit checkpoint).")] = None,
    demo: Demo = False,
) -> None:
    """Check the log: the hash chain (nothing modified, deleted, inserted or truncated) and every recorded
    access decision replayed against the rules as of its time. Exit 1 on any finding."""
    from domain.audit import verify_access_log
    from projections.audit_chain import Checkpoint, verify_chain

    services = _services(demo)
    BatchRunner(services.tsunagu, [services.read_models.audit_chain]).catch_up()
    chain_problems = verify_chain(
        services.tsunagu, services.read_models.audit_chain.view,
        checkpoint=Checkpoint(**json.loads(checkpoint.read_text())) if checkpoint else None,
        key=_checkpoint_key(services.settings))
    with progress_bar() as progress:
        task = progress.add_task("閲覧記録を検証中", total=None)
        report = verify_access_log(services.tsunagu,
                                   lambda done, total: progress.update(task, completed=done, total=total))
    if report.ok and not chain_problems:
        console.print(f"[green]問題なし[/]: ハッシュ連鎖は一致し、"
                      f"{report.records_checked:,} 件の閲覧記録はすべて規則どおりです。")
        return
    table = Table("ログ位置", "種類", "閲覧者", "ケース", "問題")
    for problem in chain_problems:
        table.add_row(str(problem.position), problem.kind, "", "", problem.detail_ja)
    for finding in report.findings:
        table.add_row(str(finding.position), "access", finding.reader_staff, finding.case_id, finding.problem_ja)
    console.print(table)
    console.print(f"[red]{len(report.findings) + len(chain_problems)} 件の不整合[/]"
                  f"（閲覧記録 {report.records_checked:,} 件を検証）")
    raise typer.Exit(1)


@app.command("checkpoint")
def audit_checkpoint(
    output: Annotated[Path, typer.Argument(help="Where to write the signed checkpoint (keep it off this server).")],
    demo: Demo = False,
) -> None:
    """Export a signed checkpoint of the hash chain (position, count, head hash)."""
    from dataclasses import asdict

    from projections.audit_chain import make_checkpoint

    services = _services(demo)
    key = _checkpoint_key(services.settings)
    if key is None:
        raise typer.BadParameter("TSUNAGU_CHECKPOINT_KEY is not set")
    BatchRunner(services.tsunagu, [services.read_models.audit_chain]).catch_up()
    point = make_checkpoint(services.read_models.audit_chain.view, key)
    write_output(output, json.dumps(asdict(point), indent=2).encode())
    console.print(f"位置 {point.position:,}（{point.count:,} 件）のチェックポイントを {output} に書き出しました。")


def _checkpoint_key(settings: Settings) -> bytes | None:
    return settings.checkpoint_key.get_secret_value().encode() if settings.checkpoint_key else None


@app.command("export")
def audit_export(
    output: Annotated[Path, typer.Argument(help="CSV file to write (UTF-8 with BOM, opens in Excel).")],
    unconsented: Annotated[bool, typer.Option(help="Only SUPPORT_MEETING / EMERGENCY accesses.")] = False,
    fiscal_year: Annotated[int | None, typer.Option(help="Only this fiscal year (年度).")] = None,
    demo: Demo = False,
) -> None:
    """Export access decisions to CSV (readable by its owner only)."""
    from api.queries.audit_export import access_csv_jst

    services = _services(demo)
    services.runner.catch_up()
    view = services.read_models.access_audit.view
    rows = view.decisions(unconsented=True if unconsented else None, fiscal_year=fiscal_year, limit=10_000_000)
    write_output(output, bytes(access_csv_jst(output.name, rows, services.tsunagu.registry).body))
    console.print(f"{len(rows):,} 件を {output} に書き出しました。")
