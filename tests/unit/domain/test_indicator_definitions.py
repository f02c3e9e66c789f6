"""An indicator definition a ward writes is checked when it is read: a count that cannot be made, or a table
that names what it does not define, is refused with the reason (pure domain; the counting itself is tested
against hand counts in tests/integration)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from domain.indicators import Count, Goal, IndicatorDefinition, IndicatorSet


def refusal(model: type[Count | IndicatorDefinition | IndicatorSet], **values: Any) -> str:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(values)
    [error] = refused.value.errors()
    return str(error["msg"]).removeprefix("Value error, ")


def row(id: str = "consultations", **values: Any) -> dict[str, Any]:
    return {"id": id, "name_ja": "相談件数", "name_en": "Consultations", "unit": "件",
            "count": {"events": ["ConsultationRecorded"]}, **values}


@pytest.mark.parametrize(("count", "reason"), [
    ({"events": ["CaseOpened"]}, "events: 'CaseOpened' is not an event indicators count (ConsultationRecorded, "
     "OutreachVisitRecorded, SupportRefused, ParticipationMatched, MeetingHeld, PlanAdopted, PlanRevised, "
     "PlanEvaluated, ReferralRequested)"),
    ({"events": ["ConsultationRecorded"], "projects": [0]}, "projects are items 1 to 6 of art. 106-4 para. 2"),
    ({"events": ["ConsultationRecorded"], "projects": [7]}, "projects are items 1 to 6 of art. 106-4 para. 2"),
    ({"events": ["ConsultationRecorded"], "measure": "sittings"},
     "sittings, case discussions, held_on and meeting_kinds apply to MeetingHeld alone"),
    ({"events": ["MeetingHeld", "PlanAdopted"], "measure": "case_discussions"},
     "sittings, case discussions, held_on and meeting_kinds apply to MeetingHeld alone"),
    ({"events": ["PlanAdopted"], "placed_by": "held_on"},
     "sittings, case discussions, held_on and meeting_kinds apply to MeetingHeld alone"),
    ({"events": ["ConsultationRecorded"], "meeting_kinds": ["support"]},
     "sittings, case discussions, held_on and meeting_kinds apply to MeetingHeld alone"),
    ({"events": ["ConsultationRecorded"], "first_only": True, "measure": "people"},
     "first_only (新規) counts first entries of cases: measure entries or cases"),
    ({"events": ["OutreachVisitRecorded"], "by": "field"}, "by field applies to ConsultationRecorded alone"),
    ({"events": ["ConsultationRecorded"], "by": "route"}, "by route applies to ReferralRequested alone"),
    ({"events": ["ConsultationRecorded"], "party": "receiver"},
     "a receiving agency is a referral's: party receiver/either applies to ReferralRequested"),
    ({"events": ["ConsultationRecorded"], "party": "either"},
     "a receiving agency is a referral's: party receiver/either applies to ReferralRequested"),
    ({"events": ["ConsultationRecorded"], "party": "participant"}, "party participant applies to MeetingHeld alone"),
])
def test_a_count_that_cannot_be_made_is_refused_with_its_reason(count: dict[str, Any], reason: str) -> None:
    assert refusal(Count, **count) == reason


@pytest.mark.parametrize("count", [
    {"events": ["MeetingHeld"], "measure": "sittings", "placed_by": "held_on", "meeting_kinds": ["support"],
     "party": "participant"},
    {"events": ["MeetingHeld"], "measure": "case_discussions"},
    {"events": ["ConsultationRecorded"], "first_only": True, "measure": "cases", "by": "field", "projects": [1, 6]},
    {"events": ["ReferralRequested"], "party": "either", "by": "route"},
    {"events": ["ReferralRequested"], "party": "receiver", "first_only": True},
])
def test_the_counts_each_rule_allows_are_accepted(count: dict[str, Any]) -> None:
    assert Count.model_validate(count).events == tuple(count["events"])


def test_a_count_counts_at_least_one_event() -> None:
    with pytest.raises(ValidationError):
        Count.model_validate({"events": []})


def test_a_figure_with_a_part_in_brackets_names_the_part_and_has_no_breakdown() -> None:
    part = {"events": ["ConsultationRecorded"], "first_only": True}
    assert refusal(IndicatorDefinition, **row(of_which=part)) == (
        "indicator consultations: of_which and its label of_which_ja go together")
    assert refusal(IndicatorDefinition, **row(of_which_ja="うち新規")) == (
        "indicator consultations: of_which and its label of_which_ja go together")
    by_field = {"events": ["ConsultationRecorded"], "by": "field"}
    assert refusal(IndicatorDefinition, **row(count=by_field, of_which=part, of_which_ja="うち新規")) == (
        "indicator consultations: a figure with うち has no breakdown")
    assert refusal(IndicatorDefinition, **row(of_which={**part, "by": "field"}, of_which_ja="うち新規")) == (
        "indicator consultations: a figure with うち has no breakdown")
    shown = IndicatorDefinition.model_validate(row(of_which=part, of_which_ja="うち新規"))
    assert [c.first_only for c in shown.counts()] == [False, True]


def test_an_indicator_id_is_short_lowercase_ascii() -> None:
    for bad in ("Consultations", "相談", "a" * 61, ""):
        with pytest.raises(ValidationError):
            IndicatorDefinition.model_validate(row(id=bad))


def test_a_set_names_each_row_and_goal_once_and_only_goals_it_defines() -> None:
    goal = {"id": "g1", "name_ja": "目標1", "name_en": "Goal 1"}
    assert refusal(IndicatorSet, indicators=[row(), row()]) == (
        "indicator ids must be unique ('consultations' is repeated)")
    assert refusal(IndicatorSet, goals=[goal, goal]) == "goal ids must be unique ('g1' is repeated)"
    assert refusal(IndicatorSet, goals=[goal], indicators=[row(goal="g2")]) == (
        "indicator consultations: unknown goal 'g2'")


def test_a_wards_own_rows_join_the_set_and_are_grouped_under_their_goals_in_order() -> None:
    national = IndicatorSet.model_validate({"goals": [{"id": "g1", "name_ja": "目標1", "name_en": "Goal 1"}],
                                            "indicators": [row("a"), row("b", goal="g1")]})
    own = national.with_own([IndicatorDefinition.model_validate(row("c", goal="g2"))],
                            [Goal(id="g2", name_ja="目標2", name_en="Goal 2")])
    assert [(g.id if g else None, [i.id for i in rows]) for g, rows in own.grouped()] == [
        ("g1", ["b"]), ("g2", ["c"]), (None, ["a"])]
    with pytest.raises(ValidationError):
        national.with_own([IndicatorDefinition.model_validate(row("a"))])  # an id the set already has
