"""What `tsunagu audit verify` reports about a recorded read that the rules do not bear out: which record,
where in the log, whose read of which case and when, what it showed against what the rules give, and why —
and that honest reads, including a break-glass read and a read right after opening, replay clean."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.access import RULES_VERSION
from domain.access_record import ACCESS_RECORD_TOPIC, AccessRecord
from domain.audit import verify_access_log
from domain.commands import GrantConsent, RecordConsultation, RequestEmergencyAccess
from domain.vocabulary import ConsentMethod, Field, InformationCategory
from tests.integration.test_case_store import open_8050_case
from tests.support import access_records

pytestmark = pytest.mark.integration


EMERGENCY_REASON = "本人が自宅で倒れていると通報があり安否確認のため"


def plant(tsunagu, reader, case_id: str, version: int, at, *, shown: dict[str, list[int]],
          ground_seqs: dict[str, list[int]], grounds: dict[str, list[str]] | None = None, rules: int = RULES_VERSION
          ) -> tuple[UUID, int]:
    """Save an access record as a forger with database access would; its id and position in the log."""
    forged = AccessRecord._create(
        AccessRecord.Recorded, id=uuid4(), reader_staff=reader.staff_id, reader_agency=reader.agency_id,
        reader_roles=sorted(reader.roles), case_id=case_id, case_found=True, case_version=version,
        purpose="timeline", channel="api", decided_at=at, shown=shown, grounds=grounds or {}, withheld=[],
        active_consents=[], rules=rules, ground_seqs=ground_seqs)
    tsunagu.save(forged)
    position = max(n.id for n in tsunagu.notifications([ACCESS_RECORD_TOPIC]))
    return forged.id, position


def consented_case(tsunagu, staff) -> tuple[UUID, str]:
    """An 8050 case whose son let the hikikomori centre see everything; the consent's id."""
    case_id, son = open_8050_case(tsunagu, staff)
    tsunagu.execute(staff("suzuki-kenta"), GrantConsent(
        case_id=case_id, member_id=son, agencies=("hikikomori",), categories=tuple(InformationCategory),
        purpose="支援", method=ConsentMethod.ORAL, heard_by="suzuki-kenta", valid_until=date(2027, 3, 31)))
    return case_id, tsunagu._load(case_id).consents.popitem()[0]


def test_a_finding_names_the_record_its_place_the_reader_and_both_sets_of_entries(tsunagu, staff, clock) -> None:
    case_id, _ = open_8050_case(tsunagu, staff)
    stranger = staff("takahashi-aoi")  # hikikomori centre: no consent, no meeting
    record_id, position = plant(tsunagu, stranger, str(case_id), 2, clock(), shown={"CONSENT": [1, 2]},
                                ground_seqs={"no-such-consent": [1, 2]})

    [finding] = verify_access_log(tsunagu).findings
    assert (finding.record_id, finding.position, finding.case_id) == (str(record_id), position, str(case_id))
    assert (finding.reader_staff, finding.decided_at) == ("takahashi-aoi", clock().isoformat())
    assert (finding.recorded, finding.expected) == ({"CONSENT": [1, 2]}, {})
    assert finding.problem_ja == "記録された閲覧根拠（CONSENT）が、その時点の規則では成り立ちません。"
    assert finding.problem_en == "The recorded bases (CONSENT) do not hold under the rules at that time."


def test_a_read_of_more_entries_under_a_basis_the_reader_had_names_that_basis(tsunagu, staff, clock) -> None:
    case_id, consent_id = consented_case(tsunagu, staff)
    reader = staff("takahashi-aoi")
    honest = tsunagu.read_timeline(reader, case_id)
    allowed = sorted(e.seq for e in honest.entries if not e.withheld)
    assert verify_access_log(tsunagu).ok

    padded = [*allowed, allowed[-1] + 1]  # one entry more than the consent covered at that version
    plant(tsunagu, reader, str(case_id), padded[-1], clock(), shown={"CONSENT": padded},
          ground_seqs={consent_id: padded})
    [finding] = verify_access_log(tsunagu).findings
    assert finding.recorded == {"CONSENT": padded} and finding.expected["CONSENT"] == allowed
    assert "（CONSENT）" in finding.problem_ja and "(CONSENT)" in finding.problem_en


def test_the_right_entries_filed_under_another_ground_are_reported_as_wrong_grounds(tsunagu, staff, clock) -> None:
    case_id, consent_id = consented_case(tsunagu, staff)
    reader = staff("takahashi-aoi")
    tsunagu.read_timeline(reader, case_id)
    [honest] = access_records(tsunagu)
    plant(tsunagu, reader, str(case_id), honest.case_version, clock(), shown=honest.shown,
          ground_seqs={"another-consent": honest.ground_seqs[consent_id]})

    [finding] = verify_access_log(tsunagu).findings
    assert finding.recorded == finding.expected == {k: sorted(v) for k, v in honest.shown.items()}
    assert finding.problem_ja.startswith("根拠とした会議・同意・緊急時アクセスが規則と一致しません")
    assert "another-consent" in finding.problem_ja and consent_id in finding.problem_ja
    assert finding.problem_en == (f"The grounds recorded do not hold (recorded {{'another-consent': "
                                  f"{honest.ground_seqs[consent_id]}}}, rules give {{'{consent_id}': "
                                  f"{honest.ground_seqs[consent_id]}}}).")


def test_findings_come_in_log_order_and_progress_counts_every_record(tsunagu, staff, clock) -> None:
    first, _ = open_8050_case(tsunagu, staff)
    second, _ = open_8050_case(tsunagu, staff)
    stranger = staff("takahashi-aoi")
    for case_id in (first, second, first):
        tsunagu.read_timeline(staff("suzuki-kenta"), case_id)
    later, _ = plant(tsunagu, stranger, str(second), 2, clock(), shown={"CONSENT": [1]}, ground_seqs={"x": [1]})
    earlier_in_log_but_other_case, _ = plant(tsunagu, stranger, str(first), 2, clock(), shown={"CONSENT": [2]},
                                             ground_seqs={"x": [2]})
    reported: list[tuple[int, int]] = []

    report = verify_access_log(tsunagu, progress=lambda done, total: reported.append((done, total)))
    assert report.records_checked == 5
    assert [f.record_id for f in report.findings] == [str(later), str(earlier_in_log_but_other_case)]
    assert [f.position for f in report.findings] == sorted(f.position for f in report.findings)
    assert reported[-1] == (5, 5) and [done for done, _ in reported] == sorted(done for done, _ in reported)
    assert len(reported) == 2  # once per case


def test_a_read_right_after_opening_and_a_break_glass_read_replay_clean(tsunagu, staff, clock) -> None:
    case_id, _ = open_8050_case(tsunagu, staff)
    tsunagu.read_case(staff("suzuki-kenta"), case_id)
    holder = staff("takahashi-aoi")
    tsunagu.execute(holder, RequestEmergencyAccess(case_id=case_id, reason=EMERGENCY_REASON))
    timeline = tsunagu.read_timeline(holder, case_id)
    assert any(not e.withheld for e in timeline.entries)
    records = access_records(tsunagu)
    assert records[0].case_version == 2 and "EMERGENCY" in records[-1].shown

    report = verify_access_log(tsunagu)
    assert report.ok and report.records_checked == len(records), report.findings


def test_a_read_filed_under_another_staff_members_break_glass_grant_is_reported(tsunagu, staff, clock) -> None:
    case_id, _ = open_8050_case(tsunagu, staff)
    holder = staff("takahashi-aoi")
    tsunagu.execute(holder, RequestEmergencyAccess(case_id=case_id, reason=EMERGENCY_REASON))
    tsunagu.read_timeline(holder, case_id)
    [honest] = access_records(tsunagu)
    colleague = next(s.as_actor() for s in tsunagu.registry.staff
                     if s.agency == holder.agency_id and s.id != holder.staff_id)
    plant(tsunagu, colleague, str(case_id), honest.case_version, clock(), shown=honest.shown,
          ground_seqs=honest.ground_seqs)
    [finding] = verify_access_log(tsunagu).findings
    assert finding.reader_staff == colleague.staff_id and finding.expected == {}


def test_a_record_for_an_id_that_is_no_case_is_reported_when_it_showed_anything(tsunagu, staff, clock) -> None:
    stranger = staff("takahashi-aoi")
    record_id, _ = plant(tsunagu, stranger, "not-a-case-id", 3, clock(), shown={"OWN_RECORD": [1]},
                         ground_seqs={})
    plant(tsunagu, stranger, "also-not-a-case", 0, clock(), shown={}, ground_seqs={})
    report = verify_access_log(tsunagu)
    assert [f.record_id for f in report.findings] == [str(record_id)]



def test_a_finding_lists_every_basis_that_does_not_hold_and_says_none_when_a_read_showed_too_little(
        tsunagu, staff, clock) -> None:
    case_id, _ = open_8050_case(tsunagu, staff)
    stranger, opener = staff("takahashi-aoi"), staff("suzuki-kenta")
    plant(tsunagu, stranger, str(case_id), 2, clock(), shown={"CONSENT": [1], "SUPPORT_MEETING": [2]},
          ground_seqs={"x": [1], "y": [2]})
    plant(tsunagu, opener, str(case_id), 2, clock(), shown={}, ground_seqs={})  # the rules give it its own
    too_much, too_little = verify_access_log(tsunagu).findings
    assert too_much.problem_ja == "記録された閲覧根拠（CONSENT, SUPPORT_MEETING）が、その時点の規則では成り立ちません。"
    assert too_much.problem_en == ("The recorded bases (CONSENT, SUPPORT_MEETING) do not hold under the rules at "
                                   "that time.")
    assert (too_little.recorded, too_little.expected) == ({}, {"OWN_RECORD": [1, 2]})
    assert too_little.problem_ja == "記録された閲覧根拠（なし）が、その時点の規則では成り立ちません。"
    assert too_little.problem_en == "The recorded bases (none) do not hold under the rules at that time."


def test_of_two_bases_only_the_one_with_entries_it_did_not_give_is_named(tsunagu, staff, clock) -> None:
    case_id, consent_id = consented_case(tsunagu, staff)
    reader = staff("takahashi-aoi")
    tsunagu.execute(reader, RecordConsultation(case_id=case_id, field=Field.HIKIKOMORI, summary="電話で話した",
                                               category=InformationCategory.CONSULTATION, channel="電話"))
    tsunagu.read_timeline(reader, case_id)
    [honest] = access_records(tsunagu)
    assert set(honest.shown) == {"OWN_RECORD", "CONSENT"}
    padded = {**honest.shown, "CONSENT": sorted([*honest.shown["CONSENT"], honest.case_version + 1])}
    plant(tsunagu, reader, str(case_id), honest.case_version, clock(), shown=padded,
          ground_seqs={**honest.ground_seqs, consent_id: padded["CONSENT"]})
    [finding] = verify_access_log(tsunagu).findings
    assert "（CONSENT）" in finding.problem_ja and "(CONSENT)" in finding.problem_en


def test_a_read_of_an_older_version_recorded_after_a_newer_one_is_replayed_at_its_own_version(
        tsunagu, staff, clock) -> None:
    case_id, son = consented_case(tsunagu, staff)
    reader = staff("takahashi-aoi")
    tsunagu.read_timeline(reader, case_id)
    tsunagu.execute(staff("suzuki-kenta"), RecordConsultation(
        case_id=case_id, field=Field.ELDERLY, summary="母の介護の相談", category=InformationCategory.CONSULTATION,
        channel="電話"))
    tsunagu.read_timeline(reader, case_id)
    older, newer = access_records(tsunagu)
    assert older.case_version < newer.case_version and older.shown != newer.shown
    # Two readers loaded the case at two versions; the one who saw the older version recorded last.
    plant(tsunagu, reader, str(case_id), older.case_version, clock(), shown=older.shown,
          ground_seqs=older.ground_seqs)
    report = verify_access_log(tsunagu)
    assert report.ok and report.records_checked == 3, report.findings
