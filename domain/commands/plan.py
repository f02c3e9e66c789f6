"""支援プラン commands (events in :mod:`domain.case.plan`)."""

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
    staff_who_record,
    to_covered_agencies,
    touches_only_visible,
)
from domain.policy import DateKind


@dataclass(frozen=True)
class PlanRole:
    agency: str
    role: str

    def as_record(self) -> dict[str, str]:
        return {"agency": self.agency, "role": self.role}


def _role_agencies(command: Any) -> list[str]:
    return [role.agency for role in command.roles]


ROLES_TO_COVERED = to_covered_agencies(_role_agencies)


def _plan(case: Case) -> Reference:
    plans = {} if case.plan is None else {case.plan["plan_id"]: case.plan}
    plan_id = "" if case.plan is None else case.plan["plan_id"]
    return Reference(plans, plan_id, "支援プラン", "support plan")


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

    LABEL_JA = "支援プランの決定"
    RULE = (staff_who_record, basis_on_case, coordinator, touches_only_visible, ROLES_TO_COVERED)

    def dates(self) -> Iterable[tuple[str, DateKind, date]]:
        return [("next_review_on", DateKind.PLANNED, self.next_review_on)]

    def agencies_named(self) -> Iterable[str]:
        return _role_agencies(self)

    def apply(self, case: Case, context: Context) -> str:
        return case.adopt_plan(context.actor, context.at, meeting_id=self.meeting_id, goals=list(self.goals),
                               roles=[r.as_record() for r in self.roles], next_review_on=self.next_review_on)


@dataclass(frozen=True, kw_only=True)
class RevisePlan(_PlanAtMeeting):
    goals: tuple[str, ...]
    roles: tuple[PlanRole, ...]
    next_review_on: date
    reason: str

    LABEL_JA = "支援プランの見直し"
    RULE = (staff_who_record, basis_on_case, coordinator, touches_only_visible, ROLES_TO_COVERED)

    def dates(self) -> Iterable[tuple[str, DateKind, date]]:
        return [("next_review_on", DateKind.PLANNED, self.next_review_on)]

    def agencies_named(self) -> Iterable[str]:
        return _role_agencies(self)

    def apply(self, case: Case, context: Context) -> None:
        case.revise_plan(context.actor, context.at, meeting_id=self.meeting_id, goals=list(self.goals),
                         roles=[r.as_record() for r in self.roles], next_review_on=self.next_review_on,
                         reason=self.reason)
        return None


@dataclass(frozen=True, kw_only=True)
class EvaluatePlan(_PlanAtMeeting):
    evaluation: str
    goals_met: bool

    LABEL_JA = "終結評価"
    RULE = (staff_who_record, basis_on_case, coordinator, touches_only_visible)

    def apply(self, case: Case, context: Context) -> None:
        case.evaluate_plan(context.actor, context.at, meeting_id=self.meeting_id, evaluation=self.evaluation,
                           goals_met=self.goals_met)
        return None


@dataclass(frozen=True, kw_only=True)
class ReviewPlan(CaseCommand):
    findings: str
    next_review_on: date

    LABEL_JA = "モニタリング"
    RULE = (staff_who_record, basis_on_case, touches_only_visible)

    def dates(self) -> Iterable[tuple[str, DateKind, date]]:
        return [("next_review_on", DateKind.PLANNED, self.next_review_on)]

    def references(self, case: Case) -> Iterable[Reference]:
        return [_plan(case)] if case.plan is not None else []

    def apply(self, case: Case, context: Context) -> None:
        case.review_plan(context.actor, context.at, findings=self.findings, next_review_on=self.next_review_on)
        return None


@dataclass(frozen=True, kw_only=True)
class AssignRole(CaseCommand):
    agency: str
    role: str

    LABEL_JA = "役割分担"
    RULE = (staff_who_record, basis_on_case, coordinator, touches_only_visible,
            to_covered_agencies(lambda command: [command.agency]))

    def agencies_named(self) -> Iterable[str]:
        return [self.agency]

    def references(self, case: Case) -> Iterable[Reference]:
        return [_plan(case)] if case.plan is not None else []

    def apply(self, case: Case, context: Context) -> None:
        case.assign_role(context.actor, context.at, agency=self.agency, role=self.role)
        return None
