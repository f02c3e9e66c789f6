"""Meetings over HTTP: a one-part meeting, a sitting of a body with its parts, decisions, and the counts."""

from __future__ import annotations

from datetime import time
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.schemas.base import CommandBody, Identifier, Name, RecordDate, RequiredText, Subjects, Text
from domain.commands import (
    Command,
    ExternalMember,
    HoldSitting,
    MeetingDecision,
    MeetingPart,
    RecordDecision,
    hold_meeting,
)
from domain.commands import Participant as MeetingParticipant
from domain.vocabulary import DecisionKind, ExternalRole, InformationCategory, MeetingKind


class Participant(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agency: Name
    staff: Name
    pledged: bool = Field(default=False, description="Pledged confidentiality (required without consent).")

    def value(self) -> MeetingParticipant:
        return MeetingParticipant(agency=self.agency, staff=self.staff, pledged=self.pledged)


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
    """Someone who is not registered staff (民生委員, 医療機関, ケアマネ事業所, 地域住民, スーパーバイザー …).
    Recorded with their pledge of confidentiality (required); never a reader of the system."""

    model_config = ConfigDict(extra="forbid")
    name: Name
    organisation: Name = Field(examples=["芝地区民生委員"])
    role: ExternalRole = Field(default=ExternalRole.OTHER, description="What they sit as.")
    pledged: bool = Field(default=False, description="Pledged confidentiality (守秘義務の誓約; required).")

    def value(self) -> ExternalMember:
        return ExternalMember(name=self.name, organisation=self.organisation, pledged=self.pledged, role=self.role)


class _SittingFields(CommandBody):
    held_on: RecordDate
    body_id: Identifier | None = Field(default=None, description=(
        "The meeting body (会議体) that sat; none: an ad-hoc meeting for this case alone. The records of every "
        "case discussed at one sitting of a body (same body, day and start time) name the same sitting."))
    start_time: time | None = Field(default=None, description="When the sitting started (JST), e.g. 14:00.")
    place: Text = Field(default="", max_length=200)
    next_on: RecordDate | None = Field(default=None, description=(
        "次回開催予定日; also the default end of sharing without consent."))


class _PartFields(BaseModel):
    purpose: RequiredText
    participants: list[Participant] = Field(min_length=1, max_length=50)
    decisions: list[DecisionIn] = Field(default_factory=list, max_length=50)
    tabled_subjects: Subjects = Field(default_factory=list, max_length=30, description=(
        "Without consent: the members whose information it discusses; only theirs is shared."))
    tabled_categories: list[InformationCategory] = Field(default_factory=list, max_length=10, description=(
        "Without consent: the information categories it discusses."))
    until: RecordDate | None = Field(default=None, description=(
        "Without consent: until when its sharing lasts (default: next_on)."))
    external_members: list[ExternalMemberIn] = Field(default_factory=list, max_length=30)
    minutes: Text = Field(default="", description="議事録 for this case (stored encrypted, shown only on a basis).")

    def part_values(self) -> dict[str, Any]:
        return {"purpose": self.purpose, "participants": tuple(p.value() for p in self.participants),
                "decisions": tuple(d.value() for d in self.decisions), "tabled_subjects": tuple(self.tabled_subjects),
                "tabled_categories": tuple(self.tabled_categories), "until": self.until, "minutes": self.minutes,
                "external_members": tuple(m.value() for m in self.external_members)}


class MeetingCreate(_PartFields, _SittingFields):
    """One meeting of one kind on this case (a sitting with one part)."""

    kind: MeetingKind

    def participant_values(self) -> tuple[MeetingParticipant, ...]:
        return tuple(p.value() for p in self.participants)

    def to_command(self, case_id: UUID) -> Command:
        return hold_meeting(self.kind, case_id=case_id, occurred_at=self.occurred_at, held_on=self.held_on,
                            body_id=self.body_id, start_time=self.start_time, place=self.place, next_on=self.next_on,
                            **self.part_values())


class PartIn(_PartFields):
    model_config = ConfigDict(extra="forbid")
    kind: MeetingKind


class SittingCreate(_SittingFields):
    """This case's record of a sitting: one part per kind of meeting held for it (an Ota 重層的支援会議 holds a
    consented チームづくり part and a 106-6 アウトリーチ支援等調整 part)."""

    parts: list[PartIn] = Field(min_length=1, max_length=6)

    @model_validator(mode="after")
    def _one_part_per_kind(self) -> SittingCreate:
        kinds = [p.kind for p in self.parts]
        if len(set(kinds)) != len(kinds):
            raise ValueError("会議の種類ごとに一つの記録にしてください。 / One part per kind of meeting.")
        return self

    def to_command(self, case_id: UUID) -> HoldSitting:
        return HoldSitting(case_id=case_id, occurred_at=self.occurred_at, held_on=self.held_on, body_id=self.body_id,
                           start_time=self.start_time, place=self.place, next_on=self.next_on,
                           parts=tuple(MeetingPart(kind=p.kind, **p.part_values()) for p in self.parts))


class DecisionCreate(CommandBody):
    decision: DecisionIn

    def to_command(self, case_id: UUID, meeting_id: str) -> RecordDecision:
        return RecordDecision(case_id=case_id, occurred_at=self.occurred_at, meeting_id=meeting_id,
                              decision=self.decision.value())


class KindCount(BaseModel):
    kind: str
    label_ja: str
    sittings: int = Field(description="Sittings that held a part of this kind (開催回数).")
    case_discussions: int = Field(description="Cases discussed at them (検討件数).")


class BodyCount(BaseModel):
    body_id: str | None = Field(description="None: ad-hoc meetings (no body).")
    sittings: int
    case_discussions: int


class SittingCountsPublic(BaseModel):
    """A fiscal year's meetings by the day held: each sitting counted once, each case discussed at it once."""

    fiscal_year: int
    period: tuple[str, str]
    sittings: int
    case_discussions: int
    by_kind: list[KindCount]
    by_body: list[BodyCount]
