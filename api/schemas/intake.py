from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from api.schemas.base import CommandBody, Name, RequiredText, Text
from domain.vocabulary import Field as WelfareField
from domain.vocabulary import InformationCategory, IssueTag


class MemberCreate(CommandBody):
    name: Name = Field(examples=["佐藤 一郎"])
    name_kana: Name = Field(examples=["さとう いちろう"])
    birth_date: date = Field(examples=["1974-05-10"])
    relationship: Name = Field(examples=["長男"])
    is_principal: bool = Field(default=False, description="本人 (the person the case is about).")


class MemberCorrection(CommandBody):
    name: Name | None = None
    name_kana: Name | None = None
    birth_date: date | None = None
    relationship: Name | None = None
    reason: RequiredText

    def corrections(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, exclude={"reason", "occurred_at"})


class ConsultationCreate(CommandBody):
    field: WelfareField = Field(description="The field of the consultation (分野).")
    category: InformationCategory = Field(default=InformationCategory.CONSULTATION,
                                          description="What kind of information the record holds.")
    channel: Name = Field(default="来所", examples=["来所", "電話", "訪問"])
    summary: RequiredText = Field(examples=["母の介護について相談。長男は仕事をしておらず、外出もほとんどしない。"])


class IssueCreate(CommandBody):
    tag: IssueTag
    note: Text = ""


class IssueResolution(CommandBody):
    note: Text = ""


