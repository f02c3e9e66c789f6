"""Granting a consent: who may give it for a member of which age, what it must record, how long it may last,
and when it counts — each refusal in the words a caseworker reads, in Japanese and English."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from domain.case import Case
from domain.errors import CaseClosedError, InvalidCommand
from domain.vocabulary import ClosureReason, ConsentGiver, ConsentMethod, InformationCategory
from tests.unit.test_case_rules import ELDERLY, NOW

BASIC, HEALTH = InformationCategory.BASIC, InformationCategory.HEALTH
TODAY = date(2026, 6, 1)  # NOW, in Japan
SELF_CONSENT_AGE, MAX_DAYS = 15, 366


def household_with(birth_date: date) -> tuple[Case, str]:
    case = Case.open(ELDERLY, NOW, household_name="佐藤家", household_name_kana="さとうけ", district="shiba",
                     summary="相談")
    member = case.add_member(ELDERLY, NOW, name="佐藤 一", name_kana="さとう はじめ", birth_date=birth_date,
                             relationship="本人", is_principal=True)
    return case, member


def aged(years: int) -> date:
    """A birth date that makes the member exactly ``years`` old today (their birthday is today)."""
    return TODAY.replace(year=TODAY.year - years)


def grant(case: Case, member: str, **changes: Any) -> str:
    values: dict[str, Any] = dict(
        member_id=member, given_by=ConsentGiver.SELF, representative="", member_view="", agencies=["hikikomori"],
        categories=[BASIC], purpose="支援のため", method=ConsentMethod.WRITTEN, document_ref="同意書 第1号",
        heard_by="", valid_until=TODAY + timedelta(days=30), self_consent_age=SELF_CONSENT_AGE, max_days=MAX_DAYS)
    return case.grant_consent(ELDERLY, NOW, **{**values, **changes})


def refusal(case: Case, member: str, **changes: Any) -> tuple[str, str]:
    with pytest.raises(InvalidCommand) as refused:
        grant(case, member, **changes)
    return refused.value.message_ja, refused.value.message_en


# ----- what it covers and how long -------------------------------------------------------------

@pytest.mark.parametrize("scope", [dict(agencies=[]), dict(categories=[])])
def test_a_consent_names_at_least_one_agency_and_one_category(scope: dict[str, list[str]]) -> None:
    case, member = household_with(aged(40))
    assert refusal(case, member, **scope) == (
        "同意の範囲（機関と情報の種類）を一つ以上指定してください。",
        "A consent must name at least one agency and one information category.")


def test_a_consent_lasts_from_the_day_after_it_is_given_to_the_wards_maximum() -> None:
    case, member = household_with(aged(40))
    after_it_was_given = ("同意の有効期限は取得日より後にしてください。",
                          "A consent must be valid until a date after it was given.")
    assert refusal(case, member, valid_until=TODAY) == after_it_was_given
    assert refusal(case, member, valid_until=TODAY - timedelta(days=1)) == after_it_was_given
    assert refusal(case, member, valid_until=TODAY + timedelta(days=MAX_DAYS + 1)) == (
        "同意の有効期限は取得日から366日以内にしてください。", "A consent may be valid for at most 366 days.")
    for last_day in (TODAY + timedelta(days=1), TODAY + timedelta(days=MAX_DAYS)):
        assert case.consents[grant(case, member, valid_until=last_day)]["valid_until"] == last_day


# ----- who gives it ----------------------------------------------------------------------------

def test_a_child_under_the_wards_age_consents_through_a_parent() -> None:
    case, child = household_with(aged(SELF_CONSENT_AGE - 1) + timedelta(days=1))  # a day short of 14
    assert refusal(case, child) == (
        "15歳未満の子どもの同意は、親権者から得てください（本人の意見は記録できます）。",
        "A child under 15 consents through a person with parental authority (the child's own view can be recorded).")
    assert grant(case, child, given_by=ConsentGiver.PARENT, representative="母 佐藤 花子")
    teenager_case, teenager = household_with(aged(SELF_CONSENT_AGE))  # 15 today: their own consent
    assert grant(teenager_case, teenager)


def test_an_adult_consents_themselves_or_through_a_guardian_not_a_parent() -> None:
    case, adult = household_with(aged(18))
    assert refusal(case, adult, given_by=ConsentGiver.PARENT, representative="母") == (
        "成人の同意は、本人か成年後見人・保佐人・補助人から得てください。",
        "An adult consents themselves, or through a guardian, curator or assistant.")
    assert grant(case, adult, given_by=ConsentGiver.GUARDIAN, representative="成年後見人 山田", member_view="了承")
    minor_case, minor = household_with(aged(18) + timedelta(days=1))  # 17: a parent may still consent
    assert grant(minor_case, minor, given_by=ConsentGiver.PARENT, representative="母")


def test_a_minor_consents_themselves_or_through_a_parent_not_a_guardian() -> None:
    case, minor = household_with(aged(18) + timedelta(days=1))
    assert refusal(case, minor, given_by=ConsentGiver.GUARDIAN, representative="後見人", member_view="了承") == (
        "未成年の同意は、本人か親権者から得てください。",
        "A minor consents themselves or through a person with parental authority.")


@pytest.mark.parametrize("giver", [ConsentGiver.PARENT, ConsentGiver.GUARDIAN])
def test_who_consented_on_a_members_behalf_is_recorded(giver: ConsentGiver) -> None:
    case, member = household_with(aged(10) if giver == ConsentGiver.PARENT else aged(80))
    assert refusal(case, member, given_by=giver, representative="  ", member_view="了承") == (
        "代わりに同意した人（氏名と続柄・資格）を記録してください。",
        "Record who consented on the member's behalf (name and capacity).")


def test_a_guardians_consent_records_the_members_own_view() -> None:
    case, member = household_with(aged(80))
    assert refusal(case, member, given_by=ConsentGiver.GUARDIAN, representative="成年後見人 山田",
                   member_view=" ") == ("成年後見人等による同意では、本人の意向も記録してください。",
                                        "When a guardian consents, record the member's own view too.")


# ----- how it was obtained ---------------------------------------------------------------------

def test_a_written_consent_names_its_document_and_an_oral_one_who_heard_it() -> None:
    case, member = household_with(aged(40))
    assert refusal(case, member, method=ConsentMethod.WRITTEN, document_ref=" ") == (
        "書面による同意は、同意書の文書番号・保管場所を記録してください。",
        "A written consent needs the document's reference.")
    assert refusal(case, member, method=ConsentMethod.ORAL, document_ref="", heard_by=" ") == (
        "口頭による同意は、聞き取った職員を記録してください。", "An oral consent needs the staff member who heard it.")


def test_the_recorded_consent_holds_what_was_given_trimmed_sorted_and_only_what_its_method_needs() -> None:
    case, member = household_with(aged(80))
    written = grant(case, member, given_by=ConsentGiver.GUARDIAN, representative=" 成年後見人 山田 ",
                    member_view=" 了承 ", agencies=["livelihood", "hikikomori", "livelihood"],
                    categories=[HEALTH, BASIC, HEALTH], document_ref=" 同意書 第2号 ", heard_by="聞いた人")
    [event] = [e for e in case.collect_events() if type(e).__name__ == "ConsentGranted"]
    assert event.consent_id == written
    assert (event.member_id, event.given_by, event.representative, event.member_view) == (
        member, ConsentGiver.GUARDIAN, "成年後見人 山田", "了承")
    assert (event.agencies, event.categories) == (["hikikomori", "livelihood"], [BASIC, HEALTH])
    assert (event.method, event.document_ref, event.heard_by) == (ConsentMethod.WRITTEN, "同意書 第2号", "")
    assert (event.purpose, event.obtained_by, event.valid_until) == ("支援のため", "suzuki-kenta",
                                                                     TODAY + timedelta(days=30))
    oral = case.consents[grant(case, member, given_by=ConsentGiver.GUARDIAN, representative="山田",
                               member_view="了承", method=ConsentMethod.ORAL, document_ref="同意書", heard_by=" 鈴木 ")]
    assert (oral["document_ref"], oral["heard_by"]) == ("", "鈴木")


def test_a_closed_case_takes_no_new_consent() -> None:
    case, member = household_with(aged(40))
    case.close(ELDERLY, NOW, evaluation="評価", outcome="終結", reason=ClosureReason.NO_NEED)
    with pytest.raises(CaseClosedError):
        grant(case, member)


# ----- when it counts --------------------------------------------------------------------------

def test_a_consent_counts_from_the_moment_it_is_given_until_withdrawn_and_through_its_last_day() -> None:
    case, member = household_with(aged(40))
    consent_id = grant(case, member, valid_until=TODAY + timedelta(days=30))
    given = case.consents[consent_id]["granted_at"]
    active = lambda at: [c["consent_id"] for c in case.active_consents(at)]  # noqa: E731
    assert active(given - timedelta(seconds=1)) == []
    assert active(given) == [consent_id]
    last_day = NOW + timedelta(days=30)  # 10:00 in Japan on its last day
    assert active(last_day) == [consent_id] and active(last_day + timedelta(days=1)) == []
    withdrawn_at = NOW + timedelta(days=3)
    case.withdraw_consent(ELDERLY, withdrawn_at, consent_id=consent_id, reason="本人の申出")
    assert active(withdrawn_at - timedelta(seconds=1)) == [consent_id]
    assert active(withdrawn_at) == []
