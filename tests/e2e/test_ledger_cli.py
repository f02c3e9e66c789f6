"""``tsunagu import ledger`` from the command line: a dry run, the import, a re-run that imports nothing, a bad
mapping refused — and nothing a row holds ever printed (row numbers, command names and reasons only)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher

from tests.ledger_samples import SAMPLE_CSV, SAMPLE_MAPPING, sample_rows, write_cp932

CLI = [sys.executable, "-m", "infra.cli", "import", "ledger"]
PERSONAL_COLUMNS = ("世帯", "世帯（カナ）", "相談者", "相談者（カナ）", "生年月日", "支援内容")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "TSUNAGU_DATA_DIR": str(tmp_path / "data"), "TSUNAGU_CIPHER_KEY": AESCipher.create_key(32),
            "COLUMNS": "250"}


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120)


def test_the_ledger_command_dry_runs_imports_and_then_imports_nothing_twice(env, tmp_path) -> None:
    ledger = str(write_cp932(tmp_path / "ledger-sjis.csv"))
    dry = run(env, ledger, "--mapping", str(SAMPLE_MAPPING), "--dry-run")
    assert dry.returncode == 1, dry.stderr  # the sample's bad rows
    assert "取り込み可 16" in dry.stdout and "取り込めません 4" in dry.stdout
    first = run(env, ledger, "--mapping", str(SAMPLE_MAPPING), "--as", "tanaka-yui")
    assert "取り込み済（今回） 16" in first.stdout, first.stdout + first.stderr
    again = run(env, str(SAMPLE_CSV), "--mapping", str(SAMPLE_MAPPING))
    assert "取り込み済（前回まで） 16" in again.stdout and "取り込み済（今回）" not in again.stdout
    header, *rows = sample_rows()
    for column in PERSONAL_COLUMNS:
        index = header.index(column)
        for output in (dry, first, again):
            leaked = [row[index] for row in rows if row[index] and row[index] in output.stdout + output.stderr]
            assert leaked == [], f"{column} printed"


def test_a_bad_mapping_is_refused_with_its_problems_and_exit_status_2(env, tmp_path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(SAMPLE_MAPPING.read_text(encoding="utf-8").replace("received_on: 受付日",
                                                                          "received_on: 受付年月日"), encoding="utf-8")
    result = run(env, str(SAMPLE_CSV), "--mapping", str(mapping), "--dry-run")
    assert result.returncode == 2
    assert "case.received_on" in result.stderr and "受付年月日" in result.stderr


def test_an_unknown_staff_member_to_record_as_is_refused(env) -> None:
    result = run(env, str(SAMPLE_CSV), "--mapping", str(SAMPLE_MAPPING), "--as", "nobody", "--dry-run")
    assert result.returncode == 2 and "--as" in result.stderr
