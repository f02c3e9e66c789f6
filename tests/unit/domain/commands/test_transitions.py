"""Who may close a case and hand a member over, through ``Tsunagu.execute`` (in memory): each refusal recorded."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from domain.commands import (
    AdoptPlan,
    CloseCase,
    CompleteHandover,
    EvaluatePlan,
    HoldMultiLayeredMeeting,
    Participant,
    PlanHandover,
    WithdrawConsent,
)
from domain.errors import InvalidCommand, RuleViolation
from domain.vocabulary import ClosureReason
from tests.unit.domain.commands.ward import COORDINATOR, ELDERLY, Ward


def test_closure_without_the_plans_evaluation_or_a_reason_is_refused_and_the_refusal_is_recorded(ward: Ward) -> None:
    case, child = ward.household()
    closing = CloseCase(case_id=case, evaluation="相談は終わった", outcome="終結")
    refused = ward.refused(ELDERLY, closing, RuleViolation, "evaluated_or_reason")
    assert "終結評価" in refused.message_ja and "closing evaluation" in refused.message_en

    ward.do(ELDERLY, CloseCase(case_id=case, evaluation="相談は終わった", outcome="終結",
                               reason=ClosureReason.NO_NEED))
    assert ward.app.repository.get(case).status == "closed"


def test_closure_on_the_plans_closing_evaluation_needs_no_reason(ward: Ward) -> None:
    case, child = ward.household()
    ward.consent(case, child, ("elderly-shiba", "coordination"))
    meeting = ward.do(COORDINATOR, HoldMultiLayeredMeeting(
        case_id=case, held_on=date(2026, 6, 1), purpose="計画",
        participants=(Participant("coordination", COORDINATOR), Participant("elderly-shiba", ELDERLY))))
    assert meeting is not None
    ward.do(COORDINATOR, AdoptPlan(case_id=case, meeting_id=meeting, goals=("登校",), roles=(),
                                   next_review_on=date(2026, 9, 1)))
    ward.refused(ELDERLY, CloseCase(case_id=case, evaluation="x", outcome="終結"), RuleViolation, "evaluated_or_reason")
    ward.do(COORDINATOR, EvaluatePlan(case_id=case, meeting_id=meeting, evaluation="登校が定着", goals_met=True))
    ward.do(ELDERLY, CloseCase(case_id=case, evaluation="目標達成", outcome="終結"))


def test_closure_for_another_reason_needs_the_reason_in_words(ward: Ward) -> None:
    case, _ = ward.household()
    with pytest.raises(InvalidCommand):
        ward.do(ELDERLY, CloseCase(case_id=case, evaluation="x", outcome="終結", reason=ClosureReason.OTHER))
    ward.do(ELDERLY, CloseCase(case_id=case, evaluation="x", outcome="終結", reason=ClosureReason.OTHER,
                               reason_note="施設入所で区の支援が不要になった"))


def test_a_handover_to_an_agency_without_a_basis_for_the_member_is_refused_and_recorded(ward: Ward) -> None:
    case, child = ward.household()
    handover = PlanHandover(case_id=case, member_id=child, at_age=18, to_agency="disability-core",
                            due_on=date(2026, 6, 20))
    refused = ward.refused(ELDERLY, handover, RuleViolation, "to_agency_with_basis")
    assert "同意" in refused.message_ja and "consent" in refused.message_en
    ward.consent(case, child, ("elderly-shiba", "disability-core"))
    assert ward.do(ELDERLY, handover) is not None


def test_a_handover_is_completed_only_while_the_receiving_agency_still_has_its_basis(ward: Ward) -> None:
    case, child = ward.household()
    consent = ward.consent(case, child, ("elderly-shiba", "disability-core"))
    handover = ward.do(ELDERLY, PlanHandover(case_id=case, member_id=child, at_age=18, to_agency="disability-core",
                                             due_on=date(2026, 6, 20)))
    assert handover is not None
    ward.do(ELDERLY, WithdrawConsent(case_id=case, consent_id=consent, reason="本人の申し出"))
    ward.refused(ELDERLY, CompleteHandover(case_id=case, handover_id=handover), RuleViolation, "to_agency_with_basis")
    ward.consent(case, child, ("elderly-shiba", "disability-core"))
    ward.do("yamazaki-chihiro", CompleteHandover(case_id=case, handover_id=handover, note="引き継いだ"))
    assert ward.app.repository.get(case).lead_agency == "disability-core"


def test_a_handover_happens_at_the_wards_transition_ages_only(ward: Ward, clock: Any) -> None:
    case, child = ward.household()  # born 2008-06-20
    ward.consent(case, child, ("elderly-shiba", "livelihood"))
    with pytest.raises(InvalidCommand) as refused:
        ward.do(ELDERLY, PlanHandover(case_id=case, member_id=child, at_age=15, to_agency="livelihood",
                                      due_on=clock.now.date() + timedelta(days=1)))
    assert "22歳" in refused.value.message_ja
    ward.do(ELDERLY, PlanHandover(case_id=case, member_id=child, at_age=22, to_agency="livelihood",
                                  due_on=date(2030, 6, 20)))
