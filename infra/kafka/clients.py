"""Kafka clients configured for Tsunagu's guarantees: acked, idempotent, ordered per case."""

from __future__ import annotations

from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient

from infra.kafka.settings import KafkaSettings
from infra.kafka.topics import TopicLayout


def layout(settings: KafkaSettings) -> TopicLayout:
    return TopicLayout(topic_prefix=settings.topic_prefix, group_prefix=settings.group_prefix)


def new_producer(settings: KafkaSettings) -> KafkaProducer:
    """acks=all and idempotence: a retried send is written once; at most 5 in flight keeps order."""
    timeout_ms = int(settings.send_timeout_s * 1000)
    return KafkaProducer(
        **settings.client_config(), acks="all", enable_idempotence=True, max_in_flight_requests_per_connection=5,
        delivery_timeout_ms=timeout_ms, request_timeout_ms=min(timeout_ms, 30_000), max_block_ms=timeout_ms,
        bootstrap_timeout_ms=timeout_ms, allow_auto_create_topics=False, reconnect_backoff_max_ms=2_000)


def new_admin(settings: KafkaSettings) -> KafkaAdminClient:
    timeout_ms = int(settings.send_timeout_s * 1000)
    return KafkaAdminClient(**settings.client_config(), request_timeout_ms=timeout_ms,
                            bootstrap_timeout_ms=timeout_ms)


def new_referral_consumer(settings: KafkaSettings, agency_id: str, *,
                          instance_id: str | None = None) -> KafkaConsumer:
    """The agency's consumer group on the agency's topic; offsets are committed by the caller."""
    topics = layout(settings)
    topic = topics.topic_for(agency_id)
    consumer = KafkaConsumer(
        topic, **settings.client_config(), group_id=topics.group_for(agency_id),
        group_instance_id=instance_id, enable_auto_commit=False, auto_offset_reset="earliest",
        allow_auto_create_topics=False, session_timeout_ms=settings.consumer_session_timeout_ms,
        heartbeat_interval_ms=settings.consumer_session_timeout_ms // 3, reconnect_backoff_max_ms=2_000)
    # The topic's metadata before the first join. Without it kafka-python 3.0.x can join first, assign
    # nothing, and then lose the assignment of the rebalance that follows when the metadata arrives,
    # leaving the consumer polling with no partitions (seen here; cf. dpkp/kafka-python#2855).
    consumer.partitions_for_topic(topic)
    return consumer
