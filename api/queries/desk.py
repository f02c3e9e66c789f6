"""わたしの仕事 (the home page): what one member of staff has to do next, from the read models, with the
households named as far as they may know them.

Referrals to answer and those sent (with their answers), handovers due at the ward's transition ages,
escalations to 多機関協働 for the coordinators of the coordination agency, plans due for review, the cases
they are in charge of, their own break-glass grants still running, and consents about to expire on the cases
their agency leads. The read models hold ids, agencies and dates only; the households' names come from
``api.queries.case_rows`` in one recorded read per case shown (purpose ``home``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from api.queries.case_rows import CaseRow, MemberRow, case_row
from api.queries.transitions import soonest_first, transition_window
from api.schemas.handovers import TransitionPublic
from domain.access import Decision
from domain.actor import Actor
from domain.calendar import business_days_between, local_date
from domain.case import Case
from domain.vocabulary import Role
from infra.bootstrap import Services
from projections.rows import iso

ANSWERS_DAYS = 30
"""Answers to the agency's referrals are shown this many days after they came."""
ESCALATION_DAYS = 90
SOON_DAYS = 30
"""Consents expiring within this many days are shown."""
LIMIT = 50


@dataclass
class Desk:
    today: date
    overdue_after: int
    referrals_in: list[dict[str, Any]] = field(default_factory=list)
    referrals_out: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    escalations: list[dict[str, Any]] | None = None
    """None: the reader does not coordinate (the section is not shown)."""
    reviews: list[dict[str, Any]] = field(default_factory=list)
    my_cases: list[dict[str, Any]] = field(default_factory=list)
    my_cases_total: int = 0
    grants: list[dict[str, Any]] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)
    handovers: list[dict[str, Any]] = field(default_factory=list)
    """Members reaching a transition age soon, or past one without a handover (``api.queries.transitions``)."""
    rows: dict[str, CaseRow] = field(default_factory=dict)

    @property
    def overdue_in(self) -> int:
        return sum(1 for r in self.referrals_in if r["overdue"])

    @property
    def overdue_reviews(self) -> int:
        return sum(1 for r in self.reviews if r["overdue"])

    def row(self, case_id: str) -> CaseRow | None:
        return self.rows.get(case_id)


def coordinates(services: Services, actor: Actor) -> bool:
    """A coordinator of the agency escalations go to (多機関協働)."""
    return actor.has_role(Role.COORDINATOR) and actor.agency_id == services.referral_feed.translator.coordination_agency


def desk(services: Services, actor: Actor) -> Desk:
    today = local_date(services.tsunagu.clock())
    overdue_after = services.settings.referral_overdue_business_days
    result = Desk(today=today, overdue_after=overdue_after)
    models = services.read_models
    workload = models.workload.view.workload(actor.agency_id, today, overdue_after_business_days=overdue_after,
                                             review_horizon_days=14)
    result.referrals_in = workload.referrals_in
    result.referrals_out = workload.referrals_out
    result.answers = _answers(services, actor.agency_id, today)
    result.reviews = [{**plan, "overdue": plan["next_review_on"] < today.isoformat()}
                      for plan in workload.plans_due_for_review]
    state = models.case_state.view
    result.my_cases = state.cases(staff_in_charge=actor.staff_id, status="open", limit=LIMIT)
    result.my_cases_total = state.count(staff_in_charge=actor.staff_id, status="open")
    if coordinates(services, actor):
        result.escalations = state.escalated((today - timedelta(days=ESCALATION_DAYS)).isoformat(), limit=LIMIT)
    result.grants = _grants(services, actor, services.tsunagu.clock())
    result.consents = _consents(services, actor.agency_id, today)
    window = transition_window(services, actor)
    listed = {r["case_id"] for group in (result.referrals_in, result.referrals_out, result.answers,
                                         result.escalations or [], result.reviews, result.my_cases,
                                         result.grants, result.consents) for r in group}

    def view(case: Case, known: Case, decisions: list[Decision], record_id: str,
             at: datetime) -> tuple[CaseRow, list[TransitionPublic]] | None:
        """One recorded read per case shown, for both its row and its transitions; a candidate for a transition
        that has none the reader may see, and is listed for nothing else, is not shown (nor recorded)."""
        due = window.rows(case, known, record_id)
        if not due and str(case.id) not in listed:
            return None
        return case_row(case, known, decisions, record_id, at), due

    ids = dict.fromkeys([*listed, *(str(case_id) for case_id in window.case_ids)])
    read = services.tsunagu.read_cases(actor, [UUID(case_id) for case_id in ids], purpose="home", channel="web",
                                       view=view)
    result.rows = {row.case_id: row for row, _ in read}
    result.handovers = [{**handover.model_dump(), "member": _member(result.rows[handover.case_id],
                                                                    handover.member_id)}
                        for handover in soonest_first(t for _, due in read for t in due)]
    return result


def _member(row: CaseRow, member_id: str) -> MemberRow | None:
    """The member a handover is about, as the reader may know them (from the same recorded read)."""
    return next((m for m in row.members if m.member_id == member_id), None)


def _answers(services: Services, agency: str, today: date) -> list[dict[str, Any]]:
    """The agency's referrals answered lately (accepted, declined, completed), the latest first."""
    view = services.read_models.workload.view
    rows = view.query("SELECT * FROM {wl_referral} WHERE from_agency = %(a)s AND status <> 'requested' "
                      "AND answered_on >= %(since)s ORDER BY answered_on DESC, referral_id LIMIT %(limit)s",
                      {"a": agency, "since": (today - timedelta(days=ANSWERS_DAYS)).isoformat(), "limit": LIMIT})
    for row in rows:
        row["answered_after"] = business_days_between(date.fromisoformat(row["requested_on"]),
                                                      date.fromisoformat(row["answered_on"]))
    return rows


def _grants(services: Services, actor: Actor, now: datetime) -> list[dict[str, Any]]:
    """The reader's own break-glass grants still running, the soonest to end first."""
    view = services.read_models.access_audit.view
    rows = view.query("SELECT * FROM {emergency} WHERE staff = %(s)s AND expires_at > %(now)s "
                      "ORDER BY expires_at LIMIT %(limit)s", {"s": actor.staff_id, "now": iso(now),
                                                              "limit": LIMIT})
    state = services.read_models.case_state.view
    return [row for row in rows if (case := state.case(row["case_id"])) is not None and case["status"] == "open"]


def _consents(services: Services, agency: str, today: date) -> list[dict[str, Any]]:
    """Consents on cases the agency leads that expire within ``SOON_DAYS`` (or have just expired)."""
    state = services.read_models.case_state.view
    rows = []
    for case in state.cases(lead_agency=agency, status="open", limit=1000):
        for consent_id, consent in case["consents"].items():
            until = consent["valid_until"]
            if consent["withdrawn_at"] is None and until <= (today + timedelta(days=SOON_DAYS)).isoformat() \
                    and until >= (today - timedelta(days=7)).isoformat():
                rows.append({"case_id": case["case_id"], "consent_id": consent_id, "valid_until": until,
                             "expired": until < today.isoformat()})
    return sorted(rows, key=lambda r: (r["valid_until"], r["case_id"]))[:LIMIT]
