"""Output indicators per fiscal year (April to March), computed by the ward's definitions (:mod:`domain.indicators`).

The read model keeps one row per counted entry (``fact``: ids, agencies, codes and the two dates that can
place it in a fiscal year — when it happened and, for a meeting, the day it was held), the members it concerns
(``fact_member``: ids only; a household-wide entry concerns every member the case had by then) and, for a
meeting, the agencies that sat in it (``fact_participant``). A voided entry keeps its row, marked, and no
figure counts it. Figures are computed from these rows when asked, by definition, so a ward adding a row of
its own needs no rebuild, and a replay of the log yields the same rows. A sitting of a body with both
functions (Ota: 重層的支援会議 that is also the 支援会議) is one ``sitting_id``: counted once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import singledispatch
from typing import Any, ClassVar

from domain.calendar import fiscal_year, local_date
from domain.case import Case, CaseEvent
from domain.indicators import COUNTED_EVENTS, Count, IndicatorDefinition
from domain.registry import Registry
from projections.base import Positioned, ReadModel, case_topics
from projections.rows import iso
from projections.view import Change, ReadModelView, Row


@dataclass(frozen=True)
class Figure:
    """One row of the table: an indicator's figure (per key, when it has a breakdown) and its うち."""

    indicator: IndicatorDefinition
    key: str
    value: int
    of_which: int | None = None


class IndicatorsView(ReadModelView):
    TABLES: ClassVar[dict[str, str]] = {
        "fact": "case_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, agency TEXT NOT NULL, "
                "receiver TEXT, occurred_at TEXT NOT NULL, fiscal_year INTEGER NOT NULL, held_year INTEGER, "
                "field TEXT, meeting_kind TEXT, sitting_id TEXT, body_id TEXT, plan_kind TEXT, plan_cycle TEXT, "
                "voided INTEGER NOT NULL, PRIMARY KEY (case_id, seq)",
        "fact_member": "case_id TEXT NOT NULL, seq INTEGER NOT NULL, member_id TEXT NOT NULL, "
                       "PRIMARY KEY (case_id, seq, member_id)",
        "fact_participant": "case_id TEXT NOT NULL, seq INTEGER NOT NULL, agency TEXT NOT NULL, "
                            "PRIMARY KEY (case_id, seq, agency)",
        "member": "case_id TEXT NOT NULL, member_id TEXT NOT NULL, PRIMARY KEY (case_id, member_id)",
        "plan": "plan_id TEXT PRIMARY KEY, plan_kind TEXT NOT NULL",
    }
    INDEXES: ClassVar[list[str]] = [
        "CREATE INDEX IF NOT EXISTS rm_fact_year ON {fact} (fiscal_year)",
        "CREATE INDEX IF NOT EXISTS rm_fact_held ON {fact} (held_year)",
    ]
    STATEMENTS: ClassVar[dict[str, str]] = {
        "insert_fact": "INSERT INTO {fact} (case_id, seq, kind, agency, receiver, occurred_at, fiscal_year, held_year, "
                       "field, meeting_kind, sitting_id, body_id, plan_kind, plan_cycle, voided) VALUES "
                       "(%(case_id)s, %(seq)s, %(kind)s, %(agency)s, %(receiver)s, %(occurred_at)s, %(fiscal_year)s, "
                       "%(held_year)s, %(field)s, %(meeting_kind)s, %(sitting_id)s, %(body_id)s, %(plan_kind)s, "
                       "%(plan_cycle)s, %(voided)s)",
        "insert_fact_member": "INSERT INTO {fact_member} (case_id, seq, member_id) "
                              "VALUES (%(case_id)s, %(seq)s, %(member_id)s)",
        "insert_fact_participant": "INSERT INTO {fact_participant} (case_id, seq, agency) "
                                   "VALUES (%(case_id)s, %(seq)s, %(agency)s)",
        "insert_member": "INSERT INTO {member} (case_id, member_id) VALUES (%(case_id)s, %(member_id)s)",
        "insert_plan": "INSERT INTO {plan} (plan_id, plan_kind) VALUES (%(plan_id)s, %(plan_kind)s)",
        "void": "UPDATE {fact} SET voided = 1 WHERE case_id = %(case_id)s AND seq = %(seq)s",
    }

    # ----- figures by definition --------------------------------------------------------------

    def figure(self, count: Count, agencies: tuple[str, ...] | None, year: int) -> dict[str, int]:
        """Key -> value of one count in a fiscal year ('' when it has no breakdown; keys without entries left out).
        ``agencies``: the agencies it selects (None: every agency)."""
        params: dict[str, Any] = {"y": year}
        where = _filter("f", count, agencies, params)
        year_column = "f.held_year" if count.placed_by == "held_on" else "f.fiscal_year"
        if count.first_only:
            first = _filter("g", count, agencies, params)
            where += (f" AND f.seq = (SELECT g.seq FROM {{fact}} g WHERE g.case_id = f.case_id AND {first} "
                      "ORDER BY g.occurred_at, g.seq LIMIT 1)")
        key = {None: "''", "field": "f.field", "agency": "f.agency",
               "route": "f.agency || '→' || f.receiver"}[count.by]
        measure = {"entries": "COUNT(*)", "cases": "COUNT(DISTINCT f.case_id)",
                   "sittings": "COUNT(DISTINCT f.sitting_id)",
                   "case_discussions": "COUNT(DISTINCT f.sitting_id || '|' || f.case_id)",
                   "people": "COUNT(DISTINCT m.case_id || '|' || m.member_id)"}[count.measure]
        join = " JOIN {fact_member} m ON m.case_id = f.case_id AND m.seq = f.seq" if count.measure == "people" else ""
        group = "" if count.by is None else f" GROUP BY {key}"
        rows = self.query(f"SELECT {key} AS key, {measure} AS value FROM {{fact}} f{join} "
                          f"WHERE {where} AND {year_column} = %(y)s{group}", params)
        return {row["key"]: row["value"] for row in rows if row["value"]}

    # ----- sittings (開催回数 and 検討件数, for the meetings page) --------------------------------------

    _SITTINGS = "SELECT * FROM {fact} WHERE kind = 'MeetingHeld' AND voided = 0 AND held_year = %(y)s"

    def sittings(self, year: int) -> list[Row]:
        """The year's case meetings by the day held, per kind: the sittings that held a part of that kind
        (each once) and the case discussions (each case once per sitting)."""
        return self.query("SELECT meeting_kind, COUNT(DISTINCT sitting_id) AS sittings, "
                          "COUNT(DISTINCT sitting_id || '|' || case_id) AS case_discussions "
                          f"FROM ({self._SITTINGS}) AS s GROUP BY meeting_kind ORDER BY meeting_kind", {"y": year})

    def sittings_by_body(self, year: int) -> list[Row]:
        """The same per body (None: ad-hoc meetings), whatever kinds each sitting held."""
        return self.query("SELECT body_id, COUNT(DISTINCT sitting_id) AS sittings, "
                          "COUNT(DISTINCT sitting_id || '|' || case_id) AS case_discussions "
                          f"FROM ({self._SITTINGS}) AS s GROUP BY body_id ORDER BY body_id", {"y": year})

    def sitting_totals(self, year: int) -> Row:
        """The year's sittings (whatever kinds they held) and case discussions, each counted once."""
        return self.query("SELECT COUNT(DISTINCT sitting_id) AS sittings, "
                          "COUNT(DISTINCT sitting_id || '|' || case_id) AS case_discussions "
                          f"FROM ({self._SITTINGS}) AS s", {"y": year})[0]

    def years(self) -> list[int]:
        return [r["fiscal_year"] for r in self.query(
            "SELECT DISTINCT fiscal_year FROM {fact} UNION SELECT DISTINCT held_year FROM {fact} "
            "WHERE held_year IS NOT NULL ORDER BY 1")]

    def members_of(self, case_ids: Iterable[str]) -> dict[str, set[str]]:
        ids = sorted(set(case_ids))
        members: dict[str, set[str]] = defaultdict(set)
        for start in range(0, len(ids), 500):
            params = {f"c{i}": c for i, c in enumerate(ids[start:start + 500])}
            for row in self.query("SELECT case_id, member_id FROM {member} WHERE case_id IN ("
                                  + ", ".join(f"%({name})s" for name in params) + ")", params):
                members[row["case_id"]].add(row["member_id"])
        return members

    def plan_kinds(self, plan_ids: Iterable[str]) -> dict[str, str]:
        ids = sorted(set(plan_ids))
        kinds: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            params = {f"p{i}": p for i, p in enumerate(ids[start:start + 500])}
            kinds |= {r["plan_id"]: r["plan_kind"] for r in self.query(
                "SELECT plan_id, plan_kind FROM {plan} WHERE plan_id IN ("
                + ", ".join(f"%({name})s" for name in params) + ")", params)}
        return kinds


def _filter(alias: str, count: Count, agencies: tuple[str, ...] | None, params: dict[str, Any]) -> str:
    """The SQL condition selecting a count's entries (``alias`` names the fact row); fills ``params``."""

    def among(column: str, values: Iterable[str], prefix: str) -> str:
        names = []
        for i, value in enumerate(values):
            params[f"{prefix}{i}"] = value
            names.append(f"%({prefix}{i})s")
        return f"{column} IN ({', '.join(names)})" if names else "1 = 0"

    a = alias
    conditions = [f"{a}.voided = 0", among(f"{a}.kind", count.events, "k")]
    if agencies is not None:
        by_party = {"writer": among(f"{a}.agency", agencies, "a"), "receiver": among(f"{a}.receiver", agencies, "a"),
                    "either": f"({among(f'{a}.agency', agencies, 'a')} OR {among(f'{a}.receiver', agencies, 'a')})",
                    "participant": f"EXISTS (SELECT 1 FROM {{fact_participant}} p WHERE p.case_id = {a}.case_id "
                                   f"AND p.seq = {a}.seq AND {among('p.agency', agencies, 'a')})"}
        conditions.append(by_party[count.party])
    if count.meeting_kinds:
        conditions.append(among(f"{a}.meeting_kind", count.meeting_kinds, "mk"))
    if count.plan_kinds:
        conditions.append(among(f"{a}.plan_kind", count.plan_kinds, "pk"))
    if count.plan_cycle is not None:
        params["cycle"] = count.plan_cycle
        conditions.append(f"{a}.plan_cycle = %(cycle)s")
    return " AND ".join(conditions)


def figures(view: IndicatorsView, registry: Registry, year: int) -> list[Figure]:
    """The ward's table for a fiscal year, row by row, grouped by 基本目標 (zeros included)."""
    table = []
    for indicator in (i for _, group in registry.indicators.grouped() for i in group):
        main = view.figure(indicator.count, registry.indicator_agencies(indicator.count), year)
        if indicator.count.by is not None:
            table += [Figure(indicator, key, value) for key, value in sorted(main.items())]
            continue
        of_which = None
        if indicator.of_which is not None:
            part = view.figure(indicator.of_which, registry.indicator_agencies(indicator.of_which), year)
            of_which = part.get("", 0)
        table.append(Figure(indicator, "", main.get("", 0), of_which))
    return table


def year_table(view: IndicatorsView, registry: Registry, year: int) -> dict[str, dict[str, int]]:
    """Indicator id -> key -> figure ('' for indicators without a breakdown)."""
    table: dict[str, dict[str, int]] = {i.id: ({} if i.count.by else {"": 0}) for i in registry.indicators.indicators}
    for figure in figures(view, registry, year):
        table[figure.indicator.id][figure.key] = figure.value
    return table


# ----- the read model ------------------------------------------------------------------------------

@singledispatch
def _details(event: CaseEvent) -> dict[str, Any]:
    """The codes of a counted entry besides who wrote it and when (ids and codes only)."""
    return {}


@_details.register
def _(event: Case.ConsultationRecorded) -> dict[str, Any]:
    return {"field": event.field}


@_details.register
def _(event: Case.ReferralRequested) -> dict[str, Any]:
    return {"receiver": event.to_agency}


@_details.register
def _(event: Case.MeetingHeld) -> dict[str, Any]:
    return {"meeting_kind": event.meeting_kind, "sitting_id": event.sitting_id, "body_id": event.body_id,
            "held_year": fiscal_year(event.held_on)}


@_details.register
def _(event: Case.PlanAdopted) -> dict[str, Any]:
    return {"plan_kind": event.plan_kind, "plan_cycle": "new" if event.replan_of is None else "replan"}


COLUMNS = ("receiver", "held_year", "field", "meeting_kind", "sitting_id", "body_id", "plan_kind", "plan_cycle")


class IndicatorsProjection(ReadModel[IndicatorsView]):
    name = "indicators"
    schema_version = 3  # 2: the sitting table; 3: a row per counted entry, figures by definition, voided entries
    earlier_tables = ("indicator", "outreach_case", "sitting")  # of versions 1 and 2
    view_interface = IndicatorsView
    topics = case_topics(*COUNTED_EVENTS, "MemberAdded", "EntryVoided")

    def changes(self, events: Iterable[Positioned]) -> list[Change]:
        case_events: list[CaseEvent] = [e for _, e in events]
        case_ids = {str(e.originator_id) for e in case_events}
        members = self.view.members_of(case_ids)
        plans = self.view.plan_kinds(e.plan_id for e in case_events
                                     if isinstance(e, Case.PlanRevised | Case.PlanEvaluated))
        facts: list[Row] = []
        fact_members: list[Row] = []
        participants: list[Row] = []
        new_members: list[Row] = []
        new_plans: list[Row] = []
        voids: list[Row] = []
        for event in case_events:
            case_id, seq = str(event.originator_id), event.originator_version
            if isinstance(event, Case.MemberAdded):
                members[case_id].add(event.member_id)
                new_members.append({"case_id": case_id, "member_id": event.member_id})
                continue
            if isinstance(event, Case.EntryVoided):
                voids.append({"case_id": case_id, "seq": event.voids_seq})
                continue
            details = _details(event)
            if isinstance(event, Case.PlanAdopted):
                plans[event.plan_id] = event.plan_kind
                new_plans.append({"plan_id": event.plan_id, "plan_kind": event.plan_kind})
            elif isinstance(event, Case.PlanRevised | Case.PlanEvaluated):
                details["plan_kind"] = plans.get(event.plan_id)
            year = fiscal_year(local_date(event.occurred_at))
            facts.append({**dict.fromkeys(COLUMNS), "case_id": case_id, "seq": seq, "kind": event.kind,
                          "agency": event.by_agency, "occurred_at": iso(event.occurred_at), "fiscal_year": year,
                          "voided": 0, **details})
            subjects = event.subject_ids(None) or sorted(members[case_id])  # none named: the whole household
            fact_members += [{"case_id": case_id, "seq": seq, "member_id": m} for m in subjects]
            if isinstance(event, Case.MeetingHeld):
                participants += [{"case_id": case_id, "seq": seq, "agency": a}
                                 for a in sorted({p["agency"] for p in event.participants})]
        return [("insert_member", new_members), ("insert_plan", new_plans), ("insert_fact", facts),
                ("insert_fact_member", fact_members), ("insert_fact_participant", participants), ("void", voids)]
