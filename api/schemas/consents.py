from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from api.schemas.base import CommandBody, Name, RequiredText
from domain.commands import GrantConsent, WithdrawConsent
from domain.vocabulary import ConsentMethod, InformationCategory


class ConsentCreate(CommandBody):
    given_by_member: Name = Field(description="The member who consents (本人 or their guardian).")
    agencies: list[Name] = Field(min_length=1, max_length=50, examples=[["hikikomori", "coordination"]])
    categories: list[InformationCategory] = Field(min_length=1, max_length=10)
    purpose: RequiredText = Field(examples=["重層的支援会議で支援プランを検討するため"])
    method: ConsentMethod
    valid_until: date = Field(examples=["2027-03-31"])

    def to_command(self, case_id: UUID) -> GrantConsent:
        return GrantConsent(case_id=case_id, occurred_at=self.occurred_at, given_by_member=self.given_by_member,
                            agencies=tuple(self.agencies), categories=tuple(self.categories), purpose=self.purpose,
                            method=self.method, valid_until=self.valid_until)



class ConsentWithdrawal(CommandBody):
    reason: RequiredText

    def to_command(self, case_id: UUID, consent_id: str) -> WithdrawConsent:
        return WithdrawConsent(case_id=case_id, occurred_at=self.occurred_at, consent_id=consent_id,
                               reason=self.reason)
