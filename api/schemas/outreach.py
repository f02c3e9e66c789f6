from __future__ import annotations

from uuid import UUID

from pydantic import Field

from api.schemas.base import CommandBody, Name, RecordDate, RequiredText, Text
from domain.commands import (
    FollowUpParticipation,
    MatchParticipation,
    PlanOutreach,
    RecordSupportRefusal,
    RecordVisit,
)
from domain.vocabulary import ResourceKind, VisitOutcome


class OutreachCreate(CommandBody):
    member_id: Name | None = None
    approach: RequiredText = Field(examples=["母の介護サービス訪問時に同行し、長男に手紙を渡す"])
    planned_on: RecordDate

    def to_command(self, case_id: UUID) -> PlanOutreach:
        return PlanOutreach(case_id=case_id, occurred_at=self.occurred_at, member_id=self.member_id,
                            approach=self.approach, planned_on=self.planned_on)



class VisitCreate(CommandBody):
    outreach_id: Name | None = None
    member_id: Name | None = None
    outcome: VisitOutcome
    notes: Text = ""

    def to_command(self, case_id: UUID) -> RecordVisit:
        return RecordVisit(case_id=case_id, occurred_at=self.occurred_at, outreach_id=self.outreach_id,
                           member_id=self.member_id, outcome=self.outcome, notes=self.notes)



class SupportRefusalCreate(CommandBody):
    member_id: Name | None = None
    reason: RequiredText

    def to_command(self, case_id: UUID) -> RecordSupportRefusal:
        return RecordSupportRefusal(case_id=case_id, occurred_at=self.occurred_at, member_id=self.member_id,
                                    reason=self.reason)



class ParticipationCreate(CommandBody):
    member_id: Name
    resource_name: Name = Field(examples=["芝地区ふれあいサロン"])
    resource_kind: ResourceKind
    starts_on: RecordDate

    def to_command(self, case_id: UUID) -> MatchParticipation:
        return MatchParticipation(case_id=case_id, occurred_at=self.occurred_at, member_id=self.member_id,
                                  resource_name=self.resource_name, resource_kind=self.resource_kind,
                                  starts_on=self.starts_on)



class ParticipationFollowUpCreate(CommandBody):
    continuing: bool
    note: Text = ""

    def to_command(self, case_id: UUID, match_id: str) -> FollowUpParticipation:
        return FollowUpParticipation(case_id=case_id, occurred_at=self.occurred_at, match_id=match_id,
                                     continuing=self.continuing, note=self.note)
