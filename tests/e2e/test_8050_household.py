"""An 8050 household walked through the API, asserting at each step who can read what, and
that every read leaves exactly one access record with the right basis."""

from __future__ import annotations

from typing import Any

import pytest

from domain.vocabulary import Basis
from tests.support import access_records

pytestmark = pytest.mark.integration

ELDERLY, HIKIKOMORI, COORDINATOR, AUDITOR = "suzuki-kenta", "takahashi-aoi", "tanaka-yui", "watanabe-makoto"


class Walk:
    """The API as the ward's staff use it, with the access log checked after every read."""

    def __init__(self, client, auth, tsunagu) -> None:
        self.client, self.auth, self.tsunagu = client, auth, tsunagu
        self.case_id = ""
        self.version = 0

    def post(self, staff: str, path: str, body: dict[str, Any], expect: int = 201) -> dict[str, Any]:
        response = self.client.post(f"/cases/{self.case_id}{path}", json=body, headers=self.auth(staff))
        assert response.status_code == expect, response.text
        return response.json()

    def read(self, staff: str) -> dict[int, str | None] | None:
        """Read the timeline as ``staff``: seq -> basis (None if withheld); None if the case is hidden."""
        before = len(access_records(self.tsunagu))
        response = self.client.get(f"/cases/{self.case_id}/timeline", headers=self.auth(staff))
        records = access_records(self.tsunagu)
        assert len(records) == before + 1, "every read leaves exactly one access record"
        record = records[-1]
        assert record.reader_staff == staff and record.case_id == self.case_id
        if response.status_code == 404:
            assert record.shown == {}
            return None
        assert response.status_code == 200, response.text
        seen = {e["seq"]: (None if e["withheld"] else e["basis"]) for e in response.json()["entries"]}
        recorded = {seq: basis for basis, seqs in record.shown.items() for seq in seqs}
        assert recorded == {seq: b for seq, b in seen.items() if b is not None}, "the record matches what was shown"
        for entry in response.json()["entries"]:
            if entry["withheld"]:
                assert "content" not in entry and "staff" not in entry
        return seen


@pytest.fixture
def walk(client, auth, tsunagu) -> Walk:
    return Walk(client, auth, tsunagu)


def test_8050_household_from_first_consultation_to_closure(walk: Walk, clock, registry) -> None:
    livelihood = next(s.id for s in registry.staff if s.agency == "livelihood")
    # 1. The mother's consultation at the elderly centre opens the case.
    opened = walk.client.post("/cases", json={"household_name": "佐藤家", "household_name_kana": "さとうけ",
                                              "district": "shiba", "summary": "80代の母の介護と50代の長男"},
                              headers=walk.auth(ELDERLY))
    assert opened.status_code == 201, opened.text
    walk.case_id = opened.json()["case_id"]
    mother = walk.post(ELDERLY, "/members", {"name": "佐藤 ハナ", "name_kana": "さとう はな",
                                            "birth_date": "1944-08-15", "relationship": "母"})["id"]
    son = walk.post(ELDERLY, "/members", {"name": "佐藤 健一", "name_kana": "さとう けんいち",
                                         "birth_date": "1975-04-02", "relationship": "長男",
                                         "is_principal": True})["id"]
    walk.post(ELDERLY, "/consultations", {"field": "elderly", "channel": "来所",
                                          "summary": "母の介護の相談。長男は20年ほど自宅にひきこもっている。"})
    walk.post(ELDERLY, "/issues", {"tag": "8050"})
    assert walk.read(ELDERLY) == {1: "OWN_RECORD", 2: "OWN_RECORD", 3: "OWN_RECORD", 4: "OWN_RECORD",
                                  5: "OWN_RECORD"}

    # 2. No consent yet: the hikikomori desk cannot see the case at all.
    assert walk.read(HIKIKOMORI) is None
    assert walk.post(ELDERLY, "/referrals", {"to_agency": "hikikomori", "categories": ["basic"],
                                             "reason": "長男の支援"},
                     expect=409)["detail"]["code"] == "consent_required"

    # 3. A 支援会議 without consent; every member pledges confidentiality. It tables both members' basics,
    #    the consultation and the support record, until its next sitting.
    sitting = [{"agency": "elderly-shiba", "staff": ELDERLY, "pledged": True},
               {"agency": "hikikomori", "staff": HIKIKOMORI, "pledged": True},
               {"agency": "coordination", "staff": COORDINATOR, "pledged": True}]
    meeting = walk.post(COORDINATOR, "/meetings", {
        "kind": "support", "held_on": "2026-06-01", "purpose": "長男の状況共有とアプローチの検討",
        "participants": sitting,
        "decisions": [{"kind": "outreach", "text": "ひきこもり窓口が訪問する"},
                      {"kind": "refer", "text": "ひきこもり窓口につなぐ", "target_agency": "hikikomori",
                       "categories": ["basic"]}],
        "tabled_subjects": [mother, son], "tabled_categories": ["basic", "consultation", "support"],
        "until": "2026-08-31"})
    assert meeting["version"] == 6
    seen = walk.read(HIKIKOMORI)  # the hikikomori desk reads without consent: recorded as SUPPORT_MEETING
    assert seen == {seq: "SUPPORT_MEETING" for seq in range(1, 7)}
    assert access_records(walk.tsunagu)[-1].grounds == {"SUPPORT_MEETING": [meeting["id"]]}
    assert walk.read(livelihood) is None

    # 4. Outreach: refused first, then met.
    outreach = walk.post(HIKIKOMORI, "/outreach", {"member_id": son, "approach": "母の訪問介護に同行し手紙を渡す",
                                                  "planned_on": "2026-06-05"})["id"]
    clock.advance(days=4)
    walk.post(HIKIKOMORI, "/visits", {"outreach_id": outreach, "member_id": son, "outcome": "refused",
                                      "notes": "ドア越しに「帰ってくれ」"})
    clock.advance(days=14)
    walk.post(HIKIKOMORI, "/visits", {"outreach_id": outreach, "member_id": son, "outcome": "met",
                                      "notes": "玄関先で10分ほど話せた"})
    seen = walk.read(ELDERLY)  # recorded after the sitting: not what it exchanged
    assert [seen[s] for s in (6, 7, 8, 9)] == ["SUPPORT_MEETING", None, None, None]
    # The next sitting tables the son's support record: the outreach results are shared among its members.
    walk.post(COORDINATOR, "/meetings", {
        "kind": "support", "held_on": "2026-06-19", "purpose": "訪問結果の共有", "participants": sitting,
        "tabled_subjects": [son], "tabled_categories": ["support"], "until": "2026-09-18"})
    seen = walk.read(ELDERLY)
    assert [seen[s] for s in (7, 8, 9)] == ["SUPPORT_MEETING"] * 3 and seen[1] == "OWN_RECORD"

    # 5. The son consents to share with the agencies that will make a plan; the mother, with those that
    #    support her (not the livelihood centre). Each consent covers its giver's information only.
    consent = walk.post(HIKIKOMORI, "/consents", {
        "member_id": son, "agencies": ["elderly-shiba", "hikikomori", "coordination", "livelihood"],
        "categories": ["basic", "consultation", "support", "finance"], "purpose": "支援プランの検討",
        "method": "written", "document_ref": "同意書 R8-0123", "valid_until": "2027-03-31"})["id"]
    walk.post(ELDERLY, "/consents", {
        "member_id": mother, "agencies": ["elderly-shiba", "hikikomori", "coordination"],
        "categories": ["basic", "consultation", "support"], "purpose": "支援プランの検討",
        "method": "written", "document_ref": "同意書 R8-0124", "valid_until": "2027-03-31"})
    seen = walk.read(livelihood)  # the son's entries only: the household's need the mother's consent too
    assert seen is not None and set(seen.values()) == {"CONSENT", None}
    assert (seen[1], seen[2], seen[3], seen[7]) == (None, None, "CONSENT", "CONSENT")  # household, mother, son
    seen = walk.read(HIKIKOMORI)
    assert seen[1] == "CONSENT" and seen[7] == "OWN_RECORD"

    # 6. A 重層的支援会議 with consent adopts a plan with roles.
    layered = walk.post(COORDINATOR, "/meetings", {
        "kind": "multi_layered", "held_on": "2026-06-20", "purpose": "支援プランの決定",
        "participants": [{"agency": a, "staff": s} for a, s in (("elderly-shiba", ELDERLY),
                                                                ("hikikomori", HIKIKOMORI),
                                                                ("coordination", COORDINATOR),
                                                                ("livelihood", livelihood))]})["id"]
    walk.post(COORDINATOR, "/plan", {"meeting_id": layered, "goals": ["長男が週1回外出する", "母の介護負担を減らす"],
                                     "roles": [{"agency": "hikikomori", "role": "長男への訪問と居場所の紹介"},
                                               {"agency": "elderly-shiba", "role": "母の介護サービス調整"}],
                                     "next_review_on": "2026-09-30"})
    # 7. Participation: a local salon, with follow-up.
    match = walk.post(HIKIKOMORI, "/participation", {"member_id": son, "resource_name": "芝地区ふれあいサロン",
                                                     "resource_kind": "salon", "starts_on": "2026-07-01"})["id"]
    walk.post(HIKIKOMORI, f"/participation/{match}/follow-ups", {"continuing": True, "note": "月2回参加"})
    state = walk.client.get(f"/cases/{walk.case_id}", headers=walk.auth(COORDINATOR)).json()
    assert state["plan"]["roles"][0]["agency"] == "hikikomori"
    assert {m["member_id"] for m in state["members"]} == {mother, son}
    assert state["bases"] == ["CONSENT", "OWN_RECORD"]

    # 8. Evaluation at a 重層的支援会議, then closure.
    clock.advance(days=120)
    final = walk.post(COORDINATOR, "/meetings", {
        "kind": "multi_layered", "held_on": "2026-10-20", "purpose": "終結評価",
        "participants": [{"agency": "hikikomori", "staff": HIKIKOMORI},
                         {"agency": "coordination", "staff": COORDINATOR}]})["id"]
    walk.post(COORDINATOR, "/plan/evaluation", {"meeting_id": final, "evaluation": "サロンに定着", "goals_met": True},
              expect=200)
    walk.post(ELDERLY, "/closure", {"evaluation": "長男がサロンに定着し、母の介護も安定", "outcome": "目標達成"},
              expect=200)

    # After closure: the auditor sees everything under AUDIT; the person may still withdraw consent,
    # and the agency that only had consent loses sight of the case.
    assert set(walk.read(AUDITOR).values()) == {"AUDIT"}
    clock.advance(hours=1)
    walk.post(HIKIKOMORI, f"/consents/{consent}/withdrawal", {"reason": "本人の申し出"}, expect=200)
    assert walk.read(livelihood) is None
    unconsented = [r for r in access_records(walk.tsunagu)
                   if any(Basis(b).is_unconsented for b in r.shown)]
    assert [(r.reader_staff, sorted(r.shown)) for r in unconsented] == [
        (HIKIKOMORI, ["SUPPORT_MEETING"]), (ELDERLY, ["OWN_RECORD", "SUPPORT_MEETING"]),
        (ELDERLY, ["OWN_RECORD", "SUPPORT_MEETING"])]


def test_read_after_consent_withdrawal_is_denied_and_recorded(walk: Walk, clock) -> None:
    walk.case_id = walk.client.post("/cases", json={"household_name": "鈴木家", "household_name_kana": "すずきけ"},
                                    headers=walk.auth(ELDERLY)).json()["case_id"]
    member = walk.post(ELDERLY, "/members", {"name": "鈴木 一", "name_kana": "すずき はじめ",
                                            "birth_date": "1950-01-01", "relationship": "本人",
                                            "is_principal": True})["id"]
    consent = walk.post(ELDERLY, "/consents", {"member_id": member, "agencies": ["hikikomori"],
                                               "categories": ["basic"], "purpose": "相談", "method": "oral",
                                               "heard_by": ELDERLY, "valid_until": "2027-03-31"})["id"]
    assert walk.read(HIKIKOMORI) == {1: "CONSENT", 2: "CONSENT", 3: None}
    clock.advance(hours=1)
    walk.post(ELDERLY, f"/consents/{consent}/withdrawal", {"reason": "本人の申し出"}, expect=200)
    assert walk.read(HIKIKOMORI) is None
    assert access_records(walk.tsunagu)[-1].withheld == [1, 2, 3, 4]


def test_emergency_access_needs_a_reason_is_flagged_and_expires(walk: Walk, clock) -> None:
    walk.case_id = walk.client.post("/cases", json={"household_name": "高橋家", "household_name_kana": "たかはしけ"},
                                    headers=walk.auth(ELDERLY)).json()["case_id"]
    refused = walk.client.post(f"/cases/{walk.case_id}/emergency-access", json={"reason": "急ぎ"},
                               headers=walk.auth(HIKIKOMORI))
    assert refused.status_code == 422 and "理由" in refused.json()["detail"]["message"]
    walk.post(HIKIKOMORI, "/emergency-access", {"reason": "本人と連絡が取れず室内で倒れている可能性がある"})
    assert walk.read(HIKIKOMORI) == {1: "EMERGENCY", 2: "OWN_RECORD"}
    clock.advance(hours=25)
    assert walk.read(HIKIKOMORI) == {1: None, 2: "OWN_RECORD"}
