"""Materialised views on SQLite or PostgreSQL, written through eventsourcing's tracking recorders.

A view writes its rows and the tracking position of the last event it processed in one
transaction (``apply``), so a batch is applied exactly once and a crash resumes cleanly.
SQL is written once, in ``%(name)s`` style; SQLite gets it as ``:name``. Times are stored as
ISO-8601 UTC text in both databases, so ordering and comparisons agree.

Read models hold no personal content: ids, codes, agencies, categories and times only.
Personal content stays in the (encrypted) event store, behind the access decisions.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder

_NAMED_PARAM = re.compile(r"%\((\w+)\)s")

Row = dict[str, Any]
Change = tuple[str, Sequence[dict[str, Any]]]
"""A statement name (a key of the view's ``STATEMENTS``) and the parameter rows to run it with."""


if TYPE_CHECKING:
    class _DatabaseTrackingRecorder(TrackingRecorder):
        """What a view takes from the database's tracking recorder it is mixed with (below)."""

        def create_table(self) -> None: ...

        def _insert_tracking(self, curs: Any, tracking: Tracking, /) -> None: ...
else:
    _DatabaseTrackingRecorder = TrackingRecorder


class ReadModelView(_DatabaseTrackingRecorder):
    """The view interface shared by both databases. Subclasses declare tables and statements."""

    TABLES: ClassVar[dict[str, str]] = {}
    """Table name -> column definitions (portable SQL)."""
    INDEXES: ClassVar[list[str]] = []
    """``CREATE INDEX IF NOT EXISTS name ON {table} (...)`` with ``{table}`` placeholders."""
    STATEMENTS: ClassVar[dict[str, str]] = {}
    """Statement name -> SQL with ``{table}`` placeholders and ``%(name)s`` parameters."""
    TABLE_PREFIX: ClassVar[str] = "rm_"
    """Set per read-model schema version (``rm_``, ``rm2_`` …), so a new schema gets new tables."""

    @abstractmethod
    def _table(self, name: str) -> str: ...

    @abstractmethod
    def _sql(self, statement: str) -> str: ...

    @abstractmethod
    @contextmanager
    def _transaction(self) -> Iterator[Any]: ...

    def _format(self, sql: str) -> str:
        return self._sql(sql.format(**{name: self._table(name) for name in self.TABLES}))

    def create_table(self) -> None:
        super().create_table()
        with self._transaction() as curs:
            for table, columns in self.TABLES.items():
                curs.execute(f"CREATE TABLE IF NOT EXISTS {self._table(table)} ({columns})")
            for index in self.INDEXES:
                curs.execute(self._format(index.replace("IF NOT EXISTS rm_", f"IF NOT EXISTS {self.TABLE_PREFIX}")))

    def apply(self, changes: list[Change], tracking: Tracking) -> None:
        """Write a batch of changes and its tracking position atomically."""
        with self._transaction() as curs:
            for statement, rows in changes:
                if rows:
                    self._write(curs, self.STATEMENTS[statement], list(rows))
            self._insert_tracking(curs, tracking)

    def _write(self, curs: Any, sql: str, rows: list[dict[str, Any]]) -> None:
        curs.executemany(self._format(sql), rows)

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[Row]:
        with self._transaction() as curs:
            curs.execute(self._format(sql), params or {})
            return [dict(row) for row in curs.fetchall()]

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> None:
        """Run one statement that returns nothing (maintenance; the runner writes through ``apply``)."""
        with self._transaction() as curs:
            curs.execute(self._format(sql), params or {})

    def reset(self, application_name: str) -> None:
        """Forget everything, including the position: the next run replays from the start."""
        with self._transaction() as curs:
            self._empty_tables(curs)
            curs.execute(self._sql(f"DELETE FROM {self._tracking_table()} WHERE application_name = %(name)s"),
                         {"name": application_name})

    def _empty_tables(self, curs: Any) -> None:
        for table in self.TABLES:
            curs.execute(f"DELETE FROM {self._table(table)}")

    def dump(self) -> dict[str, list[Row]]:
        """Every row of every table, in a stable order (for comparing rebuilds)."""
        result = {}
        for table in self.TABLES:
            rows = self.query(f"SELECT * FROM {{{table}}}")
            result[table] = sorted(rows, key=lambda r: [str(v) for v in r.values()])
        return result

    @abstractmethod
    def _tracking_table(self) -> str: ...


_PLAIN_INSERT = re.compile(r"^INSERT INTO \{(\w+)\} \(([^)]*)\) VALUES \(.*\)$")


class PostgresView(ReadModelView, PostgresTrackingRecorder):
    COPY_THRESHOLD = 50

    def _write(self, curs: Any, sql: str, rows: list[dict[str, Any]]) -> None:
        """Plain inserts of many rows go through COPY, several times faster than INSERTs."""
        plain = _PLAIN_INSERT.match(sql)
        if plain is None or len(rows) < self.COPY_THRESHOLD:
            super()._write(curs, sql, rows)
            return
        table, columns = plain.group(1), [c.strip() for c in plain.group(2).split(",")]
        with curs.copy(f"COPY {self._table(table)} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])

    def _empty_tables(self, curs: Any) -> None:
        curs.execute(f"TRUNCATE {', '.join(self._table(t) for t in self.TABLES)}")

    def _table(self, name: str) -> str:
        return f'"{self.datastore.schema}"."{self.TABLE_PREFIX}{name}"'

    def _tracking_table(self) -> str:
        return f'"{self.datastore.schema}"."{self.tracking_table_name}"'

    def _sql(self, statement: str) -> str:
        return statement

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=True) as curs:
            yield curs


class SQLiteView(ReadModelView, SQLiteTrackingRecorder):
    def _table(self, name: str) -> str:
        return f"{self.TABLE_PREFIX}{name}"

    def _tracking_table(self) -> str:
        return "tracking"

    def _sql(self, statement: str) -> str:
        return _NAMED_PARAM.sub(r":\1", statement)

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=True) as curs:
            yield curs
