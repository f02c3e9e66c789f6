from __future__ import annotations

from datetime import date

from pydantic import Field

from api.schemas.base import CommandBody, Name, RequiredText, Text
from domain.vocabulary import ResourceKind, VisitOutcome


class OutreachCreate(CommandBody):
    member_id: Name | None = None
    approach: RequiredText = Field(examples=["母の介護サービス訪問時に同行し、長男に手紙を渡す"])
    planned_on: date


class VisitCreate(CommandBody):
    outreach_id: Name | None = None
    member_id: Name | None = None
    outcome: VisitOutcome
    notes: Text = ""


class SupportRefusalCreate(CommandBody):
    member_id: Name | None = None
    reason: RequiredText


class ParticipationCreate(CommandBody):
    member_id: Name
    resource_name: Name = Field(examples=["芝地区ふれあいサロン"])
    resource_kind: ResourceKind
    starts_on: date


class ParticipationFollowUpCreate(CommandBody):
    continuing: bool
    note: Text = ""
