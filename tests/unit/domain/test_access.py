"""A referral's entries are shown to the agency it was made to only while what allowed it still holds: every
member's consent it rested on, or the current sharing of the 支援会議 that decided it."""

from __future__ import annotations

from datetime import date, timedelta

from domain.access import decide_case
from domain.actor import Actor
from domain.vocabulary import Basis, DecisionKind, InformationCategory, Role
from tests.unit.test_case_rules import ELDERLY, NOW, consent, new_case, support_meeting

HIKIKOMORI = Actor("takahashi-aoi", "hikikomori", frozenset({Role.CASEWORKER}))
LIVELIHOOD = Actor("inoue-kazuki", "livelihood", frozenset({Role.CASEWORKER}))
BASIC = (InformationCategory.BASIC,)


def decision_on(reader: Actor, case, seq: int, at=NOW):
    return next(d for d in decide_case(reader, case, at) if d.seq == seq)


def test_a_referral_resting_on_two_members_consents_is_shown_on_both_and_on_neither_alone() -> None:
    case, son = new_case()
    mother = case.add_member(ELDERLY, NOW, name="佐藤 花子", name_kana="さとう はなこ", birth_date=date(1948, 1, 1),
                             relationship="母")
    consents = sorted(consent(case, member, ["hikikomori"], categories=BASIC) for member in (son, mother))
    case.request_referral(ELDERLY, NOW, to_agency="hikikomori", categories=list(BASIC), reason="世帯の支援")
    referral = case.version
    shown = decision_on(HIKIKOMORI, case, referral)
    assert (shown.basis, shown.ground) == (Basis.CONSENT, "+".join(consents))
    case.withdraw_consent(ELDERLY, NOW, consent_id=consents[0], reason="本人の申出")
    assert decision_on(HIKIKOMORI, case, referral).basis is None


def test_a_referral_a_support_meeting_decided_is_shown_to_its_agency_only_while_the_meeting_shares() -> None:
    case, _ = new_case()
    refer = {"kind": DecisionKind.REFER, "text": "生活支援につなぐ", "target_agency": "livelihood",
             "categories": list(BASIC)}
    meeting = support_meeting(case, ["elderly-shiba", "coordination"], decisions=[refer])
    case.request_referral(ELDERLY, NOW, to_agency="livelihood", categories=list(BASIC), reason="支援会議の決定")
    referral = case.version
    shown = decision_on(LIVELIHOOD, case, referral)
    assert (shown.basis, shown.ground) == (Basis.SUPPORT_MEETING, meeting)
    after_its_end = NOW + timedelta(days=61)  # the helper's meeting shares for 60 days
    assert decision_on(LIVELIHOOD, case, referral, after_its_end).basis is None
