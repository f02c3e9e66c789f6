from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.base import CommandBody, Name, RecordDate, Text
from domain.commands import CompleteHandover, PlanHandover


class HandoverCreate(CommandBody):
    member_id: Name
    at_age: int = Field(ge=1, le=120, description="One of the ward's transition ages (制度切替, e.g. 18, 40, 65).")
    to_agency: Name
    due_on: RecordDate

    def to_command(self, case_id: UUID) -> PlanHandover:
        return PlanHandover(case_id=case_id, occurred_at=self.occurred_at, member_id=self.member_id,
                            at_age=self.at_age, to_agency=self.to_agency, due_on=self.due_on)



class HandoverCompletion(CommandBody):
    note: Text = ""

    def to_command(self, case_id: UUID, handover_id: str) -> CompleteHandover:
        return CompleteHandover(case_id=case_id, occurred_at=self.occurred_at, handover_id=handover_id,
                                note=self.note)


class TransitionPublic(BaseModel):
    """A member reaching a transition age soon, or past it without a completed handover (ids and days only)."""

    case_id: str
    access_record_id: str = Field(description="The recorded read this row comes from.")
    lead_agency: str
    member_id: str
    at_age: int
    due_on: date = Field(description="The day the member reaches the age.")
    overdue: bool = Field(description="Past the day (reached while the case was open) with no completed handover.")
    handover_id: str | None = Field(description="A handover planned at that age, not yet completed.")


class TransitionListPublic(BaseModel):
    as_of: date
    within_days: int
    ages: list[int] = Field(description="The ward's transition ages.")
    transitions: list[TransitionPublic]
