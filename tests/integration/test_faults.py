"""Faults injected into real components: PostgreSQL restarted under load, concurrent writers on
one case, a projection runner killed mid-batch. Nothing acknowledged is lost; nothing is applied twice."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.cryptography import AESCipher
from fastapi.testclient import TestClient

from api.main import create_app
from domain.application import Tsunagu
from domain.commands import IdentifyIssue, OpenCase
from domain.errors import VersionConflict
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


def test_postgres_restarted_under_load_answers_503_meanwhile_and_loses_no_acknowledged_write(
        own_postgres, registry, figures) -> None:
    settings = Settings(store="postgres", postgres_dsn=own_postgres.dsn, jwt_secret=SECRET,
                        projections_in_process=False)
    env = eventsourcing_env(settings) | {"POSTGRES_CONNECT_TIMEOUT": "1"}
    tsunagu = Tsunagu(env, registry=registry)
    read_models = build_read_models(env)
    issuer = TokenIssuer(secret=SECRET, issuer="tsunagu", audience="tsunagu-api", ttl=timedelta(hours=1),
                         registry=registry, revoked=revoked_tokens(env))  # in the crashing database too
    services = Services(settings=settings, tsunagu=tsunagu, read_models=read_models,
                        runner=BatchRunner(tsunagu, read_models.all()), token_issuer=issuer)
    headers = {"Authorization": f"Bearer {issuer.issue(registry.staff_member('suzuki-kenta'))}"}
    acknowledged: list[int] = []
    statuses: list[int] = []
    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        case_id = client.post("/cases", json={"household_name": "佐藤家", "household_name_kana": "さとうけ"},
                              headers=headers).json()["case_id"]
        stop = threading.Event()

        def write() -> None:
            n = 0
            while not stop.is_set() and n < 400:
                n += 1
                for _attempt in range(50):  # a client that retries with the same key
                    response = client.post(f"/cases/{case_id}/consultations",
                                           headers={**headers, "Idempotency-Key": f"c-{n}"},
                                           json={"field": "elderly", "summary": f"相談 {n}"})
                    statuses.append(response.status_code)
                    if response.status_code == 201:
                        acknowledged.append(response.json()["version"])
                        break
                    time.sleep(0.1)

        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.5)
        own_postgres.crash()
        time.sleep(OUTAGE_SECONDS)
        own_postgres.start_again()
        time.sleep(1.0)
        stop.set()
        writer.join(timeout=120)
        timeline = client.get(f"/cases/{case_id}/timeline", headers=headers)
    assert timeline.status_code == 200
    versions = {entry["seq"] for entry in timeline.json()["entries"]}
    figures(fault="PostgreSQL crashed (immediate shutdown) under a retrying writer", outage_s=OUTAGE_SECONDS,
            requests=len(statuses), acknowledged=len(acknowledged), answered_503=statuses.count(503),
            answered_500=statuses.count(500), lost=len(set(acknowledged) - versions),
            duplicate_effects=len(versions) - 1 - len(set(acknowledged)))
    assert set(acknowledged) <= versions, "every acknowledged write is in the log"
    assert len(acknowledged) == len(set(acknowledged)) == len(versions) - 1, "no write recorded twice"
    assert 503 in statuses and 500 not in statuses
    assert statuses.count(201) == len(acknowledged) >= 5


def test_concurrent_writers_on_one_case_end_at_the_version_of_their_successes(tsunagu, staff, figures) -> None:
    elderly = staff("suzuki-kenta")
    case_id = UUID(tsunagu.execute(elderly, OpenCase(household_name="佐藤家", household_name_kana="さとうけ",
                                                     district=None, summary="")).case_id)
    successes, conflicts = [], []

    def writer(n: int) -> None:
        for attempt in range(20):
            try:
                current = tsunagu._load(case_id).version
                tsunagu.execute(elderly, IdentifyIssue(case_id=case_id, tag="other", note=f"{n}-{attempt}"),
                                expected_version=current)
            except VersionConflict:
                conflicts.append(n)
                time.sleep(0.001 * attempt)
                continue
            successes.append(n)
            return

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    final = tsunagu._load(case_id).version
    figures(fault="8 writers racing on one case with optimistic concurrency", writers=8,
            conflicts_retried=len(conflicts), successes=len(successes), final_version=final,
            lost=len(successes) - (final - 1), duplicate_effects=max(0, final - 1 - len(successes)))
    assert sorted(successes) == list(range(8))
    assert final == 1 + len(successes)


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
