"""Output indicators by definition, voided records and frozen submissions, on both stores (the national set of
the demo ward; Ota's set in ``test_ota_indicators``). Every expected figure is counted by hand in the comment."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from api.queries.indicators import figures_to_submit, yearly_indicators
from domain.application import Tsunagu
from domain.commands import (
    AddMember,
    AdoptPlan,
    EvaluatePlan,
    GrantConsent,
    HoldMultiLayeredMeeting,
    OpenCase,
    Participant,
    RecordConsultation,
    RecordVisit,
    VoidEntry,
)
from domain.errors import InvalidCommand, NotFound, NotPermitted, RuleViolation
from domain.vocabulary import (
    ConsentMethod,
    EvaluationOutcome,
    Field,
    InformationCategory,
    PlanKind,
    VisitOutcome,
)
from projections import ReadModels, build_read_models
from projections.indicators import year_table
from projections.runner import BatchRunner
from tests.support import write_refusals

pytestmark = pytest.mark.integration

MARCH = datetime(2026, 3, 20, 1, 0, tzinfo=UTC)  # FY2025
MAY = datetime(2026, 5, 10, 1, 0, tzinfo=UTC)  # FY2026


def household(app: Tsunagu, staff_id: str, *names: str, at: datetime = MARCH) -> tuple[UUID, list[str]]:
    actor = app.registry.staff_member(staff_id).as_actor()
    case_id = UUID(app.execute(actor, OpenCase(household_name="世帯", household_name_kana="せたい", district=None,
                                               summary="相談", occurred_at=at)).case_id)
    members = [app.execute(actor, AddMember(case_id=case_id, name=name, name_kana="かな", birth_date=date(1970, 1, 1),
                                            relationship="本人", occurred_at=at)).created_id or "" for name in names]
    return case_id, members


def visit(app: Tsunagu, staff_id: str, case_id: UUID, member: str | None, at: datetime = MAY) -> int:
    actor = app.registry.staff_member(staff_id).as_actor()
    return app.execute(actor, RecordVisit(case_id=case_id, outreach_id=None, member_id=member,
                                          outcome=VisitOutcome.MET, notes="訪問", occurred_at=at)).version


def consult(app: Tsunagu, staff_id: str, case_id: UUID, at: datetime = MAY) -> int:
    actor = app.registry.staff_member(staff_id).as_actor()
    return app.execute(actor, RecordConsultation(case_id=case_id, field=Field.ELDERLY, category=InformationCategory.
                                                 CONSULTATION, channel="来所", summary="相談", occurred_at=at)).version


def caught_up(app: Tsunagu, store_env: dict[str, str]) -> ReadModels:
    read_models = build_read_models(store_env)
    BatchRunner(app, [read_models.indicators]).catch_up()
    return read_models


def test_outreach_counts_every_visit_each_case_s_first_visit_as_new_and_each_person_once(
        tsunagu: Tsunagu, store_env: dict[str, str]) -> None:
    a, (a1, _a2) = household(tsunagu, "suzuki-kenta", "一郎", "花子")
    b, (b1,) = household(tsunagu, "suzuki-kenta", "次郎")
    visit(tsunagu, "suzuki-kenta", a, a1)
    visit(tsunagu, "suzuki-kenta", a, a1)
    visit(tsunagu, "suzuki-kenta", a, None)  # the household: 一郎 and 花子
    visit(tsunagu, "suzuki-kenta", b, b1, at=MARCH)  # case B's first visit, in FY2025
    visit(tsunagu, "suzuki-kenta", b, b1)
    view = caught_up(tsunagu, store_env).indicators.view
    fy2026 = year_table(view, tsunagu.registry, 2026)
    assert fy2026["outreach_total"] == {"": 4}  # 延べ: A×3, B×1
    assert fy2026["outreach_new"] == {"": 1}  # 新規: A only (B's first visit was in FY2025)
    assert fy2026["outreach_people"] == {"": 3}  # 実人数: 一郎, 花子, 次郎 — 一郎 once for three visits
    fy2025 = year_table(view, tsunagu.registry, 2025)
    assert (fy2025["outreach_total"], fy2025["outreach_new"], fy2025["outreach_people"]) == ({"": 1},) * 3


def test_a_voided_visit_is_not_counted_and_stays_in_the_timeline_marked_with_its_reason(
        tsunagu: Tsunagu, store_env: dict[str, str]) -> None:
    case_id, (member,) = household(tsunagu, "suzuki-kenta", "一郎")
    first = visit(tsunagu, "suzuki-kenta", case_id, member)
    visit(tsunagu, "suzuki-kenta", case_id, member)
    elderly = tsunagu.registry.staff_member("suzuki-kenta").as_actor()
    tsunagu.execute(elderly, VoidEntry(case_id=case_id, seq=first, reason="別の世帯への訪問を誤って記録した"))
    view = caught_up(tsunagu, store_env).indicators.view
    fy2026 = year_table(view, tsunagu.registry, 2026)
    assert (fy2026["outreach_total"], fy2026["outreach_new"], fy2026["outreach_people"]) == ({"": 1},) * 3
    timeline = tsunagu.read_timeline(elderly, case_id)
    kinds = {e.seq: e.kind for e in timeline.entries}
    assert kinds[first] == "OutreachVisitRecorded"  # the entry stays, and so does the voiding with its reason
    voiding = timeline.entries[-1]
    assert voiding.kind == "EntryVoided" and not voiding.withheld
    assert voiding.content["voids_seq"] == first and voiding.content["reason"] == "別の世帯への訪問を誤って記録した"
    assert tsunagu.access_record(UUID(timeline.access_record_id)).granted  # the read that showed it is on record


def test_only_the_author_voids_only_a_counted_entry_only_once_and_refusals_are_recorded(tsunagu: Tsunagu) -> None:
    case_id, (member,) = household(tsunagu, "suzuki-kenta", "一郎")
    seq = visit(tsunagu, "suzuki-kenta", case_id, member)
    elderly = tsunagu.registry.staff_member("suzuki-kenta").as_actor()
    stranger = tsunagu.registry.staff_member("takahashi-aoi").as_actor()
    with pytest.raises(NotFound):  # no basis on the case: it answers like a missing case
        tsunagu.execute(stranger, VoidEntry(case_id=case_id, seq=seq, reason="誤り"))
    assert write_refusals(tsunagu)[-1].command == "VoidEntry"
    with pytest.raises(InvalidCommand):  # a member's record is corrected, not voided
        tsunagu.execute(elderly, VoidEntry(case_id=case_id, seq=2, reason="誤り"))
    with pytest.raises(InvalidCommand):
        tsunagu.execute(elderly, VoidEntry(case_id=case_id, seq=seq, reason="  "))
    tsunagu.execute(elderly, VoidEntry(case_id=case_id, seq=seq, reason="誤り"))
    with pytest.raises(RuleViolation):
        tsunagu.execute(elderly, VoidEntry(case_id=case_id, seq=seq, reason="誤り"))


def test_after_submission_a_back_dated_record_and_a_voided_one_show_as_differences_against_the_submitted_figures(
        tsunagu: Tsunagu, store_env: dict[str, str], clock) -> None:
    case_id, _ = household(tsunagu, "suzuki-kenta", "一郎")
    mistaken = consult(tsunagu, "suzuki-kenta", case_id)
    consult(tsunagu, "suzuki-kenta", case_id)
    read_models = caught_up(tsunagu, store_env)
    registry = tsunagu.registry
    clock.now = datetime(2027, 5, 10, 1, 0, tzinfo=UTC)  # submitted after the year's end
    coordinator = registry.staff_member("tanaka-yui").as_actor()
    submission = tsunagu.submit_indicators(coordinator, 2026, figures_to_submit(read_models, registry, 2026))
    assert (submission.by_staff, submission.by_agency) == ("tanaka-yui", "coordination")
    elderly = registry.staff_member("suzuki-kenta").as_actor()
    for day in (1, 2):  # two consultations recorded late, dated in FY2026
        tsunagu.execute(elderly, RecordConsultation(
            case_id=case_id, field=Field.ELDERLY, category=InformationCategory.CONSULTATION, channel="電話",
            summary="相談", occurred_at=datetime(2026, 6, day, 1, 0, tzinfo=UTC)))
    tsunagu.execute(elderly, VoidEntry(case_id=case_id, seq=mistaken, reason="二重登録"))
    BatchRunner(tsunagu, [read_models.indicators]).catch_up()
    table = yearly_indicators(read_models, tsunagu, 2026)
    elderly_row = next(r for r in table.rows if r.indicator == "consultations" and r.key == "elderly")
    assert (elderly_row.submitted, elderly_row.value, elderly_row.difference) == (2, 3, 1)  # 2 − 1 voided + 2 late
    unchanged = next(r for r in table.rows if r.indicator == "outreach_total")
    assert (unchanged.submitted, unchanged.value, unchanged.difference) == (0, 0, 0)
    assert table.submission is not None and table.submission.by_staff == "tanaka-yui"
    assert tsunagu.indicator_submission(2026).figure("consultations", "elderly")["value"] == 2  # frozen


def test_only_a_coordinator_or_administrator_of_the_office_submits_and_only_once(
        tsunagu: Tsunagu, store_env: dict[str, str]) -> None:
    read_models = caught_up(tsunagu, store_env)
    figures = figures_to_submit(read_models, tsunagu.registry, 2026)
    caseworker = tsunagu.registry.staff_member("suzuki-kenta").as_actor()
    with pytest.raises(NotPermitted):
        tsunagu.submit_indicators(caseworker, 2026, figures)
    assert write_refusals(tsunagu)[-1].command == "SubmitIndicators"
    assert tsunagu.indicator_submission(2026) is None
    coordinator = tsunagu.registry.staff_member("tanaka-yui").as_actor()
    tsunagu.submit_indicators(coordinator, 2026, figures)
    with pytest.raises(RuleViolation):
        tsunagu.submit_indicators(coordinator, 2026, figures)


def test_a_plan_after_its_evaluation_counts_as_a_replan_and_the_first_of_each_kind_as_new(
        tsunagu: Tsunagu, store_env: dict[str, str]) -> None:
    writer, coordinator = (tsunagu.registry.staff_member(s).as_actor() for s in ("suzuki-kenta", "tanaka-yui"))
    case_id, (member,) = household(tsunagu, "suzuki-kenta", "一郎")
    tsunagu.execute(writer, GrantConsent(case_id=case_id, member_id=member, agencies=("elderly-shiba", "coordination"),
                                         categories=tuple(InformationCategory), purpose="支援プラン",
                                         method=ConsentMethod.WRITTEN, document_ref="同意書", occurred_at=MAY,
                                         valid_until=date(2027, 3, 31)))
    meeting = tsunagu.execute(coordinator, HoldMultiLayeredMeeting(
        case_id=case_id, held_on=MAY.date(), purpose="支援プランの検討", occurred_at=MAY,
        participants=(Participant(agency="elderly-shiba", staff="suzuki-kenta", pledged=True),
                      Participant(agency="coordination", staff="tanaka-yui", pledged=True)))).created_id or ""

    def adopt(kind: PlanKind = PlanKind.COMPREHENSIVE) -> str:
        return tsunagu.execute(coordinator, AdoptPlan(case_id=case_id, meeting_id=meeting, goals=("外出",), roles=(),
                                                      next_review_on=date(2026, 8, 1), kind=kind,
                                                      occurred_at=MAY)).created_id or ""

    first = adopt()
    adopt(PlanKind.OUTREACH)
    tsunagu.execute(coordinator, EvaluatePlan(case_id=case_id, meeting_id=meeting, evaluation="一部達成",
                                              goals_met=False, outcome=EvaluationOutcome.REPLAN, plan_id=first,
                                              occurred_at=MAY))
    adopt()  # the comprehensive plan's next cycle
    table = year_table(caught_up(tsunagu, store_env).indicators.view, tsunagu.registry, 2026)
    assert (table["plans_new"], table["plans_replanned"]) == ({"": 2}, {"": 1})
