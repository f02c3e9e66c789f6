"""The topic layout: one topic per agency, so the broker's ACLs decide who reads what.

``<topic prefix><agency id>`` (default ``tsunagu.referrals.v1.elderly-shiba``) holds the referral
events addressed to that agency or sent by it, keyed by case id. Agency ``X`` is given READ on
its own topic and its own consumer group ``<group prefix><agency id>``, nothing else; the relay
alone may WRITE (and CREATE) under the topic prefix. See README, "Referral subscriptions".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kafka.admin import KafkaAdminClient

log = logging.getLogger("tsunagu.kafka")

LEGAL_NAME = re.compile(r"[A-Za-z0-9._-]*")
"""What Kafka allows in topic names (and what we allow in group names)."""
MAX_TOPIC_LENGTH = 249
TOPIC_ALREADY_EXISTS = 36  # Kafka's error code


@dataclass(frozen=True)
class TopicLayout:
    topic_prefix: str
    group_prefix: str

    def topic_for(self, agency_id: str) -> str:
        topic = self.topic_prefix + agency_id
        if not agency_id or not LEGAL_NAME.fullmatch(agency_id) or len(topic) > MAX_TOPIC_LENGTH:
            raise ValueError(f"agency id {agency_id!r} cannot name a Kafka topic")
        return topic

    def group_for(self, agency_id: str) -> str:
        return self.group_prefix + agency_id


@dataclass
class TopicCreator:
    """Creates the agencies' topics before the first send to them (the relay's job, not the agencies')."""

    admin_factory: Callable[[], KafkaAdminClient]
    partitions: int
    replication_factor: int
    known: set[str] = field(default_factory=set)

    def ensure(self, topics: Iterable[str]) -> None:
        missing = sorted(set(topics) - self.known)
        if not missing:
            return
        admin = self.admin_factory()
        try:
            spec = {"num_partitions": self.partitions, "replication_factor": self.replication_factor}
            result = admin.create_topics({topic: spec for topic in missing}, raise_errors=False,
                                         wait_for_metadata=True)
        finally:
            admin.close()
        for outcome in result["topics"]:
            if outcome["error_code"] not in (0, TOPIC_ALREADY_EXISTS):
                raise RuntimeError(f"cannot create topic {outcome['name']}: {outcome['error_message']}")
            if outcome["error_code"] == 0:
                log.info("created topic %s (%d partitions)", outcome["name"], self.partitions)
        self.known.update(missing)
