"""関与終了, closure, and 制度切替 as the case's own rules (pure domain, no store)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.access import decide_case, write_basis
from domain.actor import Actor
from domain.case import Case
from domain.case.plan import next_review_after
from domain.case.transitions import reaches_age_on, sees_transitions
from domain.errors import InvalidCommand, RuleViolation
from domain.vocabulary import (
    CaseStatus,
    ClosureReason,
    EvaluationOutcome,
    InformationCategory,
    MeetingKind,
    Role,
    WriteBasis,
)
from tests.unit.test_case_rules import (
    AUDITOR,
    COORDINATOR,
    ELDERLY,
    HIKIKOMORI,
    NOW,
    consent,
    new_case,
    support_meeting,
)

LIVELIHOOD = Actor("inoue-kazuki", "livelihood", frozenset({Role.CASEWORKER}))
LATER = NOW + timedelta(days=1)


def plan(case: Case, son: str) -> str:
    """A 重層的支援会議 on the son's consent, and the plan it adopts."""
    consent(case, son, ["elderly-shiba", "hikikomori", "coordination"])
    meeting = layered_meeting(case)
    return case.adopt_plan(COORDINATOR, NOW, meeting_id=meeting, goals=["外出"], roles=[],
                           next_review_on=NOW.date() + timedelta(days=90))


def layered_meeting(case: Case) -> str:
    return case.hold_meeting(COORDINATOR, NOW, kind=MeetingKind.MULTI_LAYERED, held_on=NOW.date(), purpose="計画",
                             participants=[{"agency": "coordination", "staff": "tanaka-yui", "pledged": False},
                                           {"agency": "hikikomori", "staff": "takahashi-aoi", "pledged": False}],
                             decisions=[])


# ----- 関与終了 -------------------------------------------------------------------------------------

def test_ending_involvement_keeps_the_case_open_for_the_others() -> None:
    case, son = new_case()
    consent(case, son, ["hikikomori", "livelihood"])
    case.record_consultation(HIKIKOMORI, NOW, field="hikikomori", category=InformationCategory.CONSULTATION,
                             channel="来所", summary="長男の相談", subjects=(son,))
    others = {actor.agency_id: ([d.basis for d in decide_case(actor, case, LATER)], write_basis(actor, case, LATER))
              for actor in (ELDERLY, LIVELIHOOD, COORDINATOR)}

    case.end_involvement(HIKIKOMORI, LATER, reason="ひきこもり窓口としての支援を終える")

    assert case.status == CaseStatus.OPEN and case.lead_agency == "elderly-shiba"
    for actor in (ELDERLY, LIVELIHOOD, COORDINATOR):  # what the others read and write is untouched
        before_reads, before_write = others[actor.agency_id]
        assert [d.basis for d in decide_case(actor, case, LATER)][:len(before_reads)] == before_reads
        assert write_basis(actor, case, LATER) == before_write
    case.record_consultation(ELDERLY, LATER, field="elderly", category=InformationCategory.CONSULTATION,
                             channel="電話", summary="母の相談")


def test_an_agency_that_ended_its_involvement_records_again_only_on_a_new_basis() -> None:
    case, son = new_case()
    first = consent(case, son, ["hikikomori"])
    case.record_consultation(HIKIKOMORI, NOW, field="hikikomori", category=InformationCategory.CONSULTATION,
                             channel="来所", summary="長男の相談", subjects=(son,))
    case.withdraw_consent(ELDERLY, NOW, consent_id=first, reason="本人の申し出")
    assert write_basis(HIKIKOMORI, case, LATER) == WriteBasis.OWN_RECORD  # it wrote on the case

    case.end_involvement(HIKIKOMORI, LATER, reason="支援を終える")

    assert write_basis(HIKIKOMORI, case, LATER) is None
    consent(case, son, ["hikikomori"], at=LATER)  # the person brings it back
    assert write_basis(HIKIKOMORI, case, LATER) == WriteBasis.CONSENT


def test_an_agency_that_ended_its_involvement_still_reads_what_it_wrote() -> None:
    case, son = new_case()
    consent(case, son, ["hikikomori"])
    case.record_consultation(HIKIKOMORI, NOW, field="hikikomori", category=InformationCategory.CONSULTATION,
                             channel="来所", summary="長男の相談", subjects=(son,))
    case.end_involvement(HIKIKOMORI, LATER, reason="支援を終える")
    own = [d for d in decide_case(HIKIKOMORI, case, LATER) if case.entries[d.seq - 1].agency == "hikikomori"]
    assert own and all(d.granted for d in own)


def test_the_lead_agency_hands_the_lead_over_or_closes_rather_than_ending_its_involvement() -> None:
    case, _ = new_case()
    with pytest.raises(RuleViolation):
        case.end_involvement(ELDERLY, NOW, reason="終える")


# ----- closure ---------------------------------------------------------------------------------------

def test_a_case_with_a_plan_closes_only_on_its_closing_evaluation_not_on_a_new_cycle() -> None:
    case, son = new_case()
    first = plan(case, son)
    assert case.closure_refusal(None) is not None
    meeting = layered_meeting(case)
    case.evaluate_plan(COORDINATOR, NOW, meeting_id=meeting, evaluation="外出が増えた", goals_met=False,
                       outcome=EvaluationOutcome.REPLAN)
    assert case.closure_refusal(None) is not None  # 再プラン: a new cycle follows

    second = case.adopt_plan(COORDINATOR, NOW, meeting_id=meeting, goals=["週1回の外出"], roles=[],
                             next_review_on=NOW.date() + timedelta(days=90))
    assert case.plans[second]["replan_of"] == first
    case.evaluate_plan(COORDINATOR, NOW, meeting_id=meeting, evaluation="定着した", goals_met=True)
    assert case.closure_refusal(None) is None
    case.close(COORDINATOR, LATER, evaluation="目標達成", outcome="終結")
    assert case.status == CaseStatus.CLOSED


def test_a_case_without_a_plans_closing_evaluation_closes_with_a_recorded_reason() -> None:
    case, _ = new_case()
    with pytest.raises(RuleViolation):
        case.close(ELDERLY, NOW, evaluation="転居", outcome="終結")
    case.close(ELDERLY, NOW, evaluation="区外へ転居", outcome="終結", reason=ClosureReason.MOVED_OUT)
    closed = case.collect_events()[-1]
    assert (closed.reason, case.status) == (ClosureReason.MOVED_OUT, CaseStatus.CLOSED)


def test_closing_clears_every_plans_review_and_reopening_does_not_bring_it_back() -> None:
    case, son = new_case()
    plan_id = plan(case, son)
    assert case.plans[plan_id]["next_review_on"] is not None
    case.close(ELDERLY, LATER, evaluation="死亡", outcome="終結", reason=ClosureReason.DIED)
    assert case.plans[plan_id]["next_review_on"] is None
    assert next_review_after(case.collect_events()[-1], date(2026, 9, 1)) is None  # the read models' rule too
    case.reopen(ELDERLY, LATER, reason="再相談")
    assert case.plans[plan_id]["next_review_on"] is None


# ----- 制度切替 ---------------------------------------------------------------------------------------

def test_a_handover_goes_only_to_an_agency_the_members_own_consent_or_a_support_meeting_covers() -> None:
    case, son = new_case()
    mother = case.add_member(ELDERLY, NOW, name="佐藤 ハナ", name_kana="さとう はな", birth_date=date(1944, 8, 15),
                             relationship="母")
    consent(case, mother, ["livelihood"])  # the mother's consent: not the son's
    assert case.handover_basis(son, "livelihood", NOW) is None
    consent(case, son, ["livelihood"], categories=(InformationCategory.BASIC,))  # who he is, not his support
    assert case.handover_basis(son, "livelihood", NOW) is None
    own = consent(case, son, ["livelihood"], categories=(InformationCategory.BASIC, InformationCategory.SUPPORT))
    basis = case.handover_basis(son, "livelihood", NOW)
    assert basis is not None and basis.startswith("consent:") and own in basis

    about_mother = case.hold_meeting(COORDINATOR, NOW, kind=MeetingKind.SUPPORT, held_on=NOW.date(), purpose="共有",
                                     participants=[{"agency": "disability-core", "staff": "yamazaki-chihiro",
                                                    "pledged": True}], decisions=[], tabled_subjects=(mother,),
                                     tabled_categories=tuple(InformationCategory),
                                     until=NOW.date() + timedelta(days=30))
    assert about_mother and case.handover_basis(son, "disability-core", NOW) is None  # it did not table the son
    meeting = support_meeting(case, ["hikikomori", "coordination"])  # tabled every member
    assert case.handover_basis(son, "hikikomori", NOW) == f"meeting:{meeting}"


def test_a_handover_happens_at_one_of_the_wards_transition_ages() -> None:
    case, son = new_case()  # born 1975-04-02
    with pytest.raises(InvalidCommand):
        case.plan_handover(ELDERLY, NOW, member_id=son, at_age=50, to_agency="hikikomori", due_on=date(2026, 4, 2),
                           ages=(18, 40, 65))
    case.plan_handover(ELDERLY, NOW, member_id=son, at_age=50, to_agency="hikikomori", due_on=date(2026, 4, 2),
                       ages=(18, 40, 50, 65))


def test_a_member_turning_18_soon_is_due_and_one_past_it_is_overdue_until_handed_over() -> None:
    case, _ = new_case()  # opened 2026-06-01
    soon = case.add_member(ELDERLY, NOW, name="佐藤 蓮", name_kana="さとう れん", birth_date=date(2008, 6, 20),
                           relationship="孫")
    past = case.add_member(ELDERLY, NOW, name="佐藤 葵", name_kana="さとう あおい", birth_date=date(2008, 6, 10),
                           relationship="孫")
    later = case.add_member(ELDERLY, NOW, name="佐藤 陽", name_kana="さとう はる", birth_date=date(2008, 8, 1),
                            relationship="孫")
    on = date(2026, 6, 15)

    due = {(t.member_id, t.at_age): t.overdue for t in case.transitions_due((18, 40, 65), on, 30)}

    assert due == {(soon, 18): False, (past, 18): True}  # 8/1 is beyond 30 days; the son reached 40 before opening
    assert later not in {member for member, _ in due}
    handover = case.plan_handover(ELDERLY, NOW, member_id=past, at_age=18, to_agency="disability-core",
                                  due_on=date(2026, 6, 10))
    [overdue] = [t for t in case.transitions_due((18, 40, 65), on, 30) if t.member_id == past]
    assert overdue.handover_id == handover  # planned, not completed: still overdue
    case.complete_handover(ELDERLY, NOW, handover_id=handover)
    assert {t.member_id for t in case.transitions_due((18, 40, 65), on, 30)} == {soon}


def test_a_closed_case_has_no_transitions_due() -> None:
    case, _ = new_case()
    case.add_member(ELDERLY, NOW, name="佐藤 蓮", name_kana="さとう れん", birth_date=date(2008, 6, 20),
                    relationship="孫")
    case.close(ELDERLY, NOW, evaluation="転居", outcome="終結", reason=ClosureReason.MOVED_OUT)
    assert case.transitions_due((18,), date(2026, 6, 15), 30) == []


def test_someone_born_on_29_february_reaches_an_age_on_1_march_in_common_years() -> None:
    assert reaches_age_on(date(2008, 2, 29), 18) == date(2026, 3, 1)
    assert reaches_age_on(date(2008, 2, 29), 16) == date(2024, 2, 29)


def test_a_cases_transitions_are_shown_to_its_lead_agency_and_to_coordinators_only() -> None:
    assert sees_transitions(ELDERLY, "elderly-shiba") and sees_transitions(COORDINATOR, "elderly-shiba")
    assert not sees_transitions(HIKIKOMORI, "elderly-shiba")
    assert not sees_transitions(AUDITOR, "audit-office")  # auditors read for audit, not for work lists
