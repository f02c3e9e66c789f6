from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.base import CommandBody, Name, RecordDate, RequiredText
from domain.commands import AdoptPlan, AssignRole, EvaluatePlan, PlanRole, ReviewPlan, RevisePlan


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agency: Name
    role: RequiredText = Field(examples=["長男への訪問と居場所の紹介"])


class PlanCreate(CommandBody):
    meeting_id: Name = Field(description="The 重層的支援会議 that adopted the plan.")
    goals: list[RequiredText] = Field(min_length=1, max_length=20)
    roles: list[RoleIn] = Field(default_factory=list, max_length=50)
    next_review_on: RecordDate

    def role_values(self) -> tuple[PlanRole, ...]:
        return tuple(PlanRole(agency=r.agency, role=r.role) for r in self.roles)

    def to_command(self, case_id: UUID) -> AdoptPlan:
        return AdoptPlan(case_id=case_id, occurred_at=self.occurred_at, meeting_id=self.meeting_id,
                         goals=tuple(self.goals), roles=self.role_values(), next_review_on=self.next_review_on)



class PlanRevision(PlanCreate):
    reason: RequiredText

    def to_command(self, case_id: UUID) -> RevisePlan:  # type: ignore[override]
        return RevisePlan(case_id=case_id, occurred_at=self.occurred_at, meeting_id=self.meeting_id,
                          goals=tuple(self.goals), roles=self.role_values(), next_review_on=self.next_review_on,
                          reason=self.reason)



class PlanReview(CommandBody):
    findings: RequiredText
    next_review_on: RecordDate

    def to_command(self, case_id: UUID) -> ReviewPlan:
        return ReviewPlan(case_id=case_id, occurred_at=self.occurred_at, findings=self.findings,
                          next_review_on=self.next_review_on)



class PlanEvaluation(CommandBody):
    meeting_id: Name
    evaluation: RequiredText
    goals_met: bool

    def to_command(self, case_id: UUID) -> EvaluatePlan:
        return EvaluatePlan(case_id=case_id, occurred_at=self.occurred_at, meeting_id=self.meeting_id,
                            evaluation=self.evaluation, goals_met=self.goals_met)



class RoleAssignment(CommandBody):
    agency: Name
    role: RequiredText

    def to_command(self, case_id: UUID) -> AssignRole:
        return AssignRole(case_id=case_id, occurred_at=self.occurred_at, agency=self.agency, role=self.role)
