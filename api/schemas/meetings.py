from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.base import CommandBody, Name, RequiredText
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

    def as_record(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "text": self.text, "target_agency": self.target_agency}


class MeetingCreate(CommandBody):
    kind: MeetingKind
    held_on: date
    purpose: RequiredText
    participants: list[Participant] = Field(min_length=1, max_length=50)
    decisions: list[DecisionIn] = Field(default_factory=list, max_length=50)

    def participant_records(self) -> list[dict[str, Any]]:
        return [p.model_dump() for p in self.participants]


class DecisionCreate(CommandBody):
    decision: DecisionIn
