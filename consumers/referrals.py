"""An agency's referral consumer: its Kafka topic into its inbox, at least once, without duplicate effects.

Records are written to the inbox first and only the offsets of records written are committed
afterwards, so a consumer that dies in between reads them again; the inbox's key (agency, event
id) turns the redelivery into a no-op. If the inbox cannot be written the consumer stops (and
its supervisor restarts it) rather than skip a record. Messages that are not a valid
``ReferralEventV1`` for this agency are logged and skipped: one bad record cannot stop the feed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from kafka import KafkaConsumer, OffsetAndMetadata, TopicPartition
from kafka.errors import KafkaError
from pydantic import ValidationError

from consumers.inbox import Inbox
from consumers.webhook import WebhookForwarder
from domain.referral_feed import ReferralEventV1

log = logging.getLogger("tsunagu.consumer")

COMMIT_TIMEOUT_MS = 10_000


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ConsumerStats:
    new: int = 0
    duplicates: int = 0
    rejected: int = 0

    def add(self, other: ConsumerStats) -> None:
        self.new += other.new
        self.duplicates += other.duplicates
        self.rejected += other.rejected


class ReferralConsumer:
    def __init__(self, agency_id: str, records: KafkaConsumer, inbox: Inbox, *,
                 forwarder: WebhookForwarder | None = None, commit_interval_s: float = 0.0,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.agency_id = agency_id
        self.records = records
        self.inbox = inbox
        self.forwarder = forwarder
        self.commit_interval_s = commit_interval_s
        self.clock = clock
        self.stats = ConsumerStats()
        self._processed: dict[TopicPartition, OffsetAndMetadata] = {}
        self._last_commit = time.monotonic()

    def poll_once(self, *, timeout_ms: int = 500) -> ConsumerStats:
        """Take what the broker has, put it in the inbox, commit if due, forward what is due."""
        batch = ConsumerStats()
        for partition_records in self.records.poll(timeout_ms=timeout_ms).values():
            for record in partition_records:
                self._receive(record.value, f"{record.topic}/{record.partition}@{record.offset}", batch)
                self._processed[TopicPartition(record.topic, record.partition)] = OffsetAndMetadata(
                    record.offset + 1, "", -1)
        if self._processed and time.monotonic() - self._last_commit >= self.commit_interval_s:
            self.commit()
        if self.forwarder is not None:
            self.forwarder.forward_due()
        self.stats.add(batch)
        return batch

    def _receive(self, value: bytes, where: str, batch: ConsumerStats) -> None:
        try:
            event = ReferralEventV1.model_validate_json(value)
        except ValidationError as error:
            log.error("rejected %s: not a referral event v1 (%d errors)", where, error.error_count())
            batch.rejected += 1
            return
        if event.recipient != self.agency_id:
            log.error("rejected %s: addressed to %s, not %s", where, event.recipient, self.agency_id)
            batch.rejected += 1
            return
        if self.inbox.receive(event, at=self.clock(), forward=self.forwarder is not None):
            log.info("received %s %s for case %s", event.type, event.event_id, event.case_id)
            batch.new += 1
        else:
            log.info("duplicate %s ignored: already in the inbox", event.event_id)
            batch.duplicates += 1

    def commit(self) -> None:
        """Commit the offsets of the records that are in the inbox (never of records merely fetched)."""
        offsets, self._processed = self._processed, {}
        self._last_commit = time.monotonic()
        try:
            self.records.commit(offsets, timeout_ms=COMMIT_TIMEOUT_MS)
        except KafkaError as error:  # e.g. a rebalance: the records come again and are deduplicated
            log.warning("offset commit failed (%s); those records will be redelivered", error)

    def run(self, stop: threading.Event) -> ConsumerStats:
        while not stop.is_set():
            self.poll_once()
        return self.stats

    def close(self) -> None:
        """Commit what was processed, then leave the group."""
        if self._processed:
            self.commit()
        self.records.close()
        log.info("consumer for %s stopped: %d new, %d duplicates, %d rejected", self.agency_id,
                 self.stats.new, self.stats.duplicates, self.stats.rejected)
