"""A PostgreSQL for benchmarks: TSUNAGU_POSTGRES_DSN if set, else a throwaway local cluster."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def postgres_dsn() -> Iterator[str]:
    configured = os.environ.get("TSUNAGU_POSTGRES_DSN")
    if configured:
        yield configured
        return
    from tests.services.postgres import start_postgres  # the test suite's provisioning, reused

    scratch = Path(tempfile.mkdtemp(prefix="tsunagu-bench-"))
    scratch.chmod(0o755)
    server = start_postgres(scratch)
    try:
        yield server.dsn
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
