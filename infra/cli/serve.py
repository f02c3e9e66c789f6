"""``tsunagu serve``, ``token`` and ``staff``: the API, and who may sign in to it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from domain.application import Tsunagu
from domain.calendar import fiscal_year, local_date
from domain.registry import Registry
from infra.auth import TokenIssuer
from infra.bootstrap import build_services, build_token_issuer, load_registry, load_settings
from infra.cli.common import Demo, catch_up_with_progress, configured, console, progress_bar

DEMO_LOGINS = ("tanaka-yui", "suzuki-kenta", "takahashi-aoi", "watanabe-makoto")


def serve(
    demo: Annotated[bool, typer.Option(help="Seed a demo ward (once) and create demo secrets.")] = False,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    households: Annotated[int, typer.Option(help="Demo households to create.")] = 200,
) -> None:
    """Run the API (and, with --demo, a seeded demo ward on the embedded SQLite store).

    Refuses to start without TSUNAGU_JWT_SECRET and TSUNAGU_CIPHER_KEY, unless --demo."""
    from api.main import create_app
    from infra.web_server import run_server

    config = configured(demo=demo, tokens=True, store=True, create_demo=demo)
    services = build_services(config.settings, demo_sign_in=config.demo_sign_in)
    if demo:
        _seed_demo_once(services.tsunagu, households)
        catch_up_with_progress(services.runner, "集計（読み取りモデル）を作成中")
        assert services.token_issuer is not None
        _print_sign_in(services.token_issuer, services.tsunagu.registry, host, port)
    run_server(create_app(services), config.settings, host=host, port=port)


def _seed_demo_once(tsunagu: Tsunagu, households: int) -> None:
    from infra.demo import seed_demo

    if tsunagu.recorder.max_notification_id():
        console.print("[dim]デモデータは作成済みです（var/ を削除すると作り直します）。[/]")
        return
    with progress_bar() as progress:
        task = progress.add_task("デモの世帯を作成中", total=households)
        summary = seed_demo(tsunagu, households=households, fiscal_year=fiscal_year(local_date(tsunagu.clock())),
                            progress=lambda n: progress.update(task, completed=n))
    for line in summary.lines_ja():
        console.print(line, highlight=False, markup=False)


def _print_sign_in(issuer: TokenIssuer, registry: Registry, host: str, port: int) -> None:
    """Show how to sign in. Tokens are shown on a terminal only, never written into a log file."""
    base = f"http://{host}:{port}"
    console.print(f"\n[bold]画面[/]: {base}/   [bold]API[/]: {base}/docs   [bold]ヘルスチェック[/]: {base}/healthz")
    console.print("デモ職員（トークンは `tsunagu token --demo STAFF_ID` で発行できます）:")
    for staff_id in DEMO_LOGINS:
        staff = registry.staff_member(staff_id)
        console.print(f"  [bold]{staff.name}[/] {staff_id} ({staff.agency}, {', '.join(staff.roles)})")
        if console.is_terminal:
            console.print(f"    {issuer.issue(staff)}", soft_wrap=True)
    console.print(f"例: curl -H 'Authorization: Bearer <token>' {base}/cases/<case_id>/timeline\n")


def token(
    staff_id: Annotated[str, typer.Argument(help="A staff id from the ward registry (see `tsunagu staff`).")],
    demo: Demo = False,
) -> None:
    """Issue a bearer token for a staff member (signed with TSUNAGU_JWT_SECRET; with --demo, the demo's)."""
    settings = configured(demo=demo, tokens=True, store=False).settings
    issuer = build_token_issuer(settings)
    staff = load_registry(settings.registry_path).staff_member(staff_id)
    typer.echo(issuer.issue(staff))


def staff() -> None:
    """List the ward's staff (who can sign in)."""
    registry = load_registry(load_settings().registry_path)
    table = Table("id", "氏名", "機関", "役割")
    for member in registry.staff:
        table.add_row(member.id, member.name, registry.agency(member.agency).name_ja, ", ".join(member.roles))
    console.print(table)
