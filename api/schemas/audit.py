"""Audit bodies and filters: which access records to list, and an auditor's review of a break-glass access."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field, field_validator

from api.schemas.base import Identifier, RequiredText
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
    since: datetime | None = Field(default=None, description="From this moment (with time zone)")
    until: datetime | None = Field(default=None, description="Before this moment (with time zone)")
    fiscal_year: int | None = Field(default=None, ge=2000, le=2100)
    limit: int = Field(default=100, ge=1, le=10_000)
    offset: int = Field(default=0, ge=0, le=2**62)

    @field_validator("since", "until")
    @classmethod
    def _a_moment_in_range(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("タイムゾーン付きで指定してください（例: 2026-04-01T00:00:00+09:00） / give a time zone")
        if not 2000 <= value.year <= 2100:
            raise ValueError("2000年から2100年の間で指定してください / must be between 2000 and 2100")
        return value


class EmergencyReview(BaseModel):
    model_config = {"extra": "forbid"}
    justified: bool = Field(description="Whether the break-glass access was justified.")
    finding: RequiredText = Field(examples=["安否確認のため必要かつ最小限の閲覧であった。"])

    def to_command(self, case_id: UUID, grant_id: str) -> ReviewEmergencyAccess:
        return ReviewEmergencyAccess(case_id=case_id, grant_id=grant_id, justified=self.justified,
                                     finding=self.finding)
