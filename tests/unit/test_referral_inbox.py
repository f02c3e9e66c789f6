"""An agency's referral inbox on SQLite, without a broker: what it lists, when an entry is due for the
webhook, what a refused record's description keeps, and that its times are UTC whatever the server's zone.
(Filing from Kafka, and the PostgreSQL inbox, are in tests/integration/test_referral_consumer.py.)"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from consumers.inbox import Inbox, InboxEntry, QuarantinedRecord
from consumers.referrals import utc_now
from domain.referral_feed import ReferralEventV1, event_id_for

AGENCY, OTHER = "hikikomori", "livelihood"
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
TOPIC = "tsunagu.referrals.v1.hikikomori"


def message(n: int, *, recipient: str = AGENCY) -> ReferralEventV1:
    case_id = uuid.UUID(int=n)
    return ReferralEventV1(
        event_id=event_id_for(case_id, 4), type="referral.requested", case_id=case_id, case_version=4,
        referral_id=f"r{n:05d}", from_agency="elderly-shiba", to_agency=AGENCY, acted_by_agency="elderly-shiba",
        recipient=recipient, recipient_role="receiver" if recipient == AGENCY else "sender", categories=("basic",),
        occurred_at=datetime(2026, 6, 1, 1, 0, tzinfo=UTC), recorded_at=datetime(2026, 6, 1, 1, 0, tzinfo=UTC),
        link=f"/cases/{case_id}/timeline")


def refused(offset: int, *, agency: str = AGENCY, at: datetime = T0, claimed: ReferralEventV1 | None = None,
            reason: str = "bad-signature") -> QuarantinedRecord:
    return QuarantinedRecord(agency_id=agency, topic=TOPIC, partition=1, offset=offset, reason=reason,
                             sha256="ab" * 32, size_bytes=548, event_id=claimed.event_id if claimed else None,
                             case_id=claimed.case_id if claimed else None, quarantined_at=at)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "inbox.sqlite"


@pytest.fixture
def inbox(path: Path) -> Iterator[Inbox]:
    inbox = Inbox.sqlite(path)
    yield inbox
    inbox.close()


def referral_ids(entries: list[InboxEntry]) -> list[str | None]:
    return [e.event.referral_id for e in entries]


def the(inbox: Inbox, n: int) -> InboxEntry:
    entry = inbox.entry(AGENCY, message(n).event_id)
    assert entry is not None
    return entry


# ----- what the inbox lists -----------------------------------------------------------------------

def test_an_entry_lists_the_event_when_it_was_received_and_that_the_webhook_is_waiting_for_it(inbox) -> None:
    assert inbox.receive(message(1), at=T0, forward=True)
    assert inbox.entry(AGENCY, message(1).event_id) == InboxEntry(
        event=message(1), received_at=T0, forwarded_at=None, forward_failures=0, next_forward_at=T0, last_error=None)


def test_an_agency_has_no_entry_for_an_event_it_was_not_sent(inbox) -> None:
    inbox.receive(message(1, recipient=OTHER), at=T0, forward=False)
    assert inbox.entry(AGENCY, message(1).event_id) is None
    assert inbox.entry(AGENCY, message(2).event_id) is None
    assert inbox.entry(OTHER, message(1).event_id) is not None


def test_the_inbox_lists_the_newest_hundred_entries_unless_asked_for_more_or_fewer(inbox) -> None:
    for n in range(1, 102):
        inbox.receive(message(n), at=T0 + timedelta(seconds=n), forward=False)
    newest_first = [f"r{n:05d}" for n in range(101, 0, -1)]
    assert referral_ids(inbox.entries(AGENCY)) == newest_first[:100]
    assert referral_ids(inbox.entries(AGENCY, limit=1000)) == newest_first
    assert referral_ids(inbox.entries(AGENCY, limit=2)) == newest_first[:2]


def test_the_inbox_table_holds_each_entrys_ids_in_columns_an_agencys_own_queries_can_use(inbox, path) -> None:
    """README: the inbox is the table ``referral_inbox``; an agency's system may read it by case."""
    inbox.receive(message(7), at=T0, forward=False)
    with sqlite3.connect(path) as reader:
        rows = reader.execute("SELECT agency_id, event_id, type, case_id FROM referral_inbox").fetchall()
    assert rows == [(AGENCY, str(message(7).event_id), "referral.requested", str(message(7).case_id))]


# ----- the webhook's queue ------------------------------------------------------------------------

def test_without_a_webhook_an_entry_is_never_due_for_forwarding(inbox) -> None:
    inbox.receive(message(1), at=T0, forward=False)
    assert the(inbox, 1).next_forward_at is None
    assert inbox.due_for_forwarding(AGENCY, now=T0 + timedelta(days=365), limit=10) == []


def test_an_entry_is_due_for_the_webhook_from_its_arrival_until_forwarded_oldest_first_and_only_the_agencys(
        inbox) -> None:
    inbox.receive(message(2), at=T0 + timedelta(seconds=1), forward=True)
    inbox.receive(message(1), at=T0, forward=True)
    inbox.receive(message(3, recipient=OTHER), at=T0, forward=True)
    assert inbox.due_for_forwarding(AGENCY, now=T0 - timedelta(seconds=1), limit=10) == []
    assert referral_ids(inbox.due_for_forwarding(AGENCY, now=T0, limit=10)) == ["r00001"]
    assert referral_ids(inbox.due_for_forwarding(AGENCY, now=T0 + timedelta(seconds=1), limit=10)) == [
        "r00001", "r00002"]
    assert referral_ids(inbox.due_for_forwarding(AGENCY, now=T0 + timedelta(seconds=1), limit=1)) == ["r00001"]

    inbox.record_forwarded(the(inbox, 1), at=T0 + timedelta(seconds=2))
    assert referral_ids(inbox.due_for_forwarding(AGENCY, now=T0 + timedelta(hours=1), limit=10)) == ["r00002"]
    forwarded = the(inbox, 1)
    assert (forwarded.forwarded_at, forwarded.next_forward_at) == (T0 + timedelta(seconds=2), None)


def test_a_failed_forward_is_counted_and_due_again_at_its_retry_time(inbox) -> None:
    inbox.receive(message(1), at=T0, forward=True)
    retry_at = T0 + timedelta(seconds=30)
    inbox.record_forward_failure(the(inbox, 1), error="HTTP 503", retry_at=retry_at)
    inbox.record_forward_failure(the(inbox, 1), error="URLError: timed out", retry_at=retry_at)
    failed = the(inbox, 1)
    assert (failed.forward_failures, failed.last_error, failed.next_forward_at, failed.forwarded_at) == (
        2, "URLError: timed out", retry_at, None)
    assert inbox.due_for_forwarding(AGENCY, now=retry_at - timedelta(microseconds=1), limit=10) == []
    assert referral_ids(inbox.due_for_forwarding(AGENCY, now=retry_at, limit=10)) == ["r00001"]


def test_an_entry_given_up_on_is_never_forwarded_again_and_keeps_its_error_listed(inbox) -> None:
    inbox.receive(message(1), at=T0, forward=True)
    inbox.receive(message(2), at=T0, forward=True)
    inbox.record_forward_failure(the(inbox, 1), error="HTTP 410 (not retried)", retry_at=None)
    given_up = the(inbox, 1)
    assert (given_up.forward_failures, given_up.last_error, given_up.next_forward_at, given_up.forwarded_at) == (
        1, "HTTP 410 (not retried)", None, None)
    assert referral_ids(inbox.due_for_forwarding(AGENCY, now=T0 + timedelta(days=365), limit=10)) == ["r00002"]


def test_a_long_error_is_kept_to_its_first_500_characters(inbox) -> None:
    inbox.receive(message(1), at=T0, forward=True)
    error = "URLError: " + "".join(f"{n:04d}" for n in range(200))
    inbox.record_forward_failure(the(inbox, 1), error=error, retry_at=T0)
    assert the(inbox, 1).last_error == error[:500]


# ----- the quarantine -----------------------------------------------------------------------------

def test_a_refused_records_description_is_kept_as_given_once_per_wire_position(inbox) -> None:
    claimed = refused(41, claimed=message(5), at=T0 + timedelta(minutes=1))
    unparsed = refused(40, reason="unknown-schema")
    assert inbox.quarantine(claimed) and inbox.quarantine(unparsed)
    assert not inbox.quarantine(refused(41, reason="unsigned", at=T0 + timedelta(hours=1))), "a redelivery"
    assert inbox.quarantine(refused(41, agency=OTHER))
    assert inbox.quarantined(AGENCY) == [claimed, unparsed]
    assert inbox.quarantined(OTHER) == [refused(41, agency=OTHER)]


def test_the_quarantine_lists_the_newest_hundred_records_unless_asked_for_more(inbox) -> None:
    for offset in range(101):
        inbox.quarantine(refused(offset, at=T0 + timedelta(seconds=offset)))
    assert [q.offset for q in inbox.quarantined(AGENCY)] == list(range(100, 0, -1))
    assert len(inbox.quarantined(AGENCY, limit=1000)) == 101


def test_a_schema_name_that_is_not_a_plain_identifier_is_refused_before_anything_connects() -> None:
    """The PostgreSQL inbox's schema goes into the connection's options (``search_path``): anything but a plain
    name is refused. (No server is needed to see it refused.)"""
    with pytest.raises(ValueError, match=r"^not a plain schema name: 'public -c role=postgres'$"):
        Inbox.postgres("postgresql://127.0.0.1:1/nowhere", "public -c role=postgres")


# ----- times --------------------------------------------------------------------------------------

@pytest.fixture
def server_in_london(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A server whose local zone changes its offset (daylight saving ends 2026-10-25 02:00 BST)."""
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_inbox_orders_by_the_instant_whatever_the_servers_zone_and_the_clocks_offset(
        inbox, server_in_london) -> None:
    earlier = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
    later = datetime(2026, 10, 25, 10, 10, tzinfo=timezone(timedelta(hours=9)))  # 01:10 GMT, given in JST
    inbox.receive(message(1), at=earlier, forward=True)
    inbox.receive(message(2), at=later, forward=True)
    assert referral_ids(inbox.entries(AGENCY)) == ["r00002", "r00001"]
    assert referral_ids(inbox.due_for_forwarding(AGENCY, now=earlier + timedelta(minutes=1), limit=10)) == [
        "r00001"]
    inbox.quarantine(refused(1, at=earlier))
    inbox.quarantine(refused(2, at=later))
    assert [q.offset for q in inbox.quarantined(AGENCY)] == [2, 1]


def test_the_consumer_stamps_entries_with_a_clock_that_says_it_is_utc() -> None:
    """A naive local time would be read in whatever zone the store's session has."""
    before = datetime.now(UTC)
    now = utc_now()
    assert now.utcoffset() == timedelta(0) and before <= now <= datetime.now(UTC)


# ----- two processes ------------------------------------------------------------------------------

def test_a_write_waits_out_another_process_holding_the_inbox_for_a_few_seconds(inbox, path) -> None:
    """The consumer and ``tsunagu consume inbox`` (or a backup) share the file: a lock held longer than
    sqlite's default 5 s is waited out, not turned into a crashed consumer."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    releaser = threading.Timer(6.0, lambda: other.execute("COMMIT"))
    releaser.start()
    try:
        started = time.monotonic()
        assert inbox.receive(message(1), at=T0, forward=False)
        assert time.monotonic() - started >= 5.5
    finally:
        releaser.join()
        other.close()
