"""支援プラン commands, for plans of several kinds (events in :mod:`domain.case.plan`).

A command about an existing plan names it (``plan_id``); without one it is about the case's only plan in
progress (as before plans had kinds), and is refused when several are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.case import Case
from domain.commands.base import (
    CaseCommand,
    Context,
    Reference,
    basis_on_case,
    coordinator,
    requirement,
    staff_who_record,
    to_covered_agencies,
    touches_only_visible,
)
from domain.errors import DomainError, NotPermitted
from domain.policy import DateKind
from domain.vocabulary import EvaluationOutcome, PlanKind, Role


@dataclass(frozen=True)
class PlanRole:
    agency: str
    role: str

    def as_record(self) -> dict[str, str]:
        return {"agency": self.agency, "role": self.role}


def _role_agencies(command: Any) -> list[str]:
    return [role.agency for role in command.roles]


ROLES_TO_COVERED = to_covered_agencies(_role_agencies)


def _plan(case: Case, plan_id: str | None) -> list[Reference]:
    """The plan a command touches: the one named, or the case's only plan in progress (none: the case answers)."""
    if plan_id is None:
        in_progress = case.plans_in_progress()
        if len(in_progress) != 1:
            return []
        plan_id = in_progress[0]["plan_id"]
    return [Reference(case.plans, plan_id, "支援プラン", "support plan")]


@requirement("区の事務局（支援会議・多機関協働の事務局として区が定めた機関）のコーディネーターであること",
             "A coordinator of the ward's office (the agency the ward named for support meetings and multi-agency "
             "coordination): the municipality decides")
def municipal_office(context: Context, command: Any) -> DomainError | None:
    office = context.registry.support_meeting_office
    if office is not None and context.actor.agency_id == office and context.actor.has_role(Role.COORDINATOR):
        return None
    return context.hidden() or NotPermitted(
        "支援決定は区が行います。区の事務局（支援会議・多機関協働の事務局）のコーディネーターが記録してください。",
        "The municipality decides support: a coordinator of the ward's office records it.")


@dataclass(frozen=True, kw_only=True)
class _PlanAtMeeting(CaseCommand):
    meeting_id: str

    def references(self, case: Case) -> Iterable[Reference]:
        return [Reference(case.meetings, self.meeting_id, "会議", "meeting")]


@dataclass(frozen=True, kw_only=True)
class AdoptPlan(_PlanAtMeeting):
    goals: tuple[str, ...]
    roles: tuple[PlanRole, ...]
    next_review_on: date
    kind: PlanKind = PlanKind.COMPREHENSIVE
    wishes: str = ""
    """本人の意向: the person's wishes, in their own words."""

    LABEL_JA = "支援プランの決定"
    RULE = (staff_who_record, basis_on_case, coordinator, touches_only_visible, ROLES_TO_COVERED)

    def dates(self) -> Iterable[tuple[str, DateKind, date]]:
        return [("next_review_on", DateKind.PLANNED, self.next_review_on)]

    def agencies_named(self) -> Iterable[str]:
        return _role_agencies(self)

    def apply(self, case: Case, context: Context) -> str:
        return case.adopt_plan(context.actor, context.at, meeting_id=self.meeting_id, goals=list(self.goals),
                               roles=[r.as_record() for r in self.roles], next_review_on=self.next_review_on,
                               kind=self.kind, wishes=self.wishes)


@dataclass(frozen=True, kw_only=True)
class RevisePlan(_PlanAtMeeting):
    goals: tuple[str, ...]
    roles: tuple[PlanRole, ...]
    next_review_on: date
    reason: str
    plan_id: str | None = None
    wishes: str | None = None
    """The person's wishes as they now are (None: unchanged)."""

    LABEL_JA = "支援プランの見直し"
    RULE = (staff_who_record, basis_on_case, coordinator, touches_only_visible, ROLES_TO_COVERED)

    def dates(self) -> Iterable[tuple[str, DateKind, date]]:
        return [("next_review_on", DateKind.PLANNED, self.next_review_on)]

    def agencies_named(self) -> Iterable[str]:
        return _role_agencies(self)

    def references(self, case: Case) -> Iterable[Reference]:
        return [*super().references(case), *_plan(case, self.plan_id)]

    def apply(self, case: Case, context: Context) -> None:
        case.revise_plan(context.actor, context.at, meeting_id=self.meeting_id, goals=list(self.goals),
                         roles=[r.as_record() for r in self.roles], next_review_on=self.next_review_on,
                         reason=self.reason, plan_id=self.plan_id, wishes=self.wishes)
        return None


@dataclass(frozen=True, kw_only=True)
class DecidePlan(CaseCommand):
    """支援決定: the municipality decides the plan adopted at the meeting."""

    plan_id: str | None = None
    note: str = ""

    LABEL_JA = "支援決定"
    RULE = (staff_who_record, basis_on_case, municipal_office, touches_only_visible)

    def references(self, case: Case) -> Iterable[Reference]:
        return _plan(case, self.plan_id)

    def apply(self, case: Case, context: Context) -> None:
        case.decide_plan(context.actor, context.at, plan_id=self.plan_id, note=self.note)
        return None


@dataclass(frozen=True, kw_only=True)
class EvaluatePlan(_PlanAtMeeting):
    evaluation: str
    goals_met: bool
    outcome: EvaluationOutcome = EvaluationOutcome.CLOSE
    """終結 (the support ends; the case may close) or 再プラン (a new plan of the kind follows)."""
    plan_id: str | None = None

    LABEL_JA = "終結評価"
    RULE = (staff_who_record, basis_on_case, coordinator, touches_only_visible)

    def references(self, case: Case) -> Iterable[Reference]:
        return [*super().references(case), *_plan(case, self.plan_id)]

    def apply(self, case: Case, context: Context) -> None:
        case.evaluate_plan(context.actor, context.at, meeting_id=self.meeting_id, evaluation=self.evaluation,
                           goals_met=self.goals_met, outcome=self.outcome, plan_id=self.plan_id)
        return None


@dataclass(frozen=True, kw_only=True)
class ReviewPlan(CaseCommand):
    findings: str
    next_review_on: date
    plan_id: str | None = None

    LABEL_JA = "モニタリング"
    RULE = (staff_who_record, basis_on_case, touches_only_visible)

    def dates(self) -> Iterable[tuple[str, DateKind, date]]:
        return [("next_review_on", DateKind.PLANNED, self.next_review_on)]

    def references(self, case: Case) -> Iterable[Reference]:
        return _plan(case, self.plan_id)

    def apply(self, case: Case, context: Context) -> None:
        case.review_plan(context.actor, context.at, findings=self.findings, next_review_on=self.next_review_on,
                         plan_id=self.plan_id)
        return None


@dataclass(frozen=True, kw_only=True)
class SuspendPlan(CaseCommand):
    """中断: the plan is on hold; no review is due until it resumes."""

    reason: str
    plan_id: str | None = None

    LABEL_JA = "支援プランの中断"
    RULE = (staff_who_record, basis_on_case, coordinator, touches_only_visible)

    def references(self, case: Case) -> Iterable[Reference]:
        return _plan(case, self.plan_id)

    def apply(self, case: Case, context: Context) -> None:
        case.suspend_plan(context.actor, context.at, reason=self.reason, plan_id=self.plan_id)
        return None


@dataclass(frozen=True, kw_only=True)
class ResumePlan(CaseCommand):
    next_review_on: date
    note: str = ""
    plan_id: str | None = None

    LABEL_JA = "支援プランの再開"
    RULE = (staff_who_record, basis_on_case, coordinator, touches_only_visible)

    def dates(self) -> Iterable[tuple[str, DateKind, date]]:
        return [("next_review_on", DateKind.PLANNED, self.next_review_on)]

    def references(self, case: Case) -> Iterable[Reference]:
        return _plan(case, self.plan_id)

    def apply(self, case: Case, context: Context) -> None:
        case.resume_plan(context.actor, context.at, next_review_on=self.next_review_on, note=self.note,
                         plan_id=self.plan_id)
        return None


@dataclass(frozen=True, kw_only=True)
class AssignRole(CaseCommand):
    agency: str
    role: str
    plan_id: str | None = None

    LABEL_JA = "役割分担"
    RULE = (staff_who_record, basis_on_case, coordinator, touches_only_visible,
            to_covered_agencies(lambda command: [command.agency]))

    def agencies_named(self) -> Iterable[str]:
        return [self.agency]

    def references(self, case: Case) -> Iterable[Reference]:
        return _plan(case, self.plan_id)

    def apply(self, case: Case, context: Context) -> None:
        case.assign_role(context.actor, context.at, agency=self.agency, role=self.role, plan_id=self.plan_id)
        return None
