"""制度切替 ahead and overdue: members reaching one of the ward's transition ages within N days, and those
past one (while their case was open) without a completed handover.

Shown to the lead agency (its own cases) and to coordinators (any case they may read). The transitions read
model finds the candidate cases; each row is then worked out from the case as the reader may know it (their
granted entries only: a member they may not see is not listed) and each case shown is a recorded read
(purpose ``transitions``), like any list that shows something of a case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from uuid import UUID

from fastapi import status

from api.errors import implausible_date, problem
from api.schemas.handovers import TransitionListPublic, TransitionPublic
from domain.access import Decision
from domain.actor import Actor
from domain.calendar import local_date
from domain.case import Case
from domain.case.transitions import sees_transitions
from domain.policy import DateKind
from domain.vocabulary import Role
from infra.bootstrap import Services


@dataclass(frozen=True)
class TransitionWindow:
    """Which transitions one reader is shown: the day, the notice period, the ward's ages, and the cases the read
    model finds (before any is read)."""

    actor: Actor
    day: date
    within: int
    ages: tuple[int, ...]
    case_ids: list[UUID]

    def rows(self, case: Case, known: Case, record_id: str) -> list[TransitionPublic]:
        """The case's transitions as the reader may know it (nothing for a case they are not shown them on)."""
        if not sees_transitions(self.actor, case.lead_agency):
            return []
        return [TransitionPublic(case_id=str(case.id), access_record_id=record_id, lead_agency=case.lead_agency,
                                 **asdict(t)) for t in known.transitions_due(self.ages, self.day, self.within)]


def transition_window(services: Services, actor: Actor, *, within_days: int | None = None,
                      as_of: date | None = None) -> TransitionWindow:
    """The reader's window (``within_days``: the ward's notice period by default); refuses a role without one."""
    if not actor.may_record:
        raise problem(status.HTTP_403_FORBIDDEN, "not_for_this_role",
                      "制度切替の一覧は、主担当機関の職員とコーディネーターが使います（監査は監査画面から）。",
                      "The transitions list is for the lead agency's staff and coordinators "
                      "(auditors: the audit views).")
    tsunagu, policy = services.tsunagu, services.tsunagu.policy
    today = local_date(tsunagu.clock())
    if as_of is not None and (refused := policy.dates.refusal("as_of", DateKind.PLANNED, as_of, today)) is not None:
        raise implausible_date("query", refused)
    day, within = as_of or today, within_days or policy.transition_notice_days
    lead = None if actor.has_role(Role.COORDINATOR) else actor.agency_id
    candidates = services.read_models.transitions.view.due(ages=policy.transition_ages, as_of=day,
                                                           within_days=within, lead_agency=lead)
    case_ids = [UUID(case_id) for case_id in dict.fromkeys(row["case_id"] for row in candidates)]
    return TransitionWindow(actor, day, within, tuple(policy.transition_ages), case_ids)


def transitions(services: Services, actor: Actor, *, within_days: int | None = None, as_of: date | None = None,
                channel: str = "api") -> TransitionListPublic:
    """The transitions the actor is shown, soonest first; each case shown is a recorded read."""
    window = transition_window(services, actor, within_days=within_days, as_of=as_of)

    def rows(case: Case, known: Case, _: list[Decision], record_id: str, __: datetime) -> list[TransitionPublic] | None:
        return window.rows(case, known, record_id) or None

    shown = services.tsunagu.read_cases(actor, window.case_ids, purpose="transitions", channel=channel, view=rows)
    return TransitionListPublic(as_of=window.day, within_days=window.within, ages=list(window.ages),
                                transitions=soonest_first(row for case_rows in shown for row in case_rows))


def soonest_first(rows: Iterable[TransitionPublic]) -> list[TransitionPublic]:
    return sorted(rows, key=lambda r: (r.due_on, r.case_id, r.member_id, r.at_age))
