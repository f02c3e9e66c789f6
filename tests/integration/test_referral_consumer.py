"""An agency's consumer files each referral event in its inbox once, however often the wire repeats it,
and forwards it to the agency's webhook with retry and backoff (inbox on SQLite and PostgreSQL). Records
the relay did not sign for the agency, or that are not what they claim, are quarantined, never filed."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient

from consumers.inbox import Inbox
from consumers.referrals import ReferralConsumer, utc_now
from consumers.webhook import WebhookForwarder
from domain.commands import AcceptReferral, CompleteReferral
from domain.referral_feed import SIGNATURE_HEADER, AgencyKey, ReferralEventV1, ReferralFeed, event_id_for, wire_bytes
from domain.vocabulary import InformationCategory
from infra.kafka.clients import layout, new_referral_consumer
from infra.kafka.relay import KafkaPublisher, ReferralRelay
from infra.kafka.settings import KafkaSettings
from tests.kafka_support import (
    RECEIVER,
    WebhookReceiver,
    agency_key,
    consume_into,
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


def write(kafka: KafkaSettings, value: bytes, *, signed_with: AgencyKey | None = None, key: bytes | None = None,
          headers: list[tuple[str, bytes]] | None = None) -> tuple[int, int]:
    """What anyone with WRITE on the agency's topic can do; answers the record's (partition, offset)."""
    headers = list(headers or [])
    if signed_with is not None:
        headers.append((SIGNATURE_HEADER, signed_with.sign(value)))
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
    assert (conflict.reason, conflict.event_id) == ("conflicting-duplicate", original.event_id)
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
