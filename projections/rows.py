"""Rows a batch reads and changes, loaded from the view once and written back once."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from projections.view import Change, ReadModelView, Row


def iso(value: datetime | date | None) -> str | None:
    """Times as ISO-8601 UTC text (sortable in both databases); dates as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value.isoformat()


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


class RowCache:
    """Rows of one table keyed by primary key: loaded lazily, upserted at the end of the batch.

    ``json_columns`` hold structured values: decoded on load, encoded on write.
    """

    PRELOAD_CHUNK = 500

    def __init__(self, view: ReadModelView, table: str, key: str, upsert: str, *,
                 json_columns: tuple[str, ...] = ()) -> None:
        self.view = view
        self.table = table
        self.key = key
        self.upsert = upsert
        self.json_columns = json_columns
        self.rows: dict[Any, Row | None] = {}
        self.dirty: set[Any] = set()

    def preload(self, keys: Iterable[Any]) -> None:
        """Load many rows in a few queries (rather than one query per row)."""
        missing = sorted({k for k in keys if k not in self.rows}, key=str)
        for start in range(0, len(missing), self.PRELOAD_CHUNK):
            chunk = missing[start:start + self.PRELOAD_CHUNK]
            params = {f"k{i}": k for i, k in enumerate(chunk)}
            placeholders = ", ".join(f"%({name})s" for name in params)
            for row in self.view.query(f"SELECT * FROM {{{self.table}}} WHERE {self.key} IN ({placeholders})",
                                       params):
                self.rows[row[self.key]] = decode(row, self.json_columns)
            for k in chunk:
                self.rows.setdefault(k, None)

    def get(self, key: Any) -> Row | None:
        if key not in self.rows:
            self.preload([key])
        return self.rows[key]

    def put(self, key: Any, row: Row) -> None:
        self.rows[key] = row
        self.dirty.add(key)

    def change(self, key: Any) -> Row | None:
        """The row to modify in place (it will be written back); None if it does not exist."""
        row = self.get(key)
        if row is not None:
            self.dirty.add(key)
        return row

    def existing(self, key: Any) -> Row:
        """The row an earlier event created (to read); its absence means the log names something it never
        created."""
        row = self.get(key)
        if row is None:
            raise LookupError(f"{self.table}: no row with {self.key} = {key!r}")
        return row

    def change_existing(self, key: Any) -> Row:
        """The row an earlier event created, to modify in place (it will be written back)."""
        row = self.existing(key)
        self.dirty.add(key)
        return row

    def changes(self) -> list[Change]:
        rows = [self.rows[k] for k in sorted(self.dirty, key=str)]
        return [(self.upsert, [encode(r, self.json_columns) for r in rows if r is not None])]


def decode(row: Row, json_columns: tuple[str, ...]) -> Row:
    return {k: (json.loads(v) if k in json_columns and isinstance(v, str) else v) for k, v in row.items()}


def encode(row: Row, json_columns: tuple[str, ...]) -> Row:
    return {k: (dumps(v) if k in json_columns else v) for k, v in row.items()}
