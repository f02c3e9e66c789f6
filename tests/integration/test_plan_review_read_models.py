"""Reviews due in the read models follow the domain's one rule: no review is due for a suspended plan or on
a closed case; a case has plans of several kinds, each with its own review (both stores)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.commands import (
    AddMember,
    AdoptPlan,
    CloseCase,
    GrantConsent,
    HoldMultiLayeredMeeting,
    OpenCase,
    Participant,
    ResumePlan,
    ReviewPlan,
    SuspendPlan,
)
from domain.vocabulary import ClosureReason, ConsentMethod, InformationCategory, PlanKind
from projections import build_read_models
from projections.runner import BatchRunner

pytestmark = pytest.mark.integration

ELDERLY, COORDINATOR = "suzuki-kenta", "tanaka-yui"
AS_OF = date(2026, 9, 1)


@pytest.fixture
def ward(tsunagu, store_env, staff, clock):
    read_models = build_read_models(store_env)
    runner = BatchRunner(tsunagu, read_models.all(), batch_size=4)

    def do(staff_id: str, command) -> str | None:
        clock.advance(minutes=5)
        created = tsunagu.execute(staff(staff_id), command).created_id
        runner.catch_up()
        return created

    case = UUID(do(ELDERLY, OpenCase(household_name="佐藤家", household_name_kana="さとうけ", district="shiba",
                                     summary="相談")))
    son = do(ELDERLY, AddMember(case_id=case, name="佐藤 健一", name_kana="さとう けんいち",
                                birth_date=date(1975, 4, 2), relationship="本人", is_principal=True))
    do(ELDERLY, GrantConsent(case_id=case, member_id=str(son), agencies=("elderly-shiba", "coordination"),
                             categories=tuple(InformationCategory), purpose="支援", method=ConsentMethod.WRITTEN,
                             document_ref="同意書", valid_until=date(2027, 3, 31)))
    meeting = do(COORDINATOR, HoldMultiLayeredMeeting(
        case_id=case, held_on=date(2026, 6, 1), purpose="計画",
        participants=(Participant("coordination", COORDINATOR), Participant("elderly-shiba", ELDERLY))))
    plans = {kind: do(COORDINATOR, AdoptPlan(case_id=case, meeting_id=str(meeting), goals=("外出",), roles=(),
                                             next_review_on=review, kind=kind))
             for kind, review in ((PlanKind.COMPREHENSIVE, date(2026, 8, 20)),
                                  (PlanKind.PARTICIPATION, date(2026, 8, 25)))}
    return do, read_models, case, plans


def due(read_models) -> dict[str, str]:
    workload = read_models.workload.view.workload("elderly-shiba", AS_OF)
    return {row["plan_id"]: row["next_review_on"] for row in workload.plans_due_for_review}


def test_each_plan_has_its_own_review_and_a_suspended_one_is_not_due(ward) -> None:
    do, read_models, case, plans = ward
    comprehensive, participation = plans[PlanKind.COMPREHENSIVE], plans[PlanKind.PARTICIPATION]
    assert due(read_models) == {comprehensive: "2026-08-20", participation: "2026-08-25"}
    state = read_models.case_state.view.case(str(case))
    assert (state["plan_id"], state["plan_kind"], state["next_review_on"]) == (
        participation, PlanKind.PARTICIPATION, "2026-08-25")

    do(COORDINATOR, SuspendPlan(case_id=case, reason="入院", plan_id=participation))
    assert due(read_models) == {comprehensive: "2026-08-20"}
    state = read_models.case_state.view.case(str(case))
    assert (state["plan_status"], state["next_review_on"]) == ("suspended", None)
    do(ELDERLY, ReviewPlan(case_id=case, findings="順調", next_review_on=date(2026, 12, 1), plan_id=comprehensive))
    assert read_models.case_state.view.case(str(case))["next_review_on"] is None  # another plan's review
    do(COORDINATOR, ResumePlan(case_id=case, next_review_on=date(2026, 8, 30), plan_id=participation))
    assert due(read_models) == {participation: "2026-08-30"}


def test_closing_the_case_clears_every_plans_review(ward) -> None:
    do, read_models, case, _ = ward
    do(ELDERLY, CloseCase(case_id=case, evaluation="転居", outcome="終結", reason=ClosureReason.MOVED_OUT))
    assert due(read_models) == {}
    assert read_models.case_state.view.case(str(case))["next_review_on"] is None
