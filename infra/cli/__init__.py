"""The ``tsunagu`` command line: one module per group of commands.

``main`` sets a private umask (0077) before anything is created, so every file and directory a
command makes (the data directory, SQLite files and their journals, read-model files, the demo's
secrets, the inbox, exports) is its owner's only; and it turns a refused configuration into its
messages and exit status 2, never a traceback that could carry a value.
"""

from __future__ import annotations

import os
import sys

import typer

from infra.cli import audit, db, indicators, ledger, projections
from infra.cli.bench import bench
from infra.cli.common import print_refusal
from infra.cli.serve import serve, staff, token
from infra.kafka.cli import consume, relay
from infra.startup import RefusedConfiguration

PRIVATE_UMASK = 0o077
REFUSED = 2

app = typer.Typer(help="Tsunagu（つなぐ）: 重層的支援体制整備事業の事例タイムライン", no_args_is_help=True,
                  pretty_exceptions_show_locals=False)
app.command()(serve)
app.command()(token)
app.command()(staff)
app.add_typer(projections.app, name="projections")
app.add_typer(audit.app, name="audit")
app.command()(relay)
app.add_typer(consume, name="consume")
app.command()(bench)
app.add_typer(db.app, name="db")
app.add_typer(ledger.app, name="import")
app.add_typer(indicators.app, name="indicators")


def main() -> None:
    os.umask(PRIVATE_UMASK)
    try:
        app()
    except RefusedConfiguration as refusal:
        print_refusal(refusal)
        sys.exit(REFUSED)
