"""An agency's referral consumer: its Kafka topic into its inbox, at least once, without duplicate effects.

Records are written to the inbox first and only the offsets of records written are committed
afterwards, so a consumer that dies in between reads them again; the inbox's key (agency, event
id) turns the redelivery into a no-op. If the inbox cannot be written the consumer stops (and
its supervisor restarts it) rather than skip a record.

Nothing is filed unverified (:mod:`consumers.verification`): a record that is not signed with the
agency's key, or not what it claims to be, is quarantined (reason, position, digest; never its
content), never filed or forwarded, and its offset is committed like any handled record, so one bad
record cannot stop the feed nor take the place of the real event that comes after it. A signed record
whose event id is already filed with other content is an alert: logged, counted and quarantined.

Test-only crash points. ``TSUNAGU_TEST_KILL_POINT=<point>[@<n>]`` in the *process environment* (never read
from settings or ``.env``) makes the process SIGKILL itself the n-th time (default the first) it reaches the
named point, so the fault tests can crash it exactly between two steps; unset, every point is a no-op. The
points: ``consumer.after-poll`` (records fetched, none filed), ``consumer.after-inbox-write`` (after each
record is filed or quarantined, before its offset is committed), ``consumer.before-commit`` (the batch
filed, its offsets not committed). The relay has ``relay.after-publish`` (:mod:`infra.kafka.relay`). A
process that has one armed says so at WARNING when it starts. No deployment sets it: it exists for
``tests/e2e/test_referral_faults.py``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from kafka import KafkaConsumer, OffsetAndMetadata, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError

from consumers.inbox import Inbox, QuarantinedRecord
from consumers.verification import RecordVerifier, Refusal, Verdict
from consumers.webhook import WebhookForwarder

log = logging.getLogger("tsunagu.consumer")

COMMIT_TIMEOUT_MS = 10_000
KILL_POINT_ENV = "TSUNAGU_TEST_KILL_POINT"
"""Test-only (see the module docstring): where this process is to crash itself."""
CONSUMER_KILL_POINTS = ("consumer.after-poll", "consumer.after-inbox-write", "consumer.before-commit")
_KILL_SPEC = re.compile(r"(?P<point>[a-z]+\.[a-z-]+)(?:@(?P<nth>[1-9][0-9]{0,5}))?")


def utc_now() -> datetime:
    return datetime.now(UTC)


class KillPoint:
    """Test-only crash injection: SIGKILL this process at a named point, or do nothing (the default).

    Armed only by ``TSUNAGU_TEST_KILL_POINT=<point>[@<n>]`` in the process environment, for points of this
    component (``points``); a point of another component is ignored, a misspelt one of this component refused.
    """

    def __init__(self, points: tuple[str, ...], spec: str | None = None) -> None:
        spec = os.environ.get(KILL_POINT_ENV, "") if spec is None else spec
        self.point: str | None = None
        self.nth = 1
        self.reached = 0
        if not spec:
            return
        parsed = _KILL_SPEC.fullmatch(spec)
        component = points[0].partition(".")[0] + "."
        if parsed is None or (parsed["point"].startswith(component) and parsed["point"] not in points):
            raise ValueError(f"{KILL_POINT_ENV}={spec!r}: not one of {', '.join(points)}, optionally @<n> (n >= 1)")
        if parsed["point"] in points:
            self.point, self.nth = parsed["point"], int(parsed["nth"] or 1)
            log.warning("TEST-ONLY %s=%s is set: this process will kill itself there", KILL_POINT_ENV, spec)

    def __call__(self, point: str) -> None:
        if point != self.point:
            return
        self.reached += 1
        if self.reached == self.nth:
            os.write(2, f"{KILL_POINT_ENV}: killed at {point} (time {self.reached})\n".encode())
            os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class ConsumerStats:
    new: int = 0
    duplicates: int = 0
    quarantined: int = 0
    conflicts: int = 0
    """Quarantined as ``conflicting-duplicate`` (counted in ``quarantined`` too): each one an alert."""

    @property
    def handled(self) -> int:
        return self.new + self.duplicates + self.quarantined

    def add(self, other: ConsumerStats) -> None:
        self.new += other.new
        self.duplicates += other.duplicates
        self.quarantined += other.quarantined
        self.conflicts += other.conflicts


class ReferralConsumer:
    def __init__(self, agency_id: str, records: KafkaConsumer, inbox: Inbox, *, verifier: RecordVerifier,
                 forwarder: WebhookForwarder | None = None, commit_interval_s: float = 0.0,
                 clock: Callable[[], datetime] = utc_now) -> None:
        if verifier.agency_id != agency_id:
            raise ValueError("the verifier is another agency's")
        self.agency_id = agency_id
        self.records = records
        self.inbox = inbox
        self.verifier = verifier
        self.forwarder = forwarder
        self.commit_interval_s = commit_interval_s
        self.clock = clock
        self.stats = ConsumerStats()
        self._processed: dict[TopicPartition, OffsetAndMetadata] = {}
        self._last_commit = time.monotonic()
        self._kill_point = KillPoint(CONSUMER_KILL_POINTS)

    def poll_once(self, *, timeout_ms: int = 500) -> ConsumerStats:
        """Take what the broker has, put it in the inbox, commit if due, forward what is due."""
        batch = ConsumerStats()
        fetched = self.records.poll(timeout_ms=timeout_ms)
        if fetched:
            self._kill_point("consumer.after-poll")
        for partition_records in fetched.values():
            for record in partition_records:
                self._receive(record, batch)
                self._kill_point("consumer.after-inbox-write")
                self._processed[TopicPartition(record.topic, record.partition)] = OffsetAndMetadata(
                    record.offset + 1, "", -1)
        if self._processed and time.monotonic() - self._last_commit >= self.commit_interval_s:
            self._kill_point("consumer.before-commit")
            self.commit()
        if self.forwarder is not None:
            self.forwarder.forward_due()
        self.stats.add(batch)
        return batch

    def _receive(self, record: ConsumerRecord, batch: ConsumerStats) -> None:
        verdict = self.verifier.verify(record.topic, record.value, record.headers)
        event = verdict.event
        if verdict.refusal is not None or event is None:
            self._quarantine(record, verdict, batch)
            return
        if self.inbox.receive(event, at=self.clock(), forward=self.forwarder is not None):
            log.info("received %s %s for case %s", event.type, event.event_id, event.case_id)
            batch.new += 1
            return
        filed = self.inbox.entry(self.agency_id, event.event_id)
        if filed is not None and filed.event == event:
            log.info("duplicate %s ignored: already in the inbox", event.event_id)
            batch.duplicates += 1
            return
        batch.conflicts += 1
        self._quarantine(record, Verdict(Refusal.CONFLICTING_DUPLICATE, event), batch)

    def _quarantine(self, record: ConsumerRecord, verdict: Verdict, batch: ConsumerStats) -> None:
        """Keep where the record was, why it was refused and its digest; say so without its content."""
        value = record.value or b""
        digest = hashlib.sha256(value).hexdigest()
        reason = verdict.refusal or Refusal.UNKNOWN_SCHEMA
        claimed = verdict.event
        self.inbox.quarantine(QuarantinedRecord(
            agency_id=self.agency_id, topic=record.topic, partition=record.partition, offset=record.offset,
            reason=reason, sha256=digest, size_bytes=len(value),
            event_id=claimed.event_id if claimed else None, case_id=claimed.case_id if claimed else None,
            quarantined_at=self.clock()))
        where = f"{record.topic}/{record.partition}@{record.offset}"
        if reason is Refusal.CONFLICTING_DUPLICATE and claimed is not None:
            log.error("ALERT: quarantined %s: signed, but event %s is filed with other content (sha256 %s)",
                      where, claimed.event_id, digest[:16])
        else:
            log.warning("quarantined %s: %s (%d bytes, sha256 %s)", where, reason, len(value), digest[:16])
        batch.quarantined += 1

    def commit(self) -> None:
        """Commit the offsets of the records filed or quarantined (never of records merely fetched)."""
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
        log.info("consumer for %s stopped: %d new, %d duplicates, %d quarantined (%d conflicts)", self.agency_id,
                 self.stats.new, self.stats.duplicates, self.stats.quarantined, self.stats.conflicts)
