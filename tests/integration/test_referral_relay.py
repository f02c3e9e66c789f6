"""The relay publishes referral events from the event log to each agency's topic on a real broker,
at least once, keyed by case, and resumes from its recorded position (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from uuid import UUID

import pytest

from consumers.referrals import KILL_POINT_ENV
from domain.application import Tsunagu
from domain.commands import (
    AcceptReferral,
    CompleteHandover,
    CompleteReferral,
    DeclineReferral,
    GrantConsent,
    PlanHandover,
    RevokeReferral,
)
from domain.referral_feed import LOG_TOPICS, SIGNATURE_HEADER, ReferralFeed
from domain.vocabulary import ConsentMethod, InformationCategory
from infra.kafka.clients import new_admin
from infra.kafka.relay import ReferralRelay
from infra.kafka.settings import KafkaSettings
from tests.kafka_support import (
    RECEIVER,
    REFERRER,
    TIMEOUT_S,
    agency_key,
    event_ids,
    isolated_kafka_settings,
    records_for,
    refer,
    relay_keys,
    verifier_for,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def kafka(kafka_bootstrap: str) -> KafkaSettings:
    return isolated_kafka_settings(kafka_bootstrap)


def new_relay(tsunagu: Tsunagu, kafka: KafkaSettings) -> ReferralRelay:
    return ReferralRelay.from_settings(ReferralFeed(tsunagu, coordination_agency="coordination"), kafka, relay_keys())


class NoRetries(threading.Event):
    """For a relay that is not expected to fail: a retry (a pause other than its poll interval), or a drain that
    never ends, fails the test at once instead of retrying for ever."""

    def __init__(self, relay: ReferralRelay) -> None:
        super().__init__()
        self.poll_interval_s = relay.publisher.settings.relay_poll_interval_s
        self.deadline = time.monotonic() + TIMEOUT_S

    def wait(self, timeout: float | None = None) -> bool:
        if timeout != self.poll_interval_s:
            raise AssertionError(f"the relay failed and would retry in {timeout}s (see the log)")
        if time.monotonic() > self.deadline:
            raise AssertionError(f"the relay was still relaying after {TIMEOUT_S:.0f}s")
        return super().wait(timeout)


def drain(relay: ReferralRelay) -> int:
    try:
        return relay.run(NoRetries(relay), until_idle=True)
    finally:
        relay.close()


def by_case(records) -> dict[str, list[str]]:
    """Each case's message types in the order its agency will read them (one case, one partition)."""
    types: dict[str, list[str]] = defaultdict(list)
    partitions: dict[str, set[int]] = defaultdict(set)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        message = json.loads(record.value)
        assert record.key.decode() == message["case_id"]
        types[message["case_id"]].append(message["type"])
        partitions[message["case_id"]].add(record.partition)
    assert all(len(p) == 1 for p in partitions.values()), "a case's events share one partition"
    return dict(types)


def test_referral_lifecycle_reaches_each_agency_topic_in_order_keyed_by_case(tsunagu, staff, kafka) -> None:
    referrer, receiver = staff(REFERRER), staff(RECEIVER)
    completed, referral, _ = refer(tsunagu)
    tsunagu.execute(receiver, AcceptReferral(case_id=completed, referral_id=referral))
    tsunagu.execute(receiver, CompleteReferral(case_id=completed, referral_id=referral, outcome="居場所につながった"))
    escalated, referral, _ = refer(tsunagu)
    tsunagu.execute(receiver, DeclineReferral(case_id=escalated, referral_id=referral, reason="本人が拒否",
                                              escalate=True))
    revoked, referral, _ = refer(tsunagu)
    tsunagu.execute(referrer, RevokeReferral(case_id=revoked, referral_id=referral, reason="本人の希望"))
    member = next(iter(tsunagu._load(revoked).members))
    # A handover goes only to an agency the person's consent covers (consents are not relayed).
    tsunagu.execute(referrer, GrantConsent(case_id=revoked, member_id=member, agencies=("livelihood",),
                                           categories=(InformationCategory.BASIC, InformationCategory.SUPPORT),
                                           purpose="制度切替のため",
                                           method=ConsentMethod.WRITTEN, document_ref="同意書 第2号",
                                           valid_until=date(2027, 3, 31)))
    handover = tsunagu.execute(receiver, PlanHandover(case_id=revoked, member_id=member, at_age=40,
                                                      to_agency="livelihood", due_on=date(2026, 6, 1))).created_id
    assert handover is not None
    tsunagu.execute(receiver, CompleteHandover(case_id=revoked, handover_id=handover))

    relay = new_relay(tsunagu, kafka)
    assert drain(relay) == 10

    c, e, r = str(completed), str(escalated), str(revoked)
    assert by_case(records_for(kafka, "hikikomori", at_least=10)) == {
        c: ["referral.requested", "referral.accepted", "referral.completed"],
        e: ["referral.requested", "referral.declined", "referral.escalated"],
        r: ["referral.requested", "referral.revoked", "handover.planned", "handover.completed"]}
    assert by_case(records_for(kafka, "elderly-shiba", at_least=7)) == {
        c: ["referral.requested", "referral.accepted", "referral.completed"],
        e: ["referral.requested", "referral.declined"], r: ["referral.requested", "referral.revoked"]}
    assert by_case(records_for(kafka, "coordination", at_least=1)) == {e: ["referral.escalated"]}
    assert by_case(records_for(kafka, "livelihood", at_least=2)) == {r: ["handover.planned", "handover.completed"]}
    last_referral_event = tsunagu.recorder.select_notifications(start=1, limit=1000, topics=LOG_TOPICS)[-1].id
    assert relay.position() == last_referral_event


def test_messages_on_the_wire_hold_no_personal_content(tsunagu, kafka) -> None:
    refer(tsunagu)
    drain(new_relay(tsunagu, kafka))
    wire = b"".join(r.value + (r.key or b"") for agency in ("hikikomori", "elderly-shiba")
                    for r in records_for(kafka, agency, at_least=1))
    assert wire and not [text for text in ("佐藤", "健一", "長男", "ひきこもり", REFERRER) if text.encode() in wire]


def test_each_record_is_signed_with_the_key_of_the_agency_whose_topic_it_is_on(tsunagu, kafka) -> None:
    refer(tsunagu)
    drain(new_relay(tsunagu, kafka))
    for agency, other in (("hikikomori", "elderly-shiba"), ("elderly-shiba", "hikikomori")):
        [record] = records_for(kafka, agency)
        signatures = [value for name, value in record.headers if name == SIGNATURE_HEADER]
        assert signatures == [agency_key(agency).sign(record.value)] != [agency_key(other).sign(record.value)]
        assert verifier_for(kafka, agency).verify(record.topic, record.value, record.headers).refusal is None


def test_relay_resumes_from_its_recorded_position_after_a_restart(tsunagu, kafka) -> None:
    first = [refer(tsunagu)[2] for _ in range(2)]
    fresh = new_relay(tsunagu, kafka)
    assert fresh.position() == 0, "a relay that recorded nothing starts at the beginning of the log"
    assert drain(fresh) == 2
    later = refer(tsunagu)[2]
    restarted = new_relay(tsunagu, kafka)
    assert restarted.position() > 0
    assert drain(restarted) == 1
    assert sorted(event_ids(records_for(kafka, "hikikomori", at_least=3))) == sorted([*first, later])


class Script(threading.Event):
    """A stop event that records each pause the relay asks for instead of sleeping it, runs what is scripted
    for that pause, and stops the relay after the last one."""

    def __init__(self, *steps: Callable[[], object] | None) -> None:
        super().__init__()
        self.steps = list(steps)
        self.pauses: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.pauses.append(timeout)
        step = self.steps.pop(0) if self.steps else None
        if step is not None:
            step()
        if not self.steps or len(self.pauses) > 50:
            self.set()
        return self.is_set()


class BrokerUnreachableFor:
    """The relay's connections to create topics go where no broker listens, the next ``attempts`` times."""

    def __init__(self, kafka: KafkaSettings, attempts: int) -> None:
        self.kafka, self.attempts = kafka, attempts
        self.nowhere = kafka.model_copy(update={"bootstrap_servers": "127.0.0.1:1", "send_timeout_s": 0.2})

    def __call__(self):
        self.attempts -= 1
        return new_admin(self.nowhere if self.attempts >= 0 else self.kafka)


def test_while_kafka_is_unreachable_the_relay_retries_backing_off_from_the_start_of_each_outage_and_says_so(
        tsunagu, kafka_bootstrap, caplog) -> None:
    kafka = isolated_kafka_settings(kafka_bootstrap, backoff_initial_s=1, backoff_max_s=4, relay_batch_size=2)
    first = [refer(tsunagu)[2] for _ in range(2)]
    relay = new_relay(tsunagu, kafka)
    outage = relay.publisher.topics.admin_factory = BrokerUnreachableFor(kafka, attempts=4)
    later: list[UUID] = []

    def second_outage() -> None:  # a referral to an agency whose topic is still to be created, and Kafka gone
        later.append(refer(tsunagu, to_agency="livelihood")[2])
        outage.attempts = 1

    poll = kafka.relay_poll_interval_s
    stop = Script(None, None, None, None, second_outage, None, None, None)
    try:
        with caplog.at_level(logging.DEBUG, logger="tsunagu.relay"):
            assert relay.run(stop) == 3
    finally:
        relay.close()

    # A full batch is followed at once by the next; the backoff starts again at 1 s after a recovery.
    assert stop.pauses == [1, 2, 4, 4, poll, 1, poll, poll]
    positions = [item.position for item in relay.feed.read(after=0, limit=10)]
    assert relay.position() == positions[-1] and len(positions) == 3
    logged = [r.getMessage() for r in caplog.records if r.name == "tsunagu.relay"]
    failed = [m for m in logged if m.startswith("relay batch failed")]
    assert [m.rpartition(" retrying in ")[2] for m in failed] == ["1.0s", "2.0s", "4.0s", "4.0s", "1.0s"]
    for message in failed:
        assert message.startswith("relay batch failed (KafkaTimeoutError: Unable to bootstrap from ['127.0.0.1:1']")
    assert [m for m in logged if m not in failed] == [
        f"published 2 events up to position {positions[1]}",
        f"relay recovered after 4 failed attempts; position {positions[1]}",
        f"published 1 events up to position {positions[2]}",
        f"relay recovered after 1 failed attempts; position {positions[2]}"]
    assert sorted(event_ids(records_for(kafka, "hikikomori", at_least=2))) == sorted(first), "each sent once"
    assert event_ids(records_for(kafka, "livelihood")) == later


def test_a_running_relay_keeps_polling_while_nothing_is_waiting_until_it_is_stopped(tsunagu, kafka) -> None:
    relay = new_relay(tsunagu, kafka)
    stop = Script(None, lambda: refer(tsunagu), None, None)
    try:
        assert relay.run(stop) == 1
    finally:
        relay.close()
    assert stop.pauses == [kafka.relay_poll_interval_s] * 4
    assert len(records_for(kafka, "hikikomori")) == 1


def test_a_relay_behind_by_more_than_a_batch_sends_the_next_batch_at_once(tsunagu, kafka_bootstrap) -> None:
    kafka = isolated_kafka_settings(kafka_bootstrap, relay_batch_size=2)
    events = [refer(tsunagu)[2] for _ in range(3)]
    relay = new_relay(tsunagu, kafka)
    stop = Script(None)
    try:
        assert relay.run(stop) == 3
    finally:
        relay.close()
    assert stop.pauses == [kafka.relay_poll_interval_s], "a pause only once it has caught up"
    assert sorted(event_ids(records_for(kafka, "hikikomori", at_least=3))) == sorted(events)


def test_a_relay_stopped_while_kafka_is_unreachable_closes_cleanly_and_the_next_one_sends_what_was_left(
        tsunagu, kafka) -> None:
    sent = refer(tsunagu)[2]
    relay = new_relay(tsunagu, kafka)
    assert relay.relay_batch() == 1  # its producer is connected
    left = refer(tsunagu, to_agency="livelihood")[2]
    relay.publisher.topics.admin_factory = BrokerUnreachableFor(kafka, attempts=100)
    try:
        assert relay.run(Script(None, None)) == 0
    finally:
        relay.close()
    assert drain(new_relay(tsunagu, kafka)) == 1
    assert (event_ids(records_for(kafka, "hikikomori")), event_ids(records_for(kafka, "livelihood"))) == (
        [sent], [left])


def test_a_relay_with_nothing_to_relay_publishes_nothing_and_stops_cleanly(tsunagu, kafka) -> None:
    relay = new_relay(tsunagu, kafka)
    assert drain(relay) == 0 and relay.position() == 0


def test_each_record_names_its_event_and_schema_in_headers_for_agencies_that_route_without_parsing(
        tsunagu, kafka) -> None:
    event = refer(tsunagu)[2]
    drain(new_relay(tsunagu, kafka))
    [record] = records_for(kafka, "hikikomori")
    headers = dict(record.headers)
    assert (headers["event_id"], headers["schema"]) == (str(event).encode(), b"tsunagu.referral-event.v1")
    assert [name for name, _ in record.headers] == ["event_id", "schema", SIGNATURE_HEADER]


class Crashed(BaseException):
    """What the SIGKILL would have done, raised instead so that the test can look at what is left."""


def test_a_relay_armed_to_crash_after_publishing_dies_with_the_batch_acked_and_its_position_unrecorded(
        tsunagu, kafka, monkeypatch) -> None:
    """What tests/e2e/test_referral_faults.py relies on, in-process: the crash lands between ack and record."""
    event = refer(tsunagu)[2]

    def sigkill(pid: int, signum: int) -> None:
        assert (pid, signum) == (os.getpid(), signal.SIGKILL)
        raise Crashed

    monkeypatch.setattr(os, "kill", sigkill)
    monkeypatch.setenv(KILL_POINT_ENV, "relay.after-publish")
    crashing = new_relay(tsunagu, kafka)
    monkeypatch.delenv(KILL_POINT_ENV)
    with pytest.raises(Crashed):
        drain(crashing)
    assert event_ids(records_for(kafka, "hikikomori")) == [event] and crashing.position() == 0

    restarted = new_relay(tsunagu, kafka)
    assert drain(restarted) == 1 and restarted.position() > 0
    assert event_ids(records_for(kafka, "hikikomori", at_least=2)) == [event, event], "sent again: at least once"
