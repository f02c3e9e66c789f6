"""The case's rules, as a caseworker would meet them (pure domain, no store)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.actor import Actor
from domain.case import Case
from domain.errors import CaseClosedError, ConsentRequired, InvalidCommand, NotPermitted, RuleViolation
from domain.vocabulary import (
    ClosureReason,
    ConsentGiver,
    ConsentMethod,
    DecisionKind,
    InformationCategory,
    LegalGround,
    MeetingKind,
    ReferralStatus,
    Role,
)

NOW = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
ELDERLY = Actor("suzuki-kenta", "elderly-shiba", frozenset({Role.CASEWORKER}))
HIKIKOMORI = Actor("takahashi-aoi", "hikikomori", frozenset({Role.CASEWORKER}))
COORDINATOR = Actor("tanaka-yui", "coordination", frozenset({Role.COORDINATOR}))
AUDITOR = Actor("watanabe-makoto", "audit-office", frozenset({Role.AUDITOR}))


def new_case() -> tuple[Case, str]:
    case = Case.open(ELDERLY, NOW, household_name="佐藤家", household_name_kana="さとうけ", district="shiba",
                     summary="8050")
    son = case.add_member(ELDERLY, NOW, name="佐藤 健一", name_kana="さとう けんいち", birth_date=date(1975, 4, 2),
                          relationship="長男", is_principal=True)
    return case, son


def consent(case: Case, member: str, agencies: list[str], until: date = date(2027, 3, 31),
            categories: tuple[InformationCategory, ...] = tuple(InformationCategory), at: datetime = NOW) -> str:
    return case.grant_consent(ELDERLY, at, member_id=member, given_by=ConsentGiver.SELF, representative="",
                              member_view="", agencies=agencies, categories=list(categories), purpose="支援のため",
                              method=ConsentMethod.WRITTEN, document_ref="同意書 第1号", heard_by="",
                              valid_until=until, self_consent_age=15, max_days=366)


def support_meeting(case: Case, agencies: list[str], decisions: list[dict] | None = None) -> str:
    return case.hold_meeting(COORDINATOR, NOW, kind=MeetingKind.SUPPORT, held_on=NOW.date(), purpose="情報共有",
                             participants=[{"agency": a, "staff": f"staff-{a}", "pledged": True} for a in agencies],
                             decisions=decisions or [], tabled_subjects=tuple(case.members),
                             tabled_categories=tuple(InformationCategory), until=NOW.date() + timedelta(days=60))


def test_referral_to_unconsented_agency_is_refused_with_a_clear_message() -> None:
    case, _ = new_case()
    with pytest.raises(ConsentRequired) as refused:
        case.request_referral(ELDERLY, NOW, to_agency="hikikomori", categories=[InformationCategory.BASIC],
                              reason="長男の支援")
    assert "同意" in refused.value.message_ja and "hikikomori" in refused.value.message_en


def test_referral_is_allowed_when_consent_covers_the_agency_and_the_shared_categories() -> None:
    case, son = new_case()
    consent(case, son, ["hikikomori"], categories=(InformationCategory.BASIC,))
    with pytest.raises(ConsentRequired):
        case.request_referral(ELDERLY, NOW, to_agency="hikikomori",
                              categories=[InformationCategory.BASIC, InformationCategory.HEALTH], reason="x")
    referral = case.request_referral(ELDERLY, NOW, to_agency="hikikomori", categories=[InformationCategory.BASIC],
                                     reason="長男の支援")
    assert case.referrals[referral]["status"] == ReferralStatus.REQUESTED


def test_referral_decided_by_a_support_meeting_needs_no_consent() -> None:
    case, _ = new_case()
    support_meeting(case, ["elderly-shiba", "hikikomori", "coordination"],
                    decisions=[{"kind": DecisionKind.REFER, "text": "ひきこもり窓口につなぐ",
                                "target_agency": "hikikomori", "categories": [InformationCategory.BASIC]}])
    referral = case.request_referral(ELDERLY, NOW, to_agency="hikikomori", categories=[InformationCategory.BASIC],
                                     reason="支援会議の決定")
    assert case.referrals[referral]["to_agency"] == "hikikomori"


def test_decline_needs_a_reason_and_an_alternative_or_escalation() -> None:
    case, son = new_case()
    consent(case, son, ["hikikomori"])
    referral = case.request_referral(ELDERLY, NOW, to_agency="hikikomori", categories=[InformationCategory.BASIC],
                                     reason="x")
    with pytest.raises(InvalidCommand):
        case.decline_referral(HIKIKOMORI, NOW, referral_id=referral, reason="対象外")
    case.decline_referral(HIKIKOMORI, NOW, referral_id=referral, reason="対象外", escalate=True)
    kinds = [type(e).__name__ for e in case.collect_events()]
    assert kinds[-2:] == ["ReferralDeclined", "EscalatedToMultiAgency"]


def test_only_the_receiving_agency_answers_a_referral() -> None:
    case, son = new_case()
    consent(case, son, ["hikikomori"])
    referral = case.request_referral(ELDERLY, NOW, to_agency="hikikomori", categories=[InformationCategory.BASIC],
                                     reason="x")
    with pytest.raises(NotPermitted):
        case.accept_referral(ELDERLY, NOW, referral_id=referral)
    case.accept_referral(HIKIKOMORI, NOW, referral_id=referral)
    with pytest.raises(RuleViolation):
        case.accept_referral(HIKIKOMORI, NOW, referral_id=referral)


def test_multi_layered_meeting_without_covering_consent_is_refused() -> None:
    case, son = new_case()
    consent(case, son, ["elderly-shiba", "coordination"])
    participants = [{"agency": a, "staff": "s", "pledged": False} for a in ("elderly-shiba", "hikikomori")]
    with pytest.raises(ConsentRequired) as refused:
        case.hold_meeting(COORDINATOR, NOW, kind=MeetingKind.MULTI_LAYERED, held_on=NOW.date(), purpose="計画",
                          participants=participants, decisions=[])
    assert "hikikomori" in refused.value.message_ja


def test_support_meeting_refuses_a_member_who_did_not_pledge_confidentiality() -> None:
    case, _ = new_case()
    with pytest.raises(InvalidCommand) as refused:
        case.hold_meeting(COORDINATOR, NOW, kind=MeetingKind.SUPPORT, held_on=NOW.date(), purpose="共有",
                          participants=[{"agency": "hikikomori", "staff": "takahashi-aoi", "pledged": False}],
                          decisions=[])
    assert "takahashi-aoi" in refused.value.message_ja


def test_withdrawn_or_expired_consent_no_longer_covers_anyone() -> None:
    case, son = new_case()
    withdrawn = consent(case, son, ["hikikomori"])
    consent(case, son, ["livelihood"], until=date(2026, 6, 30))
    assert case.consent_covering("hikikomori", InformationCategory.BASIC, NOW) is not None
    later = NOW + timedelta(days=1)
    case.withdraw_consent(ELDERLY, later, consent_id=withdrawn, reason="本人の申し出")
    assert case.consent_covering("hikikomori", InformationCategory.BASIC, later) is None
    assert case.consent_covering("livelihood", None, datetime(2026, 6, 30, 14, 0, tzinfo=UTC)) is not None
    assert case.consent_covering("livelihood", None, datetime(2026, 6, 30, 15, 0, tzinfo=UTC)) is None


def test_plan_is_adopted_only_by_a_coordinator_at_a_multi_layered_meeting() -> None:
    case, son = new_case()
    consent(case, son, ["elderly-shiba", "coordination"])
    support = support_meeting(case, ["elderly-shiba", "coordination"])
    layered = case.hold_meeting(COORDINATOR, NOW, kind=MeetingKind.MULTI_LAYERED, held_on=NOW.date(),
                                purpose="計画", participants=[{"agency": "elderly-shiba", "staff": "s"},
                                                            {"agency": "coordination", "staff": "t"}],
                                decisions=[])
    review = date(2026, 9, 1)
    with pytest.raises(NotPermitted):
        case.adopt_plan(ELDERLY, NOW, meeting_id=layered, goals=["g"], roles=[], next_review_on=review)
    with pytest.raises(RuleViolation):
        case.adopt_plan(COORDINATOR, NOW, meeting_id=support, goals=["g"], roles=[], next_review_on=review)
    case.adopt_plan(COORDINATOR, NOW, meeting_id=layered, goals=["外出の機会を増やす"],
                    roles=[{"agency": "elderly-shiba", "role": "母の介護"}], next_review_on=review)
    assert case.plan is not None and case.plan["next_review_on"] == review


def test_a_reader_who_may_not_see_the_closure_is_never_shown_a_review_the_closure_cleared() -> None:
    case, son = new_case()
    consent(case, son, ["elderly-shiba", "coordination"])
    layered = case.hold_meeting(COORDINATOR, NOW, kind=MeetingKind.MULTI_LAYERED, held_on=NOW.date(),
                                purpose="計画", participants=[{"agency": "elderly-shiba", "staff": "s"},
                                                            {"agency": "coordination", "staff": "t"}],
                                decisions=[])
    case.adopt_plan(COORDINATOR, NOW, meeting_id=layered, goals=["g"], roles=[], next_review_on=date(2026, 9, 1))
    case.close(ELDERLY, NOW, evaluation="目標達成", outcome="終結", reason=ClosureReason.NO_NEED)
    events = list(case.collect_events())
    closure = events[-1].originator_version
    known = Case.from_granted(case, events, {e.originator_version for e in events} - {closure})
    assert case.plan is not None and case.plan["next_review_on"] is None
    assert known.plan is not None and known.plan["next_review_on"] is None
    assert known.status == case.status


def test_closed_case_refuses_new_records_until_reopened() -> None:
    case, _ = new_case()
    case.close(ELDERLY, NOW, evaluation="目標達成", outcome="終結", reason=ClosureReason.NO_NEED)
    with pytest.raises(CaseClosedError):
        case.record_consultation(ELDERLY, NOW, field="elderly", category=InformationCategory.CONSULTATION,
                                 channel="電話", summary="x")
    case.reopen(ELDERLY, NOW, reason="再相談")
    case.record_consultation(ELDERLY, NOW, field="elderly", category=InformationCategory.CONSULTATION,
                             channel="電話", summary="再相談")


def test_handover_must_match_the_members_age_on_the_due_date() -> None:
    case, son = new_case()  # born 1975-04-02: 65 on 2040-04-02
    with pytest.raises(InvalidCommand):
        case.plan_handover(ELDERLY, NOW, member_id=son, at_age=65, to_agency="elderly-shiba",
                           due_on=date(2040, 4, 1))
    with pytest.raises(InvalidCommand):
        case.plan_handover(ELDERLY, NOW, member_id=son, at_age=50, to_agency="hikikomori", due_on=date(2030, 1, 1))
    handover = case.plan_handover(ELDERLY, NOW, member_id=son, at_age=40, to_agency="disability-core",
                                  due_on=date(2026, 6, 1))
    case.complete_handover(ELDERLY, NOW, handover_id=handover)
    assert case.lead_agency == "disability-core"


def test_emergency_access_needs_a_written_reason_and_expires() -> None:
    case, _ = new_case()
    with pytest.raises(InvalidCommand):
        case.grant_emergency_access(HIKIKOMORI, NOW, reason="急ぎ", ttl=timedelta(hours=24),
                                    legal_ground=LegalGround.WARD_DIVISION)
    with pytest.raises(NotPermitted):
        case.grant_emergency_access(AUDITOR, NOW, reason="安否確認のため至急確認が必要", ttl=timedelta(hours=24),
                                    legal_ground=LegalGround.WARD_DIVISION)
    case.grant_emergency_access(HIKIKOMORI, NOW, reason="安否確認のため至急確認が必要", ttl=timedelta(hours=24),
                                legal_ground=LegalGround.WARD_DIVISION)
    assert case.emergency_grant_for("takahashi-aoi", NOW + timedelta(hours=23)) is not None
    assert case.emergency_grant_for("takahashi-aoi", NOW + timedelta(hours=24)) is None


def test_corrections_are_new_events_and_the_original_stays() -> None:
    case, son = new_case()
    case.correct_member_details(ELDERLY, NOW, member_id=son, corrections={"name": "佐藤 健市"}, reason="誤記")
    assert case.members[son]["name"] == "佐藤 健市"
    events = case.collect_events()
    assert events[1].name == "佐藤 健一" and type(events[-1]).__name__ == "MemberDetailsCorrected"
    with pytest.raises(NotPermitted):
        case.correct_entry(HIKIKOMORI, NOW, seq=2, correction="x")


def test_every_event_says_who_and_when() -> None:
    case, son = new_case()
    consent(case, son, ["hikikomori"])
    for event in case.collect_events():
        assert event.by_staff and event.by_agency and event.occurred_at == NOW
