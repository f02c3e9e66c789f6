"""The outbox relay: referral events from the notification log to the agencies' Kafka topics.

At least once, in log order. A batch is read after the relay's tracked position; every message
is sent keyed by case id (one case's events keep their order within an agency's topic); the
future of every send is checked; only then is the batch's last log position recorded, with the
library's tracking recorder. A crash between sending and recording sends the batch again, and
consumers drop the copies by event id. When Kafka or the store fails, the relay backs off and
retries the same batch; the API never waits for Kafka.

Every record is signed: header ``tsunagu-signature: keyid=…,sha256=<HMAC-SHA256 of the value>`` with the
recipient agency's key (``infra.kafka.signing``), which the agency's consumer verifies before it files
anything, so a record written to the topic by anyone else is quarantined there, never filed.

Test-only crash point: ``TSUNAGU_TEST_KILL_POINT=relay.after-publish[@<n>]`` in the *process environment*
(never read from settings or ``.env``) makes the relay SIGKILL itself right after the broker acked the n-th
batch (default the first), before its position is recorded, so the fault tests can crash it exactly there.
Unset, it is a no-op; set, the relay says so at WARNING when it starts (:class:`consumers.referrals.KillPoint`).
No deployment sets it: it exists for ``tests/e2e/test_referral_faults.py``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import Tracking, TrackingRecorder
from kafka import KafkaProducer

from consumers.referrals import KillPoint
from domain.referral_feed import SIGNATURE_HEADER, ReferralEventV1, ReferralFeed, wire_bytes
from infra.kafka.clients import layout, new_admin, new_producer
from infra.kafka.settings import KafkaSettings
from infra.kafka.signing import RelayKeys
from infra.kafka.topics import TopicCreator

log = logging.getLogger("tsunagu.relay")

SCHEMA_HEADER = ("schema", b"tsunagu.referral-event.v1")
RELAY_KILL_POINTS = ("relay.after-publish",)


def describe(error: Exception) -> str:
    text = str(error)
    return text if text.startswith(type(error).__name__) else f"{type(error).__name__}: {text}"


class KafkaPublisher:
    """Signs messages, sends them to their recipients' topics, and returns only once the broker acked all."""

    def __init__(self, settings: KafkaSettings, keys: RelayKeys) -> None:
        self.settings = settings
        self.keys = keys
        self.layout = layout(settings)
        self.topics = TopicCreator(lambda: new_admin(settings), settings.partitions, settings.replication_factor)
        self._producer: KafkaProducer | None = None

    def publish(self, messages: Sequence[ReferralEventV1]) -> None:
        try:
            self.topics.ensure(self.layout.topic_for(m.recipient) for m in messages)
            producer = self._producer = self._producer or new_producer(self.settings)
            futures = [self._send(producer, message) for message in messages]
            deadline = time.monotonic() + self.settings.send_timeout_s
            for future in futures:  # flush() may return although records expired: check each one
                future.get(timeout=max(deadline - time.monotonic(), 0.001))
        except Exception:
            self.reset()
            raise

    def _send(self, producer: KafkaProducer, message: ReferralEventV1) -> Any:
        value = wire_bytes(message)
        signature = self.keys.for_agency(message.recipient).sign(value)
        return producer.send(self.layout.topic_for(message.recipient), key=str(message.case_id).encode(),
                             value=value, headers=[("event_id", str(message.event_id).encode()), SCHEMA_HEADER,
                                                   (SIGNATURE_HEADER, signature)])

    def reset(self) -> None:
        """Drop the producer and whatever it still buffers; the next batch starts on a fresh one."""
        if self._producer is not None:
            self._producer.close(timeout=0)
            self._producer = None

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close(timeout=self.settings.send_timeout_s)
            self._producer = None


@dataclass
class ReferralRelay:
    feed: ReferralFeed
    publisher: KafkaPublisher
    tracking: TrackingRecorder
    name: str
    batch_size: int
    poll_interval_s: float
    backoff_initial_s: float
    backoff_max_s: float
    _kill_point: KillPoint = field(default_factory=lambda: KillPoint(RELAY_KILL_POINTS), repr=False)

    @classmethod
    def from_settings(cls, feed: ReferralFeed, settings: KafkaSettings, keys: RelayKeys) -> ReferralRelay:
        return cls(feed, KafkaPublisher(settings, keys), feed.app.factory.tracking_recorder(), name=settings.relay_name,
                   batch_size=settings.relay_batch_size, poll_interval_s=settings.relay_poll_interval_s,
                   backoff_initial_s=settings.backoff_initial_s, backoff_max_s=settings.backoff_max_s)

    def position(self) -> int:
        """The last log position whose messages the broker acked."""
        return self.tracking.max_tracking_id(self.name) or 0

    def relay_batch(self) -> int:
        """Publish the events after the recorded position, then record it; return how many events."""
        items = self.feed.read(after=self.position(), limit=self.batch_size)
        if not items:
            return 0
        self.publisher.publish([message for item in items for message in item.messages])
        self._kill_point("relay.after-publish")
        self.tracking.insert_tracking(Tracking(application_name=self.name, notification_id=items[-1].position))
        log.debug("published %d events up to position %d", len(items), items[-1].position)
        return len(items)

    def run(self, stop: threading.Event, *, until_idle: bool = False) -> int:
        """Relay until ``stop`` is set (or, with ``until_idle``, until nothing is waiting)."""
        relayed = failures = 0
        while not stop.is_set():
            try:
                count = self.relay_batch()
            except Exception as error:
                failures += 1
                delay = min(self.backoff_initial_s * 2 ** (failures - 1), self.backoff_max_s)
                log.warning("relay batch failed (%s); retrying in %.1fs", describe(error), delay)
                stop.wait(delay)
                continue
            if failures:
                log.info("relay recovered after %d failed attempts; position %d", failures, self.position())
                failures = 0
            relayed += count
            if until_idle and count == 0:
                break
            if count < self.batch_size:
                stop.wait(self.poll_interval_s)
        return relayed

    def close(self) -> None:
        self.publisher.close()
