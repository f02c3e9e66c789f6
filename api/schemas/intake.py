from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import Field

from api.schemas.base import BirthDate, CommandBody, Name, RequiredText, Subjects, Text
from domain.commands import AddMember, CorrectMemberDetails, IdentifyIssue, RecordConsultation, ResolveIssue
from domain.vocabulary import Field as WelfareField
from domain.vocabulary import InformationCategory, IssueTag


class MemberCreate(CommandBody):
    name: Name = Field(examples=["佐藤 一郎"])
    name_kana: Name = Field(examples=["さとう いちろう"])
    birth_date: BirthDate = Field(examples=["1974-05-10"])
    relationship: Name = Field(examples=["長男"])
    is_principal: bool = Field(default=False, description="本人 (the person the case is about).")

    def to_command(self, case_id: UUID) -> AddMember:
        return AddMember(case_id=case_id, occurred_at=self.occurred_at, name=self.name, name_kana=self.name_kana,
                         birth_date=self.birth_date, relationship=self.relationship, is_principal=self.is_principal)



class MemberCorrection(CommandBody):
    name: Name | None = None
    name_kana: Name | None = None
    birth_date: BirthDate | None = None
    relationship: Name | None = None
    reason: RequiredText

    def corrections(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, exclude={"reason", "occurred_at"})

    def to_command(self, case_id: UUID, member_id: str) -> CorrectMemberDetails:
        return CorrectMemberDetails(case_id=case_id, occurred_at=self.occurred_at, member_id=member_id,
                                    corrections=self.corrections(), reason=self.reason)



class ConsultationCreate(CommandBody):
    field: WelfareField = Field(description="The field of the consultation (分野).")
    category: InformationCategory = Field(default=InformationCategory.CONSULTATION,
                                          description="What kind of information the record holds.")
    channel: Name = Field(default="来所", examples=["来所", "電話", "訪問"])
    summary: RequiredText = Field(examples=["母の介護について相談。長男は仕事をしておらず、外出もほとんどしない。"])
    subjects: Subjects

    def to_command(self, case_id: UUID) -> RecordConsultation:
        return RecordConsultation(case_id=case_id, occurred_at=self.occurred_at, field=self.field,
                                  category=self.category, channel=self.channel, summary=self.summary,
                                  subjects=tuple(self.subjects))



class IssueCreate(CommandBody):
    tag: IssueTag
    note: Text = ""
    subjects: Subjects

    def to_command(self, case_id: UUID) -> IdentifyIssue:
        return IdentifyIssue(case_id=case_id, occurred_at=self.occurred_at, tag=self.tag, note=self.note,
                             subjects=tuple(self.subjects))



class IssueResolution(CommandBody):
    note: Text = ""

    def to_command(self, case_id: UUID, tag: IssueTag) -> ResolveIssue:
        return ResolveIssue(case_id=case_id, occurred_at=self.occurred_at, tag=tag, note=self.note)
