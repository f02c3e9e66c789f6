"""Each basis of access, and the denial, decided on the case as it stands at the moment of reading."""

from __future__ import annotations

from datetime import date, timedelta

from domain.access import Decision, decide_case, decide_entry, write_basis
from domain.actor import Actor
from domain.vocabulary import Basis, ClosureReason, InformationCategory, LegalGround, Role, WriteBasis
from tests.unit.test_case_rules import (
    AUDITOR,
    COORDINATOR,
    ELDERLY,
    HIKIKOMORI,
    NOW,
    consent,
    new_case,
    support_meeting,
)


def bases(decisions: list) -> list:
    return [d.basis for d in decisions]


def test_own_agency_sees_its_own_entries() -> None:
    case, _ = new_case()
    assert decide_case(ELDERLY, case, NOW) == [Decision(1, Basis.OWN_RECORD), Decision(2, Basis.OWN_RECORD)]


def withheld(seq: int) -> Decision:
    return Decision(seq, None, None, reason_ja="本人同意の範囲外で、支援会議や緊急時の根拠もないため非表示です。",
                    reason_en="Withheld: not covered by the person's consent, a support meeting or an emergency.")


def test_unrelated_agency_sees_nothing_and_learns_why() -> None:
    case, _ = new_case()
    assert decide_case(HIKIKOMORI, case, NOW) == [withheld(1), withheld(2)]
    assert write_basis(HIKIKOMORI, case, NOW) is None


def test_an_administrator_runs_the_system_and_reads_no_case_not_even_one_its_own_agency_wrote() -> None:
    case, _ = new_case()
    administrator = Actor("admin-1", ELDERLY.agency_id, frozenset({Role.ADMIN}))
    assert decide_case(administrator, case, NOW) == [withheld(1), withheld(2)]


def test_consent_covers_only_its_agencies_and_categories() -> None:
    case, son = new_case()
    consent_id = consent(case, son, ["hikikomori"], categories=(InformationCategory.BASIC,))
    case.record_consultation(ELDERLY, NOW, field="elderly", category=InformationCategory.HEALTH, channel="来所",
                             summary="通院の状況")
    decisions = {d.seq: d for d in decide_case(HIKIKOMORI, case, NOW)}
    assert decisions[2] == Decision(2, Basis.CONSENT, consent_id)  # member: basic
    assert decisions[4] == withheld(4)  # the consultation holds health information


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
    assert decision == Decision(2, Basis.SUPPORT_MEETING, meeting)
    assert Basis.SUPPORT_MEETING.is_unconsented


def test_consent_is_preferred_to_the_support_meeting_so_unconsented_access_stays_rare() -> None:
    case, son = new_case()
    support_meeting(case, ["hikikomori"])
    consent(case, son, ["hikikomori"], until=date(2027, 1, 1))
    assert decide_entry(HIKIKOMORI, case.entries[0], case, NOW).basis == Basis.CONSENT


def test_emergency_holder_reads_until_expiry_only() -> None:
    case, _ = new_case()
    case.grant_emergency_access(HIKIKOMORI, NOW, reason="室内で倒れている可能性があり安否確認が必要",
                                ttl=timedelta(hours=2), legal_ground=LegalGround.WARD_DIVISION)
    [grant] = case.emergency_grants
    assert decide_entry(HIKIKOMORI, case.entries[0], case, NOW + timedelta(hours=1)) == Decision(
        1, Basis.EMERGENCY, grant)
    assert decide_entry(HIKIKOMORI, case.entries[0], case, NOW + timedelta(hours=2)) == withheld(1)


def test_auditor_reads_everything_under_audit_and_cannot_write() -> None:
    case, _ = new_case()
    assert set(bases(decide_case(AUDITOR, case, NOW))) == {Basis.AUDIT}
    assert write_basis(AUDITOR, case, NOW) is None


def test_a_coordinator_without_a_basis_on_the_case_neither_writes_nor_reads() -> None:
    case, _ = new_case()
    assert write_basis(COORDINATOR, case, NOW) is None  # the role alone is no basis on every case in the ward
    assert bases(decide_case(COORDINATOR, case, NOW)) == [None, None]


def test_support_meeting_basis_neither_ends_nor_widens_when_the_person_consents_or_withdraws() -> None:
    case, son = new_case()
    case.record_consultation(ELDERLY, NOW, field="poverty", category=InformationCategory.FINANCE, channel="来所",
                             summary="家計の状況", subjects=(son,))
    support_meeting(case, ["hikikomori"])
    finance, member = case.entries[2], case.entries[1]
    later = NOW + timedelta(days=7)
    consent_id = consent(case, son, ["hikikomori"], categories=(InformationCategory.BASIC,), at=later)
    case.record_consultation(ELDERLY, later, field="poverty", category=InformationCategory.FINANCE, channel="電話",
                             summary="家計の続報", subjects=(son,))
    assert decide_entry(HIKIKOMORI, finance, case, NOW + timedelta(days=1)).basis == Basis.SUPPORT_MEETING
    assert decide_entry(HIKIKOMORI, finance, case, later).basis == Basis.SUPPORT_MEETING  # consent does not end it
    assert decide_entry(HIKIKOMORI, member, case, later).basis == Basis.CONSENT  # consent preferred where it covers
    assert decide_entry(HIKIKOMORI, case.entries[-1], case, later).basis is None  # recorded after the meeting
    withdrawn = later + timedelta(days=1)
    case.withdraw_consent(ELDERLY, withdrawn, consent_id=consent_id, reason="本人の申し出")
    assert decide_entry(HIKIKOMORI, finance, case, withdrawn).basis == Basis.SUPPORT_MEETING
    assert decide_entry(HIKIKOMORI, member, case, withdrawn).basis == Basis.SUPPORT_MEETING  # tabled, so still seen
    assert decide_entry(HIKIKOMORI, case.entries[-2], case, withdrawn).basis is None  # withdrawal widens nothing


def test_support_meeting_basis_ends_when_the_case_is_closed() -> None:
    case, _ = new_case()
    support_meeting(case, ["hikikomori"])
    later = NOW + timedelta(days=30)
    case.close(ELDERLY, later, evaluation="支援終結", outcome="終結", reason=ClosureReason.NO_NEED)
    assert decide_entry(HIKIKOMORI, case.entries[0], case, later - timedelta(seconds=1)).basis == Basis.SUPPORT_MEETING
    assert decide_entry(HIKIKOMORI, case.entries[0], case, later).basis is None


def test_agency_referred_by_a_support_meeting_decision_reads_under_that_meeting() -> None:
    case, _ = new_case()
    case.record_consultation(ELDERLY, NOW, field="health", category=InformationCategory.HEALTH, channel="来所",
                             summary="通院の状況")
    livelihood = type(ELDERLY)("inoue-kazuki", "livelihood", ELDERLY.roles)
    assert decide_entry(livelihood, case.entries[0], case, NOW).basis is None  # no meeting has decided yet
    meeting = support_meeting(case, ["elderly-shiba", "coordination"],
                              decisions=[{"kind": "refer", "text": "生活困窮の窓口へ", "target_agency": "livelihood",
                                          "categories": ["basic"]}])
    decision = decide_entry(livelihood, case.entries[0], case, NOW)  # the category the decision names
    assert (decision.basis, decision.ground) == (Basis.SUPPORT_MEETING, meeting)
    assert decide_entry(livelihood, case.entries[2], case, NOW).basis is None  # health: not the decision's
    case.request_referral(ELDERLY, NOW, to_agency="livelihood", categories=[InformationCategory.BASIC],
                          reason="支援会議の決定")
    decision = decide_entry(livelihood, case.entries[-1], case, NOW)
    assert (decision.basis, decision.ground) == (Basis.SUPPORT_MEETING, meeting)


def test_break_glass_is_read_only_during_and_after_the_grant() -> None:
    case, _ = new_case()
    case.grant_emergency_access(HIKIKOMORI, NOW, reason="室内で倒れている可能性があり安否確認が必要",
                                ttl=timedelta(hours=2), legal_ground=LegalGround.WARD_DIVISION)
    colleague = type(HIKIKOMORI)("kato-mika", "hikikomori", HIKIKOMORI.roles)
    during = NOW + timedelta(hours=1)
    assert decide_entry(HIKIKOMORI, case.entries[0], case, during).basis == Basis.EMERGENCY
    assert write_basis(HIKIKOMORI, case, during) is None  # its request entry does not make the agency a writer
    assert write_basis(colleague, case, during) is None
    assert write_basis(HIKIKOMORI, case, NOW + timedelta(hours=3)) is None


def test_an_agency_writes_on_its_own_records_a_consent_a_current_support_meeting_or_a_referral_to_it() -> None:
    case, son = new_case()
    assert write_basis(ELDERLY, case, NOW) == WriteBasis.OWN_RECORD
    consent_id = consent(case, son, ["hikikomori"], categories=(InformationCategory.BASIC,))
    assert write_basis(HIKIKOMORI, case, NOW) == WriteBasis.CONSENT
    case.request_referral(ELDERLY, NOW, to_agency="hikikomori", categories=[InformationCategory.BASIC],
                          reason="長男の支援")
    later = NOW + timedelta(days=1)
    case.withdraw_consent(ELDERLY, later, consent_id=consent_id, reason="本人の申し出")
    assert write_basis(HIKIKOMORI, case, later) == WriteBasis.REFERRAL  # still the agency the case was referred to
    livelihood = type(ELDERLY)("inoue-kazuki", "livelihood", ELDERLY.roles)
    health = type(ELDERLY)("ishikawa-mayumi", "health-center", ELDERLY.roles)
    support_meeting(case, ["elderly-shiba", "health-center"],
                    decisions=[{"kind": "refer", "text": "生活困窮の窓口へ", "target_agency": "livelihood",
                                "categories": ["basic"]}])
    assert write_basis(health, case, NOW) == WriteBasis.SUPPORT_MEETING
    assert write_basis(livelihood, case, NOW) is None  # decided, not yet referred
    case.request_referral(ELDERLY, NOW, to_agency="livelihood", categories=[InformationCategory.BASIC],
                          reason="支援会議の決定")
    assert write_basis(livelihood, case, NOW) == WriteBasis.REFERRAL  # referred on the meeting's decision


def test_an_agency_that_ended_its_involvement_writes_again_only_on_a_new_basis() -> None:
    case, son = new_case()
    case.record_consultation(HIKIKOMORI, NOW, field="hikikomori", category=InformationCategory.CONSULTATION,
                             channel="来所", summary="長男の相談")
    assert write_basis(HIKIKOMORI, case, NOW) == WriteBasis.OWN_RECORD
    case.end_involvement(HIKIKOMORI, NOW, reason="ひきこもり支援は終了")
    assert write_basis(HIKIKOMORI, case, NOW) is None
    consent(case, son, ["hikikomori"])
    assert write_basis(HIKIKOMORI, case, NOW) == WriteBasis.CONSENT


def test_a_break_glass_request_is_its_requesters_own_record_not_their_colleagues() -> None:
    case, _ = new_case()
    case.grant_emergency_access(HIKIKOMORI, NOW, reason="室内で倒れている可能性があり安否確認が必要",
                                ttl=timedelta(hours=2), legal_ground=LegalGround.WARD_DIVISION)
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
