"""The hash chain over the stored log: a modified, deleted, inserted or reordered record is
reported; a truncated tail is caught against a signed checkpoint exported earlier."""

from __future__ import annotations

import sqlite3
from datetime import date
from uuid import UUID

import psycopg
import pytest

from domain.commands import AddMember, OpenCase
from projections import build_read_models
from projections.audit_chain import make_checkpoint, verify_chain
from projections.runner import BatchRunner

pytestmark = pytest.mark.integration
KEY = b"checkpoint-key-for-tests"


@pytest.fixture
def chained(tsunagu, store_env, staff):
    """A case with a few entries and reads, chained by the audit-chain read model."""
    elderly = staff("suzuki-kenta")
    case_id = UUID(tsunagu.execute(elderly, OpenCase(household_name="佐藤家", household_name_kana="さとうけ",
                                                     district=None, summary="")).case_id)
    for n in range(4):
        tsunagu.execute(elderly, AddMember(case_id=case_id, name=f"佐藤 {n}", name_kana="さとう",
                                           birth_date=date(1950 + n, 1, 1), relationship="家族"))
        tsunagu.read_timeline(elderly, case_id)
    chain = build_read_models(store_env).audit_chain
    BatchRunner(tsunagu, [chain]).catch_up()
    return tsunagu, chain, store_env


def execute(env: dict[str, str], sqlite_sql: str, postgres_sql: str, params: tuple = ()) -> None:
    """Tamper with the stored log directly, as someone with database access could."""
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        with sqlite3.connect(env["SQLITE_DBNAME"]) as conn:
            conn.execute(sqlite_sql, params)
        return
    dsn = (f"host={env['POSTGRES_HOST']} port={env['POSTGRES_PORT']} dbname={env['POSTGRES_DBNAME']} "
           f"user={env['POSTGRES_USER']} password={env['POSTGRES_PASSWORD']}")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(postgres_sql.replace("EVENTS", f"{env['POSTGRES_SCHEMA']}.tsunagu_events"), params)


def kinds(problems) -> list[tuple[int, str]]:
    return [(p.position, p.kind) for p in problems]


@pytest.fixture(autouse=True)
def _count_tampering(request, figures):
    yield
    figures(tampering=request.node.originalname.removeprefix("test_").replace("_", " "))


def test_an_untouched_log_verifies(chained) -> None:
    tsunagu, chain, _ = chained
    assert verify_chain(tsunagu, chain.view) == []


def test_a_modified_record_is_reported_at_its_position(chained) -> None:
    tsunagu, chain, env = chained
    execute(env, "UPDATE stored_events SET state = ? WHERE rowid = 3",
            "UPDATE EVENTS SET state = %s WHERE notification_id = 3", (b'{"forged": true}',))
    assert kinds(verify_chain(tsunagu, chain.view)) == [(3, "modified")]


def test_a_deleted_record_is_reported(chained) -> None:
    tsunagu, chain, env = chained
    execute(env, "DELETE FROM stored_events WHERE rowid = 4", "DELETE FROM EVENTS WHERE notification_id = 4")
    assert (4, "deleted") in kinds(verify_chain(tsunagu, chain.view))


def test_a_record_overwritten_with_another_ones_content_is_reported(chained) -> None:
    tsunagu, chain, env = chained
    execute(env, "UPDATE stored_events SET state = (SELECT state FROM stored_events WHERE rowid = 6) "
                 "WHERE rowid = 5", "UPDATE EVENTS SET state = (SELECT state FROM EVENTS WHERE notification_id = 6) "
                                    "WHERE notification_id = 5")
    assert kinds(verify_chain(tsunagu, chain.view)) == [(5, "modified")]


def test_a_record_slipped_into_a_gap_is_reported_as_inserted(chained) -> None:
    tsunagu, chain, env = chained
    execute(env, "DELETE FROM stored_events WHERE rowid = 7", "DELETE FROM EVENTS WHERE notification_id = 7")
    chain.view.execute("DELETE FROM {chain} WHERE position = 7")  # the intruder edits the chain too
    execute(env, "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) "
                 "SELECT 7, originator_id, 99, topic, state FROM stored_events WHERE rowid = 8",
            "INSERT INTO EVENTS (notification_id, originator_id, originator_version, topic, state) "
            "SELECT 7, originator_id, 99, topic, state FROM EVENTS WHERE notification_id = 8")
    assert (7, "inserted") in kinds(verify_chain(tsunagu, chain.view))


def test_a_truncated_tail_is_caught_by_the_signed_checkpoint(chained) -> None:
    tsunagu, chain, env = chained
    checkpoint = make_checkpoint(chain.view, KEY)
    assert verify_chain(tsunagu, chain.view, checkpoint=checkpoint, key=KEY) == []
    execute(env, "DELETE FROM stored_events WHERE rowid > 6", "DELETE FROM EVENTS WHERE notification_id > 6")
    chain.view.execute("DELETE FROM {chain} WHERE position > 6")  # both truncated: only the checkpoint knows
    assert verify_chain(tsunagu, chain.view) == []
    assert kinds(verify_chain(tsunagu, chain.view, checkpoint=checkpoint, key=KEY)) == [(checkpoint.position,
                                                                                         "checkpoint")]


def test_a_checkpoint_with_a_forged_signature_is_refused(chained) -> None:
    tsunagu, chain, _ = chained
    checkpoint = make_checkpoint(chain.view, b"someone-elses-key")
    assert kinds(verify_chain(tsunagu, chain.view, checkpoint=checkpoint, key=KEY)) == [(checkpoint.position,
                                                                                         "checkpoint")]
