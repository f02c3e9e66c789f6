"""Signed-out tokens: a deny-list of token ids (``jti``), in the event store's own database.

A small table beside the events (``tsunagu_revoked_tokens``), reached with the store's connection
settings: every API process sees a sign-out at once, and it survives restarts. A row is needed
only until the token would have expired anyway, so each revocation also deletes expired rows.
Why a table and not an aggregate: a sign-out is not a fact about a case; the check runs on every
request and is one primary-key lookup here, and nothing subscribing to the log must learn to
ignore it.
"""

from __future__ import annotations

import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg
from eventsourcing.persistence import OperationalError
from psycopg import sql
from psycopg_pool import ConnectionPool, PoolTimeout

TABLE = "tsunagu_revoked_tokens"


class RevokedTokens(ABC):
    """The deny-list: which token ids were signed out, until they would have expired.

    A database that cannot be reached raises the event store's ``OperationalError`` (the API's 503),
    never a driver's error."""

    @abstractmethod
    def revoke(self, jti: str, *, expires_at: datetime) -> None:
        """Refuse the token with id ``jti`` from now on (idempotent)."""

    @abstractmethod
    def is_revoked(self, jti: str) -> bool: ...

    @abstractmethod
    def close(self) -> None:
        """Release connections."""


def revoked_tokens(env: Mapping[str, str]) -> RevokedTokens:
    """The deny-list in the database of an eventsourcing environment (SQLite file or PostgreSQL)."""
    create = env.get("CREATE_TABLE", "y").lower() not in ("n", "no", "false", "0")
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        conninfo = " ".join(f"{key}='{_quote(env[name])}'" for key, name in (
            ("host", "POSTGRES_HOST"), ("port", "POSTGRES_PORT"), ("dbname", "POSTGRES_DBNAME"),
            ("user", "POSTGRES_USER"), ("password", "POSTGRES_PASSWORD")) if env.get(name))
        return PostgresRevokedTokens(conninfo, schema=env.get("POSTGRES_SCHEMA") or "public",
                                     pool_size=int(env.get("POSTGRES_POOL_SIZE", "4")),
                                     connect_timeout=float(env.get("POSTGRES_CONNECT_TIMEOUT", "5")), create=create)
    return SQLiteRevokedTokens(env["SQLITE_DBNAME"], create=create)


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


class MemoryRevokedTokens(RevokedTokens):
    """A deny-list in this process only: for unit tests."""

    def __init__(self) -> None:
        self._revoked: dict[str, datetime] = {}

    def revoke(self, jti: str, *, expires_at: datetime) -> None:
        self._revoked[jti] = expires_at

    def is_revoked(self, jti: str) -> bool:
        return jti in self._revoked

    def close(self) -> None:
        self._revoked.clear()


class SQLiteRevokedTokens(RevokedTokens):
    def __init__(self, path: str, *, create: bool = True) -> None:
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(path, timeout=10, check_same_thread=False)
        if create:
            with self._lock, self._connection:
                self._connection.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} "
                                         "(jti TEXT PRIMARY KEY, expires_at TEXT NOT NULL)")

    def revoke(self, jti: str, *, expires_at: datetime) -> None:
        now = datetime.now(UTC).isoformat()
        with self._lock, _unavailable_as_operational_error():
            with self._connection:  # one transaction: commit, or roll back on error
                self._connection.execute(f"DELETE FROM {TABLE} WHERE expires_at < ?", (now,))
                self._connection.execute(f"INSERT INTO {TABLE} (jti, expires_at) VALUES (?, ?) "
                                         "ON CONFLICT (jti) DO NOTHING", (jti, expires_at.astimezone(UTC).isoformat()))

    def is_revoked(self, jti: str) -> bool:
        with self._lock, _unavailable_as_operational_error():
            return self._connection.execute(f"SELECT 1 FROM {TABLE} WHERE jti = ?", (jti,)).fetchone() is not None

    def close(self) -> None:
        with self._lock:
            self._connection.close()


class PostgresRevokedTokens(RevokedTokens):
    def __init__(self, conninfo: str, *, schema: str, pool_size: int, connect_timeout: float = 5.0,
                 create: bool = True) -> None:
        self._table = sql.Identifier(schema, TABLE)
        self._pool = ConnectionPool(conninfo, min_size=1, max_size=max(1, pool_size), open=True,
                                    timeout=connect_timeout + 1, check=ConnectionPool.check_connection,
                                    kwargs={"autocommit": True, "connect_timeout": max(1, round(connect_timeout))},
                                    name="revoked-tokens")
        if create:
            with _unavailable_as_operational_error(), self._pool.connection() as conn:
                conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (jti TEXT PRIMARY KEY, "
                                     "expires_at TIMESTAMPTZ NOT NULL)").format(self._table))

    def revoke(self, jti: str, *, expires_at: datetime) -> None:
        with _unavailable_as_operational_error(), self._pool.connection() as conn, conn.transaction():
            conn.execute(sql.SQL("DELETE FROM {} WHERE expires_at < now()").format(self._table))
            conn.execute(sql.SQL("INSERT INTO {} (jti, expires_at) VALUES (%s, %s) ON CONFLICT (jti) DO NOTHING")
                         .format(self._table), (jti, expires_at))

    def is_revoked(self, jti: str) -> bool:
        with _unavailable_as_operational_error(), self._pool.connection() as conn:
            return conn.execute(sql.SQL("SELECT 1 FROM {} WHERE jti = %s").format(self._table),
                                (jti,)).fetchone() is not None

    def close(self) -> None:
        self._pool.close()


@contextmanager
def _unavailable_as_operational_error() -> Iterator[None]:
    try:
        yield
    except (sqlite3.Error, psycopg.Error, PoolTimeout) as error:
        raise OperationalError(f"the deny-list of signed-out tokens is unavailable: {type(error).__name__}") from error
