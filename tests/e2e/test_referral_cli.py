"""`tsunagu consume inbox` lists an agency's inbox from the configured store; unknown agencies are refused."""

from __future__ import annotations

import os
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path

from consumers.inbox import Inbox
from domain.referral_feed import ReferralEventV1, event_id_for
from tests.kafka_support import TSUNAGU


def run_cli(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("TSUNAGU_")}
    env.update(TSUNAGU_STORE="sqlite", TSUNAGU_SQLITE_PATH=str(database), TSUNAGU_DATA_DIR=str(database.parent),
               COLUMNS="250")
    return subprocess.run([str(TSUNAGU), *args], env=env, cwd=database.parent, capture_output=True, text=True,
                          timeout=60, check=False)


def test_an_agency_lists_its_inbox_with_ids_agencies_categories_and_the_link(tmp_path: Path) -> None:
    database = tmp_path / "tsunagu.db"
    case_id = uuid.uuid4()
    inbox = Inbox.sqlite(database)
    inbox.receive(ReferralEventV1(
        event_id=event_id_for(case_id, 4), type="referral.requested", case_id=case_id, case_version=4,
        referral_id="r1", from_agency="elderly-shiba", to_agency="hikikomori", acted_by_agency="elderly-shiba",
        recipient="hikikomori", recipient_role="receiver", categories=("basic", "support"),
        occurred_at=datetime(2026, 6, 1, tzinfo=UTC), recorded_at=datetime(2026, 6, 1, tzinfo=UTC),
        link=f"/cases/{case_id}/timeline"), at=datetime(2026, 6, 1, tzinfo=UTC), forward=False)
    inbox.close()

    listed = run_cli("consume", "inbox", "--agency", "hikikomori", database=database)
    assert listed.returncode == 0, listed.stderr
    for text in ("referral.requested", str(case_id), "elderly-shiba → hikikomori", "basic, support",
                 f"/cases/{case_id}/timeline"):
        assert text in listed.stdout
    assert str(case_id) not in run_cli("consume", "inbox", "--agency", "livelihood", database=database).stdout

    unknown = run_cli("consume", "inbox", "--agency", "nowhere", database=database)
    assert unknown.returncode == 2 and "not registered" in unknown.stderr
