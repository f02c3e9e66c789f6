"""On PostgreSQL the application's role can append to the event log but never change it."""

from __future__ import annotations

import uuid
from datetime import date
from uuid import UUID

import psycopg
import pytest

from domain.application import Tsunagu
from domain.commands import AddMember, OpenCase
from infra.db import harden
from projections import build_read_models
from projections.runner import BatchRunner

pytestmark = pytest.mark.integration


@pytest.fixture
def hardened(postgres_dsn, registry):
    """A schema whose tables the owner created and hardened, and an app role that logs in."""
    schema, role, password = f"g_{uuid.uuid4().hex[:10]}", f"app_{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    info = psycopg.conninfo.conninfo_to_dict(postgres_dsn)
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    base = {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": info["dbname"],
            "POSTGRES_HOST": info["host"], "POSTGRES_PORT": str(info["port"]), "POSTGRES_SCHEMA": schema}
    owner_env = {**base, "POSTGRES_USER": info["user"], "POSTGRES_PASSWORD": info["password"]}
    Tsunagu(owner_env, registry=registry).close()
    build_read_models(owner_env)
    harden(postgres_dsn, app_role=role, schema=schema)
    app_env = {**base, "POSTGRES_USER": role, "POSTGRES_PASSWORD": password, "CREATE_TABLE": "n"}
    app_dsn = psycopg.conninfo.make_conninfo(postgres_dsn, user=role, password=password)
    yield app_env, app_dsn, schema
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")
        conn.execute(f"DROP ROLE {role}")


def test_app_role_records_reads_and_projects_normally(hardened, registry, staff) -> None:
    app_env, _, _ = hardened
    tsunagu = Tsunagu(app_env, registry=registry)
    elderly = staff("suzuki-kenta")
    case_id = UUID(tsunagu.execute(elderly, OpenCase(household_name="佐藤家", household_name_kana="さとうけ",
                                                     district=None, summary="")).case_id)
    tsunagu.execute(elderly, AddMember(case_id=case_id, name="佐藤 一", name_kana="さとう", birth_date=date(1950, 1, 1),
                                       relationship="本人"))
    assert len(tsunagu.read_timeline(elderly, case_id).entries) == 2
    read_models = build_read_models(app_env)
    assert BatchRunner(tsunagu, read_models.all()).rebuild() == 3


@pytest.mark.parametrize("statement", [
    "UPDATE {schema}.tsunagu_events SET state = 'x'::bytea",
    "DELETE FROM {schema}.tsunagu_events",
    "TRUNCATE {schema}.tsunagu_events",
], ids=["update", "delete", "truncate"])
def test_app_role_cannot_change_or_remove_stored_events(hardened, registry, staff, statement) -> None:
    app_env, app_dsn, schema = hardened
    Tsunagu(app_env, registry=registry).execute(staff("suzuki-kenta"), OpenCase(
        household_name="佐藤家", household_name_kana="さとうけ", district=None, summary=""))
    with psycopg.connect(app_dsn) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement.format(schema=schema))


def test_even_the_owner_cannot_update_an_event_through_the_append_only_trigger(hardened, postgres_dsn, registry,
                                                                               staff) -> None:
    app_env, _, schema = hardened
    Tsunagu(app_env, registry=registry).execute(staff("suzuki-kenta"), OpenCase(
        household_name="佐藤家", household_name_kana="さとうけ", district=None, summary=""))
    with psycopg.connect(postgres_dsn) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege,
                                                              match="append-only"):
        conn.execute(f"UPDATE {schema}.tsunagu_events SET originator_version = originator_version")
