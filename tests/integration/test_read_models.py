"""Every read model against hand-computed expectations for a scripted year of two households."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from uuid import UUID

import pytest

from domain.calendar import JST
from domain.commands import (
    AcceptReferral,
    AddMember,
    AdoptPlan,
    CloseCase,
    EscalateToMultiAgency,
    GrantConsent,
    HoldMultiLayeredMeeting,
    HoldSupportMeeting,
    IdentifyIssue,
    MatchParticipation,
    MeetingDecision,
    OpenCase,
    Participant,
    PlanOutreach,
    PlanRole,
    RecordConsultation,
    RecordVisit,
    RequestReferral,
    RevisePlan,
    VoidEntry,
)
from domain.vocabulary import (
    Basis,
    ClosureReason,
    ConsentMethod,
    DecisionKind,
    Field,
    InformationCategory,
    VisitOutcome,
)
from projections import build_read_models
from projections.indicators import year_table
from projections.runner import BatchRunner

pytestmark = pytest.mark.integration

TABLED = (InformationCategory.BASIC, InformationCategory.CONSULTATION, InformationCategory.SUPPORT)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


@pytest.fixture
def year(tsunagu, store_env, staff, clock):
    """Two households over FY2026, each step at its own time; the read models run live."""
    read_models = build_read_models(store_env)
    runner = BatchRunner(tsunagu, read_models.all(), batch_size=3)
    elderly, hikikomori, coordinator = staff("suzuki-kenta"), staff("takahashi-aoi"), staff("tanaka-yui")
    livelihood = staff("inoue-kazuki")
    ids = {}

    def step(when: str, actor, command):
        clock.now = at(when)
        result = tsunagu.execute(actor, command)
        runner.catch_up()
        return result.created_id

    clock.now = at("2026-04-10T10:00")
    a = ids["a"] = UUID(tsunagu.execute(elderly, OpenCase(household_name="佐藤家", household_name_kana="さとうけ",
                                                          district="shiba", summary="8050")).case_id)
    mother = step("2026-04-10T10:05", elderly, AddMember(
        case_id=a, name="佐藤 ハナ", name_kana="さとう はな", birth_date=date(1944, 8, 15), relationship="母"))
    son = step("2026-04-10T10:06", elderly, AddMember(
        case_id=a, name="佐藤 健一", name_kana="さとう けんいち", birth_date=date(1975, 4, 2), relationship="長男",
        is_principal=True))
    step("2026-04-10T10:30", elderly, RecordConsultation(
        case_id=a, field="elderly", category=InformationCategory.CONSULTATION, channel="来所", summary="介護の相談"))
    step("2026-04-10T10:40", elderly, IdentifyIssue(case_id=a, tag="8050"))
    # The ward's 支援会議 office (coordination) convenes it; every member is registry staff of their agency.
    # It tables both members' basics, the consultation and the support record, until its next sitting.
    meeting = step("2026-05-01T14:00", coordinator, HoldSupportMeeting(
        case_id=a, held_on=date(2026, 5, 1), purpose="共有",
        participants=tuple(Participant(agency=agency, staff=member, pledged=True) for agency, member in
                           (("elderly-shiba", "suzuki-kenta"), ("hikikomori", "takahashi-aoi"),
                            ("coordination", "tanaka-yui"))),
        decisions=(MeetingDecision(kind=DecisionKind.REFER, text="ひきこもり窓口へ", target_agency="hikikomori",
                                   categories=(InformationCategory.BASIC,)),),
        tabled_subjects=(mother, son), tabled_categories=TABLED, until=date(2026, 7, 31)))
    referral = step("2026-05-02T09:00", elderly, RequestReferral(
        case_id=a, to_agency="hikikomori", categories=(InformationCategory.BASIC,), reason="長男の支援"))
    clock.now = at("2026-05-03T09:00")
    tsunagu.read_timeline(hikikomori, a)  # unconsented: under the 支援会議
    step("2026-05-08T09:00", hikikomori, AcceptReferral(case_id=a, referral_id=referral))
    outreach = step("2026-05-09T09:00", hikikomori, PlanOutreach(
        case_id=a, member_id=son, approach="手紙", planned_on=date(2026, 5, 10)))
    for when, outcome in (("2026-05-10T15:00", VisitOutcome.REFUSED), ("2026-05-20T15:00", VisitOutcome.MET)):
        step(when, hikikomori, RecordVisit(case_id=a, outreach_id=outreach, member_id=son, outcome=outcome, notes=""))
    # Consent is a person's: the mother's and the son's, each covering the household's entries about them.
    step("2026-05-31T10:00", elderly, GrantConsent(
        case_id=a, member_id=mother, agencies=("elderly-shiba", "hikikomori", "coordination"),
        categories=tuple(InformationCategory), purpose="支援プラン", method=ConsentMethod.WRITTEN,
        document_ref="同意書 R8-0041", valid_until=date(2027, 5, 31)))
    consent = step("2026-06-01T10:00", hikikomori, GrantConsent(
        case_id=a, member_id=son, agencies=("elderly-shiba", "hikikomori", "coordination"),
        categories=tuple(InformationCategory), purpose="支援プラン", method=ConsentMethod.WRITTEN,
        document_ref="同意書 R8-0042", valid_until=date(2027, 5, 31)))
    clock.now = at("2026-06-02T09:00")
    tsunagu.read_timeline(hikikomori, a)  # consented now: every member's consent covers every entry
    # A 重層的支援会議's participants are registry staff, and the consent covers each agency and the convener's.
    participants = tuple(Participant(agency=agency, staff=member) for agency, member in
                         (("elderly-shiba", "suzuki-kenta"), ("hikikomori", "takahashi-aoi"),
                          ("coordination", "tanaka-yui")))
    layered = step("2026-06-10T14:00", coordinator, HoldMultiLayeredMeeting(
        case_id=a, held_on=date(2026, 6, 10), purpose="計画", participants=participants))
    step("2026-06-10T15:00", coordinator, AdoptPlan(
        case_id=a, meeting_id=layered, goals=("外出",), roles=(PlanRole(agency="hikikomori", role="訪問"),),
        next_review_on=date(2026, 9, 30)))
    step("2026-07-01T10:00", hikikomori, MatchParticipation(
        case_id=a, member_id=son, resource_name="サロン", resource_kind="salon", starts_on=date(2026, 7, 1)))
    revision = step("2026-09-30T14:00", coordinator, HoldMultiLayeredMeeting(
        case_id=a, held_on=date(2026, 9, 30), purpose="見直し", participants=participants))
    step("2026-09-30T15:00", coordinator, RevisePlan(
        case_id=a, meeting_id=revision, goals=("週1回の外出",), roles=(PlanRole(agency="hikikomori", role="訪問"),),
        next_review_on=date(2027, 1, 31), reason="定着"))

    clock.now = at("2026-06-01T09:00")
    b = ids["b"] = UUID(tsunagu.execute(livelihood, OpenCase(household_name="高橋家", household_name_kana="たかはしけ",
                                                             district="azabu", summary="家計")).case_id)
    person = step("2026-06-01T09:10", livelihood, AddMember(
        case_id=b, name="高橋 実", name_kana="たかはし みのる", birth_date=date(1980, 1, 1), relationship="本人",
        is_principal=True))
    step("2026-06-01T09:20", livelihood, GrantConsent(
        case_id=b, member_id=person, agencies=("hikikomori",), categories=(InformationCategory.BASIC,),
        purpose="つなぎ", method=ConsentMethod.ORAL, heard_by="inoue-kazuki", valid_until=date(2027, 3, 31)))
    step("2026-06-01T09:30", livelihood, RequestReferral(
        case_id=b, to_agency="hikikomori", categories=(InformationCategory.BASIC,), reason="就労前の支援"))
    for when in ("2027-03-31T23:30", "2027-04-01T00:10"):
        step(when, livelihood, RecordConsultation(
            case_id=b, field="poverty", category=InformationCategory.FINANCE, channel="電話", summary="家計"))
    return read_models, runner, ids, {"mother": mother, "son": son, "meeting": meeting, "consent": consent,
                                      "referral": referral}


def test_case_state_shows_status_lead_involvement_issues_consents_and_plan(year) -> None:
    read_models, _, ids, refs = year
    state = read_models.case_state.view.case(str(ids["a"]))
    assert {k: state[k] for k in ("status", "lead_agency", "district", "member_count", "consultation_count",
                                  "issue_tags", "plan_status", "next_review_on", "plan_revisions", "version")} == {
        "status": "open", "lead_agency": "elderly-shiba", "district": "shiba", "member_count": 2,
        "consultation_count": 1, "issue_tags": ["8050"], "plan_status": "active", "next_review_on": "2027-01-31",
        "plan_revisions": 1, "version": 18}
    assert state["agencies"] == {"coordination": ["author", "consent", "meeting"],
                                 "elderly-shiba": ["author", "consent", "meeting"],
                                 "hikikomori": ["author", "consent", "meeting", "referral", "role"]}
    assert state["consents"][refs["consent"]]["valid_until"] == "2027-05-31"
    assert [c["case_id"] for c in read_models.case_state.view.cases(agency="livelihood")] == [str(ids["b"])]


def test_timeline_lists_every_entry_in_order_without_content(year) -> None:
    read_models, _, ids, _ = year
    entries = read_models.timeline.view.entries(str(ids["a"]))
    assert [e["kind"] for e in entries] == [
        "Opened", "MemberAdded", "MemberAdded", "ConsultationRecorded", "IssueIdentified", "MeetingHeld",
        "ReferralRequested", "ReferralAccepted", "OutreachPlanned", "OutreachVisitRecorded", "OutreachVisitRecorded",
        "ConsentGranted", "ConsentGranted", "MeetingHeld", "PlanAdopted", "ParticipationMatched", "MeetingHeld",
        "PlanRevised"]
    assert [e["seq"] for e in entries] == list(range(1, 19))
    assert entries[3]["category"] == "consultation" and "summary" not in entries[3]


def test_audit_trail_filters_and_shows_the_unconsented_access_with_the_facts_of_its_moment(year) -> None:
    read_models, _, ids, refs = year
    view = read_models.access_audit.view
    by_person = view.decisions(member_id=refs["son"])
    assert [(r["reader_staff"], r["bases"]) for r in by_person] == [
        ("takahashi-aoi", "CONSENT,OWN_RECORD"), ("takahashi-aoi", "SUPPORT_MEETING")]
    [unconsented] = view.unconsented(case_id=str(ids["a"]), fiscal_year=2026)
    assert unconsented["decided_at"] == "2026-05-03T00:00:00.000000+00:00"
    assert unconsented["meetings"][0]["members"] == ["coordination", "elderly-shiba", "hikikomori"]
    assert unconsented["consents_then"] == []
    assert view.decisions(basis=Basis.SUPPORT_MEETING, reader_agency="hikikomori") == [
        r for r in by_person if r["has_support_meeting"]]
    assert view.decisions(fiscal_year=2025) == []


def test_workload_counts_waiting_referrals_in_business_days_visits_meetings_and_reviews(year) -> None:
    read_models, _, _, _ = year
    view = read_models.workload.view
    # Case B's referral, asked on Monday 2026-06-01, is still waiting: 6 business days on Tuesday 6/9.
    waiting = view.workload("hikikomori", date(2026, 6, 9), overdue_after_business_days=5)
    assert [(r["from_agency"], r["waiting_business_days"], r["overdue"]) for r in waiting.referrals_in] == [
        ("livelihood", 6, True)]
    assert view.workload("hikikomori", date(2026, 6, 8)).referrals_in[0]["overdue"] is False
    assert view.workload("livelihood", date(2026, 6, 9)).referrals_out[0]["to_agency"] == "hikikomori"
    may = view.workload("hikikomori", date(2026, 5, 31))
    assert (may.visits_this_month, may.meetings_this_fiscal_year) == (2, 1)
    autumn = view.workload("hikikomori", date(2027, 1, 20))
    assert (autumn.meetings_this_fiscal_year, len(autumn.plans_due_for_review)) == (3, 1)
    assert view.workload("elderly-shiba", date(2026, 6, 9)).cases_led == 1


def test_a_voided_visit_or_meeting_no_longer_counts_in_the_agencys_workload(year, tsunagu, staff) -> None:
    read_models, runner, ids, _ = year
    view = read_models.workload.view
    events = list(tsunagu.events.get(ids["a"]))
    first_visit = next(e for e in events if e.kind == "OutreachVisitRecorded")
    first_meeting = next(e for e in events if e.kind == "MeetingHeld")
    tsunagu.execute(staff("takahashi-aoi"), VoidEntry(case_id=ids["a"], seq=first_visit.originator_version,
                                                      reason="別の世帯の訪問を誤って記録した"))
    tsunagu.execute(staff(first_meeting.by_staff), VoidEntry(case_id=ids["a"], seq=first_meeting.originator_version,
                                                             reason="重複して記録した"))
    runner.catch_up()
    may = view.workload("hikikomori", date(2026, 5, 31))
    assert (may.visits_this_month, may.meetings_this_fiscal_year) == (1, 0)


def test_golden_week_holidays_are_not_business_days(year) -> None:
    from domain.calendar import business_days_between

    assert business_days_between(date(2026, 5, 2), date(2026, 5, 7)) == 1  # 5/3–5/6 are holidays in 2026


def test_output_indicators_count_per_fiscal_year_from_april(year, tsunagu) -> None:
    read_models, _, _, _ = year
    fy2026 = year_table(read_models.indicators.view, tsunagu.registry, 2026)
    assert fy2026 == {
        "multi_layered_meetings": {"": 2}, "support_meetings": {"": 1}, "plans_new": {"": 1},
        "plans_replanned": {"": 0},
        "plans_revised": {"": 1}, "outreach_total": {"": 2}, "outreach_new": {"": 1}, "outreach_people": {"": 1},
        "participation_matches": {"": 1}, "participation_people": {"": 1},
        "consultations": {"elderly": 1, "poverty": 1},
        "referrals": {"elderly-shiba→hikikomori": 1, "livelihood→hikikomori": 1}}
    assert year_table(read_models.indicators.view, tsunagu.registry, 2027)["consultations"] == {"poverty": 1}


def test_a_rebuild_gives_the_same_rows_as_the_live_views(year) -> None:
    read_models, runner, _, _ = year
    live = {m.name: m.view.dump() for m in read_models.all()}
    runner.rebuild()
    assert {m.name: m.view.dump() for m in read_models.all()} == live


def test_a_new_read_model_version_drops_the_tables_of_the_earlier_ones(store_env) -> None:
    """access_audit v2 held break-glass reasons in plaintext: once v3 is built, no v1 or v2 copy is left."""
    from projections.access_audit import AccessAuditProjection
    from projections.base import construct_view

    class EarlierAudit(AccessAuditProjection):
        name = AccessAuditProjection.name
        schema_version = AccessAuditProjection.schema_version - 1

    earlier = construct_view(EarlierAudit, store_env)
    earlier.create_table()
    earlier.execute("INSERT INTO {case_member} (member_id, case_id) VALUES ('m', 'c')")
    assert earlier.query("SELECT * FROM {case_member}")
    current = construct_view(AccessAuditProjection, store_env)
    current.create_table()
    if store_env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        base = store_env["SQLITE_DBNAME"].removesuffix(".db")
        assert not Path(f"{base}.access_audit_v{EarlierAudit.schema_version}.db").exists()
    else:
        with pytest.raises(Exception, match="does not exist"):
            earlier.query("SELECT * FROM {case_member}")


def test_the_indicators_tables_of_versions_one_and_two_are_dropped_though_version_three_has_others(
        store_env) -> None:
    from projections.base import construct_view
    from projections.indicators import IndicatorsProjection

    if store_env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        base = store_env["SQLITE_DBNAME"].removesuffix(".db")
        Path(f"{base}.indicators_v2.db").write_bytes(b"")
        construct_view(IndicatorsProjection, store_env).create_table()
        assert not Path(f"{base}.indicators_v2.db").exists()
        return
    current = construct_view(IndicatorsProjection, store_env)
    schema = store_env.get("POSTGRES_SCHEMA") or "public"
    old = [f'"{schema}"."rm2_{t}"' for t in ("indicator", "outreach_case", "sitting")] + [f'"{schema}"."rm_indicator"']
    for table in old:
        current.execute(f"CREATE TABLE {table} (case_id TEXT)")
    construct_view(IndicatorsProjection, store_env).create_table()
    for table in old:
        with pytest.raises(Exception, match="does not exist"):
            current.query(f"SELECT * FROM {table}")


def test_an_escalation_waits_on_the_coordinators_list_until_a_meeting_takes_it_up(tsunagu, store_env, staff,
                                                                                 clock) -> None:
    read_models = build_read_models(store_env)
    runner = BatchRunner(tsunagu, read_models.all(), batch_size=3)
    elderly, coordinator = staff("suzuki-kenta"), staff("tanaka-yui")

    def step(when: str, actor, command) -> None:
        clock.now = at(when)
        tsunagu.execute(actor, command)
        runner.catch_up()

    def waiting() -> list[tuple[str, str]]:
        return [(row["case_id"], row["escalated_on"]) for row in read_models.case_state.view.escalated("2026-01-01")]

    clock.now = at("2026-06-01T10:00")
    case = tsunagu.execute(elderly, OpenCase(household_name="山田家", household_name_kana="やまだけ",
                                             district="shiba", summary="相談")).case_id
    son = tsunagu.execute(elderly, AddMember(case_id=UUID(case), name="山田 太郎", name_kana="やまだ たろう",
                                             birth_date=date(1980, 1, 1), relationship="長男")).created_id
    step("2026-06-02T10:00", elderly, EscalateToMultiAgency(case_id=UUID(case), reason="複数の課題があり調整が必要"))
    assert waiting() == [(case, "2026-06-02")]
    step("2026-06-03T10:00", elderly, RecordConsultation(case_id=UUID(case), field=Field.ELDERLY, summary="電話",
                                                        category=InformationCategory.CONSULTATION, channel="電話"))
    assert waiting() == [(case, "2026-06-02")], "recording is not taking it up"
    step("2026-06-10T14:00", coordinator, HoldSupportMeeting(
        case_id=UUID(case), held_on=date(2026, 6, 10), purpose="調整",
        participants=(Participant(agency="elderly-shiba", staff="suzuki-kenta", pledged=True),
                      Participant(agency="coordination", staff="tanaka-yui", pledged=True)),
        tabled_subjects=(son,), tabled_categories=TABLED, until=date(2026, 7, 31)))
    assert waiting() == []
    step("2026-07-01T10:00", elderly, EscalateToMultiAgency(case_id=UUID(case), reason="再び調整が必要になった"))
    assert waiting() == [(case, "2026-07-01")]
    step("2026-07-02T10:00", elderly, CloseCase(case_id=UUID(case), evaluation="転居", outcome="転居",
                                                 reason=ClosureReason.MOVED_OUT))
    assert waiting() == []
