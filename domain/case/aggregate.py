"""The household case: one consistency boundary for its record, consents and meetings.

The case is assembled from parts (one module per area of the vocabulary); every
event is nested in the part that owns it and recorded under ``Case.<EventName>``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.case.base import CaseEvent, EntryRef
from domain.case.consent import ConsentPart
from domain.case.emergency import EmergencyPart
from domain.case.intake import IntakePart
from domain.case.meetings import MeetingsPart
from domain.case.outreach import OutreachPart
from domain.case.plan import PlanPart
from domain.case.referral import ReferralPart
from domain.case.transitions import TransitionsPart
from domain.vocabulary import CaseStatus, InformationCategory


class Case(IntakePart, ConsentPart, MeetingsPart, ReferralPart, PlanPart, OutreachPart, TransitionsPart,
           EmergencyPart, Aggregate):
    class Opened(CaseEvent, Aggregate.Created):
        household_name: str
        household_name_kana: str
        district: str | None
        summary: str

        CATEGORY = InformationCategory.BASIC
        LABEL_JA, LABEL_EN = "ケースの開始", "Case opened"

    def __init__(self, *, by_staff: str, by_agency: str, occurred_at: datetime, household_name: str,
                 household_name_kana: str, district: str | None, summary: str) -> None:
        self.entries: list[EntryRef] = []  # appended by CaseEvent.mutate after this returns
        self.opened_by_agency = by_agency
        self.opened_at = occurred_at
        self.household_name = household_name
        self.household_name_kana = household_name_kana
        self.district = district
        self.summary = summary
        self.status = CaseStatus.OPEN
        self.closed_at: datetime | None = None
        self.lead_agency = by_agency
        self.ended_involvement: dict[str, int] = {}
        self.members: dict[str, dict[str, Any]] = {}
        self.issues: dict[str, dict[str, Any]] = {}
        self.consultation_count = 0
        self.consents: dict[str, dict[str, Any]] = {}
        self.meetings: dict[str, dict[str, Any]] = {}
        self.referrals: dict[str, dict[str, Any]] = {}
        self.plan: dict[str, Any] | None = None
        self.outreach: dict[str, dict[str, Any]] = {}
        self.participation: dict[str, dict[str, Any]] = {}
        self.handovers: dict[str, dict[str, Any]] = {}
        self.emergency_grants: dict[str, dict[str, Any]] = {}

    @classmethod
    def open(cls, actor: Actor, at: datetime, *, household_name: str, household_name_kana: str,
             district: str | None, summary: str, case_id: UUID | None = None) -> Case:
        """Any agency may open a case (断らない相談支援); the opening agency leads it."""
        return cls._create(cls.Opened, id=case_id or uuid4(), by_staff=actor.staff_id,
                           by_agency=actor.agency_id, occurred_at=at, household_name=household_name,
                           household_name_kana=household_name_kana, district=district, summary=summary)
