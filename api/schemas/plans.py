from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.base import CommandBody, Name, RequiredText


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agency: Name
    role: RequiredText = Field(examples=["長男への訪問と居場所の紹介"])


class PlanCreate(CommandBody):
    meeting_id: Name = Field(description="The 重層的支援会議 that adopted the plan.")
    goals: list[RequiredText] = Field(min_length=1, max_length=20)
    roles: list[RoleIn] = Field(default_factory=list, max_length=50)
    next_review_on: date


class PlanRevision(PlanCreate):
    reason: RequiredText


class PlanReview(CommandBody):
    findings: RequiredText
    next_review_on: date


class PlanEvaluation(CommandBody):
    meeting_id: Name
    evaluation: RequiredText
    goals_met: bool


class RoleAssignment(CommandBody):
    agency: Name
    role: RequiredText
