"""`tsunagu consume inbox` and `consume quarantine` list an agency's inbox and refused records from the
configured store; unknown agencies are refused; the relay and a consumer refuse to start without their
signing secret or key, and never repeat a wrong one."""

from __future__ import annotations

import os
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path

from consumers.inbox import Inbox, QuarantinedRecord
from domain.referral_feed import ReferralEventV1, event_id_for
from infra.kafka.signing import derive_agency_key
from tests.kafka_support import TSUNAGU

SECRET = "e2e-relay-signing-secret-" + uuid.uuid4().hex


def run_cli(*args: str, database: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("TSUNAGU_")}
    env.update(TSUNAGU_STORE="sqlite", TSUNAGU_SQLITE_PATH=str(database), TSUNAGU_DATA_DIR=str(database.parent),
               TSUNAGU_KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9", COLUMNS="250", **extra)
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


def test_an_agency_lists_its_refused_records_with_reason_position_and_digest_never_content(tmp_path: Path) -> None:
    database = tmp_path / "tsunagu.db"
    claimed = uuid.uuid4()
    inbox = Inbox.sqlite(database)
    for offset, reason in ((7, "bad-signature"), (9, "oversized")):
        inbox.quarantine(QuarantinedRecord(
            agency_id="hikikomori", topic="tsunagu.referrals.v1.hikikomori", partition=1, offset=offset,
            reason=reason, sha256="ab" * 32, size_bytes=900_123, event_id=claimed if offset == 7 else None,
            case_id=None, quarantined_at=datetime(2026, 6, 1, tzinfo=UTC)))
    inbox.close()

    listed = run_cli("consume", "quarantine", "--agency", "hikikomori", database=database)
    assert listed.returncode == 0, listed.stderr
    for text in ("bad-signature", "oversized", "tsunagu.referrals.v1.hikikomori/1@7", "900123", "ab" * 8,
                 str(claimed)):
        assert text in listed.stdout
    elsewhere = run_cli("consume", "quarantine", "--agency", "livelihood", database=database)
    assert "bad-signature" not in elsewhere.stdout and "no refused records" in elsewhere.stdout


def test_the_relay_and_a_consumer_refuse_to_start_without_their_signing_secret_or_key(tmp_path: Path) -> None:
    database = tmp_path / "tsunagu.db"
    relay = run_cli("relay", "--once", database=database)
    assert relay.returncode == 2 and "TSUNAGU_KAFKA_SIGNING_SECRET is not set" in relay.stderr
    assert "Traceback" not in relay.stderr

    weak = "password-password-password-password"
    relay = run_cli("relay", "--once", database=database, TSUNAGU_KAFKA_SIGNING_SECRET=weak)
    assert relay.returncode == 2 and "TSUNAGU_KAFKA_SIGNING_SECRET is too weak" in relay.stderr
    assert "password" not in relay.stderr + relay.stdout

    consumer = run_cli("consume", "referrals", "--agency", "hikikomori", database=database,
                       TSUNAGU_KAFKA_SIGNING_SECRET=SECRET)  # the relay's secret is not the agency's key
    assert consumer.returncode == 2 and "TSUNAGU_KAFKA_SIGNING_KEY is not set" in consumer.stderr
    consumer = run_cli("consume", "referrals", "--agency", "hikikomori", database=database,
                       TSUNAGU_KAFKA_SIGNING_KEY=SECRET)
    assert consumer.returncode == 2 and "TSUNAGU_KAFKA_SIGNING_KEY is not an agency signing key" in consumer.stderr
    assert SECRET not in consumer.stderr + consumer.stdout


def test_the_operator_prints_each_agencys_key_from_the_relay_secret(tmp_path: Path) -> None:
    database = tmp_path / "tsunagu.db"
    printed = run_cli("consume", "signing-key", "--agency", "hikikomori", database=database,
                      TSUNAGU_KAFKA_SIGNING_SECRET=SECRET)
    assert printed.returncode == 0, printed.stderr
    key = derive_agency_key(SECRET, "hikikomori")
    assert printed.stdout.strip() == key.encoded() and key.key_id in printed.stderr
    assert SECRET not in printed.stdout + printed.stderr
    unknown = run_cli("consume", "signing-key", "--agency", "nowhere", database=database,
                      TSUNAGU_KAFKA_SIGNING_SECRET=SECRET)
    assert unknown.returncode == 2 and "not registered" in unknown.stderr
