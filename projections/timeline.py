"""Case timeline: every entry of every case in order, as an index without personal content.

Redaction is never baked in: the index says what each entry is (kind, agency, category,
when); what a reader may see of it is decided at read time by ``domain.access``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from projections.base import CASE_TOPICS, Positioned, ReadModel
from projections.rows import iso
from projections.view import Change, ReadModelView, Row

COLUMNS = ("case_id", "seq", "kind", "agency", "staff", "category", "occurred_at", "recorded_at", "position")


class TimelineView(ReadModelView):
    TABLES: ClassVar[dict[str, str]] = {
        "timeline_entry": "case_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, agency TEXT NOT NULL, "
                          "staff TEXT NOT NULL, category TEXT NOT NULL, occurred_at TEXT NOT NULL, "
                          "recorded_at TEXT NOT NULL, position BIGINT NOT NULL, PRIMARY KEY (case_id, seq)",
    }
    INDEXES: ClassVar[list[str]] = [
        "CREATE INDEX IF NOT EXISTS rm_timeline_agency ON {timeline_entry} (agency, occurred_at)",
    ]
    STATEMENTS: ClassVar[dict[str, str]] = {
        "insert_entry": "INSERT INTO {timeline_entry} (" + ", ".join(COLUMNS) + ") VALUES ("
                        + ", ".join(f"%({c})s" for c in COLUMNS) + ")",
    }

    def entries(self, case_id: str) -> list[Row]:
        return self.query("SELECT * FROM {timeline_entry} WHERE case_id = %(case_id)s ORDER BY seq",
                          {"case_id": case_id})


class TimelineProjection(ReadModel[TimelineView]):
    name = "timeline"
    view_interface = TimelineView
    topics = CASE_TOPICS

    def changes(self, events: Iterable[Positioned]) -> list[Change]:
        return [("insert_entry", [
            {"case_id": str(e.originator_id), "seq": e.originator_version, "kind": e.kind, "agency": e.by_agency,
             "staff": e.by_staff, "category": str(e.information_category()), "occurred_at": iso(e.occurred_at),
             "recorded_at": iso(e.timestamp), "position": position}
            for position, e in events])]
