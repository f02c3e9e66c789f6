"""制度切替 ahead and overdue: which open cases have a member reaching a transition age.

An index, not a view people read: it finds the cases whose members reach one of the ward's transition
ages within the next days (or passed one while the case was open, without a completed handover), by
the domain's rule (:func:`domain.case.transitions.transition_state`). What a reader is shown is then
worked out from the case as that reader may know it, each case a recorded read (``api.queries.transitions``).

It holds ids, agencies and days only: a member's birth day under the member's id (no name, nothing else
about them) — every transition day is that day shifted by an age, so the ward's ages stay configuration
and a change of them needs no rebuild.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any, ClassVar

from domain.calendar import local_date
from domain.case import Case
from domain.case.transitions import reaches_age_on, transition_state
from projections.base import Positioned, ReadModel, case_topics
from projections.rows import iso
from projections.view import Change, ReadModelView, Row


class TransitionsView(ReadModelView):
    TABLES: ClassVar[dict[str, str]] = {
        "tr_case": "case_id TEXT PRIMARY KEY, lead_agency TEXT NOT NULL, opened_on TEXT NOT NULL, status TEXT NOT NULL",
        "tr_member": "case_id TEXT NOT NULL, member_id TEXT NOT NULL, born_on TEXT NOT NULL, "
                     "PRIMARY KEY (case_id, member_id)",
        "tr_handover": "handover_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, member_id TEXT NOT NULL, "
                       "at_age INTEGER NOT NULL, from_agency TEXT NOT NULL, to_agency TEXT NOT NULL, "
                       "completed INTEGER NOT NULL",
    }
    INDEXES: ClassVar[list[str]] = [
        "CREATE INDEX IF NOT EXISTS rm_tr_case_lead ON {tr_case} (status, lead_agency)",
        "CREATE INDEX IF NOT EXISTS rm_tr_handover_case ON {tr_handover} (case_id)",
    ]
    STATEMENTS: ClassVar[dict[str, str]] = {
        "insert_case": "INSERT INTO {tr_case} (case_id, lead_agency, opened_on, status) "
                       "VALUES (%(case_id)s, %(lead_agency)s, %(opened_on)s, 'open')",
        "set_status": "UPDATE {tr_case} SET status = %(status)s WHERE case_id = %(case_id)s",
        "upsert_member": "INSERT INTO {tr_member} (case_id, member_id, born_on) "
                         "VALUES (%(case_id)s, %(member_id)s, %(born_on)s) "
                         "ON CONFLICT (case_id, member_id) DO UPDATE SET born_on = excluded.born_on",
        "insert_handover": "INSERT INTO {tr_handover} (handover_id, case_id, member_id, at_age, from_agency, "
                           "to_agency, completed) VALUES (%(handover_id)s, %(case_id)s, %(member_id)s, %(at_age)s, "
                           "%(from_agency)s, %(to_agency)s, 0)",
        "move_lead": "UPDATE {tr_case} SET lead_agency = (SELECT h.to_agency FROM {tr_handover} h "
                     "WHERE h.handover_id = %(handover_id)s) WHERE case_id = %(case_id)s AND lead_agency = "
                     "(SELECT h.from_agency FROM {tr_handover} h WHERE h.handover_id = %(handover_id)s)",
        "complete_handover": "UPDATE {tr_handover} SET completed = 1 WHERE handover_id = %(handover_id)s",
    }

    def due(self, *, ages: tuple[int, ...], as_of: date, within_days: int,
            lead_agency: str | None = None) -> list[Row]:
        """Transitions listed as of ``as_of`` on open cases (led by ``lead_agency``, when given), soonest first:
        ``case_id``, ``lead_agency``, ``member_id``, ``at_age``, ``due_on``, ``overdue``."""
        where, params = "c.status = 'open'", {}
        if lead_agency is not None:
            where += " AND c.lead_agency = %(lead)s"
            params["lead"] = lead_agency
        members = self.query("SELECT m.case_id, m.member_id, m.born_on, c.lead_agency, c.opened_on FROM {tr_member} m "
                             f"JOIN {{tr_case}} c ON c.case_id = m.case_id WHERE {where}", params)
        completed = defaultdict(set)
        for row in self.query("SELECT h.case_id, h.member_id, h.at_age FROM {tr_handover} h JOIN {tr_case} c "
                              f"ON c.case_id = h.case_id WHERE h.completed = 1 AND {where}", params):
            completed[row["case_id"]].add((row["member_id"], row["at_age"]))
        due = []
        for member in members:
            for age in ages:
                day = reaches_age_on(date.fromisoformat(member["born_on"]), age)
                overdue = transition_state(day, opened_on=date.fromisoformat(member["opened_on"]), as_of=as_of,
                                           within_days=within_days,
                                           handed_over=(member["member_id"], age) in completed[member["case_id"]])
                if overdue is not None:
                    due.append({"case_id": member["case_id"], "lead_agency": member["lead_agency"],
                                "member_id": member["member_id"], "at_age": age, "due_on": day, "overdue": overdue})
        return sorted(due, key=lambda r: (r["due_on"], r["case_id"], r["member_id"], r["at_age"]))


class TransitionsProjection(ReadModel[TransitionsView]):
    name = "transitions"
    view_interface = TransitionsView
    topics = case_topics("Opened", "MemberAdded", "MemberDetailsCorrected", "HandoverPlanned", "HandoverCompleted",
                         "CaseClosed", "CaseReopened")

    def changes(self, events: Iterable[Positioned]) -> list[Change]:
        """One change per event, applied in log order in the batch's transaction."""
        return [change for _, event in events for change in _changes(str(event.originator_id), event)]


def _changes(case_id: str, event: Any) -> list[Change]:
    if isinstance(event, Case.Opened):
        return [("insert_case", [{"case_id": case_id, "lead_agency": event.by_agency,
                                  "opened_on": iso(local_date(event.occurred_at))}])]
    if isinstance(event, Case.MemberAdded):
        return [("upsert_member", [{"case_id": case_id, "member_id": event.member_id,
                                    "born_on": iso(event.birth_date)}])]
    if isinstance(event, Case.MemberDetailsCorrected) and "birth_date" in event.corrections:
        born = event.corrections["birth_date"]
        return [("upsert_member", [{"case_id": case_id, "member_id": event.member_id,
                                    "born_on": born if isinstance(born, str) else iso(born)}])]
    if isinstance(event, Case.HandoverPlanned):
        return [("insert_handover", [{"handover_id": event.handover_id, "case_id": case_id,
                                      "member_id": event.member_id, "at_age": event.at_age,
                                      "from_agency": event.from_agency, "to_agency": event.to_agency}])]
    if isinstance(event, Case.HandoverCompleted):
        # The lead moves with the handover when the handing-over agency led the case (the case's own rule).
        completed = [{"handover_id": event.handover_id, "case_id": case_id}]
        return [("move_lead", completed), ("complete_handover", completed)]
    if isinstance(event, Case.CaseClosed | Case.CaseReopened):
        return [("set_status", [{"case_id": case_id, "status": "closed" if isinstance(event, Case.CaseClosed)
                                 else "open"}])]
    return []
