"""What a meeting on one case records: its purpose, external members and minutes as given, a 支援会議's end
within the ward's own maximum, and decisions added later dated when they were made."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from domain.case.meetings import Part, Sitting
from domain.errors import ConsentRequired, InvalidCommand, NotFound, RuleViolation
from domain.vocabulary import DecisionKind, InformationCategory, MeetingKind
from tests.unit.test_case_rules import COORDINATOR, NOW, consent, new_case

LATER = NOW + timedelta(days=3)
PARTICIPANTS = [{"agency": a, "staff": f"staff-{a}", "pledged": True} for a in ("coordination", "hikikomori")]
NEIGHBOUR = {"name": "芝 一郎", "organisation": "芝地区民生委員", "role": "minsei_iin", "pledged": True}


def support_meeting(case, son: str, *, days: int, max_days: int | None = None, minutes: str | None = None):
    options = {"max_days": max_days} if max_days is not None else {}
    if minutes is not None:
        options["minutes"] = minutes
    meeting_id = case.hold_meeting(COORDINATOR, NOW, kind=MeetingKind.SUPPORT, held_on=NOW.date(),
                                   purpose="見守りの検討", participants=PARTICIPANTS, decisions=[],
                                   tabled_subjects=(son,), tabled_categories=(InformationCategory.BASIC,),
                                   until=NOW.date() + timedelta(days=days), external_members=(NEIGHBOUR,),
                                   **options)
    return meeting_id, list(case.collect_events())[-1]


def test_a_meeting_records_its_purpose_external_members_and_minutes_as_given() -> None:
    case, son = new_case()
    _, held = support_meeting(case, son, days=28, minutes="長男の近況を共有した。")
    assert (held.purpose, held.minutes) == ("見守りの検討", "長男の近況を共有した。")
    assert held.external_members == [NEIGHBOUR]
    _, without = support_meeting(case, son, days=28)
    assert without.minutes == ""


def test_a_support_meetings_end_is_bounded_by_the_wards_own_maximum_not_the_default() -> None:
    case, son = new_case()
    _, held = support_meeting(case, son, days=120, max_days=150)
    assert held.until == NOW.date() + timedelta(days=120)
    with pytest.raises(InvalidCommand):
        support_meeting(case, son, days=120)  # the default maximum (92 days) refuses it


def test_a_decision_added_later_is_dated_when_it_was_made_and_an_unknown_meeting_is_named_as_one() -> None:
    case, son = new_case()
    meeting_id, _ = support_meeting(case, son, days=28)
    case.record_decision(COORDINATOR, LATER, meeting_id=meeting_id,
                         decision={"kind": DecisionKind.WATCH, "text": "週1回の見守り"})
    recorded = list(case.collect_events())[-1]
    assert (recorded.meeting_id, recorded.occurred_at) == (meeting_id, LATER)
    with pytest.raises(NotFound) as missing:
        case.record_decision(COORDINATOR, LATER, meeting_id="no-such-meeting",
                             decision={"kind": DecisionKind.WATCH, "text": "x"})
    assert (missing.value.message_ja, missing.value.message_en) == (
        "この事例に会議「no-such-meeting」はありません。", "This case has no meeting 'no-such-meeting'.")


def test_a_referral_decision_must_name_the_agency_and_says_so_in_both_languages() -> None:
    case, son = new_case()
    meeting_id, _ = support_meeting(case, son, days=28)
    with pytest.raises(InvalidCommand) as refused:
        case.record_decision(COORDINATOR, LATER, meeting_id=meeting_id,
                             decision={"kind": DecisionKind.REFER, "text": "つなぐ"})
    assert (refused.value.message_ja, refused.value.message_en) == (
        "つなぎの決定には、つなぎ先の機関を指定してください。", "A referral decision must name the agency to refer to.")


def test_a_multi_layered_meeting_names_every_participating_agency_its_consent_does_not_cover() -> None:
    case, son = new_case()
    participants = [{"agency": a, "staff": f"staff-{a}", "pledged": True}
                    for a in ("coordination", "hikikomori", "livelihood")]
    with pytest.raises(ConsentRequired) as refused:
        case.hold_meeting(COORDINATOR, NOW, kind=MeetingKind.MULTI_LAYERED, held_on=NOW.date(), purpose="計画",
                          participants=participants, decisions=[])
    assert refused.value.message_ja == (
        "重層的支援会議は本人同意が必要です。次の参加機関は同意の範囲に含まれていません：coordination、hikikomori、"
        "livelihood。同意を得るか、支援会議（守秘義務による情報共有）として開催してください。")
    assert refused.value.message_en == (
        "A multi-layered support meeting needs the person's consent; it does not cover: coordination, hikikomori, "
        "livelihood. Obtain consent or hold a support meeting (art. 106-6) instead.")


def unconsented(case, son: str, *, subjects: tuple[str, ...], categories: tuple[InformationCategory, ...],
                days: int) -> None:
    case.hold_meeting(COORDINATOR, NOW, kind=MeetingKind.SUPPORT, held_on=NOW.date(), purpose="見守りの検討",
                      participants=PARTICIPANTS, decisions=[], tabled_subjects=subjects,
                      tabled_categories=categories, until=NOW.date() + timedelta(days=days), max_days=30)


@pytest.mark.parametrize("subjects, categories", [((), (InformationCategory.BASIC,)), (("son",), ())])
def test_a_meeting_without_consent_must_table_both_members_and_categories(subjects, categories) -> None:
    case, son = new_case()
    with pytest.raises(InvalidCommand) as refused:
        unconsented(case, son, subjects=tuple(son if s == "son" else s for s in subjects), categories=categories,
                    days=14)
    assert (refused.value.message_ja, refused.value.message_en) == (
        "同意によらない会議（支援会議など）では、検討する世帯員と情報の種類を指定してください（共有できるのはその範囲だけです）。",
        "A meeting held without consent (a support meeting, …) names the members and the information "
        "categories it discusses (only those are shared).")


@pytest.mark.parametrize("days, allowed", [(0, False), (1, True), (30, True), (31, False)])
def test_sharing_without_consent_ends_after_the_meeting_and_within_the_wards_maximum(days: int, allowed: bool) -> None:
    case, son = new_case()
    if allowed:
        unconsented(case, son, subjects=(son,), categories=(InformationCategory.BASIC,), days=days)
        return
    with pytest.raises(InvalidCommand) as refused:
        unconsented(case, son, subjects=(son,), categories=(InformationCategory.BASIC,), days=days)
    assert (refused.value.message_ja, refused.value.message_en) == (
        "同意によらない会議の情報共有の期限（次回の開催日など）を、開催日から30日以内で指定してください。",
        "State until when the meeting's sharing without consent lasts (e.g. the next sitting), at most 30 days "
        "after it.")


def sitting_part(case, son: str, kind: MeetingKind) -> Part:
    return Part(kind, "検討", PARTICIPANTS, [], (son,), (InformationCategory.BASIC,), NOW.date() + timedelta(days=28))


def test_a_sitting_records_each_kind_once_for_a_case_and_a_second_kind_may_follow_in_another_step() -> None:
    case, son = new_case()
    consent(case, son, ["coordination", "hikikomori"])
    sitting = Sitting.of(NOW.date(), body_id="multi-layered-omori", start_time=time(14, 0))
    assert (sitting.sitting_id, sitting.place) == (f"multi-layered-omori:{NOW.date().isoformat()}T14:00", "")
    for parts in ([], [sitting_part(case, son, MeetingKind.SUPPORT)] * 2):
        with pytest.raises(InvalidCommand) as refused:
            case.hold_sitting(COORDINATOR, NOW, sitting, parts)
        assert (refused.value.message_ja, refused.value.message_en) == (
            "開催ごとに、会議の種類を一つずつ（重複なく）指定してください。",
            "Name each kind of meeting held at the sitting once.")
    case.hold_sitting(COORDINATOR, NOW, sitting, [sitting_part(case, son, MeetingKind.SUPPORT)])
    with pytest.raises(RuleViolation) as again:
        case.hold_sitting(COORDINATOR, NOW, sitting, [sitting_part(case, son, MeetingKind.SUPPORT)])
    assert (again.value.message_ja, again.value.message_en) == (
        "この開催でのこのケースの会議はすでに記録されています。決定は「会議決定の記録」で追加してください。",
        "This case's meeting at this sitting is already recorded; add decisions to it.")
    case.hold_sitting(COORDINATOR, NOW, sitting, [sitting_part(case, son, MeetingKind.MULTI_LAYERED)])
    assert sorted(m["kind"] for m in case.meetings.values() if m["sitting_id"] == sitting.sitting_id) == [
        MeetingKind.MULTI_LAYERED, MeetingKind.SUPPORT]


def test_a_part_without_participants_is_refused_in_both_languages() -> None:
    case, son = new_case()
    empty = Part(MeetingKind.SUPPORT, "検討", [], [], (son,), (InformationCategory.BASIC,), NOW.date())
    with pytest.raises(InvalidCommand) as refused:
        case.hold_sitting(COORDINATOR, NOW, Sitting.of(NOW.date()), [empty])
    assert (refused.value.message_ja, refused.value.message_en) == (
        "会議の参加者を入力してください。", "A meeting needs participants.")


def test_a_meeting_names_everyone_who_has_not_pledged() -> None:
    case, son = new_case()
    outsiders = ({**NEIGHBOUR, "pledged": False}, {**NEIGHBOUR, "name": "港 花子", "pledged": False})
    with pytest.raises(InvalidCommand) as refused:
        case.hold_meeting(COORDINATOR, NOW, kind=MeetingKind.SUPPORT, held_on=NOW.date(), purpose="検討",
                          participants=PARTICIPANTS, decisions=[], tabled_subjects=(son,),
                          tabled_categories=(InformationCategory.BASIC,), until=NOW.date() + timedelta(days=28),
                          external_members=outsiders)
    assert refused.value.message_ja.endswith("未誓約：港 花子、芝 一郎。")
    assert refused.value.message_en.endswith("Not pledged: 港 花子, 芝 一郎.")
