from __future__ import annotations

from uuid import UUID

from pydantic import Field

from api.schemas.base import CommandBody, Name, RequiredText, Subjects, Text
from domain.commands import (
    AcceptReferral,
    CompleteReferral,
    DeclineReferral,
    EscalateToMultiAgency,
    RequestReferral,
    RevokeReferral,
)
from domain.vocabulary import InformationCategory


class ReferralCreate(CommandBody):
    to_agency: Name = Field(examples=["hikikomori"])
    categories: list[InformationCategory] = Field(min_length=1, max_length=10,
                                                  description="What information the referral shares.")
    reason: RequiredText = Field(examples=["長男のひきこもり支援のため"])
    subjects: Subjects

    def to_command(self, case_id: UUID) -> RequestReferral:
        return RequestReferral(case_id=case_id, occurred_at=self.occurred_at, to_agency=self.to_agency,
                               categories=tuple(self.categories), reason=self.reason, subjects=tuple(self.subjects))



class ReferralAcceptance(CommandBody):
    note: Text = ""

    def to_command(self, case_id: UUID, referral_id: str) -> AcceptReferral:
        return AcceptReferral(case_id=case_id, occurred_at=self.occurred_at, referral_id=referral_id, note=self.note)



class ReferralDecline(CommandBody):
    reason: RequiredText
    alternative_agency: Name | None = Field(default=None, description="Where to instead, or set escalate.")
    escalate: bool = Field(default=False, description="Hand the case to 多機関協働 instead.")

    def to_command(self, case_id: UUID, referral_id: str) -> DeclineReferral:
        return DeclineReferral(case_id=case_id, occurred_at=self.occurred_at, referral_id=referral_id,
                               reason=self.reason, alternative_agency=self.alternative_agency, escalate=self.escalate)



class ReferralCompletion(CommandBody):
    outcome: RequiredText

    def to_command(self, case_id: UUID, referral_id: str) -> CompleteReferral:
        return CompleteReferral(case_id=case_id, occurred_at=self.occurred_at, referral_id=referral_id,
                                outcome=self.outcome)



class ReferralRevocation(CommandBody):
    reason: RequiredText

    def to_command(self, case_id: UUID, referral_id: str) -> RevokeReferral:
        return RevokeReferral(case_id=case_id, occurred_at=self.occurred_at, referral_id=referral_id,
                              reason=self.reason)



class EscalationCreate(CommandBody):
    reason: RequiredText

    def to_command(self, case_id: UUID) -> EscalateToMultiAgency:
        return EscalateToMultiAgency(case_id=case_id, occurred_at=self.occurred_at, reason=self.reason)
