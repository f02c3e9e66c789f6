"""Faults against the real broker and real processes: nothing is lost, and nothing takes effect twice.

Each test runs ``tsunagu relay`` / ``tsunagu consume referrals`` as subprocesses on the test's SQLite
store, injects one fault, and counts: referrals missing downstream (must be 0) and inbox entries or
webhook deliveries beyond one per event (must be 0). Every wait is bounded.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import UUID

import pytest
from kafka.admin import KafkaAdminClient

from consumers.inbox import Inbox
from domain.referral_feed import ReferralFeed, event_id_for
from infra.kafka.clients import layout
from infra.kafka.relay import ReferralRelay
from infra.kafka.settings import KafkaSettings
from tests.kafka_support import (
    CliProcess,
    WebhookReceiver,
    cli_environment,
    consume_into,
    event_ids,
    eventually,
    isolated_kafka_settings,
    records_for,
    refer,
    refer_over_http,
    relay_keys,
    running,
)

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)]

AGENCY = "hikikomori"


def inbox_of(store_env: dict[str, str]) -> Inbox:
    return Inbox.sqlite(Path(store_env["SQLITE_DBNAME"]))


@contextmanager
def store_write_lock(path: str) -> Iterator[None]:
    """Hold SQLite's write lock: others still read (WAL), but no one records anything."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


def test_api_keeps_accepting_while_kafka_is_down_and_the_relay_drains_afterwards(
        client, auth, tsunagu, store_env, kafka_broker, kafka_bootstrap, tmp_path, figures) -> None:
    if kafka_broker is None:
        pytest.skip("the broker is external (TSUNAGU_TEST_KAFKA_BOOTSTRAP): the tests cannot stop it")
    kafka = isolated_kafka_settings(kafka_bootstrap, send_timeout_s=2)
    tracking = tsunagu.factory.tracking_recorder()
    written = []
    with running(("relay",), cli_environment(store_env, kafka), tmp_path / "relay.log") as relay:
        written += [refer_over_http(client, auth) for _ in range(5)]
        eventually(lambda: tracking.max_tracking_id(kafka.relay_name) == written[-1]["position"],
                   what="the relay to publish the first referrals")
        try:
            kafka_broker.kill()
            started = time.monotonic()
            written += [refer_over_http(client, auth) for _ in range(5)]  # each write answered 201
            writes_while_down_s = time.monotonic() - started
            eventually(lambda: relay.count("relay batch failed") >= 2, what="the relay to back off")
        finally:
            if not kafka_broker.is_running:
                kafka_broker.start()
        eventually(lambda: tracking.max_tracking_id(kafka.relay_name) == written[-1]["position"],
                   what="the relay to drain after the broker came back", timeout=40)
        assert relay.count("relay recovered after") == 1

    expected = {event_id_for(UUID(w["case_id"]), w["version"]) for w in written}
    wire = records_for(kafka, AGENCY, at_least=len(expected))
    assert expected - set(event_ids(wire)) == set(), "referrals lost"
    consumer = consume_into(inbox_of(store_env), kafka, len(wire))
    figures(fault="Kafka broker SIGKILLed during writes, restarted", referrals=len(expected),
            written_while_down=5, writes_while_down_s=round(writes_while_down_s, 2),
            relay_failed_batches=relay.count("relay batch failed"), lost=len(expected - set(event_ids(wire))),
            duplicate_effects=len(consumer.inbox.entries(AGENCY)) - len(expected))
    assert consumer.stats.new == len(expected) and len(consumer.inbox.entries(AGENCY)) == len(expected)
    assert writes_while_down_s < 10, "the API does not wait for Kafka"


def test_relay_killed_mid_batch_loses_nothing_and_consumer_dedups(tsunagu, store_env, kafka_bootstrap,
                                                                   tmp_path, figures) -> None:
    kafka = isolated_kafka_settings(kafka_bootstrap, relay_batch_size=500)
    expected = {refer(tsunagu)[2] for _ in range(40)}
    env = cli_environment(store_env, kafka)
    tracking = tsunagu.factory.tracking_recorder()  # the relay's position, as the library records it
    with store_write_lock(store_env["SQLITE_DBNAME"]):
        first = CliProcess(("relay",), env, tmp_path / "relay-1.log").start()
        try:
            published = records_for(kafka, AGENCY, at_least=len(expected))  # the whole batch is on the wire...
            recorded = tracking.max_tracking_id(kafka.relay_name)  # ...but its position is not recorded
            first.kill()
        finally:
            first.stop()
    assert recorded is None and set(event_ids(published)) == expected

    last = tsunagu.recorder.max_notification_id()
    with running(("relay",), env, tmp_path / "relay-2.log"):
        eventually(lambda: tracking.max_tracking_id(kafka.relay_name) == last, what="the restarted relay to catch up")
    wire = event_ids(records_for(kafka, AGENCY, at_least=2 * len(expected)))
    assert set(wire) == expected, "referrals lost"
    assert len(wire) >= 2 * len(expected), "the batch went out again after the kill"

    consumer = consume_into(inbox_of(store_env), kafka, len(wire))
    figures(fault="relay SIGKILLed after publishing a batch, before recording its position",
            referrals=len(expected), on_the_wire=len(wire), duplicates_on_the_wire=len(wire) - len(expected),
            lost=len(expected - set(wire)), duplicate_effects=consumer.stats.new - len(expected))
    assert (consumer.stats.new, consumer.stats.duplicates) == (len(expected), len(wire) - len(expected))
    assert Counter(e.event.event_id for e in consumer.inbox.entries(AGENCY, limit=1000)) == Counter(expected)


def committed_offsets(kafka: KafkaSettings) -> int:
    admin = KafkaAdminClient(**kafka.client_config())
    try:
        group = layout(kafka).group_for(AGENCY)
        return sum(o.offset for o in admin.list_group_offsets({group: None}).get(group, {}).values() if o.offset > 0)
    finally:
        admin.close()


def test_consumer_killed_before_committing_offsets_is_redelivered_without_duplicate_effects(
        tsunagu, store_env, kafka_bootstrap, tmp_path, figures) -> None:
    kafka = isolated_kafka_settings(kafka_bootstrap)
    expected = {str(refer(tsunagu)[2]) for _ in range(20)}
    relay = ReferralRelay.from_settings(ReferralFeed(tsunagu, coordination_agency="coordination"), kafka, relay_keys())
    relay.run(threading.Event(), until_idle=True)
    relay.close()
    inbox = inbox_of(store_env)

    with WebhookReceiver() as webhook:
        args = ("consume", "referrals", "--agency", AGENCY, "--webhook-url", webhook.url, "--instance-id", "c1")
        lazy = cli_environment(store_env, kafka, TSUNAGU_KAFKA_COMMIT_INTERVAL_S="3600")
        first = CliProcess(args, lazy, tmp_path / "consumer-1.log").start()
        try:
            eventually(lambda: all(e.forwarded_at for e in inbox.entries(AGENCY)) and
                       len(inbox.entries(AGENCY)) == len(expected), what="every referral filed and forwarded")
            committed_before_kill = committed_offsets(kafka)
            first.kill()
        finally:
            first.stop()
        assert committed_before_kill == 0

        with running(args, cli_environment(store_env, kafka), tmp_path / "consumer-2.log") as second:
            eventually(lambda: committed_offsets(kafka) == len(expected), what="the redelivered offsets committed")

    figures(fault="consumer SIGKILLed before committing offsets, restarted", referrals=len(expected),
            redelivered=second.count("duplicate "), webhook_deliveries=len(webhook.accepted_event_ids()),
            lost=len(expected - set(webhook.accepted_event_ids())),
            duplicate_effects=len(webhook.accepted_event_ids()) - len(set(webhook.accepted_event_ids())))
    assert second.count("duplicate ") == len(expected) and second.count("received referral") == 0, second.output()
    assert Counter(webhook.accepted_event_ids()) == Counter(expected), "one webhook delivery per referral"
    assert Counter(str(e.event.event_id) for e in inbox.entries(AGENCY)) == Counter(expected)
