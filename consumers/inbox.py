"""An agency's referral inbox: a table in the configured store, one row per (agency, event id).

The row is both the deduplication key and the effect of a delivery (the entry the agency lists,
and its webhook job), so writing it is one transaction: a redelivered message inserts nothing
and has no second effect, across consumer restarts.

Beside it, the quarantine (``referral_quarantine``): one row per record the consumer refused, keyed by
where it was on the wire (topic, partition, offset), with the reason, the record's size and SHA-256,
and the event and case ids it claimed if it parsed. Never the record itself: it may carry anything.
"""

from __future__ import annotations

import re
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.referral_feed import ReferralEventV1

COLUMNS = ("agency_id", "event_id", "type", "case_id", "message", "received_at", "forwarded_at",
           "forward_failures", "next_forward_at", "last_error")
QUARANTINE_COLUMNS = ("agency_id", "topic", "record_partition", "record_offset", "reason", "sha256", "size_bytes",
                      "event_id", "case_id", "quarantined_at")
SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class InboxEntry:
    event: ReferralEventV1
    received_at: datetime
    forwarded_at: datetime | None
    forward_failures: int
    next_forward_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class QuarantinedRecord:
    """A record the consumer refused: where it was, why, and a digest; never its content."""

    agency_id: str
    topic: str
    partition: int
    offset: int
    reason: str
    sha256: str
    size_bytes: int
    event_id: UUID | None
    """The event id it claimed (attacker-chosen unless the reason is ``conflicting-duplicate``)."""
    case_id: UUID | None
    quarantined_at: datetime


class Inbox(ABC):
    """The statements are written once, with ``:name`` parameters; each store adapts them."""

    CREATE: str
    CREATE_QUARANTINE: str

    def __init__(self) -> None:
        with self._transaction() as cursor:
            cursor.execute(self._sql(self.CREATE))
            cursor.execute(self._sql("CREATE INDEX IF NOT EXISTS referral_inbox_by_agency "
                                     "ON referral_inbox (agency_id, received_at)"))
            cursor.execute(self._sql(self.CREATE_QUARANTINE))
            cursor.execute(self._sql("CREATE INDEX IF NOT EXISTS referral_quarantine_by_agency "
                                     "ON referral_quarantine (agency_id, quarantined_at)"))

    @classmethod
    def sqlite(cls, path: Path) -> Inbox:
        return SQLiteInbox(path)

    @classmethod
    def postgres(cls, dsn: str, schema: str) -> Inbox:
        return PostgresInbox(dsn, schema)

    def receive(self, event: ReferralEventV1, *, at: datetime, forward: bool) -> bool:
        """Put the event in its recipient's inbox, unless it is there already; True if it was new."""
        with self._transaction() as cursor:
            cursor.execute(self._sql(
                "INSERT INTO referral_inbox (agency_id, event_id, type, case_id, message, received_at, "
                "forward_failures, next_forward_at) VALUES (:agency_id, :event_id, :type, :case_id, :message, "
                ":received_at, 0, :next_forward_at) ON CONFLICT (agency_id, event_id) DO NOTHING"),
                {"agency_id": event.recipient, "event_id": str(event.event_id), "type": event.type,
                 "case_id": str(event.case_id), "message": event.model_dump_json(),
                 "received_at": self._time(at), "next_forward_at": self._time(at) if forward else None})
            return cursor.rowcount == 1

    def entry(self, agency_id: str, event_id: UUID) -> InboxEntry | None:
        """The agency's entry for this event, if it has one."""
        found = self._select("WHERE agency_id = :agency_id AND event_id = :event_id",
                             {"agency_id": agency_id, "event_id": str(event_id)})
        return found[0] if found else None

    def quarantine(self, record: QuarantinedRecord) -> bool:
        """Keep a refused record's description, once per wire position; True if it was new."""
        with self._transaction() as cursor:
            cursor.execute(self._sql(
                f"INSERT INTO referral_quarantine ({', '.join(QUARANTINE_COLUMNS)}) VALUES "
                f"({', '.join(':' + c for c in QUARANTINE_COLUMNS)}) "
                "ON CONFLICT (agency_id, topic, record_partition, record_offset) DO NOTHING"),
                {"agency_id": record.agency_id, "topic": record.topic, "record_partition": record.partition,
                 "record_offset": record.offset, "reason": record.reason, "sha256": record.sha256,
                 "size_bytes": record.size_bytes,
                 "event_id": None if record.event_id is None else str(record.event_id),
                 "case_id": None if record.case_id is None else str(record.case_id),
                 "quarantined_at": self._time(record.quarantined_at)})
            return cursor.rowcount == 1

    def quarantined(self, agency_id: str, *, limit: int = 100) -> list[QuarantinedRecord]:
        """The records refused on the agency's topic, newest first."""
        with self._transaction() as cursor:
            cursor.execute(self._sql(f"SELECT {', '.join(QUARANTINE_COLUMNS)} FROM referral_quarantine "
                                     "WHERE agency_id = :agency_id "
                                     "ORDER BY quarantined_at DESC, topic, record_partition, record_offset "
                                     "LIMIT :limit"), {"agency_id": agency_id, "limit": limit})
            rows = [dict(zip(QUARANTINE_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
        return [QuarantinedRecord(
            agency_id=row["agency_id"], topic=row["topic"], partition=row["record_partition"],
            offset=row["record_offset"], reason=row["reason"], sha256=row["sha256"], size_bytes=row["size_bytes"],
            event_id=None if row["event_id"] is None else UUID(str(row["event_id"])),
            case_id=None if row["case_id"] is None else UUID(str(row["case_id"])),
            quarantined_at=self._read_time(row["quarantined_at"])) for row in rows]

    def entries(self, agency_id: str, *, limit: int = 100) -> list[InboxEntry]:
        """The agency's inbox, newest first."""
        return self._select("WHERE agency_id = :agency_id ORDER BY received_at DESC, event_id LIMIT :limit",
                            {"agency_id": agency_id, "limit": limit})

    def due_for_forwarding(self, agency_id: str, *, now: datetime, limit: int) -> list[InboxEntry]:
        """Entries waiting for the webhook, oldest first."""
        return self._select("WHERE agency_id = :agency_id AND forwarded_at IS NULL AND next_forward_at <= :now "
                            "ORDER BY received_at, event_id LIMIT :limit",
                            {"agency_id": agency_id, "now": self._time(now), "limit": limit})

    def record_forwarded(self, entry: InboxEntry, *, at: datetime) -> None:
        self._update(entry, "forwarded_at = :at, next_forward_at = NULL", {"at": self._time(at)})

    def record_forward_failure(self, entry: InboxEntry, *, error: str, retry_at: datetime | None) -> None:
        """Count a failed forward; ``retry_at`` None gives up on this entry (the error stays listed)."""
        self._update(entry, "forward_failures = forward_failures + 1, last_error = :error, "
                            "next_forward_at = :retry_at",
                     {"error": error[:500], "retry_at": None if retry_at is None else self._time(retry_at)})

    def _update(self, entry: InboxEntry, assignments: str, params: dict[str, Any]) -> None:
        with self._transaction() as cursor:
            cursor.execute(self._sql(f"UPDATE referral_inbox SET {assignments} "
                                     "WHERE agency_id = :agency_id AND event_id = :event_id"),
                           {**params, "agency_id": entry.event.recipient, "event_id": str(entry.event.event_id)})

    def _select(self, condition: str, params: dict[str, Any]) -> list[InboxEntry]:
        with self._transaction() as cursor:
            cursor.execute(self._sql(f"SELECT {', '.join(COLUMNS)} FROM referral_inbox {condition}"), params)
            rows = [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]
        return [InboxEntry(event=ReferralEventV1.model_validate_json(row["message"]),
                           received_at=self._read_time(row["received_at"]),
                           forwarded_at=self._read_time(row["forwarded_at"]),
                           forward_failures=row["forward_failures"],
                           next_forward_at=self._read_time(row["next_forward_at"]), last_error=row["last_error"])
                for row in rows]

    @abstractmethod
    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        """A cursor inside one transaction: committed on success, rolled back on error."""

    @staticmethod
    def _sql(statement: str) -> str:
        return statement

    @staticmethod
    def _time(at: datetime) -> Any:
        return at

    @staticmethod
    def _read_time(value: Any) -> Any:
        return value

    @abstractmethod
    def close(self) -> None:
        """Release connections."""


class SQLiteInbox(Inbox):
    CREATE = ("CREATE TABLE IF NOT EXISTS referral_inbox (agency_id TEXT NOT NULL, event_id TEXT NOT NULL, "
              "type TEXT NOT NULL, case_id TEXT NOT NULL, message TEXT NOT NULL, received_at TEXT NOT NULL, "
              "forwarded_at TEXT, forward_failures INTEGER NOT NULL, next_forward_at TEXT, last_error TEXT, "
              "PRIMARY KEY (agency_id, event_id))")
    CREATE_QUARANTINE = (
        "CREATE TABLE IF NOT EXISTS referral_quarantine (agency_id TEXT NOT NULL, topic TEXT NOT NULL, "
        "record_partition INTEGER NOT NULL, record_offset INTEGER NOT NULL, reason TEXT NOT NULL, "
        "sha256 TEXT NOT NULL, size_bytes INTEGER NOT NULL, event_id TEXT, case_id TEXT, "
        "quarantined_at TEXT NOT NULL, PRIMARY KEY (agency_id, topic, record_partition, record_offset))")

    def __init__(self, path: Path) -> None:
        self._connection = sqlite3.connect(path, timeout=10, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        super().__init__()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        cursor = self._connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            yield cursor
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")

    @staticmethod
    def _time(at: datetime) -> str:
        """UTC, always with microseconds, so that text order is time order."""
        return at.astimezone(UTC).isoformat(timespec="microseconds")

    @staticmethod
    def _read_time(value: str | None) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)

    def close(self) -> None:
        self._connection.close()


class PostgresInbox(Inbox):
    CREATE = ("CREATE TABLE IF NOT EXISTS referral_inbox (agency_id TEXT NOT NULL, event_id UUID NOT NULL, "
              "type TEXT NOT NULL, case_id UUID NOT NULL, message TEXT NOT NULL, "
              "received_at TIMESTAMPTZ NOT NULL, forwarded_at TIMESTAMPTZ, forward_failures INTEGER NOT NULL, "
              "next_forward_at TIMESTAMPTZ, last_error TEXT, PRIMARY KEY (agency_id, event_id))")
    CREATE_QUARANTINE = (
        "CREATE TABLE IF NOT EXISTS referral_quarantine (agency_id TEXT NOT NULL, topic TEXT NOT NULL, "
        "record_partition INTEGER NOT NULL, record_offset BIGINT NOT NULL, reason TEXT NOT NULL, "
        "sha256 TEXT NOT NULL, size_bytes INTEGER NOT NULL, event_id UUID, case_id UUID, "
        "quarantined_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (agency_id, topic, record_partition, record_offset))")

    def __init__(self, dsn: str, schema: str) -> None:
        from psycopg_pool import ConnectionPool

        if not SCHEMA_NAME.fullmatch(schema):
            raise ValueError(f"not a plain schema name: {schema!r}")
        self._pool = ConnectionPool(dsn, min_size=1, max_size=2, open=True, check=ConnectionPool.check_connection,
                                    kwargs={"options": f"-c search_path={schema}"})
        super().__init__()

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._pool.connection() as connection, connection.transaction(), connection.cursor() as cursor:
            yield cursor

    @staticmethod
    def _sql(statement: str) -> str:
        return re.sub(r":(\w+)", r"%(\1)s", statement)

    def close(self) -> None:
        self._pool.close()

