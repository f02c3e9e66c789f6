from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.base import CommandBody, Identifier, Name, RecordDate, RequiredText, Text
from domain.commands import (
    AdoptPlan,
    AssignRole,
    DecidePlan,
    EvaluatePlan,
    PlanRole,
    ResumePlan,
    ReviewPlan,
    RevisePlan,
    SuspendPlan,
)
from domain.vocabulary import EvaluationOutcome, PlanKind

PLAN_ID = Field(default=None, description="The plan (its id); omit it when the case has one plan in progress.")


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agency: Name
    role: RequiredText = Field(examples=["長男への訪問と居場所の紹介"])


class PlanCreate(CommandBody):
    meeting_id: Name = Field(description="The 重層的支援会議 that adopted it (an outreach plan: also a 支援会議).")
    goals: list[RequiredText] = Field(min_length=1, max_length=20)
    roles: list[RoleIn] = Field(default_factory=list, max_length=50)
    next_review_on: RecordDate
    kind: PlanKind = Field(default=PlanKind.COMPREHENSIVE, description="総合的な支援プラン, アウトリーチ支援プラン or "
                                                                       "参加支援プラン.")
    wishes: Text = Field(default="", description="本人の意向: the person's wishes, in their own words.")

    def role_values(self) -> tuple[PlanRole, ...]:
        return tuple(PlanRole(agency=r.agency, role=r.role) for r in self.roles)

    def to_command(self, case_id: UUID) -> AdoptPlan:
        return AdoptPlan(case_id=case_id, occurred_at=self.occurred_at, meeting_id=self.meeting_id,
                         goals=tuple(self.goals), roles=self.role_values(), next_review_on=self.next_review_on,
                         kind=self.kind, wishes=self.wishes)



class PlanRevision(CommandBody):
    meeting_id: Name
    goals: list[RequiredText] = Field(min_length=1, max_length=20)
    roles: list[RoleIn] = Field(default_factory=list, max_length=50)
    next_review_on: RecordDate
    reason: RequiredText
    plan_id: Identifier | None = PLAN_ID
    wishes: Text | None = Field(default=None, description="The person's wishes as they now are (omit: unchanged).")

    def to_command(self, case_id: UUID) -> RevisePlan:
        return RevisePlan(case_id=case_id, occurred_at=self.occurred_at, meeting_id=self.meeting_id,
                          goals=tuple(self.goals),
                          roles=tuple(PlanRole(agency=r.agency, role=r.role) for r in self.roles),
                          next_review_on=self.next_review_on, reason=self.reason, plan_id=self.plan_id,
                          wishes=self.wishes)



class PlanDecision(CommandBody):
    plan_id: Identifier | None = PLAN_ID
    note: Text = ""

    def to_command(self, case_id: UUID) -> DecidePlan:
        return DecidePlan(case_id=case_id, occurred_at=self.occurred_at, plan_id=self.plan_id, note=self.note)


class PlanReview(CommandBody):
    findings: RequiredText
    next_review_on: RecordDate
    plan_id: Identifier | None = PLAN_ID

    def to_command(self, case_id: UUID) -> ReviewPlan:
        return ReviewPlan(case_id=case_id, occurred_at=self.occurred_at, findings=self.findings,
                          next_review_on=self.next_review_on, plan_id=self.plan_id)


class PlanSuspension(CommandBody):
    reason: RequiredText
    plan_id: Identifier | None = PLAN_ID

    def to_command(self, case_id: UUID) -> SuspendPlan:
        return SuspendPlan(case_id=case_id, occurred_at=self.occurred_at, reason=self.reason, plan_id=self.plan_id)


class PlanResumption(CommandBody):
    next_review_on: RecordDate
    note: Text = ""
    plan_id: Identifier | None = PLAN_ID

    def to_command(self, case_id: UUID) -> ResumePlan:
        return ResumePlan(case_id=case_id, occurred_at=self.occurred_at, next_review_on=self.next_review_on,
                          note=self.note, plan_id=self.plan_id)


class PlanEvaluation(CommandBody):
    meeting_id: Name
    evaluation: RequiredText
    goals_met: bool
    outcome: EvaluationOutcome = Field(default=EvaluationOutcome.CLOSE, description=(
        "close (終結: the case may then close) or replan (再プラン: a new plan of the kind follows)."))
    plan_id: Identifier | None = PLAN_ID

    def to_command(self, case_id: UUID) -> EvaluatePlan:
        return EvaluatePlan(case_id=case_id, occurred_at=self.occurred_at, meeting_id=self.meeting_id,
                            evaluation=self.evaluation, goals_met=self.goals_met, outcome=self.outcome,
                            plan_id=self.plan_id)



class RoleAssignment(CommandBody):
    agency: Name
    role: RequiredText
    plan_id: Identifier | None = PLAN_ID

    def to_command(self, case_id: UUID) -> AssignRole:
        return AssignRole(case_id=case_id, occurred_at=self.occurred_at, agency=self.agency, role=self.role,
                          plan_id=self.plan_id)
