"""Output indicators per fiscal year (April to March), as in the Ota ward plan's table.

Counts are keyed by (fiscal year, indicator, key) and only ever added to, so a replay of the
log yields the same table. The fiscal year of a record is that of the day it happened (JST); a meeting's
is that of the day it was held. A sitting (開催) counts once however many cases it discussed: the
``sitting`` table keeps one row per sitting, case and kind (ids and codes only), from which the counts by
sitting and by case are read (``IndicatorsView.sittings``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from domain.calendar import fiscal_year, local_date
from domain.vocabulary import Field, MeetingKind
from projections.base import Positioned, ReadModel, case_topics
from projections.rows import RowCache
from projections.view import Change, ReadModelView, Row


@dataclass(frozen=True)
class Indicator:
    id: str
    label_ja: str
    label_en: str
    unit: str


INDICATORS: tuple[Indicator, ...] = (
    Indicator("multi_layered_meetings", "重層的支援会議の開催回数", "Multi-layered support meetings held", "回"),
    Indicator("support_meetings", "支援会議の開催回数", "Support meetings (art. 106-6) held", "回"),
    Indicator("plans_new", "重層的支援会議で作成した支援プラン（新規）", "Support plans created (new)", "件"),
    Indicator("plans_revised", "重層的支援会議で作成した支援プラン（再プラン）",
              "Support plans created (revised)", "件"),
    Indicator("outreach_total", "アウトリーチ等を通じた継続的支援 のべ支援件数",
              "Outreach support (total visits)", "件"),
    Indicator("outreach_new", "アウトリーチ等を通じた継続的支援 うち新規", "Outreach support (new households)", "件"),
    Indicator("participation_matches", "参加支援 地域資源等につなげた件数", "Participation matches", "件"),
    Indicator("consultations", "分野別の相談件数", "Consultations by field", "件"),
    Indicator("referrals", "機関間のつなぎ件数", "Referrals between agencies", "件"),
)
INDICATOR_BY_ID = {i.id: i for i in INDICATORS}
MEETING_INDICATORS = {MeetingKind.MULTI_LAYERED.value: "multi_layered_meetings",
                      MeetingKind.SUPPORT.value: "support_meetings"}
"""The meetings counted here, once per sitting (other statutory kinds are counted from the sitting table)."""
KEYED = {"consultations", "referrals"}
"""Indicators counted per key: consultations per field, referrals per 'from→to'."""


class IndicatorsView(ReadModelView):
    TABLES: ClassVar[dict[str, str]] = {
        "indicator": "fiscal_year INTEGER NOT NULL, indicator TEXT NOT NULL, key TEXT NOT NULL, "
                     "value INTEGER NOT NULL, PRIMARY KEY (fiscal_year, indicator, key)",
        "outreach_case": "case_id TEXT PRIMARY KEY, first_fiscal_year INTEGER NOT NULL",
        "sitting": "sitting_id TEXT NOT NULL, case_id TEXT NOT NULL, meeting_kind TEXT NOT NULL, body_id TEXT, "
                   "held_on TEXT NOT NULL, fiscal_year INTEGER NOT NULL, "
                   "PRIMARY KEY (sitting_id, case_id, meeting_kind)",
    }
    INDEXES: ClassVar[list[str]] = ["CREATE INDEX IF NOT EXISTS rm_sitting_year ON {sitting} (fiscal_year)"]
    STATEMENTS: ClassVar[dict[str, str]] = {
        "add": "INSERT INTO {indicator} AS t (fiscal_year, indicator, key, value) "
               "VALUES (%(fiscal_year)s, %(indicator)s, %(key)s, %(value)s) "
               "ON CONFLICT (fiscal_year, indicator, key) DO UPDATE SET value = t.value + excluded.value",
        "insert_outreach_case": "INSERT INTO {outreach_case} (case_id, first_fiscal_year) "
                                "VALUES (%(case_id)s, %(first_fiscal_year)s)",
        "insert_sitting": "INSERT INTO {sitting} (sitting_id, case_id, meeting_kind, body_id, held_on, fiscal_year) "
                          "VALUES (%(sitting_id)s, %(case_id)s, %(meeting_kind)s, %(body_id)s, %(held_on)s, "
                          "%(fiscal_year)s) ON CONFLICT DO NOTHING",
    }

    def year(self, year: int) -> dict[str, dict[str, int]]:
        """Indicator id -> key -> count ('' for unkeyed indicators), zeros included."""
        table: dict[str, dict[str, int]] = {i.id: ({} if i.id in KEYED else {"": 0}) for i in INDICATORS}
        for row in self.query("SELECT indicator, key, value FROM {indicator} WHERE fiscal_year = %(y)s "
                              "ORDER BY indicator, key", {"y": year}):
            table.setdefault(row["indicator"], {})[row["key"]] = row["value"]
        return table

    def sittings(self, year: int) -> list[Row]:
        """The year's case meetings by the day held, per kind: the sittings that held a part of that kind
        (each once) and the case discussions (each case once per sitting)."""
        return self.query("SELECT meeting_kind, COUNT(DISTINCT sitting_id) AS sittings, "
                          "COUNT(*) AS case_discussions FROM {sitting} WHERE fiscal_year = %(y)s "
                          "GROUP BY meeting_kind ORDER BY meeting_kind", {"y": year})

    def sittings_by_body(self, year: int) -> list[Row]:
        """The same per body (None: ad-hoc meetings), whatever kinds each sitting held."""
        return self.query("SELECT body_id, COUNT(DISTINCT sitting_id) AS sittings, COUNT(*) AS case_discussions "
                          "FROM (SELECT DISTINCT sitting_id, case_id, body_id FROM {sitting} "
                          "WHERE fiscal_year = %(y)s) AS s GROUP BY body_id ORDER BY body_id", {"y": year})

    def sitting_totals(self, year: int) -> Row:
        """The year's sittings (whatever kinds they held) and case discussions, each counted once."""
        return self.query("SELECT COUNT(DISTINCT sitting_id) AS sittings, COUNT(*) AS case_discussions FROM "
                          "(SELECT DISTINCT sitting_id, case_id FROM {sitting} WHERE fiscal_year = %(y)s) AS s",
                          {"y": year})[0]

    def sittings_counted(self, sitting_ids: Iterable[str]) -> set[tuple[str, str]]:
        """Which of these sittings were already counted, per kind."""
        ids = sorted(set(sitting_ids))
        found: set[tuple[str, str]] = set()
        for start in range(0, len(ids), 500):
            params = {f"s{i}": s for i, s in enumerate(ids[start:start + 500])}
            found |= {(r["sitting_id"], r["meeting_kind"]) for r in self.query(
                "SELECT DISTINCT sitting_id, meeting_kind FROM {sitting} WHERE sitting_id IN ("
                + ", ".join(f"%({name})s" for name in params) + ")", params)}
        return found

    def years(self) -> list[int]:
        return [r["fiscal_year"] for r in self.query("SELECT DISTINCT fiscal_year FROM {indicator} "
                                                     "ORDER BY fiscal_year")]


class IndicatorsProjection(ReadModel[IndicatorsView]):
    name = "indicators"
    schema_version = 2  # 2: the sitting table (a sitting counts once, however many cases it discussed)
    view_interface = IndicatorsView
    topics = case_topics("MeetingHeld", "PlanAdopted", "PlanRevised", "OutreachVisitRecorded",
                         "ParticipationMatched", "ConsultationRecorded", "ReferralRequested")

    def changes(self, events: Iterable[Positioned]) -> list[Change]:
        counts: Counter[tuple[int, str, str]] = Counter()
        outreach = RowCache(self.view, "outreach_case", "case_id", "insert_outreach_case")
        new_outreach = []
        events = list(events)
        outreach.preload(str(e.originator_id) for _, e in events if e.kind == "OutreachVisitRecorded")
        counted = self.view.sittings_counted(e.sitting_id for _, e in events if e.kind == "MeetingHeld")
        sittings = []
        for _, event in events:
            year = fiscal_year(local_date(event.occurred_at))
            kind = event.kind
            if kind == "MeetingHeld":
                held = fiscal_year(event.held_on)
                sittings.append({"sitting_id": event.sitting_id, "case_id": str(event.originator_id),
                                 "meeting_kind": event.meeting_kind, "body_id": event.body_id,
                                 "held_on": event.held_on.isoformat(), "fiscal_year": held})
                if (event.sitting_id, event.meeting_kind) not in counted and event.meeting_kind in MEETING_INDICATORS:
                    counted.add((event.sitting_id, event.meeting_kind))
                    counts[held, MEETING_INDICATORS[event.meeting_kind], ""] += 1
            elif kind == "PlanAdopted":
                counts[year, "plans_new", ""] += 1
            elif kind == "PlanRevised":
                counts[year, "plans_revised", ""] += 1
            elif kind == "OutreachVisitRecorded":
                counts[year, "outreach_total", ""] += 1
                case_id = str(event.originator_id)
                if outreach.get(case_id) is None:
                    outreach.rows[case_id] = row = {"case_id": case_id, "first_fiscal_year": year}
                    new_outreach.append(row)
                    counts[year, "outreach_new", ""] += 1
            elif kind == "ParticipationMatched":
                counts[year, "participation_matches", ""] += 1
            elif kind == "ConsultationRecorded":
                counts[year, "consultations", Field(event.field).value] += 1
            elif kind == "ReferralRequested":
                counts[year, "referrals", f"{event.from_agency}→{event.to_agency}"] += 1
        return [("add", [{"fiscal_year": y, "indicator": i, "key": k, "value": v}
                         for (y, i, k), v in sorted(counts.items())]),
                ("insert_outreach_case", new_outreach), ("insert_sitting", sittings)]
