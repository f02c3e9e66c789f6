"""A PostgreSQL for benchmarks: TSUNAGU_POSTGRES_DSN if set, else a throwaway local cluster."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

BENCH_SETTINGS = {"max_connections": "400", "shared_buffers": "2GB"}
"""For the throwaway cluster: room for the API's, the runner's and the baselines' connections."""


@contextmanager
def postgres_dsn(*, durable: bool = False) -> Iterator[str]:
    """A server to benchmark on. ``durable``: a throwaway cluster keeps fsync and synchronous commit on."""
    configured = os.environ.get("TSUNAGU_POSTGRES_DSN")
    if configured:
        yield configured
        return
    from tests.services.postgres import start_postgres  # the test suite's provisioning, reused

    scratch = Path(tempfile.mkdtemp(prefix="tsunagu-bench-"))
    scratch.chmod(0o755)
    server = start_postgres(scratch, durable=durable, settings=BENCH_SETTINGS)
    try:
        yield server.dsn
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def fresh_schema(dsn: str, prefix: str = "bench") -> Iterator[str]:
    """A new, empty schema for one run's tables, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield schema
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
