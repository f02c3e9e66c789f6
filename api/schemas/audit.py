"""Audit bodies and filters: which access records to list, and an auditor's review of a break-glass access."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.base import FiscalYear, Identifier, Moment, RequiredText
from domain.commands import ReviewEmergencyAccess
from domain.vocabulary import Basis


class AccessFilters(BaseModel):
    case_id: Identifier | None = None
    member_id: Identifier | None = Field(default=None, description="A person (household member): their case's "
                                                                  "accesses.")
    reader_staff: Identifier | None = None
    reader_agency: Identifier | None = None
    basis: Basis | None = None
    granted: bool | None = None
    since: Moment | None = Field(default=None, description="From this moment (with time zone)")
    until: Moment | None = Field(default=None, description="Before this moment (with time zone)")
    fiscal_year: FiscalYear | None = None
    limit: int = Field(default=100, ge=1, le=10_000)
    offset: int = Field(default=0, ge=0, le=2**62)


class EmergencyReview(BaseModel):
    model_config = {"extra": "forbid"}
    justified: bool = Field(description="Whether the break-glass access was justified.")
    finding: RequiredText = Field(examples=["安否確認のため必要かつ最小限の閲覧であった。"])

    def to_command(self, case_id: UUID, grant_id: str) -> ReviewEmergencyAccess:
        return ReviewEmergencyAccess(case_id=case_id, grant_id=grant_id, justified=self.justified,
                                     finding=self.finding)
