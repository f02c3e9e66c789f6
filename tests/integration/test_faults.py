"""Faults injected into real components: PostgreSQL restarted under load, concurrent writers on
one case, a projection runner killed mid-batch. Nothing acknowledged is lost; nothing is applied twice.

The tests count effects, not answers: the events in the store per command sent, the idempotency
records per key, the case's version and which version each write landed on. So they fail when
idempotency keys or If-Match are ignored, not only when a request errs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import get_topic
from fastapi.testclient import TestClient
from httpx import Response

from api.main import create_app
from domain.application import Tsunagu
from domain.case import Case
from domain.commands import IdentifyIssue, OpenCase
from domain.errors import VersionConflict
from domain.idempotency import IdempotencyKey, IdempotencyRecord
from infra.auth import TokenIssuer
from infra.bootstrap import Services
from infra.demo import seed_demo
from infra.revocations import revoked_tokens
from infra.settings import Settings
from infra.store import eventsourcing_env
from projections import build_read_models
from projections.runner import BatchRunner
from tests.services._process import ServiceError
from tests.services.fixtures import service_unavailable
from tests.services.postgres import PostgresServer, start_postgres

pytestmark = pytest.mark.integration
SECRET = "fault-secret-" + "x" * 40
OUTAGE_SECONDS = 14.0
"""Longer than the library's own retries (10 attempts, each up to the 1 s connect timeout and a
0.2 s pause), so that clients see the outage as 503s rather than as slow answers."""


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL of this test's own, so crashing it disturbs no other test."""
    scratch = Path(tempfile.mkdtemp(prefix="tsunagu-fault-"))
    scratch.chmod(0o755)
    try:
        server = start_postgres(scratch, durable=True)
    except (ServiceError, OSError) as error:
        shutil.rmtree(scratch, ignore_errors=True)
        service_unavailable(f"could not start a PostgreSQL to crash: {error}")
    yield server
    server.stop()
    shutil.rmtree(scratch, ignore_errors=True)


def test_postgres_restarted_under_load_loses_no_acknowledged_write_and_applies_none_twice(
        own_postgres, registry, figures) -> None:
    """A client sends numbered commands, each with its own Idempotency-Key, retrying 5xx answers with the same
    key; after each 201 it sends the command once more, as a client whose answer was lost would. The store is
    then counted: effects (events) per command, idempotency records per key, the case's version."""
    settings = Settings(store="postgres", postgres_dsn=own_postgres.dsn, jwt_secret=SECRET,
                        projections_in_process=False)
    env = eventsourcing_env(settings) | {"POSTGRES_CONNECT_TIMEOUT": "1"}
    tsunagu = Tsunagu(env, registry=registry)
    read_models = build_read_models(env)
    issuer = TokenIssuer(secret=SECRET, issuer="tsunagu", audience="tsunagu-api", ttl=timedelta(hours=1),
                         registry=registry, revoked=revoked_tokens(env))  # in the crashing database too
    services = Services(settings=settings, tsunagu=tsunagu, read_models=read_models,
                        runner=BatchRunner(tsunagu, read_models.all()), token_issuer=issuer)
    writer_id = "suzuki-kenta"
    headers = {"Authorization": f"Bearer {issuer.issue(registry.staff_member(writer_id))}"}
    sent: list[int] = []
    first: dict[int, int] = {}  # command -> the version its 201 answered
    again: dict[int, tuple[int, int | None]] = {}  # command -> (status, version) when sent again after its 201
    statuses: list[int] = []
    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        case_id = client.post("/cases", json={"household_name": "佐藤家", "household_name_kana": "さとうけ"},
                              headers=headers).json()["case_id"]
        stop = threading.Event()
        give_up = time.monotonic() + OUTAGE_SECONDS + 60

        def send(n: int) -> Response:
            """Command ``n``, retried with its key while the answer is a 5xx (bounded)."""
            while True:
                response = client.post(f"/cases/{case_id}/consultations",
                                       headers={**headers, "Idempotency-Key": f"c-{n}"},
                                       json={"field": "elderly", "summary": f"相談 {n}"})
                statuses.append(response.status_code)
                if response.status_code < 500 or time.monotonic() > give_up:
                    return response
                time.sleep(0.1)

        writer_errors: list[BaseException] = []

        def write() -> None:
            try:
                for n in range(1, 401):
                    if stop.is_set():
                        return
                    sent.append(n)
                    answer = send(n)
                    if answer.status_code != 201:
                        continue
                    first[n] = answer.json()["version"]
                    repeat = send(n)  # the answer "was lost": the client sends the same command again
                    again[n] = (repeat.status_code, repeat.json().get("version"))
            except BaseException as error:  # a dead writer must fail the test, not end it quietly
                writer_errors.append(error)

        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.5)
        own_postgres.crash()
        time.sleep(OUTAGE_SECONDS)
        own_postgres.start_again()
        time.sleep(1.0)
        stop.set()
        writer.join(timeout=120)
        assert not writer.is_alive(), "the writer was still running after 120 s"
        assert writer_errors == []
        timeline = client.get(f"/cases/{case_id}/timeline", headers=headers)
    assert timeline.status_code == 200

    events = tsunagu._events(UUID(case_id))
    effects = Counter(e.summary for e in events if isinstance(e, Case.ConsultationRecorded))
    per_command = {n: effects[f"相談 {n}"] for n in sent}
    records = Counter(str(n.originator_id) for n in tsunagu.notifications([get_topic(IdempotencyRecord.Recorded)]))
    per_key = {n: records[str(IdempotencyKey(writer_id, f"c-{n}", "").record_id)] for n in sent}
    figures(fault="PostgreSQL crashed (immediate shutdown) under a client retrying with Idempotency-Key, "
                  "each answered command sent again", outage_s=OUTAGE_SECONDS, requests=len(statuses),
            commands=len(sent), acknowledged=len(first), sent_again=len(again), answered_503=statuses.count(503),
            answered_500=statuses.count(500), case_version=len(events), idempotency_records=sum(per_key.values()),
            lost=sum(1 for n in first if per_command[n] == 0),
            duplicate_effects=sum(count - 1 for count in per_command.values() if count > 1))
    assert sent == sorted(first), "every command was answered 201 in the end"
    assert per_command == dict.fromkeys(sent, 1), "each command took effect once: none lost, none applied twice"
    assert again == {n: (201, version) for n, version in first.items()}, "a command sent again answers its first result"
    assert per_key == dict.fromkeys(sent, 1), "one idempotency record per key, saved with the command's effect"
    assert [first[n] for n in sent] == list(range(2, len(sent) + 2)), "each write took the next version"
    assert len(events) == 1 + len(sent)
    assert set(first.values()) <= {entry["seq"] for entry in timeline.json()["entries"]}
    assert 503 in statuses and 500 not in statuses
    assert len(first) >= 5


def test_concurrent_writers_each_land_on_the_version_they_read_or_are_refused(tsunagu, staff, figures) -> None:
    """Eight writers read the case, all before any of them writes, then write (staggered) with If-Match on what
    they read; a refused writer reads again and retries. Counted in the store: whose entry landed on which version."""
    elderly = staff("suzuki-kenta")
    case_id = UUID(tsunagu.execute(elderly, OpenCase(household_name="佐藤家", household_name_kana="さとうけ",
                                                     district=None, summary="")).case_id)
    writers = 8
    everyone_has_read = threading.Barrier(writers)
    read_before_success: dict[int, int] = {}
    first_attempts: list[str] = []
    conflicts: list[int] = []
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for attempt in range(50):
                read = tsunagu._load(case_id).version
                if attempt == 0:  # everyone has read the same version; then they write one after another
                    everyone_has_read.wait(timeout=30)
                    time.sleep(0.005 * n)
                try:
                    tsunagu.execute(elderly, IdentifyIssue(case_id=case_id, tag="other", note=f"writer {n}"),
                                    expected_version=read)
                except VersionConflict:
                    conflicts.append(n)
                    if attempt == 0:
                        first_attempts.append("refused")
                    time.sleep(0.001 * attempt)
                    continue
                if attempt == 0:
                    first_attempts.append("written")
                read_before_success[n] = read
                return
        except BaseException as error:  # reported below: a thread's failure must fail the test
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    events = tsunagu._events(case_id)
    landed = {int(e.note.removeprefix("writer ")): e.originator_version
              for e in events if isinstance(e, Case.IssueIdentified)}
    entries = Counter(e.note for e in events if isinstance(e, Case.IssueIdentified))
    on_unread = sorted(n for n, version in landed.items() if version != read_before_success.get(n, -1) + 1)
    figures(fault=f"{writers} writers racing on one case with If-Match (all read before any writes)",
            writers=writers, first_attempts_written=first_attempts.count("written"), conflicts_retried=len(conflicts),
            successes=len(read_before_success), case_version=len(events), written_over_an_unread_version=len(on_unread),
            lost=sum(1 for n in read_before_success if n not in landed),
            duplicate_effects=sum(count - 1 for count in entries.values() if count > 1))
    assert errors == []
    assert sorted(read_before_success) == list(range(writers)), "every writer succeeded in the end"
    assert entries == Counter(f"writer {n}" for n in range(writers)), "one entry per writer"
    assert on_unread == [], "each entry landed on the version after the one its writer read (no lost update)"
    assert first_attempts.count("written") == 1, "of eight who read the same version, one may write"
    assert len(events) == 1 + writers


def test_projection_runner_killed_mid_batch_resumes_and_equals_a_rebuild(tmp_path, registry, figures) -> None:
    key = AESCipher.create_key(32)
    settings = Settings(data_dir=tmp_path, projection_batch_size=40, cipher_key=key)
    tsunagu = Tsunagu(eventsourcing_env(settings), registry=registry)
    seed_demo(tsunagu, households=150)
    head = tsunagu.recorder.max_notification_id()
    env = {**os.environ, "TSUNAGU_DATA_DIR": str(tmp_path), "TSUNAGU_PROJECTION_BATCH_SIZE": "40",
           "TSUNAGU_CIPHER_KEY": key}  # as deployed: the runner refuses a store without its key
    runner = subprocess.Popen([sys.executable, "-m", "infra.cli", "projections", "run", "--poll", "0.05"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    read_models = build_read_models(eventsourcing_env(settings))
    probe = BatchRunner(tsunagu, read_models.all())
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and max(probe.positions().values()) < head // 3:
            time.sleep(0.01)
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait(timeout=10)
    positions = probe.positions()
    assert 0 < min(positions.values()) and max(positions.values()) < head, f"killed mid-run: {positions}"
    probe.catch_up()  # a restarted runner takes over from the tracked positions
    resumed = {m.name: m.view.dump() for m in read_models.all()}
    probe.rebuild()
    rebuilt = {m.name: m.view.dump() for m in read_models.all()}
    figures(fault="projection runner SIGKILLed mid-batch, then resumed", log_events=head,
            positions_at_kill=positions, equals_rebuild=rebuilt == resumed)
    assert rebuilt == resumed
