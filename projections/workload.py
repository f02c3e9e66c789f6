"""Per-agency workload: cases led, referrals waiting (in and out, with age), visits, meetings, reviews.

The view keeps the facts; ``AgencyWorkload`` counts them as of a given day, so "overdue" and
"this month" are always current without rewriting rows as time passes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, ClassVar

from domain.calendar import business_days_between, fiscal_year, fiscal_year_bounds, local_date
from domain.case.plan import next_review_after
from projections.base import Positioned, ReadModel, case_topics
from projections.rows import RowCache, decode, iso
from projections.view import Change, ReadModelView, Row

REFERRAL_COLUMNS = ("referral_id", "case_id", "from_agency", "to_agency", "status", "requested_on", "answered_on")
PLAN_COLUMNS = ("plan_id", "case_id", "kind", "status", "next_review_on", "agencies")
CASE_COLUMNS = ("case_id", "lead_agency", "status", "handovers")


def _upsert(table: str, columns: tuple[str, ...]) -> str:
    return (f"INSERT INTO {{{table}}} ({', '.join(columns)}) VALUES ({', '.join(f'%({c})s' for c in columns)}) "
            f"ON CONFLICT ({columns[0]}) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in columns[1:]))


CASE_ROW_KINDS = frozenset({"PlanAdopted", "PlanRevised", "HandoverPlanned", "HandoverCompleted", "CaseClosed",
                            "CaseReopened"})
PLAN_ROW_KINDS = frozenset({"PlanRevised", "PlanReviewed", "PlanSuspended", "PlanResumed", "PlanEvaluated",
                            "RoleAssigned"})
PLAN_STATUS = {"PlanSuspended": "suspended", "PlanResumed": "active", "PlanEvaluated": "evaluated"}


@dataclass
class AgencyWorkload:
    agency: str
    as_of: date
    cases_led: int = 0
    referrals_in: list[Row] = field(default_factory=list)
    referrals_out: list[Row] = field(default_factory=list)
    visits_this_month: int = 0
    meetings_this_fiscal_year: int = 0
    plans_due_for_review: list[Row] = field(default_factory=list)

    @property
    def overdue_in(self) -> int:
        return sum(r["overdue"] for r in self.referrals_in)


NOT_VOIDED = "NOT EXISTS (SELECT 1 FROM {wl_voided} v WHERE v.case_id = w.case_id AND v.seq = w.seq)"
"""A visit or meeting voided as recorded by mistake (``EntryVoided``) is not counted."""


class WorkloadView(ReadModelView):
    TABLES: ClassVar[dict[str, str]] = {
        "wl_case": "case_id TEXT PRIMARY KEY, lead_agency TEXT NOT NULL, status TEXT NOT NULL, handovers TEXT NOT NULL",
        "wl_referral": "referral_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, from_agency TEXT NOT NULL, "
                       "to_agency TEXT NOT NULL, status TEXT NOT NULL, requested_on TEXT NOT NULL, answered_on TEXT",
        "wl_visit": "case_id TEXT NOT NULL, seq INTEGER NOT NULL, agency TEXT NOT NULL, visited_on TEXT NOT NULL, "
                    "PRIMARY KEY (case_id, seq)",
        "wl_meeting": "meeting_id TEXT NOT NULL, agency TEXT NOT NULL, kind TEXT NOT NULL, held_on TEXT NOT NULL, "
                      "case_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (meeting_id, agency)",
        "wl_voided": "case_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (case_id, seq)",
        "wl_plan": "plan_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, "
                   "next_review_on TEXT, agencies TEXT NOT NULL",
    }
    INDEXES: ClassVar[list[str]] = [
        "CREATE INDEX IF NOT EXISTS rm_wl_case_lead ON {wl_case} (lead_agency, status)",
        "CREATE INDEX IF NOT EXISTS rm_wl_referral_to ON {wl_referral} (to_agency, status)",
        "CREATE INDEX IF NOT EXISTS rm_wl_referral_from ON {wl_referral} (from_agency, status)",
        "CREATE INDEX IF NOT EXISTS rm_wl_visit_agency ON {wl_visit} (agency, visited_on)",
        "CREATE INDEX IF NOT EXISTS rm_wl_meeting_agency ON {wl_meeting} (agency, held_on)",
        "CREATE INDEX IF NOT EXISTS rm_wl_plan_case ON {wl_plan} (case_id)",
    ]
    STATEMENTS: ClassVar[dict[str, str]] = {
        "upsert_case": _upsert("wl_case", CASE_COLUMNS),
        "upsert_referral": _upsert("wl_referral", REFERRAL_COLUMNS),
        "upsert_plan": _upsert("wl_plan", PLAN_COLUMNS),
        "insert_visit": "INSERT INTO {wl_visit} (case_id, seq, agency, visited_on) "
                        "VALUES (%(case_id)s, %(seq)s, %(agency)s, %(visited_on)s)",
        "insert_meeting": "INSERT INTO {wl_meeting} (meeting_id, agency, kind, held_on, case_id, seq) "
                          "VALUES (%(meeting_id)s, %(agency)s, %(kind)s, %(held_on)s, %(case_id)s, %(seq)s) "
                          "ON CONFLICT (meeting_id, agency) DO NOTHING",
        "insert_voided": "INSERT INTO {wl_voided} (case_id, seq) VALUES (%(case_id)s, %(seq)s) "
                         "ON CONFLICT (case_id, seq) DO NOTHING",
    }

    def workload(self, agency: str, as_of: date, *, overdue_after_business_days: int = 5,
                 review_horizon_days: int = 14) -> AgencyWorkload:
        result = AgencyWorkload(agency=agency, as_of=as_of)
        result.cases_led = self.query("SELECT COUNT(*) AS n FROM {wl_case} WHERE lead_agency = %(a)s "
                                      "AND status = 'open'", {"a": agency})[0]["n"]
        for direction, column in (("referrals_in", "to_agency"), ("referrals_out", "from_agency")):
            rows = self.query(f"SELECT * FROM {{wl_referral}} WHERE {column} = %(a)s AND status = 'requested' "
                              "ORDER BY requested_on, referral_id", {"a": agency})
            for row in rows:
                row["waiting_business_days"] = business_days_between(date.fromisoformat(row["requested_on"]), as_of)
                row["overdue"] = row["waiting_business_days"] > overdue_after_business_days
            setattr(result, direction, rows)
        month_start = as_of.replace(day=1)
        result.visits_this_month = self.query(
            "SELECT COUNT(*) AS n FROM {wl_visit} w WHERE agency = %(a)s AND visited_on >= %(s)s "
            f"AND visited_on <= %(e)s AND {NOT_VOIDED}",
            {"a": agency, "s": iso(month_start), "e": iso(as_of)})[0]["n"]
        fy_start, _ = fiscal_year_bounds(fiscal_year(as_of))
        result.meetings_this_fiscal_year = self.query(
            "SELECT COUNT(*) AS n FROM {wl_meeting} w WHERE agency = %(a)s AND held_on >= %(s)s "
            f"AND held_on <= %(e)s AND {NOT_VOIDED}",
            {"a": agency, "s": iso(fy_start), "e": iso(as_of)})[0]["n"]
        plans = self.query("SELECT * FROM {wl_plan} WHERE status = 'active' AND next_review_on <= %(h)s "
                           "ORDER BY next_review_on, case_id, plan_id",
                           {"h": iso(as_of + timedelta(days=review_horizon_days))})
        result.plans_due_for_review = [decode(p, ("agencies",)) for p in plans
                                       if agency in decode(p, ("agencies",))["agencies"]]
        return result

    def agencies_with_work(self) -> list[str]:
        rows = self.query("SELECT lead_agency AS a FROM {wl_case} UNION SELECT to_agency FROM {wl_referral} "
                          "UNION SELECT agency FROM {wl_visit} UNION SELECT agency FROM {wl_meeting}")
        return sorted(r["a"] for r in rows)


class WorkloadProjection(ReadModel[WorkloadView]):
    name = "workload"
    view_interface = WorkloadView
    topics = case_topics("Opened", "ReferralRequested", "ReferralAccepted", "ReferralDeclined", "ReferralCompleted",
                         "ReferralRevoked", "OutreachVisitRecorded", "MeetingHeld", "PlanAdopted", "PlanRevised",
                         "PlanReviewed", "PlanSuspended", "PlanResumed", "PlanEvaluated", "RoleAssigned",
                         "HandoverPlanned", "HandoverCompleted", "CaseClosed", "CaseReopened", "EntryVoided")
    schema_version = 3  # 2: a row per plan, with its kind; 3: voided visits and meetings are not counted

    def changes(self, events: Iterable[Positioned]) -> list[Change]:
        cases = RowCache(self.view, "wl_case", "case_id", "upsert_case",
                         json_columns=("handovers",))
        referrals = RowCache(self.view, "wl_referral", "referral_id", "upsert_referral")
        plans = RowCache(self.view, "wl_plan", "plan_id", "upsert_plan",
                         json_columns=("agencies",))
        visits: list[Row] = []
        meetings: list[Row] = []
        voided: list[Row] = []
        events = list(events)
        cases.preload(str(e.originator_id) for _, e in events if e.kind in CASE_ROW_KINDS)
        referrals.preload(e.referral_id for _, e in events
                          if e.kind.startswith("Referral") and e.kind != "ReferralRequested")
        plans.preload(e.plan_id for _, e in events if e.kind in PLAN_ROW_KINDS)
        plans_of = self._plans_of({str(e.originator_id) for _, e in events if e.kind == "CaseClosed"}, plans)
        for _, event in events:
            case_id, kind, day = str(event.originator_id), event.kind, iso(local_date(event.occurred_at))
            if kind == "Opened":
                cases.put(case_id, {"case_id": case_id, "lead_agency": event.by_agency, "status": "open",
                                    "handovers": {}})
            elif kind == "ReferralRequested":
                referrals.put(event.referral_id, {"referral_id": event.referral_id, "case_id": case_id,
                                                  "from_agency": event.from_agency, "to_agency": event.to_agency,
                                                  "status": "requested", "requested_on": day, "answered_on": None})
            elif kind.startswith("Referral"):
                referral = referrals.change_existing(event.referral_id)
                status = {"ReferralAccepted": "accepted", "ReferralDeclined": "declined",
                          "ReferralCompleted": "completed", "ReferralRevoked": "revoked"}[kind]
                referral.update(status=status, answered_on=referral["answered_on"] or day)
            elif kind == "OutreachVisitRecorded":
                visits.append({"case_id": case_id, "seq": event.originator_version, "agency": event.by_agency,
                               "visited_on": day})
            elif kind == "MeetingHeld":
                meetings.extend({"meeting_id": event.meeting_id, "agency": agency, "kind": event.meeting_kind,
                                 "held_on": iso(event.held_on), "case_id": case_id, "seq": event.originator_version}
                                for agency in sorted({p["agency"] for p in event.participants}))
            elif kind == "EntryVoided":
                voided.append({"case_id": case_id, "seq": event.voids_seq})
            elif kind == "PlanAdopted":
                plans.put(event.plan_id, {"plan_id": event.plan_id, "case_id": case_id, "kind": event.plan_kind,
                                          "status": "active", "next_review_on": iso(event.next_review_on),
                                          "agencies": sorted({r["agency"] for r in event.roles}
                                                             | {cases.existing(case_id)["lead_agency"]})})
                plans_of.setdefault(case_id, set()).add(event.plan_id)
            elif kind in PLAN_ROW_KINDS:
                plan = plans.change_existing(event.plan_id)
                plan["status"] = PLAN_STATUS.get(kind, plan["status"])
                plan["next_review_on"] = _review_after(event, plan["next_review_on"])
                if kind == "RoleAssigned":
                    plan["agencies"] = sorted(set(plan["agencies"]) | {event.agency})
                elif kind == "PlanRevised":
                    plan["agencies"] = sorted(set(plan["agencies"]) | {r["agency"] for r in event.roles})
            elif kind == "HandoverPlanned":
                cases.change_existing(case_id)["handovers"][event.handover_id] = [event.from_agency, event.to_agency]
            elif kind == "HandoverCompleted":
                case = cases.change_existing(case_id)
                source, target = case["handovers"][event.handover_id]
                if case["lead_agency"] == source:
                    case["lead_agency"] = target
            elif kind in ("CaseClosed", "CaseReopened"):
                cases.change_existing(case_id)["status"] = "closed" if kind == "CaseClosed" else "open"
                for plan_id in plans_of.get(case_id, ()) if kind == "CaseClosed" else ():
                    plan = plans.change_existing(plan_id)
                    plan["next_review_on"] = _review_after(event, plan["next_review_on"])
        return [*cases.changes(), *referrals.changes(), *plans.changes(), ("insert_visit", visits),
                ("insert_meeting", meetings), ("insert_voided", voided)]

    def _plans_of(self, case_ids: set[str], plans: RowCache) -> dict[str, set[str]]:
        """The plans of the cases closing in this batch (loaded into ``plans``), by case."""
        found: dict[str, set[str]] = {}
        for case_id in sorted(case_ids):
            rows = self.view.query("SELECT plan_id FROM {wl_plan} WHERE case_id = %(c)s", {"c": case_id})
            plans.preload(row["plan_id"] for row in rows)
            found[case_id] = {row["plan_id"] for row in rows}
        return found


def _review_after(event: Any, current: str | None) -> str | None:
    """The plan's next review after ``event``, by the domain's one rule (:func:`next_review_after`)."""
    return iso(next_review_after(event, date.fromisoformat(current) if current else None))
