"""Current case state: status, lead agency, involved agencies, issues, active consents, plan.

The directory of cases (who leads, which agencies are involved, what is due) without any
personal content; names and details are read from the event store through the access rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, ClassVar

from domain.case.escalation import escalation_waiting_after
from domain.case.plan import next_review_after
from projections.base import CASE_TOPICS, Positioned, ReadModel
from projections.rows import RowCache, decode, iso
from projections.view import Change, ReadModelView, Row

CASE_COLUMNS = ("case_id", "status", "lead_agency", "opened_by_agency", "district", "opened_at", "closed_at",
                "version", "last_event_at", "member_count", "consultation_count", "issue_tags", "plan_id",
                "plan_status", "next_review_on", "plan_revisions", "agencies", "consents", "handovers",
                "staff_in_charge", "escalated_on", "plan_kind")
JSON_COLUMNS = ("issue_tags", "agencies", "consents", "handovers")


class CaseStateView(ReadModelView):
    TABLES: ClassVar[dict[str, str]] = {
        "case_state": "case_id TEXT PRIMARY KEY, status TEXT NOT NULL, lead_agency TEXT NOT NULL, "
                      "opened_by_agency TEXT NOT NULL, district TEXT, opened_at TEXT NOT NULL, closed_at TEXT, "
                      "version INTEGER NOT NULL, last_event_at TEXT NOT NULL, member_count INTEGER NOT NULL, "
                      "consultation_count INTEGER NOT NULL, issue_tags TEXT NOT NULL, plan_id TEXT, "
                      "plan_status TEXT, next_review_on TEXT, plan_revisions INTEGER NOT NULL, "
                      "agencies TEXT NOT NULL, consents TEXT NOT NULL, handovers TEXT NOT NULL, "
                      "staff_in_charge TEXT, escalated_on TEXT, plan_kind TEXT",
    }
    INDEXES: ClassVar[list[str]] = [
        "CREATE INDEX IF NOT EXISTS rm_case_state_lead ON {case_state} (lead_agency, status)",
        "CREATE INDEX IF NOT EXISTS rm_case_state_review ON {case_state} (next_review_on)",
        "CREATE INDEX IF NOT EXISTS rm_case_state_in_charge ON {case_state} (staff_in_charge, status)",
        "CREATE INDEX IF NOT EXISTS rm_case_state_escalated ON {case_state} (escalated_on)",
    ]
    STATEMENTS: ClassVar[dict[str, str]] = {
        "upsert_case": "INSERT INTO {case_state} (" + ", ".join(CASE_COLUMNS) + ") VALUES ("
                       + ", ".join(f"%({c})s" for c in CASE_COLUMNS) + ") ON CONFLICT (case_id) DO UPDATE SET "
                       + ", ".join(f"{c} = excluded.{c}" for c in CASE_COLUMNS[1:]),
    }

    def case(self, case_id: str) -> Row | None:
        rows = self.query("SELECT * FROM {case_state} WHERE case_id = %(case_id)s", {"case_id": case_id})
        return decode(rows[0], JSON_COLUMNS) if rows else None

    def cases(self, *, agency: str | None = None, status: str | None = None, district: str | None = None,
              lead_agency: str | None = None, staff_in_charge: str | None = None, order: str = "last_event",
              limit: int = 100, offset: int = 0) -> list[Row]:
        """Cases matching the filters, in ``order`` (a key of ``ORDERS``); ``agency`` keeps those the agency is
        involved in, ``staff_in_charge`` those the staff member is in charge of."""
        where, params = self._where(agency, status, district, lead_agency, staff_in_charge)
        params.update(limit=limit, offset=offset)
        rows = self.query(f"SELECT * FROM {{case_state}} {where} ORDER BY {ORDERS.get(order, ORDERS['last_event'])} "
                          "LIMIT %(limit)s OFFSET %(offset)s", params)
        return [decode(r, JSON_COLUMNS) for r in rows]

    def count(self, *, agency: str | None = None, status: str | None = None, district: str | None = None,
              lead_agency: str | None = None, staff_in_charge: str | None = None) -> int:
        """How many cases ``cases`` would list with the same filters (all pages)."""
        where, params = self._where(agency, status, district, lead_agency, staff_in_charge)
        return int(self.query(f"SELECT COUNT(*) AS n FROM {{case_state}} {where}", params)[0]["n"])

    def escalated(self, since: str, *, limit: int = 100) -> list[Row]:
        """Open cases with an escalation to 多機関協働 waiting since ``since`` or later (not yet taken up by a
        meeting: :func:`escalation_waiting_after`), the latest first."""
        rows = self.query("SELECT * FROM {case_state} WHERE escalated_on >= %(since)s AND status = 'open' "
                          "ORDER BY escalated_on DESC, case_id LIMIT %(limit)s", {"since": since, "limit": limit})
        return [decode(r, JSON_COLUMNS) for r in rows]

    @staticmethod
    def _where(agency: str | None, status: str | None, district: str | None, lead_agency: str | None,
               staff_in_charge: str | None) -> tuple[str, dict[str, object]]:
        clauses: list[str] = []
        params: dict[str, object] = {}
        for column, value in (("status", status), ("district", district), ("lead_agency", lead_agency),
                              ("staff_in_charge", staff_in_charge)):
            if value is not None:
                clauses.append(f"{column} = %({column})s")
                params[column] = value
        if agency is not None:
            clauses.append("agencies LIKE %(agency_pattern)s")
            params["agency_pattern"] = f'%"{agency}"%'
        return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


ORDERS = {"last_event": "last_event_at DESC, case_id", "opened": "opened_at DESC, case_id",
          "opened_oldest": "opened_at, case_id", "review": "next_review_on IS NULL, next_review_on, case_id"}
"""The orders a list may ask for (never SQL from a request)."""


class CaseStateProjection(ReadModel[CaseStateView]):
    name = "case_state"
    view_interface = CaseStateView
    topics = CASE_TOPICS
    schema_version = 3  # 2: staff_in_charge (担当者) and escalated_on; 3: escalated_on clears when taken up

    def changes(self, events: Iterable[Positioned]) -> list[Change]:
        rows = RowCache(self.view, "case_state", "case_id", "upsert_case",
                        json_columns=JSON_COLUMNS)
        events = list(events)
        rows.preload(str(e.originator_id) for _, e in events if e.kind != "Opened")
        for _, event in events:
            case_id = str(event.originator_id)
            if event.kind == "Opened":
                rows.put(case_id, _opened(event))
            else:
                row = rows.change(case_id)
                assert row is not None, f"event for unknown case {case_id}"
                _apply(row, event)
        return rows.changes()


def _opened(event: Any) -> Row:
    return {"case_id": str(event.originator_id), "status": "open", "lead_agency": event.by_agency,
            "opened_by_agency": event.by_agency, "district": event.district, "opened_at": iso(event.occurred_at),
            "closed_at": None, "version": event.originator_version, "last_event_at": iso(event.occurred_at),
            "member_count": 0, "consultation_count": 0, "issue_tags": [], "plan_id": None, "plan_status": None,
            "next_review_on": None, "plan_revisions": 0, "agencies": {event.by_agency: ["author"]}, "consents": {},
            "handovers": {}, "staff_in_charge": None, "escalated_on": None, "plan_kind": None}


def _involve(row: Row, agency: str | None, relation: str) -> None:
    if agency:
        relations = row["agencies"].setdefault(agency, [])
        if relation not in relations:
            relations.append(relation)
            relations.sort()


def _apply(row: Row, event: Any) -> None:
    row["version"] = event.originator_version
    waiting = row["escalated_on"]
    row["escalated_on"] = iso(escalation_waiting_after(event, date.fromisoformat(waiting) if waiting else None))
    row["last_event_at"] = max(row["last_event_at"], iso(event.occurred_at))
    kind = event.kind
    if kind not in ("EmergencyAccessGranted", "EmergencyAccessReviewed"):
        _involve(row, event.by_agency, "author")
    if kind == "MemberAdded":
        row["member_count"] += 1
    elif kind == "ConsultationRecorded":
        row["consultation_count"] += 1
    elif kind == "IssueIdentified" and event.tag not in row["issue_tags"]:
        row["issue_tags"] = sorted([*row["issue_tags"], event.tag])
    elif kind == "IssueResolved":
        row["issue_tags"] = [t for t in row["issue_tags"] if t != event.tag]
    elif kind == "ConsentGranted":
        row["consents"][event.consent_id] = {"agencies": list(event.agencies), "categories": list(event.categories),
                                             "method": event.method, "granted_at": iso(event.occurred_at),
                                             "valid_until": iso(event.valid_until), "withdrawn_at": None}
        for agency in event.agencies:
            _involve(row, agency, "consent")
    elif kind == "ConsentWithdrawn":
        row["consents"][event.consent_id]["withdrawn_at"] = iso(event.occurred_at)
    elif kind == "MeetingHeld":
        for participant in event.participants:
            _involve(row, participant["agency"], "meeting")
    elif kind == "ReferralRequested":
        _involve(row, event.to_agency, "referral")
    elif kind == "PlanAdopted":  # the row shows the plan adopted last, of any kind (as the case's ``plan``)
        row.update(plan_id=event.plan_id, plan_kind=event.plan_kind, plan_status="active", plan_revisions=0,
                   next_review_on=iso(event.next_review_on))
        for role in event.roles:
            _involve(row, role["agency"], "role")
    elif kind == "PlanRevised":
        for role in event.roles:
            _involve(row, role["agency"], "role")
        if event.plan_id == row["plan_id"]:
            row.update(next_review_on=_review_after(event, row), plan_revisions=row["plan_revisions"] + 1)
    elif kind in PLAN_STATUS and event.plan_id == row["plan_id"]:
        row.update(plan_status=PLAN_STATUS[kind] or row["plan_status"], next_review_on=_review_after(event, row))
    elif kind == "RoleAssigned":
        _involve(row, event.agency, "role")
    elif kind == "HandoverPlanned":
        row["handovers"][event.handover_id] = {"from": event.from_agency, "to": event.to_agency}
        _involve(row, event.to_agency, "handover")
    elif kind == "HandoverCompleted":
        handover = row["handovers"][event.handover_id]
        if row["lead_agency"] == handover["from"]:
            row["lead_agency"] = handover["to"]
    elif kind == "StaffInChargeAssigned":
        row["staff_in_charge"] = event.staff
    elif kind == "CaseClosed":
        row.update(status="closed", closed_at=iso(event.occurred_at), next_review_on=_review_after(event, row))
    elif kind == "CaseReopened":
        row.update(status="open", closed_at=None)


PLAN_STATUS = {"PlanReviewed": None, "PlanSuspended": "suspended", "PlanResumed": "active",
               "PlanEvaluated": "evaluated"}
"""What each later plan event makes of the plan's status (None: unchanged)."""


def _review_after(event: Any, row: Row) -> str | None:
    """The plan's next review after ``event``, by the domain's one rule (:func:`next_review_after`)."""
    current = row["next_review_on"]
    return iso(next_review_after(event, date.fromisoformat(current) if current else None))
