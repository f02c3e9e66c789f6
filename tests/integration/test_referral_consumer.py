"""An agency's consumer files each referral event in its inbox once, however often the wire repeats it,
and forwards it to the agency's webhook with retry and backoff (inbox on SQLite and PostgreSQL). Records
the relay did not sign for the agency, or that are not what they claim, are quarantined, never filed."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient

from consumers.inbox import Inbox
from consumers.referrals import KILL_POINT_ENV, ReferralConsumer, utc_now
from consumers.webhook import WebhookForwarder
from domain.commands import AcceptReferral, CompleteReferral
from domain.referral_feed import SIGNATURE_HEADER, AgencyKey, ReferralEventV1, ReferralFeed, event_id_for, wire_bytes
from domain.vocabulary import InformationCategory
from infra.kafka.clients import layout, new_referral_consumer
from infra.kafka.relay import KafkaPublisher, ReferralRelay
from infra.kafka.settings import KafkaSettings
from tests.kafka_support import (
    RECEIVER,
    TIMEOUT_S,
    WebhookReceiver,
    agency_key,
    consume_into,
    consume_until,
    eventually,
    isolated_kafka_settings,
    records_for,
    refer,
    relay_keys,
    verifier_for,
)

pytestmark = pytest.mark.integration

AGENCY = "hikikomori"


@pytest.fixture
def kafka(kafka_bootstrap: str) -> KafkaSettings:
    return isolated_kafka_settings(kafka_bootstrap)


@pytest.fixture
def inbox(request: pytest.FixtureRequest, store_env: dict[str, str]) -> Iterator[Inbox]:
    if store_env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        inbox = Inbox.sqlite(Path(store_env["SQLITE_DBNAME"]))
    else:
        inbox = Inbox.postgres(request.getfixturevalue("postgres_dsn"), store_env["POSTGRES_SCHEMA"])
    yield inbox
    inbox.close()


def message(n: int, *, recipient: str = AGENCY) -> ReferralEventV1:
    case_id = uuid.UUID(int=n)
    return ReferralEventV1(
        event_id=event_id_for(case_id, 4), type="referral.requested", case_id=case_id, case_version=4,
        referral_id=f"r{n:05d}", from_agency="elderly-shiba", to_agency=AGENCY, acted_by_agency="elderly-shiba",
        recipient=recipient, recipient_role="receiver" if recipient == AGENCY else "sender", categories=("basic",),
        occurred_at=datetime(2026, 6, 1, 1, 0, tzinfo=UTC), recorded_at=datetime(2026, 6, 1, 1, 0, tzinfo=UTC),
        link=f"/cases/{case_id}/timeline")


def publish(kafka: KafkaSettings, messages: list[ReferralEventV1]) -> None:
    """As the relay does: signed with each recipient's key."""
    publisher = KafkaPublisher(kafka, relay_keys())
    try:
        publisher.publish(messages)
    finally:
        publisher.close()


def write(kafka: KafkaSettings, value: bytes | None, *, signed_with: AgencyKey | None = None, key: bytes | None = None,
          headers: list[tuple[str, bytes]] | None = None) -> tuple[int, int]:
    """What anyone with WRITE on the agency's topic can do; answers the record's (partition, offset)."""
    headers = list(headers or [])
    if signed_with is not None:
        headers.append((SIGNATURE_HEADER, signed_with.sign(value or b"")))
    producer = KafkaProducer(**kafka.client_config(), max_request_size=2 * 1024 * 1024)
    try:
        sent = producer.send(layout(kafka).topic_for(AGENCY), value=value, key=key, headers=headers).get(timeout=10)
    finally:
        producer.close()
    return sent.partition, sent.offset


def committed_offsets(kafka: KafkaSettings) -> int:
    admin = KafkaAdminClient(**kafka.client_config())
    try:
        group = layout(kafka).group_for(AGENCY)
        return sum(o.offset for o in admin.list_group_offsets({group: None}).get(group, {}).values() if o.offset > 0)
    finally:
        admin.close()


def test_consumer_files_each_referral_once_however_often_the_wire_repeats_it(kafka, inbox) -> None:
    messages = [message(n) for n in range(1, 11)]
    publish(kafka, messages)
    publish(kafka, messages[:4])  # a relay that crashed before recording its position sends again
    consumer = consume_into(inbox, kafka, 14)
    assert (consumer.stats.new, consumer.stats.duplicates) == (10, 4)
    assert sorted(e.event.event_id for e in inbox.entries(AGENCY)) == sorted(m.event_id for m in messages)

    # Offsets lost (a new group reads the topic from the start): the inbox still has each event once.
    again = consume_into(inbox, kafka.model_copy(update={"group_prefix": kafka.group_prefix + "again."}), 14)
    assert (again.stats.new, again.stats.duplicates) == (0, 14)
    assert len(inbox.entries(AGENCY, limit=1000)) == 10


def test_records_not_signed_for_this_agency_or_not_what_they_claim_are_quarantined(kafka, inbox) -> None:
    publish(kafka, [message(1)])  # creates the topic
    key = agency_key(AGENCY)
    mislabelled = message(5).model_copy(update={"event_id": event_id_for(message(5).case_id, 5)})
    refused = {
        "unsigned": write(kafka, b"\xff not json"),
        "unknown-schema": write(kafka, b"\xff not json", signed_with=key),
        "not-addressed-here": write(kafka, wire_bytes(message(2, recipient="livelihood")), signed_with=key),
        "unknown-key": write(kafka, wire_bytes(message(4)), signed_with=agency_key("livelihood")),
        "event-id-not-derived": write(kafka, wire_bytes(mislabelled), signed_with=key),
    }
    publish(kafka, [message(3)])
    consumer = consume_into(inbox, kafka, 7)
    assert (consumer.stats.new, consumer.stats.quarantined) == (2, 5)
    assert {e.event.referral_id for e in inbox.entries(AGENCY)} == {"r00001", "r00003"}
    assert {q.reason: (q.partition, q.offset) for q in inbox.quarantined(AGENCY)} == refused


PHISHING = "https://tsunagu-login.example/cases/timeline"


def test_forged_records_are_quarantined_and_only_the_real_events_reach_the_inbox_and_webhook_once(
        tsunagu, staff, kafka, inbox) -> None:
    """The review's attack: a forged record carrying the id of the case's *next* event, written to the
    agency's topic before the real one, used to be filed (and forwarded) in its place. Here the forgery is
    perfect but for the signature (it even names the case's own timeline); the others are signed with the
    agency's key, as only the relay could, and are still refused for what they say."""
    relay = ReferralRelay.from_settings(ReferralFeed(tsunagu, coordination_agency="coordination"), kafka, relay_keys())
    case_id, referral, requested = refer(tsunagu)
    relay.run(threading.Event(), until_idle=True)
    [genuine] = records_for(kafka, AGENCY)
    fields = json.loads(genuine.value)
    version = fields["case_version"]
    copied_key_id = dict(genuine.headers)[SIGNATURE_HEADER].split(b",")[0]

    def forged(at_version: int, **changes: object) -> bytes:
        return json.dumps({**fields, "type": "referral.completed", "case_version": at_version,
                           "event_id": str(event_id_for(case_id, at_version)), **changes}).encode()

    unknown_case = uuid.uuid4()
    forgeries = {  # written before the events they imitate happen
        "bad-signature": forged(version + 1),
        "foreign-link": forged(version + 2, link=PHISHING),
        "oversized": forged(1, case_id=str(unknown_case), event_id=str(event_id_for(unknown_case, 1)),
                            link=f"/cases/{unknown_case}/timeline", referral_id="x" * 900_000),
        "unsigned": forged(1, case_id=str(unknown_case), event_id=str(event_id_for(unknown_case, 1)),
                           link=f"/cases/{unknown_case}/timeline"),
    }
    positions = {
        "bad-signature": write(kafka, forgeries["bad-signature"], key=str(case_id).encode(),
                               headers=[(SIGNATURE_HEADER, copied_key_id + b",sha256=" + b"0" * 64)]),
        # Signed with the agency's own key, as only the relay could: the content checks still refuse them.
        "foreign-link": write(kafka, forgeries["foreign-link"], key=str(case_id).encode(),
                              signed_with=agency_key(AGENCY)),
        "oversized": write(kafka, forgeries["oversized"], signed_with=agency_key(AGENCY)),
        "unsigned": write(kafka, forgeries["unsigned"]),
    }
    accepted = tsunagu.execute(staff(RECEIVER), AcceptReferral(case_id=case_id, referral_id=referral))
    completed = tsunagu.execute(staff(RECEIVER), CompleteReferral(case_id=case_id, referral_id=referral,
                                                                  outcome="居場所につながった"))
    assert (accepted.version, completed.version) == (version + 1, version + 2)
    relay.run(threading.Event(), until_idle=True)
    relay.close()
    real = [requested, event_id_for(case_id, version + 1), event_id_for(case_id, version + 2)]

    with WebhookReceiver() as webhook:
        forwarder = WebhookForwarder(inbox, AGENCY, webhook.url, clock=utc_now, secret="w" * 32)
        consumer = ReferralConsumer(AGENCY, new_referral_consumer(kafka, AGENCY), inbox,
                                    verifier=verifier_for(kafka, AGENCY), forwarder=forwarder)
        def forwarded() -> bool:
            consumer.poll_once(timeout_ms=100)
            return consumer.stats.handled >= 7 and len(webhook.requests) >= 3

        try:
            eventually(forwarded, what="every record handled and the real events forwarded", interval=0)
        finally:
            consumer.close()

    assert (consumer.stats.new, consumer.stats.duplicates, consumer.stats.quarantined) == (3, 0, 4)
    entries = sorted(inbox.entries(AGENCY), key=lambda e: e.event.case_version)
    assert [(e.event.event_id, e.event.type, e.event.link) for e in entries] == [
        (real[0], "referral.requested", f"/cases/{case_id}/timeline"),
        (real[1], "referral.accepted", f"/cases/{case_id}/timeline"),
        (real[2], "referral.completed", f"/cases/{case_id}/timeline")]
    assert Counter(webhook.accepted_event_ids()) == Counter(str(e) for e in real), "each real event once"
    assert len(webhook.requests) == 3 and not [b for _, b, _ in webhook.requests if PHISHING.encode() in b]

    quarantined = {q.reason: q for q in inbox.quarantined(AGENCY)}
    assert {reason: (q.partition, q.offset) for reason, q in quarantined.items()} == positions
    for reason, q in quarantined.items():
        assert (q.sha256, q.size_bytes) == (hashlib.sha256(forgeries[reason]).hexdigest(), len(forgeries[reason]))
        assert q.topic == layout(kafka).topic_for(AGENCY) and PHISHING not in repr(q)
    assert quarantined["bad-signature"].event_id == real[1], "the claimed id is shown, not filed"
    assert committed_offsets(kafka) == 7, "a refused record is handled: it does not block its partition"

    # Offsets lost (a new group reads everything again): nothing is filed, quarantined or forwarded twice.
    again = consume_into(inbox, kafka.model_copy(update={"group_prefix": kafka.group_prefix + "again."}), 7)
    assert (again.stats.new, again.stats.duplicates, again.stats.quarantined) == (0, 3, 4)
    assert (len(inbox.entries(AGENCY)), len(inbox.quarantined(AGENCY))) == (3, 4)


def test_a_signed_copy_of_a_filed_event_with_other_content_is_an_alert_not_a_silent_drop(kafka, inbox,
                                                                                          caplog) -> None:
    original = message(1)
    altered = original.model_copy(update={"categories": (InformationCategory.BASIC, InformationCategory.HEALTH)})
    publish(kafka, [original, original, altered])
    with caplog.at_level(logging.INFO, logger="tsunagu.consumer"):
        consumer = consume_into(inbox, kafka, 3)
    stats = consumer.stats
    assert (stats.new, stats.duplicates, stats.quarantined, stats.conflicts) == (1, 1, 1, 1)
    assert [e.event for e in inbox.entries(AGENCY)] == [original], "the first filed copy stays"
    [conflict] = inbox.quarantined(AGENCY)
    assert (conflict.reason, conflict.event_id, conflict.case_id) == (
        "conflicting-duplicate", original.event_id, original.case_id)
    assert conflict.sha256 == hashlib.sha256(wire_bytes(altered)).hexdigest()
    [alert] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "ALERT" in alert.getMessage() and str(original.event_id) in alert.getMessage()
    assert "health" not in caplog.text and "r00001" not in caplog.text, "the log names ids, not content"


def test_webhook_is_retried_with_backoff_until_the_agency_system_accepts(kafka, inbox) -> None:
    publish(kafka, [message(1), message(2)])
    with WebhookReceiver(fail_first=2) as webhook:
        forwarder = WebhookForwarder(inbox, AGENCY, webhook.url, clock=utc_now, secret="s" * 32,
                                     backoff_initial_s=0.1, backoff_max_s=1)
        consumer = ReferralConsumer(AGENCY, new_referral_consumer(kafka, AGENCY), inbox,
                                    verifier=verifier_for(kafka, AGENCY), forwarder=forwarder)

        def forwarded_both() -> bool:
            consumer.poll_once(timeout_ms=100)
            return len(webhook.accepted_event_ids()) == 2

        try:
            eventually(forwarded_both, what="both events forwarded", interval=0)
        finally:
            consumer.close()
    keys = [h["Idempotency-Key"] for h, _, _ in webhook.requests]
    first, second = keys[0], keys[3]
    assert [(key, status) for key, (_, _, status) in zip(keys, webhook.requests, strict=True)] == [
        (first, 503), (first, 503), (first, 204), (second, 204)], "the oldest entry is retried before the next"
    assert {first, second} == {str(message(n).event_id) for n in (1, 2)}
    for headers, body, _ in webhook.requests:
        expected = hmac.new(b"s" * 32, body, hashlib.sha256).hexdigest()
        assert headers["X-Tsunagu-Signature"] == f"sha256={expected}"
        assert ReferralEventV1.model_validate_json(body).recipient == AGENCY
    entries = {str(e.event.event_id): e for e in inbox.entries(AGENCY)}
    assert (entries[first].forward_failures, entries[first].last_error) == (2, "HTTP 503")
    assert entries[first].forwarded_at is not None and entries[second].forward_failures == 0


def test_one_event_sits_once_in_the_receivers_and_once_in_the_senders_inbox(inbox) -> None:
    at = datetime(2026, 6, 1, tzinfo=UTC)
    assert inbox.receive(message(1), at=at, forward=False)
    assert inbox.receive(message(1, recipient="elderly-shiba"), at=at, forward=False)
    assert not inbox.receive(message(1), at=at, forward=False)
    assert [len(inbox.entries(a)) for a in (AGENCY, "elderly-shiba")] == [1, 1]


def consumer_of(kafka: KafkaSettings, inbox: Inbox, **options: float) -> ReferralConsumer:
    return ReferralConsumer(AGENCY, new_referral_consumer(kafka, AGENCY), inbox, verifier=verifier_for(kafka, AGENCY),
                            **options)


def test_the_log_names_each_record_by_its_ids_or_wire_position_and_the_stop_line_counts_the_whole_run(
        kafka, inbox, caplog) -> None:
    first, second = message(1), message(2)
    altered = second.model_copy(update={"categories": (InformationCategory.BASIC, InformationCategory.HEALTH)})
    misaddressed = wire_bytes(message(3, recipient="livelihood"))
    consumer = consumer_of(kafka, inbox)
    with caplog.at_level(logging.INFO, logger="tsunagu.consumer"):
        try:
            # Two batches, each with a repeat, a refused record and a signed copy with other content.
            publish(kafka, [first, second, first, altered])
            partition, offset = write(kafka, misaddressed, signed_with=agency_key(AGENCY))
            consume_until(consumer, 5)
            publish(kafka, [first, altered, altered])
            consume_until(consumer, 8)
        finally:
            consumer.close()

    topic = layout(kafka).topic_for(AGENCY)
    copies = [(r.partition, r.offset) for r in records_for(kafka, AGENCY, at_least=8) if r.value == wire_bytes(altered)]
    sha = {value: hashlib.sha256(value).hexdigest()[:16] for value in (wire_bytes(altered), misaddressed)}
    logged = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "tsunagu.consumer"]
    assert Counter(logged) == Counter([
        (logging.INFO, f"received referral.requested {first.event_id} for case {first.case_id}"),
        (logging.INFO, f"received referral.requested {second.event_id} for case {second.case_id}"),
        *[(logging.INFO, f"duplicate {first.event_id} ignored: already in the inbox")] * 2,
        *[(logging.ERROR, f"ALERT: quarantined {topic}/{p}@{o}: signed, but event {second.event_id} is filed with "
                          f"other content (sha256 {sha[wire_bytes(altered)]})") for p, o in copies],
        (logging.WARNING, f"quarantined {topic}/{partition}@{offset}: not-addressed-here ({len(misaddressed)} bytes, "
                          f"sha256 {sha[misaddressed]})"),
        (logging.INFO, "consumer for hikikomori stopped: 2 new, 2 duplicates, 4 quarantined (3 conflicts)"),
    ])
    assert len(copies) == 3 and logged[-1][1].startswith("consumer for hikikomori stopped")
    assert "health" not in caplog.text and "r0000" not in caplog.text, "the log names ids, not content"
    assert [q.sha256[:16] for q in inbox.quarantined(AGENCY)].count(sha[wire_bytes(altered)]) == 3, (
        "the digest in the log is the one `tsunagu consume quarantine` lists")


def test_a_tombstone_on_the_topic_is_quarantined_as_an_empty_unsigned_record(kafka, inbox) -> None:
    publish(kafka, [message(1)])
    partition, offset = write(kafka, None, key=b"compact-me")
    consume_into(inbox, kafka, 2)
    [tombstone] = inbox.quarantined(AGENCY)
    assert (tombstone.reason, tombstone.partition, tombstone.offset, tombstone.size_bytes, tombstone.sha256) == (
        "unsigned", partition, offset, 0, hashlib.sha256(b"").hexdigest())
    assert (tombstone.event_id, tombstone.case_id) == (None, None)


def test_by_default_each_batch_is_committed_as_soon_as_it_is_filed(kafka, inbox) -> None:
    publish(kafka, [message(1), message(2)])
    consumer = consumer_of(kafka, inbox)
    try:
        consume_until(consumer, 2)
        assert committed_offsets(kafka) == 2
        write(kafka, wire_bytes(message(3)), signed_with=agency_key(AGENCY))
        consume_until(consumer, 3)
        assert committed_offsets(kafka) == 3, "the next batch too, however soon it comes"
    finally:
        consumer.close()


def test_with_a_commit_interval_offsets_are_committed_no_more_often_and_when_the_consumer_stops(kafka, inbox) -> None:
    publish(kafka, [message(1), message(2)])
    consumer = consumer_of(kafka, inbox, commit_interval_s=3600)
    try:
        consume_until(consumer, 2)
        for _ in range(3):
            consumer.poll_once(timeout_ms=100)
        assert committed_offsets(kafka) == 0
    finally:
        consumer.close()
    assert committed_offsets(kafka) == 2


class StoreDown(Exception):
    pass


class InboxThatFailsOnWrite:
    """The inbox, until its n-th write fails (the disk is full, the database went away)."""

    def __init__(self, inbox: Inbox, *, failing_write: int) -> None:
        self.inbox, self.failing_write, self.writes = inbox, failing_write, 0

    def receive(self, event: ReferralEventV1, *, at: datetime, forward: bool) -> bool:
        self.writes += 1
        if self.writes == self.failing_write:
            raise StoreDown("could not write the inbox")
        return self.inbox.receive(event, at=at, forward=forward)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inbox, name)


def test_when_the_inbox_cannot_be_written_the_consumer_stops_and_commits_only_what_it_filed(
        kafka_bootstrap, inbox) -> None:
    kafka = isolated_kafka_settings(kafka_bootstrap, partitions=1)
    messages = [message(n) for n in range(1, 5)]
    publish(kafka, messages)
    consumer = consumer_of(kafka, InboxThatFailsOnWrite(inbox, failing_write=3))  # type: ignore[arg-type]
    try:
        with pytest.raises(StoreDown):
            consume_until(consumer, 4)
    finally:
        consumer.close()  # as `tsunagu consume referrals` does on its way out
    assert (len(inbox.entries(AGENCY)), committed_offsets(kafka)) == (2, 2)

    restarted = consume_into(inbox, kafka, 2)
    assert (restarted.stats.new, restarted.stats.duplicates) == (2, 0), "the unfiled records come again, once"
    assert sorted(e.event.event_id for e in inbox.entries(AGENCY)) == sorted(m.event_id for m in messages)


def test_a_consumer_dropped_from_its_group_says_its_last_commit_failed_and_its_records_come_again_as_duplicates(
        kafka, inbox, caplog) -> None:
    """Stalled longer than ``max.poll.interval.ms`` (a webhook that hangs, say), the consumer is no longer in
    its group when it stops: the broker refuses its commit, and the member that took over gets the records."""
    publish(kafka, [message(1), message(2)])
    topic = layout(kafka).topic_for(AGENCY)
    stalling = KafkaConsumer(topic, **kafka.client_config(), group_id=layout(kafka).group_for(AGENCY),
                             enable_auto_commit=False, auto_offset_reset="earliest", session_timeout_ms=6000,
                             heartbeat_interval_ms=2000, max_poll_interval_ms=1500)
    stalling.partitions_for_topic(topic)
    first = ReferralConsumer(AGENCY, stalling, inbox, verifier=verifier_for(kafka, AGENCY), commit_interval_s=3600)
    try:
        consume_until(first, 2)
        time.sleep(3.5)
    finally:
        with caplog.at_level(logging.WARNING, logger="tsunagu.consumer"):
            first.close()
    [refused] = [r.getMessage() for r in caplog.records if r.name == "tsunagu.consumer"]
    assert refused.startswith("offset commit failed (CommitFailedError: ") and refused.endswith(
        "); those records will be redelivered"), refused
    assert committed_offsets(kafka) == 0

    second = consume_into(inbox, kafka, 2)
    assert (second.stats.new, second.stats.duplicates) == (0, 2)
    assert committed_offsets(kafka) == 2 and len(inbox.entries(AGENCY)) == 2


class Crashed(BaseException):
    """What the SIGKILL would have done, raised instead so that the test can look at what is left."""


@pytest.mark.parametrize(("point", "filed_at_crash"), [
    ("consumer.after-poll", range(0, 1)),  # records fetched, none filed
    ("consumer.after-inbox-write@2", range(2, 3)),  # in the middle of filing
    ("consumer.before-commit", range(1, 5)),  # the first batch with records filed
])
def test_a_consumer_armed_with_a_crash_point_dies_there_with_no_offset_committed(
        point, filed_at_crash, kafka_bootstrap, inbox, monkeypatch) -> None:
    """What tests/e2e/test_referral_faults.py relies on, in-process: the crash lands between the steps named."""
    kafka = isolated_kafka_settings(kafka_bootstrap, partitions=1)
    publish(kafka, [message(n) for n in range(1, 5)])

    def sigkill(pid: int, signum: int) -> None:
        assert (pid, signum) == (os.getpid(), signal.SIGKILL)
        raise Crashed(point)

    monkeypatch.setattr(os, "kill", sigkill)
    monkeypatch.setenv(KILL_POINT_ENV, point)
    consumer = consumer_of(kafka, inbox)
    try:
        with pytest.raises(Crashed):
            consume_until(consumer, 4)
    finally:
        consumer.records.close()  # no last commit: the process is gone
    assert len(inbox.entries(AGENCY)) in filed_at_crash
    assert committed_offsets(kafka) == 0


def test_a_consumer_refuses_a_verifier_made_for_another_agency(kafka, tmp_path) -> None:
    records = KafkaConsumer(**kafka.client_config())
    inbox = Inbox.sqlite(tmp_path / "inbox.sqlite")
    try:
        with pytest.raises(ValueError, match="^the verifier is another agency's$"):
            ReferralConsumer(AGENCY, records, inbox, verifier=verifier_for(kafka, "livelihood"))
    finally:
        records.close()
        inbox.close()


class StopOnceHandled(threading.Event):
    """What SIGTERM does to ``tsunagu consume referrals``, here once ``records`` records went through."""

    def __init__(self, consumer: ReferralConsumer, records: int) -> None:
        super().__init__()
        self.consumer, self.records = consumer, records
        self.deadline = time.monotonic() + TIMEOUT_S  # a test that fails, not one that hangs

    def is_set(self) -> bool:
        return self.consumer.stats.handled >= self.records or time.monotonic() > self.deadline


def test_a_running_consumer_files_until_told_to_stop_and_answers_what_it_did(kafka, inbox) -> None:
    publish(kafka, [message(1), message(2), message(1)])
    consumer = consumer_of(kafka, inbox)
    try:
        totals = consumer.run(StopOnceHandled(consumer, 3))
    finally:
        consumer.close()
    assert (totals.new, totals.duplicates, totals.quarantined) == (2, 1, 0)
    assert len(inbox.entries(AGENCY)) == 2



def test_an_inbox_on_postgres_keeps_its_tables_in_the_schema_it_is_given(postgres_dsn: str) -> None:
    import psycopg

    schema = f"inbox_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    placed_inbox = Inbox.postgres(postgres_dsn, schema)
    try:
        with psycopg.connect(postgres_dsn) as connection:
            placed = {row[0] for row in connection.execute(
                "SELECT table_schema FROM information_schema.tables "
                "WHERE table_name IN ('referral_inbox', 'referral_quarantine')")}
    finally:
        placed_inbox.close()
        with psycopg.connect(postgres_dsn, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")
    assert schema in placed and "public" not in placed, "the agency's inbox lives in its own schema, nowhere else"
