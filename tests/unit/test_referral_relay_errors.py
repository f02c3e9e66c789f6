"""How the relay names an error in its log (``relay batch failed (<error>)``): by its type and message, the
type once, whether or not the library already put it in the message."""

from __future__ import annotations

import sqlite3

from kafka.errors import KafkaTimeoutError

from infra.kafka.relay import describe


def test_an_error_is_named_by_its_type_and_message() -> None:
    assert describe(sqlite3.OperationalError("database is locked")) == "OperationalError: database is locked"
    assert describe(ConnectionRefusedError(111, "Connection refused")) == (
        "ConnectionRefusedError: [Errno 111] Connection refused")


def test_a_kafka_error_that_names_its_type_already_is_not_named_twice() -> None:
    error = KafkaTimeoutError("Failed to update metadata after 10.0 secs.")
    assert str(error).startswith("KafkaTimeoutError")
    assert describe(error) == str(error)
