"""制度切替 through HTTP: the transitions list (lead agency and coordinator, each case a recorded read) and a
handover's basis for the receiving agency."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import access_records, write_refusals

pytestmark = pytest.mark.integration

ELDERLY, COORDINATOR, HIKIKOMORI, AUDITOR = "suzuki-kenta", "tanaka-yui", "takahashi-aoi", "watanabe-makoto"
DISABILITY = "yamazaki-chihiro"
ALL = ["basic", "consultation", "health", "finance", "family", "support"]


class Household:
    """A household opened on 2026-06-01 by the elderly centre: one grandchild turns 18 on 6/20, one did on 6/10."""

    def __init__(self, client: Any, auth: Any) -> None:
        self.client, self.auth = client, auth
        opened = self.client.post("/cases", json={"household_name": "佐藤家", "household_name_kana": "さとうけ",
                                                  "district": "shiba", "summary": "祖母と孫二人"},
                                  headers=auth(ELDERLY))
        assert opened.status_code == 201, opened.text
        self.case_id, self.position = opened.json()["case_id"], opened.json()["position"]
        self.soon = self.member("佐藤 蓮", "2008-06-20")
        self.past = self.member("佐藤 葵", "2008-06-10")
        for member in (self.soon, self.past):  # each one's own consent: the coordinator may read them
            self.consent(member, ["elderly-shiba", "coordination"])

    def consent(self, member: str, agencies: list[str]) -> None:
        self.post(ELDERLY, "/consents", {"member_id": member, "agencies": agencies, "categories": ALL,
                                         "purpose": "支援のため", "method": "written", "document_ref": "同意書",
                                         "valid_until": "2027-03-31"})

    def member(self, name: str, born: str) -> str:
        return str(self.post(ELDERLY, "/members", {"name": name, "name_kana": "さとう", "birth_date": born,
                                                   "relationship": "孫"})["id"])

    def post(self, staff: str, path: str, body: dict[str, Any], expect: int = 201) -> Any:
        response = self.client.post(f"/cases/{self.case_id}{path}", json=body, headers=self.auth(staff))
        assert response.status_code in ((200, 201) if expect == 201 else (expect,)), response.text
        if response.status_code < 300:
            self.position = response.json()["position"]
        return response.json()

    def transitions(self, staff: str, expect: int = 200, **params: Any) -> Any:
        response = self.client.get("/transitions", params={"after": self.position, **params},
                                   headers=self.auth(staff))
        assert response.status_code == expect, response.text
        return response.json()


@pytest.fixture
def home(client, auth, clock) -> Household:
    household = Household(client, auth)
    clock.advance(days=14)  # 2026-06-15 (JST)
    return household


def listed(answer: dict[str, Any]) -> dict[tuple[str, int], bool]:
    return {(row["member_id"], row["at_age"]): row["overdue"] for row in answer["transitions"]}


def test_a_member_turning_18_soon_and_one_past_18_without_a_handover_are_listed_until_it_is_completed(
        home: Household, tsunagu) -> None:
    answer = home.transitions(ELDERLY)  # the lead agency
    assert (answer["within_days"], answer["ages"]) == (30, [18, 40, 65])
    assert listed(answer) == {(home.soon, 18): False, (home.past, 18): True}
    assert listed(home.transitions(COORDINATOR)) == listed(answer)
    [row] = [r for r in answer["transitions"] if r["member_id"] == home.soon]
    assert row["due_on"] == "2026-06-20" and row["case_id"] == home.case_id
    assert "佐藤" not in str(answer), "ids and days only"
    reads = [r for r in access_records(tsunagu) if r.purpose == "transitions"]
    assert {(r.reader_staff, r.case_id) for r in reads} == {(ELDERLY, home.case_id), (COORDINATOR, home.case_id)}
    assert listed(home.transitions(ELDERLY, within=3)) == {(home.past, 18): True}

    home.consent(home.past, ["elderly-shiba", "disability-core"])
    handover = home.post(ELDERLY, "/handovers", {"member_id": home.past, "at_age": 18,
                                                 "to_agency": "disability-core", "due_on": "2026-06-10"})["id"]
    [still] = [r for r in home.transitions(COORDINATOR)["transitions"] if r["member_id"] == home.past]
    assert still["overdue"] and still["handover_id"] == handover  # planned is not done
    home.post(DISABILITY, f"/handovers/{handover}/completion", {"note": "引き継いだ"}, expect=200)
    assert listed(home.transitions(COORDINATOR)) == {(home.soon, 18): False}
    assert listed(home.transitions(ELDERLY)) == {}, "the lead moved with the handover"
    # The new lead may read only the member who consented to it: the other one's transition is not shown to it.
    assert listed(home.transitions(DISABILITY)) == {}
    home.consent(home.soon, ["elderly-shiba", "coordination", "disability-core"])
    assert listed(home.transitions(DISABILITY)) == {(home.soon, 18): False}


def test_the_transitions_list_is_for_the_lead_agency_and_coordinators(home: Household) -> None:
    home.consent(home.soon, ["elderly-shiba", "coordination", "hikikomori"])  # it may read the member…
    assert home.transitions(HIKIKOMORI)["transitions"] == []  # …but it is neither the lead nor a coordinator
    assert home.transitions(AUDITOR, expect=403)["detail"]["code"] == "not_for_this_role"


def test_a_handover_to_an_agency_without_a_basis_for_the_member_is_refused_with_409(home: Household,
                                                                                     tsunagu) -> None:
    answer = home.post(ELDERLY, "/handovers", {"member_id": home.soon, "at_age": 18, "to_agency": "disability-core",
                                               "due_on": "2026-06-20"}, expect=409)
    assert "本人同意" in answer["detail"]["message"] and "consent" in answer["detail"]["message_en"]
    assert write_refusals(tsunagu)[-1].refused_by == "to_agency_with_basis"
