"""``tsunagu db``: database administration (PostgreSQL)."""

from __future__ import annotations

from typing import Annotated

import typer

from infra.bootstrap import build_revoked_tokens, build_services, load_settings
from infra.cli.common import console

app = typer.Typer(help="Database administration (PostgreSQL).", no_args_is_help=True)


@app.command("harden")
def db_harden(
    app_role: Annotated[str, typer.Option(help="The role the API, projection runner and relay log in as.")],
) -> None:
    """Make the event log append-only for the app role (run with the tables' owner as TSUNAGU_POSTGRES_DSN)."""
    from infra.db import harden

    settings = load_settings()
    if settings.store != "postgres" or settings.postgres_dsn is None:
        raise typer.BadParameter("set TSUNAGU_STORE=postgres and TSUNAGU_POSTGRES_DSN (the owner's)")
    build_services(settings, with_tokens=False)  # creates any missing tables first
    build_revoked_tokens(settings).close()  # and the deny-list of signed-out tokens
    harden(settings.postgres_dsn.get_secret_value(), app_role=app_role, schema=settings.postgres_schema or "public")
    console.print(f"イベントログを追記専用にしました（アプリ用ロール: {app_role}）。")
