from __future__ import annotations

from uuid import UUID

from pydantic import Field

from api.schemas.base import CommandBody, Identifier, Name, RecordDate, RequiredText, Text
from domain.commands import GrantConsent, NarrowConsent, WithdrawConsent
from domain.vocabulary import ConsentGiver, ConsentMethod, InformationCategory


class ConsentCreate(CommandBody):
    member_id: Name = Field(description="The member whose information the consent covers (and no one else's).")
    given_by: ConsentGiver = Field(default=ConsentGiver.SELF, description=(
        "Who consented: the member, a 親権者 (a child below the ward's age), or a 成年後見人・保佐人・補助人."))
    representative: Text = Field(default="", max_length=200, description="Who consented on the member's behalf, "
                                 "with their capacity (required unless the member consented).")
    member_view: Text = Field(default="", description="The member's own view (required when a guardian consents).")
    agencies: list[Name] = Field(min_length=1, max_length=50, examples=[["hikikomori", "coordination"]])
    categories: list[InformationCategory] = Field(min_length=1, max_length=10)
    purpose: RequiredText = Field(examples=["重層的支援会議で支援プランを検討するため"])
    method: ConsentMethod
    document_ref: Text = Field(default="", max_length=200, description="書面: the consent form's reference.",
                               examples=["同意書 R8-0123（相談記録ファイル保管）"])
    heard_by: Identifier | None = Field(default=None, description="口頭: the staff member who heard it.")
    valid_until: RecordDate = Field(examples=["2027-03-31"])

    def to_command(self, case_id: UUID) -> GrantConsent:
        return GrantConsent(case_id=case_id, occurred_at=self.occurred_at, member_id=self.member_id,
                            given_by=self.given_by, representative=self.representative, member_view=self.member_view,
                            agencies=tuple(self.agencies), categories=tuple(self.categories), purpose=self.purpose,
                            method=self.method, document_ref=self.document_ref, heard_by=self.heard_by or "",
                            valid_until=self.valid_until)


class ConsentWithdrawal(CommandBody):
    reason: RequiredText

    def to_command(self, case_id: UUID, consent_id: str) -> WithdrawConsent:
        return WithdrawConsent(case_id=case_id, occurred_at=self.occurred_at, consent_id=consent_id,
                               reason=self.reason)


class ConsentNarrowing(CommandBody):
    """A partial withdrawal: the agencies and/or categories that leave the consent's scope."""

    agencies: list[Name] = Field(default_factory=list, max_length=50)
    categories: list[InformationCategory] = Field(default_factory=list, max_length=10)
    reason: RequiredText

    def to_command(self, case_id: UUID, consent_id: str) -> NarrowConsent:
        return NarrowConsent(case_id=case_id, occurred_at=self.occurred_at, consent_id=consent_id,
                             agencies=tuple(self.agencies), categories=tuple(self.categories), reason=self.reason)
