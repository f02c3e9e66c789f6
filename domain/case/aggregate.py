"""The household case: one consistency boundary for its record, consents and meetings.

The case is assembled from parts (one module per area of the vocabulary); every
event is nested in the part that owns it and recorded under ``Case.<EventName>``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.case.assignment import AssignmentPart
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
           EmergencyPart, AssignmentPart, Aggregate):
    class Opened(CaseEvent, Aggregate.Created):
        household_name: str
        household_name_kana: str
        district: str | None
        summary: str

        CATEGORY = InformationCategory.BASIC
        LABEL_JA, LABEL_EN = "ケースの開始", "Case opened"

    household_name: str | None
    household_name_kana: str | None
    district: str | None
    summary: str | None

    def __init__(self, *, by_staff: str, by_agency: str, occurred_at: datetime, household_name: str,
                 household_name_kana: str, district: str | None, summary: str) -> None:
        self._start_state(by_agency, occurred_at)
        self.household_name = household_name
        self.household_name_kana = household_name_kana
        self.district = district
        self.summary = summary

    def _start_state(self, by_agency: str, occurred_at: datetime) -> None:
        self.entries: list[EntryRef] = []  # appended by CaseEvent.mutate after this returns
        self.opened_by_agency = by_agency
        self.opened_at = occurred_at
        self.household_name = None
        self.household_name_kana = None
        self.district = None
        self.summary = None
        self.status = CaseStatus.OPEN
        self.closed_at: datetime | None = None
        self.lead_agency = by_agency
        self.ended_involvement: dict[str, int] = {}
        self.members: dict[str, dict[str, Any]] = {}
        self.issues: dict[str, dict[str, Any]] = {}
        self.consultation_count = 0
        self.voided: dict[int, dict[str, Any]] = {}
        self.consents: dict[str, dict[str, Any]] = {}
        self.meetings: dict[str, dict[str, Any]] = {}
        self.referrals: dict[str, dict[str, Any]] = {}
        self.plan: dict[str, Any] | None = None
        self.plans: dict[str, dict[str, Any]] = {}
        self.outreach: dict[str, dict[str, Any]] = {}
        self.participation: dict[str, dict[str, Any]] = {}
        self.handovers: dict[str, dict[str, Any]] = {}
        self.emergency_grants: dict[str, dict[str, Any]] = {}
        self.staff_in_charge: dict[str, Any] | None = None

    @classmethod
    def from_granted(cls, case: Case, events: Iterable[CaseEvent], granted: set[int]) -> Case:
        """The case as one reader may know it: built from the entries granted to that reader alone.

        Only granted events are applied, in order; an event that continues something the reader may
        not see (a correction of a withheld member, a decision of a withheld meeting) finds nothing to
        change and changes nothing. So no field of the result can come from a withheld entry. Who leads
        the case, its status and when it opened are the case's, not a person's, and are kept; so is what a
        closure does to the reviews of the plans the reader does see.
        """
        state = cls.__new__(cls)
        state._start_state(case.opened_by_agency, case.opened_at)
        state.status, state.closed_at, state.lead_agency = case.status, case.closed_at, case.lead_agency
        for event in events:
            if event.originator_version not in granted:
                if isinstance(event, cls.CaseClosed):  # the closure is the case's: no plan is due for review
                    state.clear_reviews(event)
                continue
            if isinstance(event, cls.Opened):
                state.household_name, state.household_name_kana = event.household_name, event.household_name_kana
                state.district, state.summary = event.district, event.summary
                continue
            try:
                event.apply(state)
            except (KeyError, AssertionError, TypeError):
                continue  # it continues an entry the reader may not see
            state.status, state.closed_at, state.lead_agency = case.status, case.closed_at, case.lead_agency
        state.staff_in_charge = case.staff_in_charge  # the case's, like its lead agency
        return state

    @classmethod
    def open(cls, actor: Actor, at: datetime, *, household_name: str, household_name_kana: str,
             district: str | None, summary: str, case_id: UUID | None = None) -> Case:
        """Any agency may open a case (断らない相談支援); the opening agency leads it."""
        return cls._create(cls.Opened, id=case_id or uuid4(), by_staff=actor.staff_id,
                           by_agency=actor.agency_id, occurred_at=at, household_name=household_name,
                           household_name_kana=household_name_kana, district=district, summary=summary)
