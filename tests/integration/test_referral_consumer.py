"""An agency's consumer files each referral event in its inbox once, however often the wire repeats it,
and forwards it to the agency's webhook with retry and backoff (inbox on SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaProducer

from consumers.inbox import Inbox
from consumers.referrals import ReferralConsumer, utc_now
from consumers.webhook import WebhookForwarder
from domain.referral_feed import ReferralEventV1, event_id_for
from infra.kafka.clients import layout, new_referral_consumer
from infra.kafka.relay import KafkaPublisher
from infra.kafka.settings import KafkaSettings
from tests.kafka_support import WebhookReceiver, consume_into, eventually, isolated_kafka_settings

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
    publisher = KafkaPublisher(kafka)
    try:
        publisher.publish(messages)
    finally:
        publisher.close()


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


def test_a_record_that_is_not_a_referral_event_for_this_agency_is_skipped(kafka, inbox) -> None:
    topic = layout(kafka).topic_for(AGENCY)
    publish(kafka, [message(1)])  # creates the topic
    producer = KafkaProducer(**kafka.client_config())
    try:
        for value in (b"\xff not json", message(2, recipient="livelihood").model_dump_json().encode()):
            producer.send(topic, value=value).get(timeout=10)
    finally:
        producer.close()
    publish(kafka, [message(3)])
    consumer = consume_into(inbox, kafka, 4)
    assert (consumer.stats.new, consumer.stats.rejected) == (2, 2)
    assert {e.event.referral_id for e in inbox.entries(AGENCY)} == {"r00001", "r00003"}


def test_webhook_is_retried_with_backoff_until_the_agency_system_accepts(kafka, inbox) -> None:
    publish(kafka, [message(1), message(2)])
    with WebhookReceiver(fail_first=2) as webhook:
        forwarder = WebhookForwarder(inbox, AGENCY, webhook.url, clock=utc_now, secret="s" * 32,
                                     backoff_initial_s=0.1, backoff_max_s=1)
        consumer = ReferralConsumer(AGENCY, new_referral_consumer(kafka, AGENCY), inbox, forwarder=forwarder)
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
