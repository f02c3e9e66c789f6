"""The provisioned test services are real: PostgreSQL stores rows, Kafka round-trips records."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

pytestmark = pytest.mark.integration

TIMEOUT_S = 30


def test_postgres_stores_and_returns_rows(postgres_dsn: str) -> None:
    table = f"probe_{uuid.uuid4().hex}"
    with psycopg.connect(postgres_dsn) as conn:
        conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, body text NOT NULL)")
        with conn.cursor() as cur:
            cur.executemany(f"INSERT INTO {table} (id, body) VALUES (%s, %s)", [(1, "一"), (2, "two")])
        conn.commit()

    with psycopg.connect(postgres_dsn) as conn:
        rows = conn.execute(f"SELECT id, body FROM {table} ORDER BY id").fetchall()
        conn.execute(f"DROP TABLE {table}")

    assert rows == [(1, "一"), (2, "two")]


def test_kafka_round_trips_records(kafka_bootstrap: str) -> None:
    topic = f"probe-{uuid.uuid4().hex}"
    sent = [(f"key-{i}".encode(), f"value-{i}".encode()) for i in range(20)]

    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        admin.close()

    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
    try:
        futures = [producer.send(topic, key=key, value=value) for key, value in sent]
        offsets = [future.get(timeout=TIMEOUT_S).offset for future in futures]
    finally:
        producer.close()
    assert offsets == list(range(len(sent)))

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"probe-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=TIMEOUT_S * 1000,
    )
    try:
        received = []
        for record in consumer:
            received.append((record.key, record.value))
            if len(received) == len(sent):
                break
    finally:
        consumer.close()

    assert received == sent
