from __future__ import annotations

from datetime import date

from pydantic import Field

from api.schemas.base import CommandBody, Name, RequiredText
from domain.vocabulary import ConsentMethod, InformationCategory


class ConsentCreate(CommandBody):
    given_by_member: Name = Field(description="The member who consents (本人 or their guardian).")
    agencies: list[Name] = Field(min_length=1, max_length=50, examples=[["hikikomori", "coordination"]])
    categories: list[InformationCategory] = Field(min_length=1, max_length=10)
    purpose: RequiredText = Field(examples=["重層的支援会議で支援プランを検討するため"])
    method: ConsentMethod
    valid_until: date = Field(examples=["2027-03-31"])


class ConsentWithdrawal(CommandBody):
    reason: RequiredText
