"""Output indicators per fiscal year (April to March), as in the Ota ward plan's table.

Counts are keyed by (fiscal year, indicator, key) and only ever added to, so a replay of the
log yields the same table. The fiscal year of a record is that of the day it happened (JST).
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
from projections.view import Change, ReadModelView


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
KEYED = {"consultations", "referrals"}
"""Indicators counted per key: consultations per field, referrals per 'from→to'."""


class IndicatorsView(ReadModelView):
    TABLES: ClassVar[dict[str, str]] = {
        "indicator": "fiscal_year INTEGER NOT NULL, indicator TEXT NOT NULL, key TEXT NOT NULL, "
                     "value INTEGER NOT NULL, PRIMARY KEY (fiscal_year, indicator, key)",
        "outreach_case": "case_id TEXT PRIMARY KEY, first_fiscal_year INTEGER NOT NULL",
    }
    STATEMENTS: ClassVar[dict[str, str]] = {
        "add": "INSERT INTO {indicator} AS t (fiscal_year, indicator, key, value) "
               "VALUES (%(fiscal_year)s, %(indicator)s, %(key)s, %(value)s) "
               "ON CONFLICT (fiscal_year, indicator, key) DO UPDATE SET value = t.value + excluded.value",
        "insert_outreach_case": "INSERT INTO {outreach_case} (case_id, first_fiscal_year) "
                                "VALUES (%(case_id)s, %(first_fiscal_year)s)",
    }

    def year(self, year: int) -> dict[str, dict[str, int]]:
        """Indicator id -> key -> count ('' for unkeyed indicators), zeros included."""
        table: dict[str, dict[str, int]] = {i.id: ({} if i.id in KEYED else {"": 0}) for i in INDICATORS}
        for row in self.query("SELECT indicator, key, value FROM {indicator} WHERE fiscal_year = %(y)s "
                              "ORDER BY indicator, key", {"y": year}):
            table.setdefault(row["indicator"], {})[row["key"]] = row["value"]
        return table

    def years(self) -> list[int]:
        return [r["fiscal_year"] for r in self.query("SELECT DISTINCT fiscal_year FROM {indicator} "
                                                     "ORDER BY fiscal_year")]


class IndicatorsProjection(ReadModel[IndicatorsView]):
    name = "indicators"
    view_interface = IndicatorsView
    topics = case_topics("MeetingHeld", "PlanAdopted", "PlanRevised", "OutreachVisitRecorded",
                         "ParticipationMatched", "ConsultationRecorded", "ReferralRequested")

    def changes(self, events: Iterable[Positioned]) -> list[Change]:
        counts: Counter[tuple[int, str, str]] = Counter()
        outreach = RowCache(self.view, "outreach_case", "case_id", "insert_outreach_case")
        new_outreach = []
        events = list(events)
        outreach.preload(str(e.originator_id) for _, e in events if e.kind == "OutreachVisitRecorded")
        for _, event in events:
            year = fiscal_year(local_date(event.occurred_at))
            kind = event.kind
            if kind == "MeetingHeld":
                name = ("multi_layered_meetings" if event.meeting_kind == MeetingKind.MULTI_LAYERED
                        else "support_meetings")
                counts[year, name, ""] += 1
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
                ("insert_outreach_case", new_outreach)]
