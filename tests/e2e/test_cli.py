"""The command line on a demo store: rebuild shows progress; audit verify passes, then flags a plant."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from eventsourcing.cryptography import AESCipher

from domain.access import decide_case
from domain.access_record import AccessRecord
from domain.vocabulary import Basis
from infra.bootstrap import build_tsunagu
from infra.demo import seed_demo
from infra.settings import Settings
from tests.support import access_records

CLI = [sys.executable, "-m", "infra.cli"]
CIPHER_KEY = AESCipher.create_key(32)


@pytest.fixture
def demo_store(tmp_path: Path) -> dict[str, str]:
    """A seeded store, encrypted, and the environment a deployment would give the commands."""
    env = {**os.environ, "TSUNAGU_DATA_DIR": str(tmp_path), "TSUNAGU_CIPHER_KEY": CIPHER_KEY, "COLUMNS": "200"}
    tsunagu = build_tsunagu(Settings(data_dir=tmp_path, cipher_key=CIPHER_KEY))
    seed_demo(tsunagu, households=15)
    tsunagu.close()
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120)


def test_projections_rebuild_reports_progress_and_rate(demo_store) -> None:
    result = run(demo_store, "projections", "rebuild")
    assert result.returncode == 0, result.stderr
    assert "再構築中" in result.stdout and "件/秒" in result.stdout
    status = run(demo_store, "projections", "status")
    assert "case_state" in status.stdout and status.returncode == 0


def test_rebuild_of_an_unknown_read_model_is_a_clear_usage_error(demo_store) -> None:
    result = run(demo_store, "projections", "rebuild", "no_such_model")
    assert result.returncode == 2 and "unknown read model" in result.stderr


def test_audit_verify_passes_on_the_demo_and_fails_on_a_planted_record(demo_store, tmp_path) -> None:
    tsunagu = build_tsunagu(Settings(data_dir=tmp_path, cipher_key=CIPHER_KEY))
    opened = tsunagu.recorder.select_notifications(start=1, limit=1, topics=["domain.case.aggregate:Case.Opened"])
    case = tsunagu._load(UUID(str(opened[0].originator_id)))
    reader = tsunagu.registry.staff_member("kobayashi-shota").as_actor()
    tsunagu.read_timeline(tsunagu.registry.staff_member("watanabe-makoto").as_actor(), case.id)  # an honest read
    assert run(demo_store, "audit", "verify").returncode == 0
    forged = AccessRecord._create(
        AccessRecord.Recorded, id=uuid4(), reader_staff=reader.staff_id, reader_agency=reader.agency_id,
        reader_roles=sorted(reader.roles), case_id=str(case.id), case_found=True, case_version=case.version,
        purpose="timeline", channel="api", decided_at=tsunagu.clock(), shown={"SUPPORT_MEETING": [1]},
        grounds={"SUPPORT_MEETING": ["forged"]}, withheld=[], active_consents=[], rules=2,
        ground_seqs={"forged": [1]})
    tsunagu.save(forged)
    result = run(demo_store, "audit", "verify")
    assert result.returncode == 1 and "1 件の不整合" in result.stdout


def test_audit_export_writes_a_spreadsheet_csv(demo_store, tmp_path) -> None:
    output = tmp_path / "audit.csv"
    result = run(demo_store, "audit", "export", str(output))
    assert result.returncode == 0, result.stderr
    assert output.read_bytes().startswith("\ufeff判定日時".encode())


def test_signed_checkpoint_catches_a_tail_truncated_in_both_log_and_chain(demo_store, tmp_path) -> None:
    import sqlite3

    env = {**demo_store, "TSUNAGU_CHECKPOINT_KEY": "k" * 32}
    checkpoint = tmp_path / "checkpoint.json"
    assert run(env, "audit", "checkpoint", str(checkpoint)).returncode == 0
    assert run(env, "audit", "verify", "--checkpoint", str(checkpoint)).returncode == 0
    for database, table, column in ((tmp_path / "tsunagu.db", "stored_events", "rowid"),
                                    (tmp_path / "tsunagu.audit_chain.db", "rm_chain", "position")):
        with sqlite3.connect(database) as conn:
            conn.execute(f"DELETE FROM {table} WHERE {column} > (SELECT MAX({column}) - 5 FROM {table})")
    assert run(env, "audit", "verify").returncode == 0  # consistent with itself...
    result = run(env, "audit", "verify", "--checkpoint", str(checkpoint))
    assert result.returncode == 1 and "checkpoint" in result.stdout  # ...but not with the checkpoint


def test_audit_verify_flags_a_read_with_the_right_basis_on_the_wrong_consent(demo_store, tmp_path) -> None:
    tsunagu = build_tsunagu(Settings(data_dir=tmp_path, cipher_key=CIPHER_KEY))
    honest, moved, wrong = None, 0, ""
    for notification in tsunagu.notifications(["domain.case.aggregate:Case.Opened"]):
        case = tsunagu._load(notification.originator_id)
        for staff in tsunagu.registry.staff:
            reader = staff.as_actor()
            granted = [d for d in decide_case(reader, case, tsunagu.clock()) if d.basis == Basis.CONSENT]
            others = [c for c in case.consents if granted and c not in granted[0].ground.split("+")]
            if granted and others:
                tsunagu.read_timeline(reader, case.id)
                honest, moved, wrong = access_records(tsunagu)[-1], granted[0].seq, others[0]
                break
        if honest is not None:
            break
    assert honest is not None, "the demo has a read granted on consent, and another consent on that case"
    assert run(demo_store, "audit", "verify").returncode == 0
    ground_seqs = {g: [s for s in seqs if s != moved] for g, seqs in honest.ground_seqs.items()}
    ground_seqs = {g: seqs for g, seqs in ground_seqs.items() if seqs} | {wrong: [moved]}
    forged = AccessRecord._create(
        AccessRecord.Recorded, id=uuid4(), reader_staff=honest.reader_staff, reader_agency=honest.reader_agency,
        reader_roles=honest.reader_roles, case_id=honest.case_id, case_found=True, case_version=honest.case_version,
        purpose="timeline", channel="api", decided_at=honest.decided_at, shown=honest.shown,
        grounds={**honest.grounds, "CONSENT": sorted({*honest.grounds.get("CONSENT", []), wrong})},
        withheld=honest.withheld, active_consents=honest.active_consents, rules=2, ground_seqs=ground_seqs)
    tsunagu.save(forged)
    result = run(demo_store, "audit", "verify")
    assert result.returncode == 1 and "1 件の不整合" in result.stdout
