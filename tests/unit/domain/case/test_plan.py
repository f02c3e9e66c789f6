"""支援プラン of several kinds: 本人の意向, 支援決定, 中断 and 再開, 再プラン (pure domain, no store)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.case import Case
from domain.case.plan import _upcast_plan_adopted, next_review_after
from domain.errors import InvalidCommand, RuleViolation
from domain.vocabulary import EvaluationOutcome, MeetingKind, PlanKind
from tests.unit.domain.case.test_transitions import layered_meeting
from tests.unit.test_case_rules import COORDINATOR, ELDERLY, NOW, consent, new_case, support_meeting

REVIEW = NOW.date() + timedelta(days=90)


def with_consent() -> tuple[Case, str, str]:
    case, son = new_case()
    consent(case, son, ["elderly-shiba", "hikikomori", "coordination"])
    return case, son, layered_meeting(case)


def adopt(case: Case, meeting: str, kind: PlanKind = PlanKind.COMPREHENSIVE, wishes: str = "") -> str:
    return case.adopt_plan(COORDINATOR, NOW, meeting_id=meeting, goals=["外出"], roles=[], next_review_on=REVIEW,
                           kind=kind, wishes=wishes)


def test_plans_of_several_kinds_run_side_by_side_with_the_persons_wishes() -> None:
    case, _, meeting = with_consent()
    comprehensive = adopt(case, meeting, wishes="家から出られるようになりたい")
    participation = adopt(case, meeting, PlanKind.PARTICIPATION)
    assert {p["kind"] for p in case.plans_in_progress()} == {PlanKind.COMPREHENSIVE, PlanKind.PARTICIPATION}
    assert case.plans[comprehensive]["wishes"] == "家から出られるようになりたい"
    assert case.plan is case.plans[participation]  # a one-plan view shows the plan adopted last
    with pytest.raises(RuleViolation):  # one plan of a kind at a time: a revision instead
        adopt(case, meeting, PlanKind.PARTICIPATION)


def test_a_plan_stored_before_plans_had_kinds_is_the_cases_comprehensive_plan() -> None:
    state = {"plan_id": "p1", "meeting_id": "m1", "goals": ["外出"], "roles": [], "next_review_on": "2026-09-01"}
    _upcast_plan_adopted(state)
    assert (state["plan_kind"], state["wishes"], state["replan_of"]) == (PlanKind.COMPREHENSIVE, "", None)


def test_with_several_plans_in_progress_a_command_names_its_plan() -> None:
    case, _, meeting = with_consent()
    first = adopt(case, meeting)
    adopt(case, meeting, PlanKind.PARTICIPATION)
    with pytest.raises(InvalidCommand):
        case.review_plan(ELDERLY, NOW, findings="順調", next_review_on=REVIEW + timedelta(days=1))
    case.review_plan(ELDERLY, NOW, findings="順調", next_review_on=REVIEW + timedelta(days=1), plan_id=first)
    assert case.plans[first]["next_review_on"] == REVIEW + timedelta(days=1)


def test_only_an_outreach_plan_may_come_from_a_support_meeting() -> None:
    case, _ = new_case()
    meeting = support_meeting(case, ["hikikomori", "coordination"])
    with pytest.raises(RuleViolation):
        adopt(case, meeting)
    with pytest.raises(RuleViolation):
        adopt(case, meeting, PlanKind.PARTICIPATION)
    outreach = adopt(case, meeting, PlanKind.OUTREACH)
    assert case.plans[outreach]["kind"] == PlanKind.OUTREACH
    assert case.meetings[meeting]["kind"] == MeetingKind.SUPPORT


def test_a_suspended_plan_is_due_for_no_review_until_it_resumes() -> None:
    case, _, meeting = with_consent()
    plan = adopt(case, meeting)
    case.suspend_plan(COORDINATOR, NOW, reason="本人の入院")
    assert case.plans[plan]["suspended"] and case.plans[plan]["next_review_on"] is None
    with pytest.raises(RuleViolation):
        case.review_plan(ELDERLY, NOW, findings="x", next_review_on=REVIEW)
    with pytest.raises(RuleViolation):
        case.suspend_plan(COORDINATOR, NOW, reason="再度")
    case.resume_plan(COORDINATOR, NOW, next_review_on=REVIEW, note="退院した")
    assert not case.plans[plan]["suspended"] and case.plans[plan]["next_review_on"] == REVIEW
    assert next_review_after(case.collect_events()[-1], None) == REVIEW  # the read models' rule too


def test_the_municipality_decides_a_plan_once() -> None:
    case, _, meeting = with_consent()
    plan = adopt(case, meeting)
    assert case.plans[plan]["decided_at"] is None
    case.decide_plan(COORDINATOR, NOW, note="支援決定通知を送付")
    assert case.plans[plan]["decided_at"] == NOW
    with pytest.raises(RuleViolation):
        case.decide_plan(COORDINATOR, NOW)


def test_a_new_plan_after_an_evaluation_is_a_replan_and_the_first_of_its_kind_is_new() -> None:
    case, _, meeting = with_consent()
    first = adopt(case, meeting)
    outreach = adopt(case, meeting, PlanKind.OUTREACH)
    assert case.plans[first]["replan_of"] is None and case.plans[outreach]["replan_of"] is None
    case.evaluate_plan(COORDINATOR, NOW, meeting_id=meeting, evaluation="一部達成", goals_met=False,
                       outcome=EvaluationOutcome.REPLAN, plan_id=first)
    assert case.plans[first]["next_review_on"] is None
    second = adopt(case, meeting)
    assert case.plans[second]["replan_of"] == first
