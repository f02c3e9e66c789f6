from __future__ import annotations

from typing import Literal
from uuid import UUID

from api.schemas.base import CommandBody, Name, RecordDate, Text
from domain.commands import CompleteHandover, PlanHandover


class HandoverCreate(CommandBody):
    member_id: Name
    at_age: Literal[18, 40, 65]
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
