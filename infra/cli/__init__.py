"""The ``tsunagu`` command line."""

from __future__ import annotations

import json
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
from rich.table import Table

from domain.application import Tsunagu
from domain.calendar import fiscal_year, local_date
from domain.registry import Registry
from infra.auth import TokenIssuer
from infra.bootstrap import build_services, build_token_issuer, demo_settings, load_registry, load_settings
from infra.kafka.cli import consume, relay
from infra.settings import Settings
from projections.runner import BatchRunner

app = typer.Typer(help="Tsunagu（つなぐ）: 重層的支援体制整備事業の事例タイムライン", no_args_is_help=True,
                  pretty_exceptions_show_locals=False)
console = Console(soft_wrap=True)

DEMO_LOGINS = ("tanaka-yui", "suzuki-kenta", "takahashi-aoi", "watanabe-makoto")


def _settings(*, demo: bool = False) -> Settings:
    """Settings from the environment; the demo's secrets fill what is not configured."""
    settings = load_settings()
    return demo_settings(settings, create=demo)


@app.command()
def serve(
    demo: Annotated[bool, typer.Option(help="Seed a demo ward (once) and create demo secrets.")] = False,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    households: Annotated[int, typer.Option(help="Demo households to create.")] = 200,
) -> None:
    """Run the API (and, with --demo, a seeded demo ward on the embedded SQLite store)."""
    import uvicorn

    from api.main import create_app

    services = build_services(_settings(demo=demo))
    if demo:
        _seed_demo_once(services.tsunagu, households)
        _catch_up_with_progress(services.runner, "集計（読み取りモデル）を作成中")
        assert services.token_issuer is not None
        _print_sign_in(services.token_issuer, services.tsunagu.registry, host, port)
    uvicorn.run(create_app(services), host=host, port=port, log_level="info")


def _progress() -> Progress:
    return Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                    TaskProgressColumn(), TimeElapsedColumn(), "残り", TimeRemainingColumn(), console=console)


def _catch_up_with_progress(runner: BatchRunner, description: str, *, rebuild: bool = False) -> int:
    """Run the read models up to the head of the log, showing progress and an ETA; returns events/s."""
    with _progress() as progress:
        task = progress.add_task(description, total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        started = time.perf_counter()
        done = runner.rebuild(report) if rebuild else runner.catch_up(report)
        elapsed = time.perf_counter() - started
    rate = int(done / elapsed) if elapsed > 0 else 0
    console.print(f"{done:,} 件のログを処理しました（{elapsed:.1f} 秒、{rate:,} 件/秒）", highlight=False)
    return rate


def _seed_demo_once(tsunagu: Tsunagu, households: int) -> None:
    from infra.demo import seed_demo

    if tsunagu.recorder.max_notification_id():
        console.print("[dim]デモデータは作成済みです（var/ を削除すると作り直します）。[/]")
        return
    with _progress() as progress:
        task = progress.add_task("デモの世帯を作成中", total=households)
        summary = seed_demo(tsunagu, households=households, fiscal_year=fiscal_year(local_date(tsunagu.clock())),
                            progress=lambda n: progress.update(task, completed=n))
    for line in summary.lines_ja():
        console.print(line, highlight=False, markup=False)


def _print_sign_in(issuer: TokenIssuer, registry: Registry, host: str, port: int) -> None:
    """Show how to sign in. Tokens are shown on a terminal only, never written into a log file."""
    base = f"http://{host}:{port}"
    console.print(f"\n[bold]画面[/]: {base}/   [bold]API[/]: {base}/docs   [bold]ヘルスチェック[/]: {base}/healthz")
    console.print("デモ職員（トークンは `tsunagu token STAFF_ID` で発行できます）:")
    for staff_id in DEMO_LOGINS:
        staff = registry.staff_member(staff_id)
        console.print(f"  [bold]{staff.name}[/] {staff_id} ({staff.agency}, {', '.join(staff.roles)})")
        if console.is_terminal:
            console.print(f"    {issuer.issue(staff)}", soft_wrap=True)
    console.print(f"例: curl -H 'Authorization: Bearer <token>' {base}/cases/<case_id>/timeline\n")


@app.command()
def token(
    staff_id: Annotated[str, typer.Argument(help="A staff id from the ward registry (see `tsunagu staff`).")],
) -> None:
    """Issue a bearer token for a staff member (signed with TSUNAGU_JWT_SECRET, or the demo's)."""
    settings = _settings()
    issuer = build_token_issuer(settings)
    staff = load_registry(settings.registry_path).staff_member(staff_id)
    typer.echo(issuer.issue(staff))


@app.command()
def staff() -> None:
    """List the ward's staff (who can sign in)."""
    registry = load_registry(load_settings().registry_path)
    table = Table("id", "氏名", "機関", "役割")
    for member in registry.staff:
        table.add_row(member.id, member.name, registry.agency(member.agency).name_ja, ", ".join(member.roles))
    console.print(table)


projections_app = typer.Typer(help="Read models (projections): run, rebuild, status.", no_args_is_help=True)
app.add_typer(projections_app, name="projections")


@projections_app.command("run")
def projections_run(
    poll: Annotated[float, typer.Option(help="Seconds between looks at the log when idle.")] = 0.5,
) -> None:
    """Keep the read models up to date, as a process of its own (until Ctrl-C)."""
    services = build_services(_settings(), with_tokens=False)
    _catch_up_with_progress(services.runner, "追いつき中")
    console.print("ログを監視しています（Ctrl-C で終了）。")
    try:
        while True:
            services.runner.catch_up()
            time.sleep(poll)
    except KeyboardInterrupt:
        console.print("終了しました。")


@projections_app.command("rebuild")
def projections_rebuild(
    names: Annotated[list[str] | None, typer.Argument(help="Read models to rebuild (default: all).")] = None,
) -> None:
    """Forget read models and replay the whole event log into them, with progress and ETA."""
    services = build_services(_settings(), with_tokens=False)
    try:
        models = services.read_models.named(*(names or []))
    except KeyError as error:
        raise typer.BadParameter(str(error.args[0])) from None
    runner = BatchRunner(services.tsunagu, models, batch_size=services.settings.projection_batch_size)
    _catch_up_with_progress(runner, "再構築中: " + ", ".join(m.name for m in models), rebuild=True)


@projections_app.command("status")
def projections_status() -> None:
    """How far each read model has processed the event log."""
    services = build_services(_settings(), with_tokens=False)
    head = services.tsunagu.recorder.max_notification_id() or 0
    table = Table("read model", "位置", "ログ末尾", "未処理")
    for name, position in services.runner.positions().items():
        table.add_row(name, f"{position:,}", f"{head:,}", f"{head - position:,}")
    console.print(table)


audit_app = typer.Typer(help="監査: verify the access log, export it.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify(
    checkpoint: Annotated[Path | None, typer.Option(help="A checkpoint exported earlier (audit checkpoint).")] = None,
) -> None:
    """Check the log: the hash chain (nothing modified, deleted, inserted or truncated) and every recorded
    access decision replayed against the rules as of its time. Exit 1 on any finding."""
    from domain.audit import verify_access_log
    from projections.audit_chain import Checkpoint, verify_chain

    services = build_services(_settings(), with_tokens=False)
    BatchRunner(services.tsunagu, [services.read_models.audit_chain]).catch_up()
    chain_problems = verify_chain(
        services.tsunagu, services.read_models.audit_chain.view,
        checkpoint=Checkpoint(**json.loads(checkpoint.read_text())) if checkpoint else None,
        key=_checkpoint_key(services.settings))
    with _progress() as progress:
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


@audit_app.command("checkpoint")
def audit_checkpoint(
    output: Annotated[Path, typer.Argument(help="Where to write the signed checkpoint (keep it off this server).")],
) -> None:
    """Export a signed checkpoint of the hash chain (position, count, head hash)."""
    from dataclasses import asdict

    from projections.audit_chain import make_checkpoint

    services = build_services(_settings(), with_tokens=False)
    key = _checkpoint_key(services.settings)
    if key is None:
        raise typer.BadParameter("TSUNAGU_CHECKPOINT_KEY is not set")
    BatchRunner(services.tsunagu, [services.read_models.audit_chain]).catch_up()
    point = make_checkpoint(services.read_models.audit_chain.view, key)
    output.write_text(json.dumps(asdict(point), indent=2))
    console.print(f"位置 {point.position:,}（{point.count:,} 件）のチェックポイントを {output} に書き出しました。")


def _checkpoint_key(settings: Settings) -> bytes | None:
    return settings.checkpoint_key.get_secret_value().encode() if settings.checkpoint_key else None


@audit_app.command("export")
def audit_export(
    output: Annotated[Path, typer.Argument(help="CSV file to write (UTF-8 with BOM, opens in Excel).")],
    unconsented: Annotated[bool, typer.Option(help="Only SUPPORT_MEETING / EMERGENCY accesses.")] = False,
    fiscal_year: Annotated[int | None, typer.Option(help="Only this fiscal year (年度).")] = None,
) -> None:
    """Export access decisions to CSV."""
    from api.exports import csv_response
    from api.queries.audit import CSV_COLUMNS

    services = build_services(_settings(), with_tokens=False)
    services.runner.catch_up()
    view = services.read_models.access_audit.view
    rows = view.decisions(unconsented=True if unconsented else None, fiscal_year=fiscal_year, limit=10_000_000)
    output.write_bytes(csv_response(output.name, CSV_COLUMNS, rows).body)
    console.print(f"{len(rows):,} 件を {output} に書き出しました。")


app.command()(relay)
app.add_typer(consume, name="consume")


@app.command()
def bench(
    scale: Annotated[str, typer.Option(help="small (CI smoke, seconds), ward (5 years) or city (10M case events, "
                                            "10M+ access records).")] = "small",
    fraction: Annotated[float, typer.Option(help="Only this share of the scale's households (to fit a time budget).",
                                            min=0.0001, max=1.0)] = 1.0,
    results_dir: Annotated[Path | None,
                           typer.Option(help="Where to write the results (default bench/results/).")] = None,
) -> None:
    """Benchmarks on PostgreSQL, each figure beside a baseline measured in the same run (bench/results/)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/ lives in the repository, beside infra/
    from bench.run import run_bench
    from bench.scales import SCALES

    if scale not in SCALES:
        raise typer.BadParameter(f"choose one of {', '.join(SCALES)}", param_hint="--scale")
    json_path, markdown = run_bench(SCALES[scale].scaled(fraction), progress=_progress, say=console.print,
                                    **({"results_dir": results_dir} if results_dir else {}))
    console.print(markdown.read_text(encoding="utf-8"), markup=False, highlight=False)
    console.print(f"{json_path}\n{markdown}", highlight=False)


db_app = typer.Typer(help="Database administration (PostgreSQL).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("harden")
def db_harden(
    app_role: Annotated[str, typer.Option(help="The role the API, projection runner and relay log in as.")],
) -> None:
    """Make the event log append-only for the app role (run with the tables' owner as TSUNAGU_POSTGRES_DSN)."""
    from infra.db import harden

    settings = load_settings()
    if settings.store != "postgres" or settings.postgres_dsn is None:
        raise typer.BadParameter("set TSUNAGU_STORE=postgres and TSUNAGU_POSTGRES_DSN (the owner's)")
    build_services(settings, with_tokens=False)  # creates any missing tables first
    harden(settings.postgres_dsn.get_secret_value(), app_role=app_role, schema=settings.postgres_schema or "public")
    console.print(f"イベントログを追記専用にしました（アプリ用ロール: {app_role}）。")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
