"""Database administration for PostgreSQL deployments: make the event log append-only."""

from __future__ import annotations

from pathlib import Path

import psycopg
from psycopg import sql

HARDEN = Path(__file__).parent / "sql" / "harden_postgres.sql"


def harden(owner_dsn: str, *, app_role: str, schema: str = "public", events_table: str = "tsunagu_events") -> None:
    """Apply ``harden_postgres.sql`` as the tables' owner (identifiers are quoted safely)."""
    names = {"schema": schema, "events": events_table, "app_role": app_role}
    script = HARDEN.read_text(encoding="utf-8")
    statements = [s for s in _statements(script) if s.strip()]
    with psycopg.connect(owner_dsn, autocommit=False) as conn:
        for statement in statements:
            conn.execute(sql.SQL(statement).format(**{k: sql.Identifier(v) for k, v in names.items()}))
        conn.commit()


def _statements(script: str) -> list[str]:
    """Split on semicolons that end a line, keeping $$-quoted function bodies whole."""
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    statements, current, in_body = [], [], False
    for line in lines:
        current.append(line)
        in_body ^= line.count("$$") % 2 == 1
        if not in_body and line.rstrip().endswith(";"):
            statements.append("\n".join(current).rstrip().rstrip(";"))
            current = []
    return statements
