"""``tsunagu serve``, ``token`` and ``staff``: the API, and who may sign in to it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from domain.application import Tsunagu
from domain.calendar import fiscal_year, local_date
from domain.errors import NotFound
from domain.registry import Registry
from infra.auth import TokenIssuer
from infra.bootstrap import (
    Configured,
    build_services,
    build_token_issuer,
    configure,
    load_settings,
    ward_overrides,
    ward_registry,
)
from infra.cli.common import Demo, catch_up_with_progress, console, errors, progress_bar

WardOption = Annotated[str | None, typer.Option(
    "--ward", help="A bundled ward configuration (minato, chuo, bunkyo, ota, toshima); wins over TSUNAGU_WARD "
                   "and TSUNAGU_REGISTRY_PATH.")]


def _configured(*, demo: bool, tokens: bool, store: bool, ward: str | None, create_demo: bool = False) -> Configured:
    """Checked settings (``--ward`` names the ward file); warnings go to stderr, refusals reach ``main``."""
    result = configure(demo=demo, tokens=tokens, store=store, create_demo=create_demo, **ward_overrides(ward))
    for warning in result.warnings:
        errors.print(warning, style="bold red", markup=False, highlight=False)
    return result


def serve(
    demo: Annotated[bool, typer.Option(help="Seed a demo ward (once) and create demo secrets.")] = False,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    households: Annotated[int, typer.Option(help="Demo households to create.")] = 200,
    ward: WardOption = None,
) -> None:
    """Run the API (and, with --demo, a seeded demo ward on the embedded SQLite store).

    Refuses to start without TSUNAGU_JWT_SECRET and TSUNAGU_CIPHER_KEY, unless --demo."""
    from api.main import create_app
    from infra.web_server import run_server

    config = _configured(demo=demo, tokens=True, store=True, ward=ward, create_demo=demo)
    services = build_services(config.settings, demo_sign_in=config.demo_sign_in)
    if demo:
        _seed_demo_once(services.tsunagu, households)
        catch_up_with_progress(services.runner, "集計（読み取りモデル）を作成中")
        assert services.token_issuer is not None
        _print_sign_in(services.token_issuer, services.tsunagu, host, port)
    run_server(create_app(services), config.settings, host=host, port=port)


def _seed_demo_once(tsunagu: Tsunagu, households: int) -> None:
    from infra.demo import seed_demo

    if tsunagu.recorder.max_notification_id():
        console.print("[dim]デモデータは作成済みです（var/ を削除すると作り直します）。[/]")
        if _another_wards_demo(tsunagu):
            errors.print("このデータは別の区のデモです（--ward を合わせるか var/ を削除してください）。 / The stored "
                         "demo is another ward's (match --ward, or delete var/).", style="bold red", markup=False)
        return
    with progress_bar() as progress:
        task = progress.add_task(f"デモの世帯を作成中（{tsunagu.registry.ward.name_ja}）", total=households)
        summary = seed_demo(tsunagu, households=households, fiscal_year=fiscal_year(local_date(tsunagu.clock())),
                            progress=lambda n: progress.update(task, completed=n))
    for line in summary.lines_ja():
        console.print(line, highlight=False, markup=False)


def _another_wards_demo(tsunagu: Tsunagu) -> bool:
    """Whether the stored demo was recorded by another ward's staff (its first recorded write says)."""
    for notification in tsunagu.recorder.select_notifications(start=1, limit=20):
        event = tsunagu.mapper.to_domain_event(notification)
        staff_id = getattr(event, "by_staff", None)
        if isinstance(staff_id, str):
            return not tsunagu.registry.works_for(staff_id, str(getattr(event, "by_agency", "")))
    return False


def _print_sign_in(issuer: TokenIssuer, tsunagu: Tsunagu, host: str, port: int) -> None:
    """Show how to sign in. Tokens are shown on a terminal only, never written into a log file."""
    from infra.demo.ward import Ward

    registry = tsunagu.registry
    base = f"http://{host}:{port}"
    console.print(f"\n[bold]{registry.ward.name_ja}[/] [bold]画面[/]: {base}/   [bold]API[/]: {base}/docs   "
                  f"[bold]ヘルスチェック[/]: {base}/healthz")
    console.print("デモ職員（トークンは `tsunagu token --demo STAFF_ID` で発行できます）:")
    for staff_id in Ward(registry, fiscal_year(local_date(tsunagu.clock()))).demo_logins():
        staff = registry.staff_member(staff_id)
        roles = ", ".join(registry.role_title(role) for role in staff.roles)
        console.print(f"  [bold]{staff.name}[/] {staff_id} ({registry.agency(staff.agency).name_ja}, {roles})")
        if console.is_terminal:
            console.print(f"    {issuer.issue(staff)}", soft_wrap=True)
    console.print(f"例: curl -H 'Authorization: Bearer <token>' {base}/cases/<case_id>/timeline\n")


def token(
    staff_id: Annotated[str, typer.Argument(help="A staff id from the ward registry (see `tsunagu staff`).")],
    demo: Demo = False,
    ward: WardOption = None,
) -> None:
    """Issue a bearer token for a staff member (signed with TSUNAGU_JWT_SECRET; with --demo, the demo's)."""
    settings = _configured(demo=demo, tokens=True, store=False, ward=ward).settings
    issuer = build_token_issuer(settings)
    try:
        staff = ward_registry(settings).staff_member(staff_id)
    except NotFound as missing:
        errors.print(f"{missing.message_ja} / {missing.message_en}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    typer.echo(issuer.issue(staff))


def staff(demo: Demo = False, ward: WardOption = None) -> None:
    """List the ward's staff (who can sign in; with --demo, the demo's staff of a ward file that names none)."""
    settings = load_settings(**ward_overrides(ward))
    registry: Registry = ward_registry(settings.as_demo() if demo else settings)
    table = Table("id", "氏名", "機関", "役割")
    for member in registry.staff:
        table.add_row(member.id, member.name, registry.agency(member.agency).name_ja,
                      ", ".join(registry.role_title(role) for role in member.roles))
    console.print(table)
