"""Faults against the real broker and real processes: nothing is lost, and nothing takes effect twice.

Each test runs ``tsunagu relay`` / ``tsunagu consume referrals`` as subprocesses on the test's SQLite
store, injects one fault, and counts: referrals missing downstream (must be 0), copies on the wire
(at least once: only the batch whose position was not recorded goes out again) and inbox entries per
event id (exactly one). Crashes land on named points between two steps (``TSUNAGU_TEST_KILL_POINT``, see
:mod:`consumers.referrals`): the relay after the broker acked a batch and before its position is recorded;
the consumer after a poll and before any inbox write, between inbox writes, and after the writes before
the offset commit. The test that kills the broker gets a broker of its own, so the session's shared
broker never restarts under the other tests. Every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from uuid import UUID

import pytest
from kafka.admin import KafkaAdminClient

from consumers.inbox import Inbox
from consumers.referrals import KILL_POINT_ENV
from domain.referral_feed import ReferralFeed, event_id_for
from infra.kafka.clients import layout
from infra.kafka.relay import ReferralRelay
from infra.kafka.settings import KafkaSettings
from tests.kafka_support import (
    TIMEOUT_S,
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
from tests.services._process import ServiceError
from tests.services.fixtures import KAFKA_BOOTSTRAP_ENV, service_unavailable
from tests.services.kafka import KafkaBroker, broker_of_its_own

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)]

AGENCY = "hikikomori"


def inbox_of(store_env: dict[str, str]) -> Inbox:
    return Inbox.sqlite(Path(store_env["SQLITE_DBNAME"]))


@pytest.fixture
def own_kafka_broker() -> Iterator[KafkaBroker]:
    """A broker this test may kill: the shared one's group coordinator never sees the crash."""
    if os.environ.get(KAFKA_BOOTSTRAP_ENV):
        pytest.skip(f"{KAFKA_BOOTSTRAP_ENV} is set: the tests use that broker and start none to kill")
    stack = ExitStack()
    try:
        broker = stack.enter_context(broker_of_its_own())
    except (ServiceError, OSError) as error:
        service_unavailable(f"could not start a Kafka broker of the test's own to kill: {error}")
    with stack:
        yield broker


def killed_at(process: CliProcess, point: str) -> str:
    """Wait for a process armed with ``TSUNAGU_TEST_KILL_POINT`` to crash itself; answer its output."""
    assert process.process is not None
    try:
        returncode = process.process.wait(timeout=TIMEOUT_S)
    finally:
        process.stop()
    output = process.output()
    assert returncode == -signal.SIGKILL, f"exit status {returncode}, not killed at {point}:\n{output}"
    assert f"{KILL_POINT_ENV}: killed at {point.partition('@')[0]}" in output, output
    return output


def test_api_keeps_accepting_while_kafka_is_down_and_the_relay_drains_afterwards(
        client, auth, tsunagu, store_env, own_kafka_broker, tmp_path, figures) -> None:
    kafka = isolated_kafka_settings(own_kafka_broker.bootstrap_servers, send_timeout_s=2)
    tracking = tsunagu.factory.tracking_recorder()
    written = []
    with running(("relay",), cli_environment(store_env, kafka), tmp_path / "relay.log") as relay:
        written += [refer_over_http(client, auth) for _ in range(5)]
        eventually(lambda: tracking.max_tracking_id(kafka.relay_name) == written[-1]["position"],
                   what="the relay to publish the first referrals")
        try:
            own_kafka_broker.kill()
            started = time.monotonic()
            written += [refer_over_http(client, auth) for _ in range(5)]  # each write answered 201
            writes_while_down_s = time.monotonic() - started
            eventually(lambda: relay.count("relay batch failed") >= 2, what="the relay to back off")
        finally:
            if not own_kafka_broker.is_running:
                own_kafka_broker.start()
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


BATCH = 5


def test_relay_killed_between_the_brokers_ack_and_recording_its_position_sends_that_batch_again_and_loses_nothing(
        tsunagu, store_env, kafka_bootstrap, tmp_path, figures) -> None:
    kafka = isolated_kafka_settings(kafka_bootstrap, relay_batch_size=BATCH)
    expected = [refer(tsunagu)[2] for _ in range(4 * BATCH)]
    items = ReferralFeed(tsunagu, coordination_agency="coordination").read(after=0, limit=10 * BATCH)
    assert [m.event_id for item in items for m in item.messages if m.recipient == AGENCY] == expected
    env = cli_environment(store_env, kafka)
    tracking = tsunagu.factory.tracking_recorder()  # the relay's position, as the library records it

    first = CliProcess(("relay",), {**env, KILL_POINT_ENV: "relay.after-publish@3"}, tmp_path / "relay-1.log")
    killed_at(first.start(), "relay.after-publish@3")
    assert tracking.max_tracking_id(kafka.relay_name) == items[2 * BATCH - 1].position, "two batches recorded"
    on_the_wire = event_ids(records_for(kafka, AGENCY, at_least=3 * BATCH))
    assert Counter(on_the_wire) == Counter(expected[:3 * BATCH]), "the third batch was acked before the crash"

    with running(("relay",), env, tmp_path / "relay-2.log"):
        eventually(lambda: tracking.max_tracking_id(kafka.relay_name) == items[-1].position,
                   what="the restarted relay to catch up")
    wire = event_ids(records_for(kafka, AGENCY, at_least=len(expected)))  # all acked: the relay caught up
    copies = Counter(wire) - Counter(expected)
    assert set(expected) - set(wire) == set(), "referrals lost"
    assert copies == Counter(expected[2 * BATCH:3 * BATCH]), "only the unrecorded batch went out again"

    consumer = consume_into(inbox_of(store_env), kafka, len(wire))
    figures(fault="relay SIGKILLed after the broker acked its 3rd batch, before recording its position",
            referrals=len(expected), batch=BATCH, on_the_wire=len(wire), duplicates_on_the_wire=copies.total(),
            lost=len(set(expected) - set(wire)), duplicate_effects=consumer.stats.new - len(expected))
    assert (consumer.stats.new, consumer.stats.duplicates) == (len(expected), BATCH)
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


@pytest.mark.parametrize(("kill_point", "commit_interval_s", "filed_at_kill"), [
    ("consumer.after-poll", "0", 0),  # fetched, nothing filed
    ("consumer.after-inbox-write@7", "3600", 7),  # in the middle of filing
    ("consumer.before-commit", "0", None),  # the first poll's records filed, none committed
])
def test_consumer_killed_between_poll_inbox_and_commit_files_every_referral_exactly_once(
        kill_point, commit_interval_s, filed_at_kill, tsunagu, store_env, kafka_bootstrap, tmp_path,
        figures) -> None:
    kafka = isolated_kafka_settings(kafka_bootstrap)
    expected = [str(refer(tsunagu)[2]) for _ in range(20)]
    relay = ReferralRelay.from_settings(ReferralFeed(tsunagu, coordination_agency="coordination"), kafka, relay_keys())
    relay.run(threading.Event(), until_idle=True)
    relay.close()
    inbox = inbox_of(store_env)
    args = ("consume", "referrals", "--agency", AGENCY, "--instance-id", "c1")

    crashing = cli_environment(store_env, kafka, TSUNAGU_KAFKA_COMMIT_INTERVAL_S=commit_interval_s,
                               **{KILL_POINT_ENV: kill_point})
    killed_at(CliProcess(args, crashing, tmp_path / "consumer-1.log").start(), kill_point)
    filed, committed = len(inbox.entries(AGENCY, limit=1000)), committed_offsets(kafka)

    with running(args, cli_environment(store_env, kafka), tmp_path / "consumer-2.log") as second:
        eventually(lambda: committed_offsets(kafka) == len(expected), what="every offset committed after restart")
    filed_ids = Counter(str(e.event.event_id) for e in inbox.entries(AGENCY, limit=1000))
    figures(fault=f"consumer SIGKILLed at {kill_point}, restarted", referrals=len(expected),
            filed_before_kill=filed, committed_before_kill=committed,
            redelivered_as_duplicates=second.count("duplicate "), lost=len(set(expected) - set(filed_ids)),
            duplicate_effects=filed_ids.total() - len(set(filed_ids)))
    assert set(expected) - set(filed_ids) == set(), "referrals lost"
    assert filed_ids == Counter(expected), "every referral in the inbox, once"
    assert committed == 0, "no offset committed for a record not yet filed"
    if filed_at_kill is None:
        assert filed > 0, "the batch was filed before the commit it was killed at"
    else:
        assert filed == filed_at_kill, "filed exactly up to the point it was killed at"
    assert second.count("duplicate ") == filed, "what was filed before the crash came again and changed nothing"
    assert second.count("received referral") == len(expected) - filed, second.output()
