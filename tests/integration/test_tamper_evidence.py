"""The hash chain over the stored log: a modified, deleted, inserted or reordered record is
reported; a truncated tail is caught against a signed checkpoint exported earlier.

Someone with write access to the database but not the checkpoint key can do better than edit a
record: delete, insert, reorder or rewrite a run of records and recompute the chain over them, so
that log and chain agree again. Such rewrites are caught only against a signed checkpoint exported
before them; the tests below make them (:class:`StoredLog` and :func:`rechain` are that person's
tools) and check both halves: the chain alone no longer sees it, the checkpoint does. Mutation
checks then drop each ingredient of a link (the previous link, the topic, the version, the
originator, the stored bytes) and plant the rewrite only that ingredient can reveal: unseen with
the weakened hash, caught with the real one, so each ingredient is shown to matter.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing, suppress
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.cryptography import AESCipher

from domain.commands import AddMember, IdentifyIssue, OpenCase, ResolveIssue
from domain.errors import NotFound
from infra.bootstrap import build_tsunagu
from infra.settings import Settings
from infra.store import eventsourcing_env
from projections import audit_chain, build_read_models
from projections.audit_chain import GENESIS, AuditChainView, Checkpoint, make_checkpoint, verify_chain
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


# ----- a run of records rewritten together with the chain --------------------------------------------------


@dataclass(frozen=True)
class StoredRow:
    position: int
    originator_id: UUID
    version: int
    topic: str
    state: bytes


class StoredLog:
    """The stored log as someone with write access to the database sees and edits it: rows by position."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.sqlite = env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
        self.names = {"events": "stored_events", "position": "rowid"} if self.sqlite else {
            "events": f"{env['POSTGRES_SCHEMA']}.tsunagu_events", "position": "notification_id"}

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        sql = sql.format(**self.names)
        if self.sqlite:
            with closing(sqlite3.connect(self.env["SQLITE_DBNAME"])) as conn, conn:
                return conn.execute(sql.replace("%s", "?"), params).fetchall()
        env = self.env
        with psycopg.connect(host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"], dbname=env["POSTGRES_DBNAME"],
                             user=env["POSTGRES_USER"], password=env["POSTGRES_PASSWORD"], autocommit=True) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def stored_id(self, originator_id: UUID) -> Any:
        return originator_id.hex if self.sqlite else originator_id

    def rows(self) -> list[StoredRow]:
        return [StoredRow(position, UUID(str(originator)), version, topic, bytes(state)) for
                position, originator, version, topic, state in self.run(
                    "SELECT {position}, originator_id, originator_version, topic, state FROM {events} "
                    "ORDER BY {position}")]

    def at(self, position: int) -> StoredRow:
        return next(row for row in self.rows() if row.position == position)

    def positions(self, topic_suffix: str) -> list[int]:
        return [row.position for row in self.rows() if row.topic.endswith(topic_suffix)]

    def delete(self, *positions: int) -> None:
        for position in positions:
            self.run("DELETE FROM {events} WHERE {position} = %s", (position,))

    def insert(self, row: StoredRow) -> None:
        self.run("INSERT INTO {events} ({position}, originator_id, originator_version, topic, state) "
                 "VALUES (%s, %s, %s, %s, %s)",
                 (row.position, self.stored_id(row.originator_id), row.version, row.topic, row.state))

    def move(self, moves: dict[int, int]) -> None:
        """Give records other positions (through negative ones, so no two ever share one)."""
        for old in moves:
            self.run("UPDATE {events} SET {position} = %s WHERE {position} = %s", (-old, old))
        for old, new in moves.items():
            self.run("UPDATE {events} SET {position} = %s WHERE {position} = %s", (new, -old))

    def set(self, position: int, *, topic: str | None = None, state: bytes | None = None) -> None:
        for column, value in (("topic", topic), ("state", state)):
            if value is not None:
                self.run(f"UPDATE {{events}} SET {column} = %s WHERE {{position}} = %s", (value, position))

    def swap_versions(self, a: int, b: int) -> None:
        """Exchange two records' versions (an aggregate's history in another order)."""
        version_a, version_b = self.at(a).version, self.at(b).version
        for position, version in ((a, -1), (b, version_a), (a, version_b)):
            self.run("UPDATE {events} SET originator_version = %s WHERE {position} = %s", (version, position))

    def swap_originators(self, a: int, b: int) -> None:
        """Exchange two records' originators (each now belongs to the other's aggregate)."""
        id_a, id_b = self.at(a).originator_id, self.at(b).originator_id
        for position, originator in ((a, uuid4()), (b, id_a), (a, id_b)):
            self.run("UPDATE {events} SET originator_id = %s WHERE {position} = %s",
                     (self.stored_id(originator), position))


def rechain(log: StoredLog, view: AuditChainView, start: int) -> None:
    """Recompute the chain from ``start`` over the log as it now is, with the chain's own (public) hash,
    as someone without the checkpoint key would to make log and chain agree again."""
    view.execute("DELETE FROM {chain} WHERE position >= %(p)s", {"p": start})
    head = view.head(start - 1)
    previous = head["chain_hash"] if head else GENESIS
    for row in log.rows():
        if row.position < start:
            continue
        state_hash, previous = audit_chain.link(previous, row.position, row.topic, row.originator_id, row.version,
                                                row.state)
        view.execute(AuditChainView.STATEMENTS["insert_link"], {
            "position": row.position, "topic": row.topic, "originator_id": str(row.originator_id),
            "originator_version": row.version, "state_sha256": state_hash, "chain_hash": previous})


def exported(checkpoint: Checkpoint) -> Checkpoint:
    """The checkpoint as ``tsunagu audit checkpoint`` writes it and ``audit verify --checkpoint`` reads it."""
    return Checkpoint(**json.loads(json.dumps(asdict(checkpoint))))


READER, OTHER_READER = "suzuki-kenta", "kondo-ayumi"


@pytest.fixture
def history(chained, staff):
    """``chained`` and then: an issue identified, read, resolved, read by another member of staff, read again.
    The checkpoint's head (the last read) is never among the records the tests rewrite."""
    tsunagu, chain, env = chained
    elderly, colleague = staff(READER), staff(OTHER_READER)
    case_id = UUID(str(next(tsunagu.notifications(["domain.case.aggregate:Case.Opened"])).originator_id))
    tsunagu.execute(elderly, IdentifyIssue(case_id=case_id, tag="other", note="家計の困窮"))
    tsunagu.read_timeline(elderly, case_id)
    tsunagu.execute(elderly, ResolveIssue(case_id=case_id, tag="other", note="解消"))
    with suppress(NotFound):  # a refused read is recorded too
        tsunagu.read_timeline(colleague, case_id)
    tsunagu.read_timeline(elderly, case_id)
    BatchRunner(tsunagu, [chain]).catch_up()
    return tsunagu, chain, env, case_id


def checkpoint_catches_what_the_chain_alone_does_not(tsunagu, chain, checkpoint: Checkpoint) -> None:
    assert verify_chain(tsunagu, chain.view) == [], "log and chain were made to agree again"
    assert kinds(verify_chain(tsunagu, chain.view, checkpoint=checkpoint, key=KEY)) == [(checkpoint.position,
                                                                                         "checkpoint")]


def test_a_chain_recomputed_over_an_untouched_log_still_matches_the_checkpoint(history) -> None:
    """The recomputation is faithful, so what the tests below detect is the rewrite, not the tool."""
    tsunagu, chain, env, _ = history
    checkpoint = exported(make_checkpoint(chain.view, KEY))
    rechain(StoredLog(env), chain.view, 1)
    assert verify_chain(tsunagu, chain.view, checkpoint=checkpoint, key=KEY) == []


def test_a_run_deleted_with_its_chain_rows_and_the_chain_recomputed_is_caught_by_the_checkpoint(history) -> None:
    tsunagu, chain, env, _ = history
    checkpoint = exported(make_checkpoint(chain.view, KEY))
    log = StoredLog(env)
    members = log.positions("Case.MemberAdded")
    run = list(range(members[1], members[2] + 1))  # two members and the read between them
    log.delete(*run)
    rechain(log, chain.view, run[0])
    checkpoint_catches_what_the_chain_alone_does_not(tsunagu, chain, checkpoint)


def test_a_run_inserted_into_the_log_and_the_chain_recomputed_is_caught_by_the_checkpoint(history) -> None:
    tsunagu, chain, env, _ = history
    checkpoint = exported(make_checkpoint(chain.view, KEY))
    log = StoredLog(env)
    read = log.at(log.positions("AccessRecord.Recorded")[0])
    at = read.position + 1
    log.move({row.position: row.position + 2 for row in log.rows() if row.position >= at})
    for offset in range(2):  # two reads that never happened, slipped in after a real one
        log.insert(StoredRow(at + offset, uuid4(), 1, read.topic, read.state))
    rechain(log, chain.view, at)
    assert len(log.rows()) == checkpoint.count + 2
    checkpoint_catches_what_the_chain_alone_does_not(tsunagu, chain, checkpoint)


def test_a_run_reordered_and_the_chain_recomputed_is_caught_by_the_checkpoint(history) -> None:
    tsunagu, chain, env, _ = history
    checkpoint = exported(make_checkpoint(chain.view, KEY))
    log = StoredLog(env)
    identified, resolved = log.positions("Case.IssueIdentified")[0], log.positions("Case.IssueResolved")[0]
    assert resolved == identified + 2  # a read in between
    # resolved before it was identified, and the read in between now after both
    log.move({resolved: identified, identified: identified + 1, identified + 1: resolved})
    rechain(log, chain.view, identified)
    checkpoint_catches_what_the_chain_alone_does_not(tsunagu, chain, checkpoint)


def test_a_run_rewritten_and_the_chain_recomputed_is_caught_by_the_checkpoint(history) -> None:
    tsunagu, chain, env, _ = history
    checkpoint = exported(make_checkpoint(chain.view, KEY))
    log = StoredLog(env)
    reads = log.positions("AccessRecord.Recorded")
    run = range(reads[0], reads[2] + 1)  # three reads and the entries between them: someone else's doing now
    for position in run:
        log.set(position, state=log.at(position).state.replace(READER.encode(), OTHER_READER.encode()))
    rechain(log, chain.view, run[0])
    assert tsunagu.access_record(log.at(reads[1]).originator_id).reader_staff == OTHER_READER
    checkpoint_catches_what_the_chain_alone_does_not(tsunagu, chain, checkpoint)


# ----- each ingredient of a link matters ---------------------------------------------------------------------


def _reorder_a_read_before_the_entry_it_showed(log: StoredLog, tsunagu, case_id: UUID) -> int:
    identified = log.positions("Case.IssueIdentified")[0]
    log.move({identified: identified + 1, identified + 1: identified})
    return identified


def _relabel_the_resolution_as_an_identification(log: StoredLog, tsunagu, case_id: UUID) -> int:
    resolved = log.positions("Case.IssueResolved")[0]
    log.set(resolved, topic=log.at(log.positions("Case.IssueIdentified")[0]).topic)
    assert "other" in tsunagu._load(case_id).issues, "the resolved issue reads as open again"
    return resolved


def _swap_the_identification_and_the_resolution_in_the_case_history(log: StoredLog, tsunagu, case_id: UUID) -> int:
    identified, resolved = log.positions("Case.IssueIdentified")[0], log.positions("Case.IssueResolved")[0]
    log.swap_versions(identified, resolved)
    assert "other" in tsunagu._load(case_id).issues, "resolved first, identified after: the issue reads as open"
    return identified


def _swap_two_readers_records(log: StoredLog, tsunagu, case_id: UUID) -> int:
    first, second = log.positions("AccessRecord.Recorded")[-3:-1]
    ids = [log.at(first).originator_id, log.at(second).originator_id]
    readers = [tsunagu.access_record(record_id).reader_staff for record_id in ids]
    log.swap_originators(first, second)
    assert [tsunagu.access_record(record_id).reader_staff for record_id in ids] == readers[::-1], \
        "each record id now names the other reader"
    return first


def _rewrite_who_read(log: StoredLog, tsunagu, case_id: UUID) -> int:
    read = log.positions("AccessRecord.Recorded")[-3]
    log.set(read, state=log.at(read).state.replace(READER.encode(), OTHER_READER.encode()))
    assert tsunagu.access_record(log.at(read).originator_id).reader_staff == OTHER_READER
    return read


Attack = Callable[[StoredLog, Any, UUID], int]
INGREDIENTS: dict[str, tuple[dict[str, Any], Attack]] = {
    # ingredient: (its value in a hash that leaves it out, the rewrite only it reveals)
    "previous": ({"previous": GENESIS}, _reorder_a_read_before_the_entry_it_showed),
    "topic": ({"topic": ""}, _relabel_the_resolution_as_an_identification),
    "version": ({"version": 0}, _swap_the_identification_and_the_resolution_in_the_case_history),
    "originator": ({"originator_id": ""}, _swap_two_readers_records),
    "stored bytes": ({"state": b""}, _rewrite_who_read),
}


def hash_without(ingredient: str) -> Callable[..., tuple[str, str]]:
    """The chain's link with one ingredient held constant (as if it had been left out of the hash)."""
    real, blank = audit_chain.link, INGREDIENTS[ingredient][0]

    def link(previous: str, position: int, topic: str, originator_id: Any, version: int,
             state: bytes) -> tuple[str, str]:
        return real(**{"previous": previous, "position": position, "topic": topic, "originator_id": originator_id,
                       "version": version, "state": state, **blank})

    return link


@pytest.mark.parametrize("hashed", ["with it", "without it"])
@pytest.mark.parametrize("ingredient", list(INGREDIENTS))
def test_each_ingredient_of_a_link_is_what_reveals_a_rewrite_of_it(ingredient, hashed, history,
                                                                    monkeypatch) -> None:
    tsunagu, chain, env, case_id = history
    if hashed == "without it":
        monkeypatch.setattr(audit_chain, "link", hash_without(ingredient))
    BatchRunner(tsunagu, [chain]).rebuild()  # the chain as this hash makes it
    checkpoint = exported(make_checkpoint(chain.view, KEY))
    log = StoredLog(env)
    start = INGREDIENTS[ingredient][1](log, tsunagu, case_id)
    rechain(log, chain.view, start)
    problems = verify_chain(tsunagu, chain.view, checkpoint=checkpoint, key=KEY)
    if hashed == "with it":
        assert kinds(problems) == [(checkpoint.position, "checkpoint")], f"the {ingredient} reveals the rewrite"
    else:
        assert problems == [], f"only the {ingredient} reveals this rewrite: a hash without it must miss it"


# ----- the same through the command line ----------------------------------------------------------------------


def test_audit_verify_with_the_exported_checkpoint_catches_reads_erased_with_the_chain_recomputed(
        tmp_path: Path, staff) -> None:
    cipher_key = AESCipher.create_key(32)
    settings = Settings(data_dir=tmp_path, cipher_key=cipher_key)
    tsunagu = build_tsunagu(settings)
    elderly = staff(READER)
    case_id = UUID(tsunagu.execute(elderly, OpenCase(household_name="佐藤家", household_name_kana="さとうけ",
                                                     district=None, summary="")).case_id)
    tsunagu.execute(elderly, AddMember(case_id=case_id, name="佐藤 一", name_kana="さとう",
                                       birth_date=date(1950, 1, 1), relationship="本人"))
    for _ in range(3):
        tsunagu.read_timeline(elderly, case_id)
    tsunagu.execute(elderly, IdentifyIssue(case_id=case_id, tag="other", note=""))
    tsunagu.close()
    env = {**os.environ, "TSUNAGU_DATA_DIR": str(tmp_path), "TSUNAGU_CIPHER_KEY": cipher_key,
           "TSUNAGU_CHECKPOINT_KEY": "k" * 32, "COLUMNS": "200"}

    def audit(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "infra.cli", "audit", *args], env=env, capture_output=True,
                              text=True, timeout=120)

    exported_file = tmp_path / "checkpoint.json"
    assert audit("checkpoint", str(exported_file)).returncode == 0
    store = eventsourcing_env(settings)
    log, view = StoredLog(store), build_read_models(store).audit_chain.view
    reads = log.positions("AccessRecord.Recorded")
    assert reads == list(range(reads[0], reads[0] + 3))
    log.delete(*reads)  # the three reads erased, and the chain made to agree (encrypted: no content needed)
    rechain(log, view, reads[0])
    assert audit("verify").returncode == 0, "log and chain agree with each other"
    caught = audit("verify", "--checkpoint", str(exported_file))
    assert caught.returncode == 1 and "checkpoint" in caught.stdout, caught.stdout + caught.stderr
