from __future__ import annotations

from pydantic import Field

from api.schemas.base import CommandBody, Name, RequiredText, Text
from domain.vocabulary import InformationCategory


class ReferralCreate(CommandBody):
    to_agency: Name = Field(examples=["hikikomori"])
    categories: list[InformationCategory] = Field(min_length=1, max_length=10,
                                                  description="What information the referral shares.")
    reason: RequiredText = Field(examples=["長男のひきこもり支援のため"])


class ReferralAcceptance(CommandBody):
    note: Text = ""


class ReferralDecline(CommandBody):
    reason: RequiredText
    alternative_agency: Name | None = Field(default=None, description="Where to instead, or set escalate.")
    escalate: bool = Field(default=False, description="Hand the case to 多機関協働 instead.")


class ReferralCompletion(CommandBody):
    outcome: RequiredText


class ReferralRevocation(CommandBody):
    reason: RequiredText


class EscalationCreate(CommandBody):
    reason: RequiredText
