"""Shared fixtures: the ward, a controllable clock, and Tsunagu on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from domain.actor import Actor
from domain.application import Tsunagu
from domain.registry import Registry
from infra.bootstrap import load_registry
from infra.settings import WARDS

pytest_plugins = ["tests.services.fixtures", "tests.reliability"]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry(WARDS / "minato.json")


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 6, 1, 1, 0, tzinfo=UTC))


@pytest.fixture
def staff(registry: Registry) -> Callable[[str], Actor]:
    return lambda staff_id: registry.staff_member(staff_id).as_actor()


@pytest.fixture(params=["sqlite", "postgres"])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """An empty event store: a SQLite file, or a fresh schema in the test PostgreSQL."""
    if request.param == "sqlite":
        yield {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "events.db")}
        return
    dsn = request.getfixturevalue("postgres_dsn")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    yield {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": str(info["dbname"]),
           "POSTGRES_HOST": str(info["host"]), "POSTGRES_PORT": str(info["port"]),
           "POSTGRES_USER": str(info["user"]), "POSTGRES_PASSWORD": str(info["password"]),
           "POSTGRES_SCHEMA": schema}
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def tsunagu(store_env: dict[str, str], registry: Registry, clock: Clock) -> Iterator[Tsunagu]:
    app = Tsunagu(store_env, registry=registry, clock=clock)
    yield app
    app.close()
