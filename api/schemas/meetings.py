from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.base import CommandBody, Name, RecordDate, RequiredText, Subjects
from domain.commands import Command, ExternalMember, MeetingDecision, RecordDecision, hold_meeting
from domain.commands import Participant as MeetingParticipant
from domain.vocabulary import DecisionKind, InformationCategory, MeetingKind


class Participant(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agency: Name
    staff: Name
    pledged: bool = Field(default=False, description="Pledged confidentiality (required at a 支援会議).")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: DecisionKind
    text: RequiredText
    target_agency: Name | None = Field(default=None, description="For refer/escalate decisions.")
    categories: list[InformationCategory] = Field(default_factory=list, max_length=10, description=(
        "For a decision to refer: the information categories the referred agency may then see."))

    def value(self) -> MeetingDecision:
        return MeetingDecision(kind=self.kind, text=self.text, target_agency=self.target_agency,
                               categories=tuple(self.categories))


class ExternalMemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    organisation: Name = Field(examples=["芝地区民生委員"])
    pledged: bool = Field(default=False, description="Pledged confidentiality (required at a 支援会議).")


class MeetingCreate(CommandBody):
    kind: MeetingKind
    held_on: RecordDate
    purpose: RequiredText
    participants: list[Participant] = Field(min_length=1, max_length=50)
    decisions: list[DecisionIn] = Field(default_factory=list, max_length=50)
    tabled_subjects: Subjects = Field(default_factory=list, max_length=30, description=(
        "支援会議: the members whose information it discusses; only theirs is shared."))
    tabled_categories: list[InformationCategory] = Field(default_factory=list, max_length=10, description=(
        "支援会議: the information categories it discusses."))
    until: RecordDate | None = Field(default=None, description=(
        "支援会議: until when its sharing lasts (the next sitting)."))
    external_members: list[ExternalMemberIn] = Field(default_factory=list, max_length=30)

    def participant_values(self) -> tuple[MeetingParticipant, ...]:
        return tuple(MeetingParticipant(agency=p.agency, staff=p.staff, pledged=p.pledged) for p in self.participants)

    def to_command(self, case_id: UUID) -> Command:
        return hold_meeting(self.kind, case_id=case_id, occurred_at=self.occurred_at, held_on=self.held_on,
                            purpose=self.purpose, participants=self.participant_values(),
                            decisions=tuple(d.value() for d in self.decisions),
                            tabled_subjects=tuple(self.tabled_subjects),
                            tabled_categories=tuple(self.tabled_categories), until=self.until,
                            external_members=tuple(ExternalMember(name=m.name, organisation=m.organisation,
                                                                  pledged=m.pledged) for m in self.external_members))



class DecisionCreate(CommandBody):
    decision: DecisionIn

    def to_command(self, case_id: UUID, meeting_id: str) -> RecordDecision:
        return RecordDecision(case_id=case_id, occurred_at=self.occurred_at, meeting_id=meeting_id,
                              decision=self.decision.value())
