"""Each basis of access, and the denial, decided on the case as it stands at the moment of reading."""

from __future__ import annotations

from datetime import date, timedelta

from domain.access import decide_case, decide_entry, may_write
from domain.vocabulary import Basis, InformationCategory
from tests.unit.test_case_rules import AUDITOR, COORDINATOR, ELDERLY, HIKIKOMORI, NOW, consent, new_case, support_meeting


def bases(decisions: list) -> list:
    return [d.basis for d in decisions]


def test_own_agency_sees_its_own_entries() -> None:
    case, _ = new_case()
    assert bases(decide_case(ELDERLY, case, NOW)) == [Basis.OWN_RECORD, Basis.OWN_RECORD]


def test_unrelated_agency_sees_nothing_and_learns_why() -> None:
    case, _ = new_case()
    decisions = decide_case(HIKIKOMORI, case, NOW)
    assert bases(decisions) == [None, None]
    assert all("同意" in d.reason_ja for d in decisions)
    assert not may_write(HIKIKOMORI, case, NOW)


def test_consent_covers_only_its_agencies_and_categories() -> None:
    case, son = new_case()
    consent_id = consent(case, son, ["hikikomori"], categories=(InformationCategory.BASIC,))
    case.record_consultation(ELDERLY, NOW, field="elderly", category=InformationCategory.HEALTH, channel="来所",
                             summary="通院の状況")
    decisions = {d.seq: d for d in decide_case(HIKIKOMORI, case, NOW)}
    assert decisions[2].basis == Basis.CONSENT and decisions[2].ground == consent_id  # member: basic
    assert decisions[4].basis is None  # the consultation holds health information


def test_consent_withdrawn_before_the_read_no_longer_counts() -> None:
    case, son = new_case()
    consent_id = consent(case, son, ["hikikomori"])
    later = NOW + timedelta(days=3)
    case.withdraw_consent(ELDERLY, later, consent_id=consent_id, reason="本人の申し出")
    assert decide_entry(HIKIKOMORI, case.entries[0], case, NOW + timedelta(days=1)).basis == Basis.CONSENT
    assert decide_entry(HIKIKOMORI, case.entries[0], case, later).basis is None


def test_support_meeting_member_reads_without_consent_under_its_meeting() -> None:
    case, _ = new_case()
    meeting = support_meeting(case, ["elderly-shiba", "hikikomori", "coordination"])
    decision = decide_entry(HIKIKOMORI, case.entries[1], case, NOW)
    assert (decision.basis, decision.ground) == (Basis.SUPPORT_MEETING, meeting)
    assert decision.basis.is_unconsented


def test_consent_is_preferred_to_the_support_meeting_so_unconsented_access_stays_rare() -> None:
    case, son = new_case()
    support_meeting(case, ["hikikomori"])
    consent(case, son, ["hikikomori"], until=date(2027, 1, 1))
    assert decide_entry(HIKIKOMORI, case.entries[0], case, NOW).basis == Basis.CONSENT


def test_emergency_holder_reads_until_expiry_only() -> None:
    case, _ = new_case()
    case.grant_emergency_access(HIKIKOMORI, NOW, reason="室内で倒れている可能性があり安否確認が必要",
                                ttl=timedelta(hours=2))
    assert decide_entry(HIKIKOMORI, case.entries[0], case, NOW + timedelta(hours=1)).basis == Basis.EMERGENCY
    assert decide_entry(HIKIKOMORI, case.entries[0], case, NOW + timedelta(hours=2)).basis is None


def test_auditor_reads_everything_under_audit_and_cannot_write() -> None:
    case, _ = new_case()
    assert set(bases(decide_case(AUDITOR, case, NOW))) == {Basis.AUDIT}
    assert not may_write(AUDITOR, case, NOW)


def test_coordinator_may_convene_on_any_case_but_reads_only_on_a_basis() -> None:
    case, _ = new_case()
    assert may_write(COORDINATOR, case, NOW)
    assert bases(decide_case(COORDINATOR, case, NOW)) == [None, None]


def test_support_meeting_basis_ends_when_the_person_consents_afterwards() -> None:
    case, son = new_case()
    support_meeting(case, ["hikikomori"])
    case.record_consultation(ELDERLY, NOW, field="poverty", category=InformationCategory.FINANCE, channel="来所",
                             summary="家計の状況")
    later = NOW + timedelta(days=7)
    case.grant_consent(ELDERLY, later, given_by_member=son, agencies=["hikikomori"],
                       categories=[InformationCategory.BASIC], purpose="支援", method="written",
                       valid_until=date(2027, 3, 31))
    finance = case.entries[3]
    assert decide_entry(HIKIKOMORI, finance, case, NOW + timedelta(days=1)).basis == Basis.SUPPORT_MEETING
    assert decide_entry(HIKIKOMORI, finance, case, later).basis is None  # the person's scope now governs
    assert decide_entry(HIKIKOMORI, case.entries[1], case, later).basis == Basis.CONSENT


def test_support_meeting_basis_ends_when_the_case_is_closed() -> None:
    case, _ = new_case()
    support_meeting(case, ["hikikomori"])
    later = NOW + timedelta(days=30)
    case.close(ELDERLY, later, evaluation="支援終結", outcome="終結")
    assert decide_entry(HIKIKOMORI, case.entries[0], case, later - timedelta(seconds=1)).basis == Basis.SUPPORT_MEETING
    assert decide_entry(HIKIKOMORI, case.entries[0], case, later).basis is None


def test_agency_referred_by_a_support_meeting_decision_reads_under_that_meeting() -> None:
    case, _ = new_case()
    meeting = support_meeting(case, ["elderly-shiba", "coordination"],
                              decisions=[{"kind": "refer", "text": "生活困窮の窓口へ", "target_agency": "livelihood"}])
    livelihood = type(ELDERLY)("inoue-kazuki", "livelihood", ELDERLY.roles)
    assert decide_entry(livelihood, case.entries[0], case, NOW).basis is None  # not yet referred
    case.request_referral(ELDERLY, NOW, to_agency="livelihood", categories=[InformationCategory.BASIC],
                          reason="支援会議の決定")
    decision = decide_entry(livelihood, case.entries[-1], case, NOW)
    assert (decision.basis, decision.ground) == (Basis.SUPPORT_MEETING, meeting)


def test_expired_emergency_access_leaves_the_agency_no_right_to_write() -> None:
    case, _ = new_case()
    case.grant_emergency_access(HIKIKOMORI, NOW, reason="室内で倒れている可能性があり安否確認が必要",
                                ttl=timedelta(hours=2))
    colleague = type(HIKIKOMORI)("kato-mika", "hikikomori", HIKIKOMORI.roles)
    assert may_write(HIKIKOMORI, case, NOW + timedelta(hours=1))
    assert not may_write(colleague, case, NOW + timedelta(hours=1))
    assert not may_write(HIKIKOMORI, case, NOW + timedelta(hours=3))


def test_a_break_glass_request_is_its_requesters_own_record_not_their_colleagues() -> None:
    case, _ = new_case()
    case.grant_emergency_access(HIKIKOMORI, NOW, reason="室内で倒れている可能性があり安否確認が必要",
                                ttl=timedelta(hours=2))
    request = case.entries[-1]
    colleague = type(HIKIKOMORI)("kato-mika", "hikikomori", HIKIKOMORI.roles)
    later = NOW + timedelta(hours=3)
    assert decide_entry(HIKIKOMORI, request, case, later).basis == Basis.OWN_RECORD
    assert decide_entry(colleague, request, case, later).basis is None


def test_the_receiving_agency_sees_the_referral_on_the_consent_that_allowed_it() -> None:
    case, son = new_case()
    consent_id = consent(case, son, ["hikikomori"], categories=(InformationCategory.BASIC,))
    case.request_referral(ELDERLY, NOW, to_agency="hikikomori", categories=[InformationCategory.BASIC],
                          reason="長男の支援")
    entry = case.entries[-1]
    assert entry.category == InformationCategory.SUPPORT  # not covered by the consent's categories...
    decision = decide_entry(HIKIKOMORI, entry, case, NOW)
    assert (decision.basis, decision.ground) == (Basis.CONSENT, consent_id)  # ...but the referral was made on it
    later = NOW + timedelta(days=1)
    case.withdraw_consent(ELDERLY, later, consent_id=consent_id, reason="本人の申し出")
    assert decide_entry(HIKIKOMORI, entry, case, later).basis is None
    livelihood = type(ELDERLY)("inoue-kazuki", "livelihood", ELDERLY.roles)
    assert decide_entry(livelihood, entry, case, NOW).basis is None
