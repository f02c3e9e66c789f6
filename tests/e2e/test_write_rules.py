"""Each command's rule, through HTTP: the refused write answers as specified, writes nothing and is
recorded; the allowed one succeeds. (The rules are in ``domain/commands``; docs/access-model.md.)"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from tests.support import write_refusals

pytestmark = pytest.mark.integration

ELDERLY, HIKIKOMORI, COORDINATOR, AUDITOR = "suzuki-kenta", "takahashi-aoi", "tanaka-yui", "watanabe-makoto"
LIVELIHOOD, HEALTH = "inoue-kazuki", "ishikawa-mayumi"
ALL = ["basic", "consultation", "health", "finance", "family", "support"]


class Ward:
    """One household's case, written through the API by the ward's staff."""

    def __init__(self, client: Any, auth: Any, tsunagu: Any) -> None:
        self.client, self.auth, self.tsunagu = client, auth, tsunagu
        opened = client.post("/cases", json={"household_name": "佐藤家", "household_name_kana": "さとうけ",
                                             "district": "shiba", "summary": "母の介護と長男の引きこもり"},
                              headers=auth(ELDERLY))
        assert opened.status_code == 201, opened.text
        self.case_id = opened.json()["case_id"]
        self.son = self.post(ELDERLY, "/members", {"name": "佐藤 健一", "name_kana": "さとう けんいち",
                                                   "birth_date": "1975-04-02", "relationship": "長男",
                                                   "is_principal": True})["id"]

    def post(self, staff: str, path: str, body: dict[str, Any], expect: int | None = None,
             case_id: str | None = None) -> Any:
        response = self.client.post(f"/cases/{case_id or self.case_id}{path}", json=body, headers=self.auth(staff))
        if expect is None:
            assert response.status_code in (200, 201), response.text
            return response.json()
        assert response.status_code == expect, response.text
        return response

    def consent(self, agencies: list[str], categories: list[str] = ALL) -> str:
        return self.post(ELDERLY, "/consents", {
            "member_id": self.son, "agencies": agencies, "categories": categories, "purpose": "支援のため",
            "method": "written", "document_ref": "同意書 第1号", "valid_until": "2027-03-31"})["id"]

    def version(self) -> int:
        return len(list(self.tsunagu.events.get(UUID(self.case_id))))

    def refused(self, staff: str, path: str, body: dict[str, Any], expect: int, *, command: str,
                refused_by: str) -> dict[str, Any]:
        """Post a write that must be refused: nothing is written, and the refusal is recorded."""
        version, refusals = self.version(), len(write_refusals(self.tsunagu))
        answer = self.post(staff, path, body, expect=expect).json()
        assert self.version() == version, "a refused write records nothing on the case"
        recorded = write_refusals(self.tsunagu)
        assert len(recorded) == refusals + 1, "a refused write is recorded"
        last = recorded[-1]
        assert (last.actor_staff, last.case_id, last.command, last.refused_by) == (
            staff, self.case_id, command, refused_by)
        assert last.answer == answer["detail"]["code"]
        return answer

    def missing_case_answer(self, staff: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.post(staff, path, body, expect=404, case_id=str(uuid4())).json()


@pytest.fixture
def ward(client, auth, tsunagu) -> Ward:
    return Ward(client, auth, tsunagu)


def test_any_agency_may_open_a_case_but_an_auditor_may_not(ward: Ward) -> None:
    answer = ward.client.post("/cases", json={"household_name": "田中家", "household_name_kana": "たなかけ",
                                              "district": None, "summary": "相談"}, headers=ward.auth(AUDITOR))
    assert answer.status_code == 403 and "監査" in answer.json()["detail"]["message"]
    assert write_refusals(ward.tsunagu)[-1].command == "OpenCase"
    assert ward.client.post("/cases", json={"household_name": "田中家", "household_name_kana": "たなかけ",
                                            "district": None, "summary": "相談"},
                            headers=ward.auth(HIKIKOMORI)).status_code == 201


def test_an_unrelated_agency_cannot_withdraw_a_consent_and_is_told_the_case_is_missing(ward: Ward) -> None:
    consent = ward.consent(["livelihood"])
    body = {"reason": "本人の申し出"}
    answer = ward.refused(HIKIKOMORI, f"/consents/{consent}/withdrawal", body, 404,
                          command="WithdrawConsent", refused_by="basis_on_case")
    assert answer == ward.missing_case_answer(HIKIKOMORI, f"/consents/{consent}/withdrawal", body)
    ward.post(LIVELIHOOD, f"/consents/{consent}/withdrawal", body)  # the person may tell any agency on the case


def test_renaming_a_member_you_cannot_see_answers_like_a_missing_member(ward: Ward) -> None:
    ward.consent(["livelihood"], categories=["consultation"])  # a basis, but the member's entry is withheld
    body = {"name": "佐藤 健二", "reason": "誤記"}
    hidden = ward.refused(LIVELIHOOD, f"/members/{ward.son}/corrections", body, 404,
                          command="CorrectMemberDetails", refused_by="touches_only_visible")
    missing = ward.post(LIVELIHOOD, "/members/000000000000/corrections", body, expect=404).json()
    assert hidden["detail"]["code"] == missing["detail"]["code"] == "not_found"
    assert hidden["detail"]["message"].replace(ward.son, "X") == missing["detail"]["message"].replace(
        "000000000000", "X")


def test_only_the_agency_that_added_a_member_corrects_the_members_details(ward: Ward) -> None:
    ward.consent(["livelihood"])
    body = {"name": "佐藤 健二", "reason": "誤記"}
    answer = ward.refused(LIVELIHOOD, f"/members/{ward.son}/corrections", body, 403,
                          command="CorrectMemberDetails", refused_by="by_member_author")
    assert "登録した機関" in answer["detail"]["message"]
    ward.post(ELDERLY, f"/members/{ward.son}/corrections", body)


def test_resolving_a_hidden_issue_answers_like_a_missing_issue(ward: Ward) -> None:
    ward.post(ELDERLY, "/issues", {"tag": "abuse", "note": "身体的虐待の疑い"})
    ward.consent(["livelihood"], categories=["basic"])  # the issue (consultation) stays withheld
    body = {"note": "解消"}
    hidden = ward.refused(LIVELIHOOD, "/issues/abuse/resolution", body, 404, command="ResolveIssue",
                          refused_by="touches_only_visible")
    missing = ward.post(LIVELIHOOD, "/issues/debt/resolution", body, expect=404).json()
    assert hidden["detail"]["message"].replace("abuse", "X") == missing["detail"]["message"].replace("debt", "X")
    ward.post(ELDERLY, "/issues/abuse/resolution", body)


def test_only_the_agency_that_wrote_an_entry_corrects_it(ward: Ward) -> None:
    ward.consent(["livelihood"])
    answer = ward.refused(LIVELIHOOD, "/corrections", {"seq": 2, "correction": "生年を訂正"}, 403,
                          command="CorrectEntry", refused_by="by_entry_author")
    assert "書いた機関" in answer["detail"]["message"]
    ward.post(ELDERLY, "/corrections", {"seq": 2, "correction": "生年を訂正"})


def test_closing_is_for_the_lead_agency_or_a_coordinator_and_others_end_their_own_involvement(ward: Ward) -> None:
    ward.consent(["livelihood"])
    closure = {"evaluation": "生活が安定した", "outcome": "終結", "reason": "no_need"}
    answer = ward.refused(LIVELIHOOD, "/closure", closure, 403, command="CloseCase",
                          refused_by="lead_agency_or_coordinator")
    assert "関与終了" in answer["detail"]["message"]
    ward.refused(HIKIKOMORI, "/closure", closure, 404, command="CloseCase", refused_by="basis_on_case")
    ward.post(LIVELIHOOD, "/involvement-ending", {"reason": "家計相談を終えた"})
    state = ward.tsunagu.repository.get(UUID(ward.case_id))
    assert state.status == "open" and "livelihood" in state.ended_involvement
    ward.post(ELDERLY, "/involvement-ending", {"reason": "x"}, expect=409)  # the lead hands over or closes
    ward.post(ELDERLY, "/closure", closure)


def test_the_lead_agency_puts_a_staff_member_with_a_basis_in_charge_through_the_api(ward: Ward) -> None:
    ward.consent(["livelihood"])
    ward.refused(LIVELIHOOD, "/staff-in-charge", {"staff": "kimura-haruka"}, 403, command="AssignStaffInCharge",
                 refused_by="assigner_leads_or_coordinates")
    answer = ward.refused(ELDERLY, "/staff-in-charge", {"staff": "takahashi-aoi"}, 409, command="AssignStaffInCharge",
                          refused_by="assignee_has_basis")
    assert "根拠" in answer["detail"]["message"] and "takahashi-aoi" not in answer["detail"]["message"]
    ward.post(ELDERLY, "/staff-in-charge", {"staff": "kondo-ayumi", "note": "地区担当"})
    assert ward.tsunagu.repository.get(UUID(ward.case_id)).staff_in_charge["staff"] == "kondo-ayumi"


def test_a_break_glass_holder_reads_but_records_neither_a_consultation_nor_a_consent(ward: Ward) -> None:
    granted = ward.post(HEALTH, "/emergency-access", {"reason": "安否確認のため至急、服薬状況を確認する必要がある"})
    assert granted["id"]
    assert ward.client.get(f"/cases/{ward.case_id}/timeline", headers=ward.auth(HEALTH)).status_code == 200
    consult = {"field": "health", "summary": "訪問した"}
    answer = ward.refused(HEALTH, "/consultations", consult, 403, command="RecordConsultation",
                          refused_by="basis_on_case")
    assert "閲覧のみ" in answer["detail"]["message"]
    ward.refused(HEALTH, "/consents", {
        "member_id": ward.son, "agencies": ["health-center"], "categories": ALL, "purpose": "x",
        "method": "oral", "heard_by": HEALTH, "valid_until": "2027-03-31"}, 403, command="GrantConsent",
        refused_by="basis_on_case")


def test_a_coordinator_records_only_on_cases_it_is_part_of(ward: Ward) -> None:
    ward.refused(COORDINATOR, "/consultations", {"field": "general", "summary": "確認"}, 404,
                 command="RecordConsultation", refused_by="basis_on_case")
    ward.consent(["coordination"])
    ward.post(COORDINATOR, "/consultations", {"field": "general", "summary": "確認"})


def _support_meeting(ward: Ward, *participants: tuple[str, str]) -> dict[str, Any]:
    return {"kind": "support", "held_on": "2026-06-01", "purpose": "情報共有",
            "participants": [{"agency": a, "staff": s, "pledged": True} for a, s in participants],
            "tabled_subjects": [ward.son], "tabled_categories": ALL, "until": "2026-08-31"}


def test_a_support_meeting_seats_only_registered_staff_of_the_agency_they_sit_for(ward: Ward) -> None:
    made_up = _support_meeting(ward, ("coordination", COORDINATOR), ("hikikomori", "yamada-made-up"))
    answer = ward.refused(COORDINATOR, "/meetings", made_up, 422, command="HoldSupportMeeting",
                          refused_by="registered_participants")
    assert "yamada-made-up" in answer["detail"]["message_en"]
    misplaced = _support_meeting(ward, ("coordination", COORDINATOR), ("hikikomori", LIVELIHOOD))
    ward.refused(COORDINATOR, "/meetings", misplaced, 422, command="HoldSupportMeeting",
                 refused_by="registered_participants")
    hikikomori_reads = ward.client.get(f"/cases/{ward.case_id}/timeline", headers=ward.auth(HIKIKOMORI))
    assert hikikomori_reads.status_code == 404, "a refused meeting gives no basis"
    ward.post(COORDINATOR, "/meetings", _support_meeting(ward, ("coordination", COORDINATOR),
                                                         ("hikikomori", HIKIKOMORI)))


def test_a_support_meeting_is_convened_only_by_the_wards_office_for_it(ward: Ward) -> None:
    meeting = _support_meeting(ward, ("elderly-shiba", ELDERLY), ("hikikomori", HIKIKOMORI))
    answer = ward.refused(ELDERLY, "/meetings", meeting, 403, command="HoldSupportMeeting",
                          refused_by="support_meeting_office")
    assert "事務局" in answer["detail"]["message"]


def test_handovers_and_plan_roles_go_only_to_agencies_a_consent_or_meeting_covers(ward: Ward) -> None:
    ward.consent(["coordination", "elderly-shiba", "livelihood"])
    handover = {"member_id": ward.son, "at_age": 40, "to_agency": "hikikomori", "due_on": "2026-06-01"}
    ward.refused(ELDERLY, "/handovers", handover, 409, command="PlanHandover", refused_by="to_agency_with_basis")
    ward.post(ELDERLY, "/handovers", {**handover, "to_agency": "livelihood"})
    meeting = ward.post(COORDINATOR, "/meetings", {
        "kind": "multi_layered", "held_on": "2026-06-01", "purpose": "プラン検討",
        "participants": [{"agency": "coordination", "staff": COORDINATOR},
                         {"agency": "elderly-shiba", "staff": ELDERLY}]})["id"]
    plan = {"meeting_id": meeting, "goals": ["長男の外出"], "next_review_on": "2026-09-01",
            "roles": [{"agency": "hikikomori", "role": "訪問"}]}
    answer = ward.refused(COORDINATOR, "/plan", plan, 409, command="AdoptPlan", refused_by="to_covered_agencies")
    assert "hikikomori" in answer["detail"]["message"]
    ward.post(COORDINATOR, "/plan", {**plan, "roles": [{"agency": "livelihood", "role": "家計相談"}]})


def test_a_multi_layered_meeting_needs_consent_covering_its_convener(ward: Ward) -> None:
    ward.consent(["livelihood", "coordination"])  # not the elderly centre, which convenes on its own records
    meeting = {"kind": "multi_layered", "held_on": "2026-06-01", "purpose": "プラン検討",
               "participants": [{"agency": "livelihood", "staff": LIVELIHOOD},
                                {"agency": "coordination", "staff": COORDINATOR}]}
    answer = ward.post(ELDERLY, "/meetings", meeting, expect=409).json()
    assert answer["detail"]["code"] == "consent_required" and "elderly-shiba" in answer["detail"]["message"]
    ward.post(COORDINATOR, "/meetings", meeting)


def test_only_the_agency_a_referral_was_made_to_answers_it(ward: Ward) -> None:
    ward.consent(["livelihood"])
    referral = ward.post(ELDERLY, "/referrals", {"to_agency": "livelihood", "categories": ["basic"],
                                                 "reason": "家計の相談"})["id"]
    ward.refused(HIKIKOMORI, f"/referrals/{referral}/acceptance", {"note": ""}, 404, command="AcceptReferral",
                 refused_by="touches_only_visible")
    ward.refused(ELDERLY, f"/referrals/{referral}/acceptance", {"note": ""}, 403, command="AcceptReferral",
                 refused_by="by_receiver")
    ward.post(LIVELIHOOD, f"/referrals/{referral}/acceptance", {"note": "受理"})


def test_refused_writes_are_listed_for_auditors_only(ward: Ward, client, auth) -> None:
    ward.refused(HIKIKOMORI, "/consultations", {"field": "general", "summary": "x"}, 404,
                 command="RecordConsultation", refused_by="basis_on_case")
    version = ward.tsunagu.recorder.max_notification_id()
    listed = client.get(f"/audit/refused-writes?case_id={ward.case_id}&after={version}", headers=auth(AUDITOR))
    assert listed.status_code == 200, listed.text
    rows = listed.json()["refused_writes"]
    assert [(r["actor_staff"], r["command"], r["refused_by"]) for r in rows] == [
        (HIKIKOMORI, "RecordConsultation", "basis_on_case")]
    assert client.get("/audit/refused-writes", headers=auth(HIKIKOMORI)).status_code == 403
