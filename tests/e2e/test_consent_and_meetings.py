"""Issue 11's findings through HTTP, each now refused or correctly scoped: consent is a person's, a
支援会議 is bounded to what it exchanged, break-glass is read-only and bounded, and every view is built
from the reader's granted entries alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from tests.support import access_records

pytestmark = pytest.mark.integration

ELDERLY, HIKIKOMORI, COORDINATOR, AUDITOR = "suzuki-kenta", "takahashi-aoi", "tanaka-yui", "watanabe-makoto"
LIVELIHOOD, HEALTH, CHILDREN = "inoue-kazuki", "ishikawa-mayumi", "hayashi-mai"
ALL = ["basic", "consultation", "health", "finance", "family", "support"]


class Household:
    """A mother, her son and a 9-year-old granddaughter, written through the API by the elderly centre."""

    def __init__(self, client: Any, auth: Any, tsunagu: Any, clock: Any) -> None:
        self.client, self.auth, self.tsunagu, self.clock = client, auth, tsunagu, clock
        opened = self.client.post("/cases", json={"household_name": "佐藤家", "household_name_kana": "さとうけ",
                                                  "district": "shiba", "summary": "8050"}, headers=auth(ELDERLY))
        self.case_id = opened.json()["case_id"]
        self.mother = self.member("佐藤 花子", "1946-05-01", "本人の母")
        self.son = self.member("佐藤 健一", "1976-04-02", "長男")
        self.girl = self.member("佐藤 さくら", "2017-03-03", "孫")

    def member(self, name: str, birth: str, relationship: str) -> str:
        return self.post(ELDERLY, "/members", {"name": name, "name_kana": "さとう", "birth_date": birth,
                                               "relationship": relationship})["id"]

    def post(self, staff: str, path: str, body: dict[str, Any], expect: int | None = None) -> Any:
        self.clock.advance(minutes=1)
        response = self.client.post(f"/cases/{self.case_id}{path}", json=body, headers=self.auth(staff))
        if expect is None:
            assert response.status_code in (200, 201), response.text
            return response.json()
        assert response.status_code == expect, response.text
        return response.json()

    def consent(self, member: str, agencies: list[str], categories: list[str] = ALL, **extra: Any) -> str:
        body = {"member_id": member, "agencies": agencies, "categories": categories, "purpose": "支援のため",
                "method": "written", "document_ref": "同意書 R8-0001", "valid_until": "2027-03-31", **extra}
        return self.post(ELDERLY, "/consents", body)["id"]

    def consult(self, summary: str, subjects: list[str], category: str = "consultation") -> int:
        return self.post(ELDERLY, "/consultations", {"field": "elderly", "category": category, "summary": summary,
                                                     "subjects": subjects})["version"]

    def timeline(self, staff: str) -> dict[int, str | None] | None:
        response = self.client.get(f"/cases/{self.case_id}/timeline", headers=self.auth(staff))
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        return {e["seq"]: None if e["withheld"] else e["basis"] for e in response.json()["entries"]}

    def support_meeting(self, seats: list[tuple[str, str]], subjects: list[str], categories: list[str],
                        days: int = 28, decisions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        today = self.clock().date()
        return self.post(COORDINATOR, "/meetings", {
            "kind": "support", "held_on": today.isoformat(), "purpose": "情報共有",
            "participants": [{"agency": a, "staff": s, "pledged": True} for a, s in seats],
            "tabled_subjects": subjects, "tabled_categories": categories,
            "until": (today + timedelta(days=days)).isoformat(), "decisions": decisions or []})


@pytest.fixture
def home(client, auth, tsunagu, clock) -> Household:
    return Household(client, auth, tsunagu, clock)


def test_a_childs_own_consent_is_refused_and_a_parents_opens_only_the_childs_records(home: Household) -> None:
    hospital = home.consult("母の入院（精神科）", [home.mother], "health")
    school = home.consult("孫の登校しぶり", [home.girl])
    answer = home.post(ELDERLY, "/consents", {
        "member_id": home.girl, "agencies": ["children-family"], "categories": ALL, "purpose": "支援",
        "method": "written", "document_ref": "同意書", "valid_until": "2027-03-31"}, expect=422)
    assert "親権者" in answer["detail"]["message"]
    home.consent(home.girl, ["children-family"], given_by="parent", representative="母（佐藤 健一の妻）",
                 member_view="学校の先生には話してもいい")
    seen = home.timeline(CHILDREN)
    assert seen is not None and seen[school] == "CONSENT" and seen[hospital] is None


def test_a_sons_consent_does_not_open_his_mothers_visit_notes(home: Household) -> None:
    visit = home.post(ELDERLY, "/visits", {"member_id": home.mother, "outcome": "met",
                                           "notes": "母は服薬を拒否"})["version"]
    about_son = home.consult("長男の相談", [home.son])
    household = home.consult("世帯全体の家計", [])
    home.consent(home.son, ["hikikomori"])
    seen = home.timeline(HIKIKOMORI)
    assert seen is not None and seen[about_son] == "CONSENT"
    assert seen[visit] is None and seen[household] is None, "only the son's own information is his to share"


def test_a_made_up_member_and_their_consent_open_no_one_elses_records(home: Household) -> None:
    home.consent(home.mother, ["elderly-shiba"])
    about_mother = home.consult("母の認知症", [home.mother])
    home.consent(home.son, ["coordination"], categories=["basic"])  # gives the coordinator a basis to write
    made_up = home.post(COORDINATOR, "/members", {"name": "架空 太郎", "name_kana": "かくう",
                                                  "birth_date": "1980-01-01", "relationship": "同居人"})["id"]
    home.post(COORDINATOR, "/consents", {"member_id": made_up, "agencies": ["coordination"], "categories": ALL,
                                         "purpose": "確認", "method": "oral", "heard_by": COORDINATOR,
                                         "valid_until": "2027-03-31"})
    seen = home.timeline(COORDINATOR)
    assert seen is not None and seen[about_mother] is None
    flagged = home.client.get("/audit/consents", params={"for_review": "true", "after": _head(home)},
                              headers=home.auth(AUDITOR)).json()["consents"]
    assert [(c["member_id"], c["method"], c["obtained_by"]) for c in flagged] == [(made_up, "oral", COORDINATOR)]


def test_withdrawing_consent_never_widens_support_meeting_access(home: Household) -> None:
    home.consult("母の通院", [home.mother], "health")
    home.consult("長男の生活", [home.son])
    home.support_meeting([("coordination", COORDINATOR), ("livelihood", LIVELIHOOD)], [home.mother], ["health"])
    narrow = home.consent(home.mother, ["livelihood"], categories=["basic"])
    before = {seq for seq, basis in (home.timeline(LIVELIHOOD) or {}).items() if basis}
    home.post(ELDERLY, f"/consents/{narrow}/withdrawal", {"reason": "本人の申し出"})
    after = {seq for seq, basis in (home.timeline(LIVELIHOOD) or {}).items() if basis}
    assert after <= before, f"withdrawal widened the meeting member's reads by {sorted(after - before)}"


def test_a_later_consent_takes_nothing_a_support_meeting_member_lawfully_read(home: Household) -> None:
    illness = home.consult("母の通院", [home.mother], "health")
    home.support_meeting([("coordination", COORDINATOR), ("livelihood", LIVELIHOOD)], [home.mother], ["health"])
    assert (home.timeline(LIVELIHOOD) or {})[illness] == "SUPPORT_MEETING"
    home.consent(home.son, ["livelihood"], categories=["basic"])
    assert (home.timeline(LIVELIHOOD) or {})[illness] == "SUPPORT_MEETING"


def test_a_support_meeting_covers_what_it_tabled_until_its_end(home: Household) -> None:
    illness = home.consult("母の通院", [home.mother], "health")
    money = home.consult("母の年金", [home.mother], "finance")
    son = home.consult("長男の相談", [home.son], "health")
    meeting = home.support_meeting([("coordination", COORDINATOR), ("livelihood", LIVELIHOOD)], [home.mother],
                                   ["health"], days=14)
    later = home.consult("会議後の母の様子", [home.mother], "health")
    seen = home.timeline(LIVELIHOOD) or {}
    assert seen[illness] == "SUPPORT_MEETING" and seen[meeting["version"]] == "SUPPORT_MEETING"
    assert seen[money] is None and seen[son] is None and seen[later] is None
    home.clock.advance(days=15)
    assert home.timeline(LIVELIHOOD) is None, "the meeting's sharing ended on its stated day"
    unbounded = home.post(COORDINATOR, "/meetings", {
        "kind": "support", "held_on": home.clock().date().isoformat(), "purpose": "情報共有",
        "participants": [{"agency": "coordination", "staff": COORDINATOR, "pledged": True}]}, expect=422)
    assert "世帯員" in unbounded["detail"]["message"]


def test_a_meeting_decided_referral_opens_its_categories_not_the_case(home: Household) -> None:
    illness = home.consult("母の通院", [home.mother], "health")
    money = home.consult("母の年金", [home.mother], "finance")
    home.support_meeting([("coordination", COORDINATOR), ("elderly-shiba", ELDERLY)], [home.mother],
                         ["health", "finance"], decisions=[{"kind": "refer", "text": "家計の相談へ",
                                                            "target_agency": "livelihood", "categories": ["finance"]}])
    referral = home.post(ELDERLY, "/referrals", {"to_agency": "livelihood", "categories": ["finance"],
                                                 "reason": "会議の決定", "subjects": [home.mother]})
    seen = home.timeline(LIVELIHOOD) or {}
    assert seen[money] == "SUPPORT_MEETING" and seen[referral["version"]] == "SUPPORT_MEETING"
    assert seen[illness] is None


def test_break_glass_reads_are_filed_under_the_grant_and_end_with_the_case(home: Household) -> None:
    illness = home.consult("母の通院", [home.mother], "health")
    son = home.consult("長男の様子", [home.son])
    home.support_meeting([("coordination", COORDINATOR), ("health-center", HEALTH)], [home.mother], ["health"])
    grant = home.post(HEALTH, "/emergency-access", {"reason": "長男と連絡が取れず、室内で倒れている可能性がある"})
    seen = home.timeline(HEALTH) or {}
    assert seen[illness] == "SUPPORT_MEETING" and seen[son] == "EMERGENCY"
    home.post(HEALTH, "/emergency-access", {"reason": "もう一度確認したい事情が生じたため"}, expect=409)
    for reason in ("　" * 12, "ああああああああああああ", "\u200b" * 20 + "確認"):
        assert home.post(HEALTH, "/emergency-access", {"reason": reason}, expect=422)
    queue = home.client.get("/audit/emergency-access", params={"after": _head(home)},
                            headers=home.auth(AUDITOR)).json()["emergency_accesses"]
    mine = next(g for g in queue if g["grant_id"] == grant["id"])
    assert mine["reads"] and mine["legal_ground"] == "appi-69-2"
    home.post(ELDERLY, "/closure", {"evaluation": "施設入所", "outcome": "終結", "reason": "transferred"})
    assert (home.timeline(HEALTH) or {}).get(son) is None, "a grant ends when the case closes"


def test_the_case_view_shows_nothing_of_withheld_entries(home: Household) -> None:
    home.consent(home.son, ["hikikomori"], categories=["basic", "consultation"])
    home.post(ELDERLY, f"/members/{home.son}/corrections", {"name": "佐藤 健二", "birth_date": "1976-04-03",
                                                             "reason": "誤記"})
    home.consult("長男の相談", [home.son])
    home.post(ELDERLY, "/issues", {"tag": "abuse", "note": "母への暴言", "subjects": [home.mother]})
    seen = home.timeline(HIKIKOMORI) or {}
    view = home.client.get(f"/cases/{home.case_id}", headers=home.auth(HIKIKOMORI)).json()
    names = {m["name"] for m in view["members"]}
    assert names == {"佐藤 健二"}, "the corrected name is the son's own (basic), shown on his consent"
    assert view["issues"] == [] and view["household"] is None and not any(
        basis for seq, basis in seen.items() if seq == 1)
    listed = home.client.get("/cases", params={"after": _head(home)}, headers=home.auth(HIKIKOMORI)).json()["cases"]
    assert [(c["case_id"], c["issue_tags"], c["household_name"]) for c in listed] == [(home.case_id, [], None)]
    assert access_records(home.tsunagu)[-1].purpose == "list", "a list that shows personal data is a recorded read"


def test_audit_verify_flags_a_read_filed_on_the_wrong_consent(home: Household) -> None:
    from domain.access_record import AccessRecord
    from domain.audit import verify_access_log

    about_son = home.consult("長男の相談", [home.son])
    mothers = home.consent(home.mother, ["hikikomori"])
    home.consent(home.son, ["hikikomori"])
    home.timeline(HIKIKOMORI)
    assert verify_access_log(home.tsunagu).ok
    honest = access_records(home.tsunagu)[-1]
    ground = next(g for g, seqs in honest.ground_seqs.items() if about_son in seqs)
    forged_seqs = {g: [s for s in seqs if s != about_son] for g, seqs in honest.ground_seqs.items()}
    forged_seqs = {g: seqs for g, seqs in forged_seqs.items() if seqs}
    forged_seqs.setdefault(mothers, []).append(about_son)
    record = AccessRecord._create(
        AccessRecord.Recorded, id=UUID(int=7), reader_staff=honest.reader_staff, reader_agency=honest.reader_agency,
        reader_roles=honest.reader_roles, case_id=honest.case_id, case_found=True, case_version=honest.case_version,
        purpose="timeline", channel="api", decided_at=honest.decided_at, shown=honest.shown,
        grounds={"CONSENT": sorted(forged_seqs)}, withheld=honest.withheld, active_consents=honest.active_consents,
        rules=2, ground_seqs=forged_seqs)
    assert ground != mothers
    home.tsunagu.save(record)
    report = verify_access_log(home.tsunagu)
    assert [f.record_id for f in report.findings] == [str(UUID(int=7))]
    assert "根拠" in report.findings[0].problem_ja


def _head(home: Household) -> int:
    return home.tsunagu.recorder.max_notification_id()
