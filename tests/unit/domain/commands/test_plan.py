"""Who may decide, suspend and resume a plan, through ``Tsunagu.execute`` (in memory): each refusal recorded."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from domain.commands import (
    AdoptPlan,
    DecidePlan,
    HoldMultiLayeredMeeting,
    HoldSupportMeeting,
    Participant,
    PlanRole,
    ResumePlan,
    SuspendPlan,
)
from domain.errors import NotPermitted
from domain.vocabulary import InformationCategory, PlanKind
from tests.unit.domain.commands.ward import COORDINATOR, ELDERLY, Ward

HIKIKOMORI = "takahashi-aoi"


def plan_on_consent(ward: Ward) -> tuple[UUID, str]:
    case, child = ward.household()
    ward.consent(case, child, ("elderly-shiba", "coordination", "hikikomori"))
    meeting = ward.do(COORDINATOR, HoldMultiLayeredMeeting(
        case_id=case, held_on=date(2026, 6, 1), purpose="計画",
        participants=(Participant("coordination", COORDINATOR), Participant("elderly-shiba", ELDERLY))))
    plan = ward.do(COORDINATOR, AdoptPlan(case_id=case, meeting_id=str(meeting), goals=("登校",), roles=(),
                                          next_review_on=date(2026, 9, 1), wishes="学校に戻りたい"))
    assert plan is not None
    return case, plan


def test_only_a_coordinator_of_the_wards_office_records_the_support_decision(ward: Ward) -> None:
    case, plan = plan_on_consent(ward)
    ward.refused(ELDERLY, DecidePlan(case_id=case, plan_id=plan), NotPermitted, "municipal_office")
    ward.do(COORDINATOR, DecidePlan(case_id=case, plan_id=plan, note="支援決定"))
    assert ward.app.repository.get(case).plans[plan]["decided_at"] is not None


def test_a_caseworker_neither_suspends_nor_resumes_a_plan(ward: Ward) -> None:
    case, plan = plan_on_consent(ward)
    ward.refused(ELDERLY, SuspendPlan(case_id=case, reason="入院"), NotPermitted, "coordinator")
    ward.do(COORDINATOR, SuspendPlan(case_id=case, reason="入院"))
    ward.refused(ELDERLY, ResumePlan(case_id=case, next_review_on=date(2026, 10, 1)), NotPermitted, "coordinator")
    ward.do(COORDINATOR, ResumePlan(case_id=case, next_review_on=date(2026, 10, 1)))


def test_an_outreach_plan_decided_at_a_support_meeting_gives_roles_to_its_members(ward: Ward, clock) -> None:
    case, child = ward.household()  # no consent at all
    meeting = ward.do(COORDINATOR, HoldSupportMeeting(
        case_id=case, held_on=date(2026, 6, 1), purpose="アウトリーチの検討",
        participants=(Participant("coordination", COORDINATOR, True), Participant("hikikomori", HIKIKOMORI, True),
                      Participant("elderly-shiba", ELDERLY, True)),
        tabled_subjects=(child,), tabled_categories=(InformationCategory.BASIC,),
        until=clock.now.date() + timedelta(days=60)))
    assert meeting is not None
    outreach = AdoptPlan(case_id=case, meeting_id=meeting, goals=("本人と会う",), kind=PlanKind.OUTREACH,
                         roles=(PlanRole("hikikomori", "手紙と訪問"),), next_review_on=date(2026, 7, 1))
    with pytest.raises(Exception, match="outreach"):
        ward.do(COORDINATOR, AdoptPlan(case_id=case, meeting_id=meeting, goals=("x",), roles=(),
                                       next_review_on=date(2026, 7, 1)))
    plan = ward.do(COORDINATOR, outreach)
    assert ward.app.repository.get(case).plans[str(plan)]["kind"] == PlanKind.OUTREACH
