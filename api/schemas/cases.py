from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.base import CommandBody, Identifier, Name, RequiredText, Text
from domain.commands import (
    AssignStaffInCharge,
    CloseCase,
    CorrectEntry,
    EndInvolvement,
    OpenCase,
    ReopenCase,
    RequestEmergencyAccess,
    VoidEntry,
)
from domain.vocabulary import Basis, ClosureReason, InformationCategory


class CaseCreate(CommandBody):
    household_name: Name = Field(examples=["佐藤家"])
    household_name_kana: Name = Field(examples=["さとうけ"])
    district: str | None = Field(default=None, max_length=50, examples=["shiba"])
    summary: Text = Field(default="", examples=["80代の母と50代の長男。長男は20年ほど自宅にひきこもっている。"])

    def to_command(self) -> OpenCase:
        return OpenCase(occurred_at=self.occurred_at, household_name=self.household_name,
                        household_name_kana=self.household_name_kana, district=self.district, summary=self.summary)



class CaseClosure(CommandBody):
    evaluation: RequiredText = Field(examples=["本人が地域のサロンに定着し、母の介護サービスも安定した。"])
    outcome: Name = Field(examples=["支援目標達成"])
    reason: ClosureReason | None = Field(default=None, description=(
        "Why the case closes without its support plan's closing evaluation (終結評価): moved_out, died, refused, "
        "no_need, transferred, other. Omit it when the plan's closing evaluation is recorded (else 409)."))
    reason_note: Text = Field(default="", description="The reason in words (required with `other`).")

    def to_command(self, case_id: UUID) -> CloseCase:
        return CloseCase(case_id=case_id, occurred_at=self.occurred_at, evaluation=self.evaluation,
                         outcome=self.outcome, reason=self.reason, reason_note=self.reason_note)


class StaffInChargeAssignment(CommandBody):
    """担当者の決定 (``AssignStaffInCharge``): one staff member of an agency with a basis on the case."""

    staff: Identifier
    note: Text = ""

    def to_command(self, case_id: UUID) -> AssignStaffInCharge:
        return AssignStaffInCharge(case_id=case_id, occurred_at=self.occurred_at, staff=self.staff, note=self.note)


class CaseReopening(CommandBody):
    reason: RequiredText

    def to_command(self, case_id: UUID) -> ReopenCase:
        return ReopenCase(case_id=case_id, occurred_at=self.occurred_at, reason=self.reason)



class InvolvementEnding(CommandBody):
    reason: RequiredText = Field(examples=["総合窓口としての支援を終え、高齢者相談センターに引き継いだ"])

    def to_command(self, case_id: UUID) -> EndInvolvement:
        return EndInvolvement(case_id=case_id, occurred_at=self.occurred_at, reason=self.reason)



class EntryCorrection(CommandBody):
    seq: int = Field(ge=1, le=10_000_000, description="The entry to correct.")
    correction: RequiredText

    def to_command(self, case_id: UUID) -> CorrectEntry:
        return CorrectEntry(case_id=case_id, occurred_at=self.occurred_at, seq=self.seq, correction=self.correction)


class EntryVoid(CommandBody):
    seq: int = Field(ge=1, le=10_000_000, description="The entry to void (one that indicators count).")
    reason: RequiredText = Field(examples=["別の世帯のケースに誤って記録したため"])

    def to_command(self, case_id: UUID) -> VoidEntry:
        return VoidEntry(case_id=case_id, occurred_at=self.occurred_at, seq=self.seq, reason=self.reason)



class EmergencyAccessCreate(BaseModel):
    model_config = {"extra": "forbid"}
    reason: RequiredText = Field(
        description="Why life or body must be protected (at least 10 characters). Reviewed by an auditor.",
        examples=["本人と連絡が取れず、室内で倒れている可能性があるため、安否確認に必要な情報を確認する。"])

    def to_command(self, case_id: UUID) -> RequestEmergencyAccess:
        return RequestEmergencyAccess(case_id=case_id, reason=self.reason)



class VisibleEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    seq: int
    withheld: Literal[False] = False
    kind: str
    label_ja: str
    label_en: str
    occurred_at: datetime
    recorded_at: datetime
    agency: str
    staff: str
    category: InformationCategory
    basis: Basis = Field(description="The legal basis under which this entry is shown to you.")
    content: dict[str, Any]


class WithheldEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    seq: int
    withheld: Literal[True] = True
    kind: str
    label_ja: str
    label_en: str
    occurred_at: datetime
    agency: str
    category: InformationCategory
    reason_ja: str
    reason_en: str


class TimelinePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    case_id: str
    version: int
    access_record_id: str = Field(description="The record of this read, kept for audit.")
    entries: list[Annotated[VisibleEntryPublic | WithheldEntryPublic, Field(discriminator="withheld")]]


class CasePublic(BaseModel):
    case_id: str
    version: int
    access_record_id: str
    status: str
    lead_agency: str
    opened_at: datetime
    household: dict[str, Any] | None
    members: list[dict[str, Any]]
    issues: list[dict[str, Any]]
    consents: list[dict[str, Any]]
    referrals: list[dict[str, Any]]
    meetings: list[dict[str, Any]]
    plan: dict[str, Any] | None
    withheld_entries: int
    bases: list[Basis]


class CaseSummaryPublic(BaseModel):
    """A case in a list: only what the reader's granted entries say (the read is recorded)."""

    case_id: str
    version: int
    access_record_id: str
    status: str
    lead_agency: str
    opened_at: datetime
    closed_at: datetime | None
    last_event_at: datetime
    household_name: str | None
    household_name_kana: str | None
    district: str | None
    member_count: int
    consultation_count: int
    issue_tags: list[str]
    plan_status: str | None
    next_review_on: date | None
    active_consents: int
    withheld_entries: int


class CaseListPublic(BaseModel):
    cases: list[CaseSummaryPublic]
