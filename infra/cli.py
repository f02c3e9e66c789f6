"""The ``tsunagu`` command line."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from domain.application import Tsunagu
from domain.calendar import fiscal_year, local_date
from domain.registry import Registry
from infra.auth import TokenIssuer
from infra.bootstrap import build_token_issuer, build_tsunagu, demo_settings, load_registry
from infra.settings import Settings

app = typer.Typer(help="Tsunagu（つなぐ）: 重層的支援体制整備事業の事例タイムライン", no_args_is_help=True,
                  pretty_exceptions_show_locals=False)
console = Console(soft_wrap=True)

DEMO_LOGINS = ("tanaka-yui", "suzuki-kenta", "takahashi-aoi", "watanabe-makoto")


def _settings(*, demo: bool = False) -> Settings:
    """Settings from the environment; the demo's secrets fill what is not configured."""
    settings = Settings()
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

    settings = _settings(demo=demo)
    tsunagu = build_tsunagu(settings)
    issuer = build_token_issuer(settings)
    if demo:
        _seed_demo_once(tsunagu, households)
        _print_sign_in(issuer, load_registry(settings.registry_path), host, port)
    uvicorn.run(create_app(tsunagu, issuer, max_body_bytes=settings.max_body_bytes), host=host, port=port,
                log_level="info")


def _seed_demo_once(tsunagu: Tsunagu, households: int) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from infra.demo import seed_demo

    if tsunagu.recorder.max_notification_id():
        console.print("[dim]デモデータは作成済みです（var/ を削除すると作り直します）。[/]")
        return
    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=console) as progress:
        task = progress.add_task("デモの世帯を作成中", total=households)
        summary = seed_demo(tsunagu, households=households, fiscal_year=fiscal_year(local_date(tsunagu.clock())),
                            progress=lambda n: progress.update(task, completed=n))
    for line in summary.lines_ja():
        console.print(line, highlight=False, markup=False)


def _print_sign_in(issuer: TokenIssuer, registry: Registry, host: str, port: int) -> None:
    base = f"http://{host}:{port}"
    console.print(f"\n[bold]API[/]: {base}/docs   [bold]ヘルスチェック[/]: {base}/healthz")
    console.print("デモ職員のトークン（`tsunagu token STAFF_ID` でも発行できます）:")
    for staff_id in DEMO_LOGINS:
        staff = registry.staff_member(staff_id)
        console.print(f"  [bold]{staff.name}[/] ({staff.agency}, {', '.join(staff.roles)}):")
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
    registry = load_registry(Settings().registry_path)
    table = Table("id", "氏名", "機関", "役割")
    for member in registry.staff:
        table.add_row(member.id, member.name, registry.agency(member.agency).name_ja, ", ".join(member.roles))
    console.print(table)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
