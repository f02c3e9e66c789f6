from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.base import CommandBody, Name, RequiredText
from domain.commands import Command, MeetingDecision, RecordDecision, hold_meeting
from domain.commands import Participant as MeetingParticipant
from domain.vocabulary import DecisionKind, MeetingKind


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

    def value(self) -> MeetingDecision:
        return MeetingDecision(kind=self.kind, text=self.text, target_agency=self.target_agency)


class MeetingCreate(CommandBody):
    kind: MeetingKind
    held_on: date
    purpose: RequiredText
    participants: list[Participant] = Field(min_length=1, max_length=50)
    decisions: list[DecisionIn] = Field(default_factory=list, max_length=50)

    def participant_values(self) -> tuple[MeetingParticipant, ...]:
        return tuple(MeetingParticipant(agency=p.agency, staff=p.staff, pledged=p.pledged) for p in self.participants)

    def to_command(self, case_id: UUID) -> Command:
        return hold_meeting(self.kind, case_id=case_id, occurred_at=self.occurred_at, held_on=self.held_on,
                            purpose=self.purpose, participants=self.participant_values(),
                            decisions=tuple(d.value() for d in self.decisions))



class DecisionCreate(CommandBody):
    decision: DecisionIn

    def to_command(self, case_id: UUID, meeting_id: str) -> RecordDecision:
        return RecordDecision(case_id=case_id, occurred_at=self.occurred_at, meeting_id=meeting_id,
                              decision=self.decision.value())
